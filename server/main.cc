// innograph-server: the graph server. See `innograph-server --help`.

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "graph/io/importer.h"
#include "graph/io/jsonl.h"
#include "graph/store/store.h"
#include "graph/topology/image.h"
#include "graph/topology/topology.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "server/admin.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/graph_service.h"
#include "server/health_service.h"
#include "server/http_gateway.h"
#include "server/light_rpcs.h"
#include "server/limits.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/rpc_interceptor.h"

ABSL_FLAG(std::string, data_dir, "var/innograph",
          "Directory of the embedded RocksDB store; created when missing.");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC listen address, HOST:PORT.");
ABSL_FLAG(std::string, seed, "",
          "A JSON Lines file (docs/data-format.md) loaded when the store is empty, e.g. "
          "data/hunan/hunan.jsonl.");
ABSL_FLAG(std::string, http, "127.0.0.1:8080",
          "HTTP listen address (JSON API at /api/v1/<Method>, dashboard at /, /healthz); empty "
          "disables HTTP.");
ABSL_FLAG(std::string, web_root, INNOGRAPH_DEFAULT_WEB_ROOT,
          "Directory of the dashboard's static files (built by web/'s npm run build).");
ABSL_FLAG(bool, sync_writes, true,
          "Fsync the write-ahead log before acknowledging a write. Without it, an acknowledged "
          "write still survives a crash of the process, but not of the machine.");
ABSL_FLAG(uint32_t, max_depth, 6, "Cap on traversal depth, radius and path length.");
ABSL_FLAG(uint32_t, default_edges_per_node, 100000,
          "Edges a traversal reads per node when the request sets no limit (hub protection).");
ABSL_FLAG(uint64_t, default_max_visited, 1000000,
          "Nodes a traversal may visit when the request sets no limit.");
ABSL_FLAG(uint32_t, default_max_results, 10000,
          "Results a query returns when the request sets no limit.");
ABSL_FLAG(uint64_t, max_visited_cap, 50000000, "The largest max_visited a request may ask for.");
ABSL_FLAG(int, query_timeout_ms, 30000,
          "Deadline of a query when the call's own deadline is later (or absent).");
ABSL_FLAG(uint32_t, max_errors, 0,
          "import: 0 = all or nothing; N = write good rows in atomic chunks and stop after more "
          "than N bad rows.");
ABSL_FLAG(bool, dry_run, false, "import: validate every row, write nothing.");
ABSL_FLAG(std::string, rejects, "", "import: write the bad rows and their errors to this file.");
ABSL_FLAG(std::string, to, "",
          "backup: the directory to write the checkpoint to; must not exist yet.");
ABSL_FLAG(std::string, from, "",
          "restore: the backup directory (written by the Backup rpc, `innograph backup`, or "
          "`innograph-server backup`) to restore into --data-dir.");
ABSL_FLAG(uint32_t, max_heavy_queries, 8,
          "Heavy calls (multi-hop Expand and Subgraph, ShortestPath, Paths, Rank, Components, "
          "Communities, Export) that may run at once; more wait --heavy-query-wait-ms for a slot, "
          "then fail RESOURCE_EXHAUSTED. Light calls never wait. 0 = no limit.");
ABSL_FLAG(int, heavy_query_wait_ms, 500,
          "How long a heavy call waits for a slot of --max-heavy-queries.");
ABSL_FLAG(uint64_t, max_query_memory, uint64_t{1} << 30,
          "Estimated bytes one query may use (traversals: from visited nodes and results; "
          "analytics and Export: from the graph's node and edge counts); above it the call fails "
          "RESOURCE_EXHAUSTED with the estimate. 0 = no limit.");
ABSL_FLAG(uint32_t, max_message_size, 16u << 20,
          "Largest gRPC message received or sent, and largest HTTP request body, in bytes "
          "(larger ones fail RESOURCE_EXHAUSTED, over HTTP too).");
ABSL_FLAG(uint64_t, watch_retention, 1000000,
          "Changes the change log keeps for Watch resumes (older ones are dropped).");
ABSL_FLAG(std::string, log_level, "info",
          "Least severe log line written to stderr: debug, info, warn or error.");
ABSL_FLAG(std::string, log_format, "json",
          "Log lines on stderr: json (one object per line: ts, level, msg, fields) or text.");
ABSL_FLAG(int, slow_query_ms, 1000,
          "Log every rpc that takes at least this long (level warn, with its request); 0 = off.");
ABSL_FLAG(std::string, tokens, "",
          "A file of access tokens, one `name role secret` per line (roles reader, writer, "
          "admin; see docs/operations.md). When set, every GraphService call, /api/v1/* and "
          "/metrics need `authorization: Bearer <secret>`. When empty, authentication is off "
          "and the server listens on loopback addresses only.");
