// Fuzz target: request validation of every unary rpc (server/convert.cc, query_params.cc and
// the handlers). The first byte picks the rpc (kRpcs below; make_rpc_seeds.py writes seeds in
// the same order), the rest is parsed as its request message, as gRPC would, and the real
// handler runs in-process over a store in a temporary directory seeded with data/hunan (with
// its topology following commits, as in the server).
//
// Invariants: no crash; a failure has a status other than UNKNOWN/INTERNAL/DATA_LOSS and a
// message; a failed write changes nothing (counts and change log unchanged); after every write
// GraphStore::Check finds no problem; an answer serialises and parses back (no invalid UTF-8).
// The streaming rpcs (Import, Export, Subgraph, Watch) are not called: their parsing is the
// jsonl/csv targets' and their filters are the unary ones'.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "graph/io/jsonl.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"
#include "grpcpp/server_context.h"
#include "server/graph_service.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace innograph;
using server::GraphServiceImpl;

struct Env {
  std::string dir;
  std::unique_ptr<GraphStore> store;
  std::unique_ptr<Topology> topology;
  std::unique_ptr<GraphServiceImpl> service;

  ~Env() {
    service.reset();
    topology.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Env* g_env = nullptr;

Env& GetEnv() {
  if (g_env != nullptr) return *g_env;
  {
    // Requests with invalid UTF-8 are refused by the parser, as gRPC does; not worth a log line.
    google::protobuf::SetLogHandler(nullptr);
    auto* e = new Env;
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/innograph-fuzz-rpc-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "mkdtemp " + pattern);
    e->dir = pattern;
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    auto store = GraphStore::Open(e->dir, options);
    FUZZ_CHECK(store.ok(), store.status().ToString());
    e->store = std::move(*store);
    auto loaded = io::LoadJsonlFile(INNOGRAPH_SOURCE_DIR "/data/hunan/hunan.jsonl", *e->store);
    FUZZ_CHECK(loaded.ok(), loaded.status().ToString());
    auto topology = Topology::Load(*e->store);
    FUZZ_CHECK(topology.ok(), topology.status().ToString());
    e->topology = std::move(*topology);
    e->store->SetCommitListener([t = e->topology.get()](const ChangeSet& c) { t->Apply(c); });
    server::QueryOptions query;  // Small limits keep each input fast.
    query.max_depth = 4;
    query.default_edges_per_node = 1000;
    query.default_visited = 10000;
    query.max_visited = 100000;
    query.default_results = 100;
    query.max_results = 10000;
    query.max_k = 10;
    query.query_timeout = std::chrono::milliseconds(2000);
    e->service = std::make_unique<GraphServiceImpl>(*e->store, *e->topology, query);
    g_env = e;
    // The store closes and its directory goes at exit (libFuzzer exits after -max_total_time).
    std::atexit([] { delete g_env; });
  }
  return *g_env;
}

void CheckStatus(const grpc::Status& s) {
  if (s.ok()) return;
  const auto code = s.error_code();
  FUZZ_CHECK(code != grpc::StatusCode::UNKNOWN && code != grpc::StatusCode::INTERNAL &&
                 code != grpc::StatusCode::DATA_LOSS && code != grpc::StatusCode::UNIMPLEMENTED,
             std::to_string(code) + ": " + s.error_message());
  FUZZ_CHECK(!s.error_message().empty(), "status " + std::to_string(code) + " without a message");
}

void CheckStore(GraphStore& store) {
  const auto report = store.Check();
  FUZZ_CHECK(report.ok(), report.status().ToString());
  FUZZ_CHECK(report->problem_count == 0,
             "store check: " + (report->problems.empty() ? std::string() : report->problems[0]));
}

// `Ctx` is grpc::ServerContext for the sync handlers and grpc::ServerContextBase for the light
// rpcs' handlers (GetNodes, GetEdges, Neighbors; server/light_rpcs.h), which both accept a sync
// context.
template <typename Ctx, typename Req, typename Resp>
void Call(absl::string_view bytes, bool write,
          grpc::Status (GraphServiceImpl::*handler)(Ctx*, const Req*, Resp*)) {
  Req req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;  // gRPC refuses.
  Env& env = GetEnv();
  const StoreCounts counts = env.store->counts();
  const uint64_t last_change = env.store->last_change();
  Resp resp;
  grpc::ServerContext ctx;
  const grpc::Status s = (env.service.get()->*handler)(&ctx, &req, &resp);
  // FUZZ_VERBOSE=1 prints each answer's status (to see what a seed reaches).
  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "rpc: status %d %s\n", s.error_code(), s.error_message().c_str());
  CheckStatus(s);
  if (s.ok()) {
    std::string wire;
    FUZZ_CHECK(resp.SerializeToString(&wire), "answer does not serialise");
    Resp back;
    FUZZ_CHECK(back.ParseFromString(wire), "answer does not parse back (invalid UTF-8?)");
  }
  if (!write) return;
  if (!s.ok()) {
    const StoreCounts after = env.store->counts();
    FUZZ_CHECK(after.nodes == counts.nodes && after.edges == counts.edges,
               "a failed write changed the counts: " + s.error_message());
    FUZZ_CHECK(env.store->last_change() == last_change,
               "a failed write committed a change: " + s.error_message());
  }
  CheckStore(*env.store);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const uint8_t rpc = in.Byte();
  const absl::string_view req = in.Rest();
  using S = GraphServiceImpl;
  // The order is the seeds' first byte (make_rpc_seeds.py): append only.
  switch (rpc % 18) {
    case 0:
      Call(req, false, &S::GetSchema);
      break;
    case 1:
      Call(req, true, &S::UpsertNodes);
      break;
    case 2:
      Call(req, true, &S::UpsertEdges);
      break;
    case 3:
      Call(req, true, &S::DeleteNodes);
      break;
    case 4:
      Call(req, true, &S::DeleteEdges);
      break;
    case 5:
      Call(req, false, &S::GetNodes);
      break;
    case 6:
      Call(req, false, &S::GetEdges);
      break;
    case 7:
      Call(req, false, &S::SearchNodes);
      break;
    case 8:
      Call(req, false, &S::Neighbors);
      break;
    case 9:
      Call(req, false, &S::Stats);
      break;
    case 10:
      Call(req, false, &S::Expand);
      break;
    case 11:
      Call(req, false, &S::ShortestPath);
      break;
    case 12:
      Call(req, false, &S::Paths);
      break;
    case 13:
      Call(req, false, &S::CommonNeighbors);
      break;
    case 14:
      Call(req, false, &S::Similar);
      break;
    case 15:
      Call(req, false, &S::Rank);
      break;
    case 16:
      Call(req, false, &S::Components);
      break;
    case 17:
      Call(req, false, &S::Communities);
      break;
  }
  return 0;
}
