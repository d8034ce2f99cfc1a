// innograph-server: the graph server. See `innograph-server --help`.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "graph/io/importer.h"
#include "graph/io/jsonl.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "server/graph_service.h"
#include "server/http_gateway.h"

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
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto report = io::ImportFiles(**store, files, options, [&](const io::ImportReport& r) {
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

int Serve() {
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "innograph-server: cannot create data directory '" << dir << "': " << ec.message()
              << "\n";
    return kExitStore;
  }
  GraphStore::Options options;
  options.sync_writes = absl::GetFlag(FLAGS_sync_writes);
  auto store = GraphStore::Open(dir, options);
  if (!store.ok()) {
    std::cerr << "innograph-server: " << store.status().message() << "\n";
    return kExitStore;
  }
  const std::string seed = absl::GetFlag(FLAGS_seed);
  if (!seed.empty() && (*store)->counts().nodes == 0) {
    auto loaded = io::LoadJsonlFile(seed, **store);
    if (!loaded.ok()) {
      std::cerr << "innograph-server: seeding from " << seed << ": " << loaded.status().message()
                << "\n";
      return kExitStore;
    }
    std::cout << "seeded " << loaded->nodes << " nodes and " << loaded->edges << " edges from "
              << seed << std::endl;
  }

  const auto load_started = std::chrono::steady_clock::now();
  auto topology = Topology::Load(**store);
  if (!topology.ok()) {
    std::cerr << "innograph-server: loading the topology: " << topology.status().message() << "\n";
    return kExitStore;
  }
  (*store)->SetCommitListener([t = topology->get()](const ChangeSet& c) { t->Apply(c); });
  std::cout << "topology: " << (*topology)->num_nodes() << " nodes, " << (*topology)->num_edges()
            << " edges, " << (*topology)->memory_bytes() / 1024 << " KiB, loaded in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - load_started)
                   .count()
            << " ms" << std::endl;

  QueryOptions query_options;
  query_options.max_depth = absl::GetFlag(FLAGS_max_depth);
  query_options.default_edges_per_node = absl::GetFlag(FLAGS_default_edges_per_node);
  query_options.default_visited = absl::GetFlag(FLAGS_default_max_visited);
  query_options.default_results = absl::GetFlag(FLAGS_default_max_results);
  query_options.max_visited = absl::GetFlag(FLAGS_max_visited_cap);
  query_options.query_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_query_timeout_ms));
  GraphServiceImpl service(**store, **topology, query_options);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  std::string listen_host;
  int listen_port = 0;
  if (!SplitAddress(listen, &listen_host, &listen_port)) {
    std::cerr << "innograph-server: cannot listen on '" << listen
              << "': want HOST:PORT with a port in 0..65535\n";
    return kExitListen;
  }
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  // No SO_REUSEPORT: a second server on the same port must fail, not share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "innograph-server: cannot listen on " << listen
              << " (address in use, not permitted, or malformed)\n";
    return kExitListen;
  }
  std::unique_ptr<HttpGateway> http;
  if (const std::string http_addr = absl::GetFlag(FLAGS_http); !http_addr.empty()) {
    HttpGateway::Options http_options;
    if (!SplitAddress(http_addr, &http_options.host, &http_options.port)) {
      std::cerr << "innograph-server: --http '" << http_addr
                << "': want HOST:PORT with a port in 0..65535\n";
      server->Shutdown();
      return kExitListen;
    }
    std::string web_root = absl::GetFlag(FLAGS_web_root);
    if (!web_root.empty() && std::filesystem::is_directory(web_root)) {
      http_options.web_root = web_root;
    } else if (!web_root.empty()) {
      std::cout << "innograph-server: no dashboard at " << web_root
                << " (build it with: cd web && npm ci && npm run build)" << std::endl;
    }
    http = std::make_unique<HttpGateway>(server->InProcessChannel(grpc::ChannelArguments()),
                                         http_options);
    if (absl::Status s = http->Start(); !s.ok()) {
      std::cerr << "innograph-server: " << s.message() << "\n";
      server->Shutdown();
      return kExitListen;
    }
    std::cout << "innograph-server: HTTP on http://" << http_options.host << ":" << http->port()
              << "/ (dashboard" << (http_options.web_root.empty() ? " not built" : "")
              << ", JSON API at /api/v1/<Method>)" << std::endl;
  }
  StoreCounts counts = (*store)->counts();
  std::cout << "innograph-server " << INNOGRAPH_VERSION << " listening on "
            << listen.substr(0, listen.rfind(':')) << ":" << port << " (gRPC); data in " << dir
            << " (" << counts.nodes << " nodes, " << counts.edges << " edges)" << std::endl;

  // SIGINT/SIGTERM are blocked in every thread and taken here, so shutdown runs in an
  // ordinary thread rather than a signal handler.
  std::thread waiter([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    std::cout << "innograph-server: signal " << sig << ", shutting down" << std::endl;
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  });
  server->Wait();
  waiter.join();
  if (http) http->Stop();
  (*store)->SetCommitListener(nullptr);
  store->reset();  // Closes RocksDB (flushes and releases the lock).
  std::cout << "innograph-server: stopped" << std::endl;
  return 0;
}

}  // namespace
}  // namespace innograph::server

int main(int argc, char** argv) {
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
      "                        [--rejects FILE] FILE.jsonl|FILE.csv...\n\n"
      "Serves the GraphService gRPC API (with gRPC health checking and server reflection) over\n"
      "an embedded RocksDB store in DIR. Flags may be written --data-dir or --data_dir.\n"
      "Exit codes: 0 clean shutdown, 2 usage, 3 store unusable or locked, 4 cannot listen.");
  std::vector<std::string> storage;
  std::vector<char*> args = innograph::server::NormalizeFlags(argc, argv, &storage);
  if (std::string error = innograph::server::CheckFlags(args); !error.empty()) {
    std::cerr << "innograph-server: " << error << " (try --help)\n";
    return innograph::server::kExitUsage;
  }
  std::vector<char*> rest = absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (rest.size() >= 2 && std::string(rest[1]) == "import") {
    return innograph::server::Import(std::vector<std::string>(rest.begin() + 2, rest.end()));
  }
  if (rest.size() > 2 || (rest.size() == 2 && std::string(rest[1]) != "serve")) {
    std::cerr << "innograph-server: unknown command '" << rest[1] << "' (try --help)\n";
    return innograph::server::kExitUsage;
  }
  return innograph::server::Serve();
}