ABSL_FLAG(bool, allow_unauthenticated, false,
          "Allow a non-loopback --listen or --http address without --tokens.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve gRPC and HTTP over TLS (with --tls-key).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert.");
ABSL_FLAG(uint64_t, record_cache_mb, 512,
          "Memory for node and edge records held as encoded API messages, so that answers "
          "listing many nodes or edges (neighbours, paths, subgraphs) do not read the store per "
          "item; 0 = none.");
ABSL_FLAG(int, light_rpc_threads, 0,
          "Threads that serve the light rpcs (GetNodes, GetEdges, Neighbors) and the health "
          "check, polling one gRPC completion queue and answering each call on the thread that "
          "read it; 0 = one per core. Every other rpc runs on gRPC's sync "
          "thread pool.");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "On SIGINT/SIGTERM, how long in-flight calls may take before they are cancelled.");

namespace innograph::server {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitStore = 3;
constexpr int kExitListen = 4;

// absl flags want underscores; accept the --data-dir spelling too.
std::vector<char*> NormalizeFlags(int argc, char** argv, std::vector<std::string>* storage) {
  storage->reserve(argc);
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      size_t end = arg.find('=');
      for (size_t j = 2; j < std::min(end, arg.size()); ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
    }
    storage->push_back(std::move(arg));
  }
  std::vector<char*> out;
  for (std::string& s : *storage) out.push_back(s.data());
  return out;
}

// absl's parser exits 1 on a bad flag; check first so that usage errors exit 2 with a message.
std::string CheckFlags(const std::vector<char*>& args) {
  static const char* kBuiltin[] = {"help",       "helpfull",        "helpshort", "helppackage",
                                   "helpmatch",  "only_check_args", "version",   "fromenv",
                                   "tryfromenv", "flagfile",        "undefok"};
  for (size_t i = 1; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    std::string body = a.substr(a.compare(0, 2, "--") == 0 ? 2 : 1);
    const size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    if (std::find(std::begin(kBuiltin), std::end(kBuiltin), name) != std::end(kBuiltin)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (!flag && name.compare(0, 2, "no") == 0) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      if (flag && flag->IsOfType<bool>() && eq == std::string::npos) continue;
      flag = nullptr;
    }
    if (!flag) return "unknown flag --" + name;
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return "--" + name + " needs a value";
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return "--" + name + ": " + error;
  }
  return "";
}

// Splits HOST:PORT; false when the port is not a number in 0..65535.
bool SplitAddress(const std::string& address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = address.substr(0, colon);
  return absl::SimpleAtoi(address.substr(colon + 1), port) && *port >= 0 && *port <= 65535;
}

// Writes the topology image of the stopped, synced `store`, so that the next start loads it,
// built the way the server's start builds the topology (LoadTopology: the image plus the
// change log when usable, else a scan of the store). An error is reported and leaves the next
// start to scan; the caller's work stands either way.
void WriteTopologyImage(const GraphStore& store, const char* command) {
  const auto started = std::chrono::steady_clock::now();
  TopologyLoadReport load;
  absl::StatusOr<std::unique_ptr<Topology>> topology = LoadTopology(store, &load);
  absl::Status saved = topology.status();
  if (saved.ok()) saved = SaveTopologyImage(**topology, store);
  if (!saved.ok()) {
    std::cerr << "innograph-server " << command
              << ": writing the topology image: " << saved.message()
              << " (the next start scans the store)\n";
    return;
  }
  const Topology::Reader r = (*topology)->Read();
  std::cout << command << ": topology image written (" << r.num_nodes() << " nodes, "
            << r.num_edges() << " edges, change " << store.last_change() << ", "
            << (load.from_image ? "from the earlier image and the change log"
                                : "from a scan of the store")
            << ") in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s" << std::endl;
}

// The offline import allocates gigabytes and reads and writes much of it at random. glibc's
// malloc maps its memory in transparent huge pages (where the kernel gives them on request)
// when the tunable glibc.malloc.hugetlb=1 is set, which it reads at start-up only: the import
// runs itself again once with it (10^7 edges: 11.4 -> 10.6 s, docs/BENCHMARKS.md). A
// GLIBC_TUNABLES that already names the tunable (=0 to turn it off) is kept as it is; where
// the program cannot run itself again, it goes on as it is.
void ReexecWithMallocHugePages(char** argv) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr) return;
  const std::string before = tunables == nullptr ? "" : tunables;
  const std::string value =
      before.empty() ? "glibc.malloc.hugetlb=1" : before + ":glibc.malloc.hugetlb=1";
  setenv("GLIBC_TUNABLES", value.c_str(), 1);
  execv("/proc/self/exe", argv);
  if (tunables == nullptr) {
    unsetenv("GLIBC_TUNABLES");
  } else {
    setenv("GLIBC_TUNABLES", before.c_str(), 1);
  }
}

// `innograph-server import FILE...`: loads files into a stopped store (the offline path).
int Import(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::cerr << "innograph-server import: give files (.jsonl or .csv)\n";
    return kExitUsage;
  }
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  GraphStore::Options store_options;
  // One fsync at the end (Flush below) instead of one per batch.
  store_options.sync_writes = false;
  auto store = GraphStore::Open(dir, store_options);
  if (!store.ok()) {
    std::cerr << "innograph-server: " << store.status().message() << "\n";
    return kExitStore;
  }
  io::ImportOptions options;
  options.max_errors = absl::GetFlag(FLAGS_max_errors);
  options.dry_run = absl::GetFlag(FLAGS_dry_run);
  options.chunk_rows = 10000;
  options.bulk_if_empty = true;
  // A bulk load hands over the graph it writes: the topology image is written from it as the
  // load goes, not built from a scan of the store afterwards.
  TopologyImageWriter image(dir);
  TopologySink sink = image.Sink();
  options.bulk_topology = &sink;
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto last_progress = started;
  auto report = io::ImportFiles(**store, files, options, [&](const io::ImportReport& r) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress < std::chrono::seconds(2)) return;
    last_progress = now;
    std::cout << "import: " << r.rows_read << " rows read, " << r.rows_rejected << " rejected, "
              << static_cast<uint64_t>(r.rows_read / std::max(seconds(), 1e-9)) << " rows/s"
              << std::endl;
  });
  if (!report.ok()) {
    std::cerr << "innograph-server import: " << report.status().message() << "\n";
    return kExitStore;
  }
  if (absl::Status s = (*store)->Sync(); !s.ok()) {
    std::cerr << "innograph-server import: " << s.message() << "\n";
    return kExitStore;
  }
  // Nothing writes any more and the store is synced, as at a clean server stop. Without a new
  // image (an error here), an older image left in place is refused at the next start when the
  // store changed after it in a way the change log cannot replay (a bulk load), and replayed up
  // to date otherwise.
  if (!options.dry_run) {
    absl::Status written = absl::UnknownError("no bulk load");
    if (sink.delivered) {
      const auto image_started = std::chrono::steady_clock::now();
      written = image.Commit(**store);
      if (written.ok()) {
        std::cout << "import: topology image written (" << image.nodes() << " nodes, "
                  << image.edges() << " edges, change " << (*store)->last_change()
                  << ", from the bulk load as it was written) in "
                  << std::chrono::duration<double>(std::chrono::steady_clock::now() - image_started)
                         .count()
                  << " s" << std::endl;
      } else {
        std::cerr << "innograph-server import: writing the topology image from the load: "
                  << written.message() << " (it is built from a scan instead)\n";
      }
    }
    if (!written.ok()) WriteTopologyImage(**store, "import");
  }
  for (const io::RowError& e : report->errors) {
    std::cerr << e.file << ":" << e.line << ": " << e.message << "\n";
  }
  if (const std::string rejects = absl::GetFlag(FLAGS_rejects); !rejects.empty()) {
    std::ofstream out(rejects);
    for (const io::RowError& e : report->errors) {
      out << e.raw << "\n";
    }
  }
  std::cout << "import: " << report->rows_read << " rows read, " << report->nodes_written
            << " nodes and " << report->edges_written << " edges written, " << report->rows_rejected
            << " rejected, in " << seconds() << " s";
  if (report->aborted) std::cout << "; " << report->abort_reason;
  std::cout << std::endl;
  return report->rows_rejected == 0 && !report->aborted ? 0 : 1;
}

// `innograph-server backup --data-dir DIR --to DEST`: a RocksDB checkpoint of a stopped store
// (one process at a time may open it). DEST is itself a data directory: restore = serve on it.
int Backup() {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  const std::string dest = absl::GetFlag(FLAGS_to);
  if (dest.empty()) {
    std::cerr << "innograph-server backup: give --to DEST (a directory that does not exist)\n";
    return kExitUsage;
  }
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) {
    std::cerr << "innograph-server backup: --to '" << dest << "' already exists\n";
    return kExitUsage;
  }
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    std::cerr << "innograph-server backup: no store in '" << dir << "'\n";
    return kExitStore;
  }
  const auto started = std::chrono::steady_clock::now();
  auto store = GraphStore::Open(dir, GraphStore::Options());
  if (!store.ok()) {
    std::cerr << "innograph-server backup: " << store.status().message() << "\n";
    if (absl::IsFailedPrecondition(store.status())) {
      std::cerr << "innograph-server backup: stop the server first (SIGTERM), or take a "
                   "filesystem snapshot; see docs/operations.md\n";
    }
    return kExitStore;
  }
  if (absl::Status s = (*store)->Checkpoint(dest); !s.ok()) {
    std::cerr << "innograph-server backup: " << s.message() << "\n";
    return kExitStore;
  }
  const StoreCounts counts = (*store)->counts();
  std::cout << "backup: " << dir << " -> " << dest << " (" << counts.nodes << " nodes, "
            << counts.edges << " edges) in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s" << std::endl;
  return 0;
}

// The dashboard directory: the flag's value, except that when the flag still names the
// compiled-in source tree and that does not exist (an installed binary), the installed copy
// <prefix>/share/innograph/web next to <prefix>/bin/innograph-server.
std::string ResolveWebRoot(const std::string& flag_value) {
  std::error_code ec;
  if (flag_value != INNOGRAPH_DEFAULT_WEB_ROOT || std::filesystem::is_directory(flag_value, ec)) {
    return flag_value;
  }
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return flag_value;
  const std::filesystem::path installed = exe.parent_path() / "../share/innograph/web";
  if (!std::filesystem::is_directory(installed, ec)) return flag_value;
  return std::filesystem::weakly_canonical(installed, ec).string();
}

// Verifies the stopped store in `dir` for subcommand `command`: 0, 1 (problems found) or
// kExitStore.
int CheckStore(const std::string& dir, const char* command) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    std::cerr << "innograph-server " << command << ": no store in '" << dir << "'\n";
    return kExitStore;
  }
  auto store = GraphStore::Open(dir, GraphStore::Options());
  if (!store.ok()) {
    std::cerr << "innograph-server " << command << ": " << store.status().message() << "\n";
    return kExitStore;
  }
  auto report = (*store)->Check();
  if (!report.ok()) {
    std::cerr << "innograph-server " << command << ": " << report.status().message() << "\n";
    return kExitStore;
  }
  for (const std::string& p : report->problems) std::cout << "problem: " << p << "\n";
  if (report->problem_count > report->problems.size()) {
    std::cout << "... and " << report->problem_count - report->problems.size() << " more\n";
  }
  // The topology image, when there is one and it would be used at start, must give the graph
  // a scan gives.
  if (std::filesystem::exists(std::filesystem::path(dir) / kTopologyImageFile)) {
    TopologyLoadReport load;
    auto from_image = LoadTopology(**store, &load);
    auto scanned = Topology::Load(**store);
    if (!from_image.ok() || !scanned.ok()) {
      std::cerr << "innograph-server " << command << ": loading the topology: "
                << (!from_image.ok() ? from_image.status() : scanned.status()).message() << "\n";
      return kExitStore;
    }
    if (!load.from_image) {
      std::cout << "topology image: not used at start (" << load.fallback_reason << ")\n";
    } else if (absl::Status same = CompareTopologies(**from_image, **scanned); !same.ok()) {
      std::cout << "problem: the topology image (change " << load.image_sequence
                << ") does not match the store: " << same.message() << "\n";
      ++report->problem_count;
    } else {
      std::cout << "topology image: matches the store (change " << load.image_sequence << ", "
                << load.replayed_changes << " later changes replayed)\n";
    }
  }
  std::cout << "check: " << report->nodes << " nodes, " << report->edges << " edges, "
            << report->problem_count << " problems" << std::endl;
  return report->problem_count == 0 ? 0 : 1;
}

// `innograph-server check --data-dir DIR`: verifies a stopped store; exit 1 when it finds
// problems.
int Check() { return CheckStore(absl::GetFlag(FLAGS_data_dir), "check"); }

// `innograph-server restore --from BACKUP --data-dir DIR`: copies a backup (a checkpoint: itself
// a data directory) into a new or empty DIR, then verifies the copy as `check` does. A copy
// that fails the check is removed again; the backup is never changed.
int Restore() {
  namespace fs = std::filesystem;
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (from.empty()) {
    std::cerr << "innograph-server restore: give --from BACKUP (a backup directory)\n";
    return kExitUsage;
  }
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(from) / "CURRENT", ec)) {
    std::cerr << "innograph-server restore: --from '" << from << "' holds no backup (no store)\n";
    return kExitUsage;
  }
  if (fs::exists(fs::symlink_status(dir, ec))) {
    if (!fs::is_directory(dir, ec)) {
      std::cerr << "innograph-server restore: --data-dir '" << dir
                << "' exists and is not a directory\n";
      return kExitUsage;
    }
    if (!fs::is_empty(dir, ec)) {
      std::cerr << "innograph-server restore: --data-dir '" << dir
                << "' is not empty; restore into a new or empty directory\n";
      return kExitUsage;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  fs::create_directories(dir, ec);
  if (!ec) fs::copy(from, dir, fs::copy_options::recursive, ec);
  if (ec) {
    std::cerr << "innograph-server restore: copying '" << from << "' to '" << dir
              << "': " << ec.message() << "\n";
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) fs::remove_all(e, ec);
    return kExitStore;
  }
  // The copy (its files, then the directory's entries) is fsynced before it is declared good.
  auto sync = [](const fs::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
  };
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) sync(e.path());
  }
  sync(dir);
  const int checked = CheckStore(dir, "restore");
  if (checked != 0) {
    std::cerr << "innograph-server restore: the restored store failed its check; removed it\n";
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) fs::remove_all(e, ec);
    return checked;
  }
  // A backup holds no image: one is written now, so that the first start does not scan.
  {
    auto store = GraphStore::Open(dir, GraphStore::Options());
    if (store.ok()) {
      WriteTopologyImage(**store, "restore");
    } else {
      std::cerr << "innograph-server restore: writing the topology image: "
                << store.status().message() << " (the next start scans the store)\n";
    }
  }
  std::cout << "restore: " << from << " -> " << dir << " in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s; serve it with --data-dir " << dir << std::endl;
  return 0;
}

// The whole content of a file; false when it cannot be read.
bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  *out = text.str();
  return !in.bad();
}

// Access control and TLS from the flags. Returns 0, or the exit code after logging why.
int SetUpSecurity(std::unique_ptr<TokenTable>* tokens, std::string* cert_pem,
                  std::string* key_pem) {
  if (const std::string path = absl::GetFlag(FLAGS_tokens); !path.empty()) {
    auto loaded = TokenTable::Load(path);
    if (!loaded.ok()) {
      LogError(loaded.status().message());
      return kExitUsage;
    }
    *tokens = std::move(*loaded);
    LogInfo("authentication on", {{"tokens", path}, {"count", (*tokens)->size()}});
  } else {
    std::vector<std::pair<std::string, std::string>> addresses = {
        {"--listen", absl::GetFlag(FLAGS_listen)}};
    if (const std::string http = absl::GetFlag(FLAGS_http); !http.empty()) {
      addresses.emplace_back("--http", http);
    }
    for (const auto& [flag, address] : addresses) {
      std::string host;
      int port = 0;
      // A malformed address fails later, as one that cannot be listened on.
      if (!SplitAddress(address, &host, &port)) continue;
      if (!IsLoopbackHost(host) && !absl::GetFlag(FLAGS_allow_unauthenticated)) {
        LogError(absl::StrCat(flag, " '", address,
                              "' is not a loopback address, and there is no --tokens file: "
                              "anyone who reaches it could read and write the graph. Give "
                              "--tokens FILE (docs/operations.md), or --allow-unauthenticated"));
        return kExitUsage;
      }
    }
    LogWarn("authentication is off (no --tokens): every caller may read and write");
  }
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (cert.empty() != key.empty()) {
    LogError("--tls-cert and --tls-key go together: give both or neither");
    return kExitUsage;
  }
  if (!cert.empty()) {
    if (!ReadFile(cert, cert_pem) || cert_pem->empty()) {
      LogError(absl::StrCat("--tls-cert '", cert, "': cannot read it"));
      return kExitUsage;
    }
    if (!ReadFile(key, key_pem) || key_pem->empty()) {
      LogError(absl::StrCat("--tls-key '", key, "': cannot read it"));
      return kExitUsage;
    }
  }
  return 0;
}

int Serve() {
  std::unique_ptr<TokenTable> tokens;
  std::string cert_pem, key_pem;
  if (int code = SetUpSecurity(&tokens, &cert_pem, &key_pem); code != 0) return code;
  // The gateway's own /healthz call, when tokens are required.
  std::string internal_secret;
  if (tokens) {
    internal_secret = RandomSecret();
    tokens->Add({"internal-healthz", Access::kRead, internal_secret});
  }
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    LogError(absl::StrCat("cannot create data directory '", dir, "': ", ec.message()));
    return kExitStore;
  }
  Metrics metrics;
  Metrics::SetGlobal(&metrics);
  absl::Cleanup clear_metrics = [] { Metrics::SetGlobal(nullptr); };
  GraphStore::Options options;
  options.sync_writes = absl::GetFlag(FLAGS_sync_writes);
  options.change_retention = std::max<uint64_t>(1, absl::GetFlag(FLAGS_watch_retention));
  auto store = GraphStore::Open(dir, options);
  if (!store.ok()) {
    LogError(store.status().message(), {{"data_dir", dir}});
    return kExitStore;
  }
  metrics.ObserveStore(**store);
  const std::string seed = absl::GetFlag(FLAGS_seed);
  if (!seed.empty() && (*store)->counts().nodes == 0) {
    auto loaded = io::LoadJsonlFile(seed, **store);
    if (!loaded.ok()) {
      LogError(absl::StrCat("seeding from ", seed, ": ", loaded.status().message()));
      return kExitStore;
    }
    LogInfo("seeded the store",
            {{"nodes", loaded->nodes}, {"edges", loaded->edges}, {"file", seed}});
  }

  const auto load_started = std::chrono::steady_clock::now();
  // From the image written at the last clean shutdown plus the change log when it is usable,
  // else from a full scan of the store.
  TopologyLoadReport load_report;
  auto topology = LoadTopology(**store, &load_report);
  if (!load_report.fallback_reason.empty()) {
    LogWarn("topology image not used; scanning the store",
            {{"reason", load_report.fallback_reason}});
  }
  if (!topology.ok()) {
    LogError(absl::StrCat("loading the topology: ", topology.status().message()));
    return kExitStore;
  }
  metrics.ObserveTopology(**topology);
  RecordCache records(**store, absl::GetFlag(FLAGS_record_cache_mb) << 20);
  (*store)->SetCommitListener([t = topology->get(), r = &records](const ChangeSet& c) {
    r->Apply(c);
    t->Apply(c);
  });
  metrics.registry().SetGaugeFunction(
      "innograph_topology_loaded_from_image",
      "1 when the topology was loaded from the image written at the last clean shutdown (plus "
      "the change log), 0 when it was built by scanning the store.",
      {}, [v = load_report.from_image ? 1.0 : 0.0] { return v; });
  LogInfo("topology loaded", {{"source", load_report.from_image ? "image" : "scan"},
                              {"image_sequence", load_report.image_sequence},
                              {"replayed_changes", load_report.replayed_changes},
                              {"nodes", (*topology)->num_nodes()},
                              {"edges", (*topology)->num_edges()},
                              {"bytes", (*topology)->memory_bytes()},
                              {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - load_started)
                                         .count()}});

  QueryOptions query_options;
  query_options.max_depth = absl::GetFlag(FLAGS_max_depth);
  query_options.default_edges_per_node = absl::GetFlag(FLAGS_default_edges_per_node);
  query_options.default_visited = absl::GetFlag(FLAGS_default_max_visited);
  query_options.default_results = absl::GetFlag(FLAGS_default_max_results);
  query_options.max_visited = absl::GetFlag(FLAGS_max_visited_cap);
  query_options.query_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_query_timeout_ms));
  LimitOptions limit_options;
  limit_options.max_heavy_queries = absl::GetFlag(FLAGS_max_heavy_queries);
  limit_options.heavy_wait =
      std::chrono::milliseconds(std::max(0, absl::GetFlag(FLAGS_heavy_query_wait_ms)));
  limit_options.max_query_memory = absl::GetFlag(FLAGS_max_query_memory);
  QueryLimiter limiter(limit_options, &metrics.registry());
  ServedGraphService service(**store, **topology, query_options, limiter, dir, &records);
  service.set_tokens(tokens.get());
  metrics.registry().SetGaugeFunction(
      "innograph_analytics_snapshot_bytes",
      "Bytes held by the whole-graph analytics snapshots kept for the current topology version.",
      {}, [s = &service.snapshots()] { return static_cast<double>(s->memory_bytes()); });
  const uint32_t max_message = absl::GetFlag(FLAGS_max_message_size);
  if (max_message == 0 || max_message > static_cast<uint32_t>(INT32_MAX)) {
    LogError(absl::StrCat("--max-message-size ", max_message, ": want 1..", INT32_MAX, " bytes"));
    return kExitUsage;
  }
  InstallParseErrorCapture();
  // The health checking protocol is served by HealthService (on the light rpcs' threads), not
  // by gRPC's built-in service.
  grpc::EnableDefaultHealthCheckService(false);
  HealthService health;
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  std::string listen_host;
  int listen_port = 0;
  if (!SplitAddress(listen, &listen_host, &listen_port)) {
    LogError(
        absl::StrCat("cannot listen on '", listen, "': want HOST:PORT with a port in 0..65535"));
    return kExitListen;
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!cert_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({key_pem, cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(listen, credentials, &port);
  builder.RegisterService(&service);
  builder.RegisterService(&health);
  int light_threads = absl::GetFlag(FLAGS_light_rpc_threads);
  if (light_threads < 0) {
    LogError(
        absl::StrCat("--light-rpc-threads ", light_threads, ": want 0 (one per core) or more"));
    return kExitUsage;
  }
  if (light_threads == 0) {
    // Fewer threads than cores leave cores idle under many concurrent calls; more add
    // hand-overs of gRPC's poller between them (docs/BENCHMARKS.md, "Light rpcs: serving model and
    // per-call cost").
    light_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  // Declared before the server: its completion queues must outlive it.
  LightRpcs light(service, health, builder, light_threads);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_message));
  builder.SetMaxSendMessageSize(static_cast<int>(max_message));
  // Metrics and the slow-query log of every GraphService call, gRPC and HTTP alike.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<RpcInterceptorFactory>(
      metrics, std::chrono::milliseconds(std::max(0, absl::GetFlag(FLAGS_slow_query_ms))),
      tokens.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  // No SO_REUSEPORT: a second server on the same port must fail, not share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    LogError(absl::StrCat("cannot listen on ", listen,
                          " (address in use, not permitted, or malformed)"));
    return kExitListen;
  }
  light.Start();
  std::unique_ptr<HttpGateway> http;
  if (const std::string http_addr = absl::GetFlag(FLAGS_http); !http_addr.empty()) {
    HttpGateway::Options http_options;
    if (!SplitAddress(http_addr, &http_options.host, &http_options.port)) {
      LogError(absl::StrCat("--http '", http_addr, "': want HOST:PORT with a port in 0..65535"));
      server->Shutdown();
      return kExitListen;
    }
    std::string web_root = ResolveWebRoot(absl::GetFlag(FLAGS_web_root));
    if (!web_root.empty() && std::filesystem::is_directory(web_root)) {
      http_options.web_root = web_root;
    } else if (!web_root.empty()) {
      LogWarn("no dashboard (build it with: cd web && npm ci && npm run build)",
              {{"web_root", web_root}});
    }
    http_options.metrics = [&metrics] { return metrics.Render(); };
    http_options.max_body_bytes = max_message;
    http_options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
    http_options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
    if (tokens) {
      http_options.internal_authorization = absl::StrCat("Bearer ", internal_secret);
      http_options.authorize_metrics = [t = tokens.get()](const std::string& authorization) {
        std::string who;
        grpc::Status s = t->Check(authorization, Access::kRead, &who);
        if (!s.ok()) {
          LogInfo("audit", {{"audit", true},
                            {"who", who},
                            {"method", "GET /metrics"},
                            {"code", StatusCodeName(s.error_code())},
                            {"items", 0}});
        }
        return static_cast<int>(s.error_code());
      };
    }
    grpc::ChannelArguments channel_args;
    channel_args.SetMaxReceiveMessageSize(static_cast<int>(max_message));
    channel_args.SetMaxSendMessageSize(static_cast<int>(max_message));
    http = std::make_unique<HttpGateway>(server->InProcessChannel(channel_args), http_options);
    if (absl::Status s = http->Start(); !s.ok()) {
      LogError(s.message());
      server->Shutdown();
      return kExitListen;
    }
    LogInfo("HTTP listening (JSON API at /api/v1/<Method>, metrics at /metrics)",
            {{"url", absl::StrCat(cert_pem.empty() ? "http://" : "https://", http_options.host, ":",
                                  http->port(), "/")},
             {"dashboard", !http_options.web_root.empty()}});
  }
  StoreCounts counts = (*store)->counts();
  // Logged first: whoever waits for the ready line on stdout finds the log line written too.
  LogInfo(absl::StrCat("listening on ", listen.substr(0, listen.rfind(':')), ":", port, " (gRPC)"),
          {{"version", INNOGRAPH_VERSION},
           {"data_dir", dir},
           {"nodes", counts.nodes},
           {"edges", counts.edges},
           {"slow_query_ms", absl::GetFlag(FLAGS_slow_query_ms)},
           {"tls", !cert_pem.empty()},
           {"auth", tokens != nullptr}});
  std::cout << "innograph-server " << INNOGRAPH_VERSION << " listening on "
            << listen.substr(0, listen.rfind(':')) << ":" << port << " (gRPC); data in " << dir
            << " (" << counts.nodes << " nodes, " << counts.edges << " edges)" << std::endl;

  // Records into memory while the first calls are served.
  std::atomic<bool> stop_prefill{false};
  std::thread prefill([&] {
    const auto started = std::chrono::steady_clock::now();
    auto added = records.Prefill(stop_prefill);
    if (!added.ok()) {
      LogWarn(absl::StrCat("record cache prefill: ", added.status().message()));
      return;
    }
    LogInfo("record cache filled", {{"records", *added},
                                    {"bytes", records.bytes()},
                                    {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count()}});
  });
  // SIGINT/SIGTERM are blocked in every thread and taken here, so shutdown runs in an
  // ordinary thread rather than a signal handler.
  std::thread waiter([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    LogInfo("shutting down", {{"signal", sig}});
    service.BeginShutdown();
    health.Shutdown();
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  });
  server->Wait();
  waiter.join();
  // The calls in flight have finished (Shutdown above): the light threads may stop.
  light.Stop();
  stop_prefill = true;
  prefill.join();
  if (http) http->Stop();
  (*store)->SetCommitListener(nullptr);
  // No write can arrive any more: the topology equals the store at its last change. The store is
  // synced first so that the image never reflects a change the store could still lose.
  {
    const auto started = std::chrono::steady_clock::now();
    absl::Status saved = (*store)->Sync();
    if (saved.ok()) saved = SaveTopologyImage(**topology, **store);
    if (saved.ok()) {
      LogInfo("topology image written",
              {{"change_sequence", (*store)->last_change()},
               {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count()}});
    } else {
      LogWarn(absl::StrCat("writing the topology image: ", saved.message()));
    }
  }
  store->reset();  // Closes RocksDB (flushes and releases the lock).
  // Tests and scripts wait for this line on stdout.
  std::cout << "innograph-server: stopped" << std::endl;
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace innograph::server

int main(int argc, char** argv) {
  // Abseil's mutex deadlock detection (on in this Abseil build) takes a global lock and
  // updates a graph on every lock of every Mutex: too costly for the locks taken per query.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  absl::SetProgramUsageMessage(
      "the innograph graph server.\n\n"
      "Usage: innograph-server [serve] [--data-dir DIR] [--listen HOST:PORT] [--http HOST:PORT]\n"
      "                        [--seed FILE.jsonl]\n"
      "       innograph-server import --data-dir DIR [--max-errors N] [--dry-run]\n"
      "                        [--rejects FILE] FILE.jsonl|FILE.csv...\n"
      "       innograph-server backup --data-dir DIR --to DEST   (server stopped; a running\n"
      "                        server: innograph backup DIR)\n"
      "       innograph-server restore --from BACKUP --data-dir DIR   (DIR new or empty)\n"
      "       innograph-server --config FILE.toml [flags...]    (flags override the file)\n"
      "       innograph-server [--config FILE.toml] --print-config\n\n"
      "Serves the GraphService gRPC API (with gRPC health checking and server reflection) over\n"
      "an embedded RocksDB store in DIR. Flags may be written --data-dir or --data_dir.\n"
      "Exit codes: 0 clean shutdown, 2 usage, 3 store unusable or locked, 4 cannot listen.");
  std::vector<std::string> storage;
  std::vector<char*> args = innograph::server::NormalizeFlags(argc, argv, &storage);
  if (std::string error = innograph::server::CheckFlags(args); !error.empty()) {
    std::cerr << "innograph-server: " << error << " (try --help)\n";
    return innograph::server::kExitUsage;
  }
  // The config file first, then the command line again on top of it: flags override the file.
  if (const std::string config = innograph::server::ConfigFlagPath(); !config.empty()) {
    if (absl::Status s = innograph::server::ApplyConfigFile(config); !s.ok()) {
      std::cerr << "innograph-server: " << s.message() << "\n";
      return innograph::server::kExitUsage;
    }
  }
  std::vector<char*> rest = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (innograph::server::PrintConfigRequested()) {
    std::cout << innograph::server::EffectiveConfigToml();
    return 0;
  }
  innograph::server::LogLevel log_level;
  if (!innograph::server::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &log_level)) {
    std::cerr << "innograph-server: --log-level '" << absl::GetFlag(FLAGS_log_level)
              << "': want debug, info, warn or error (try --help)\n";
    return innograph::server::kExitUsage;
  }
  innograph::server::LogFormat log_format;
  if (!innograph::server::ParseLogFormat(absl::GetFlag(FLAGS_log_format), &log_format)) {
    std::cerr << "innograph-server: --log-format '" << absl::GetFlag(FLAGS_log_format)
              << "': want json or text (try --help)\n";
    return innograph::server::kExitUsage;
  }
  innograph::server::ConfigureLog(log_level, log_format);
  if (rest.size() == 2 && std::string(rest[1]) == "backup") return innograph::server::Backup();
  if (rest.size() == 2 && std::string(rest[1]) == "check") return innograph::server::Check();
  if (rest.size() == 2 && std::string(rest[1]) == "restore") return innograph::server::Restore();
  if (rest.size() >= 2 && std::string(rest[1]) == "import") {
    innograph::server::ReexecWithMallocHugePages(argv);
    return innograph::server::Import(std::vector<std::string>(rest.begin() + 2, rest.end()));
  }
  if (rest.size() > 2 || (rest.size() == 2 && std::string(rest[1]) != "serve")) {
    std::cerr << "innograph-server: unknown command '" << rest[1] << "' (try --help)\n";
    return innograph::server::kExitUsage;
  }
  return innograph::server::Serve();
}
