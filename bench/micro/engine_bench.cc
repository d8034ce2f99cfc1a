// innograph-engine-bench: Google Benchmark microbenchmarks of the engine alone (store, topology,
// traversals, analytics; no gRPC, no answer building).
//
// Run on the 1,000,000-edge synthetic graph:
//
//   build/release/bench/innograph-generate --seed 1 --edges 1000000 --out /tmp/g
//   build/release/bench/innograph-engine-bench --csv=/tmp/g
//
// and the same with `innograph-generate --profile social` (small neighbourhoods).
//
// --csv=DIR imports DIR/nodes.csv and DIR/edges.csv into a fresh store in a temporary directory
// (removed at exit); --store=DIR opens an existing store instead (e.g. one made with
// `innograph-server import --data-dir DIR ...`; it must not be open in a server); --general-loop
// runs the traversals without their specialised loops (TraversalPaths::kGeneral). Other flags
// go to Google Benchmark (--benchmark_filter=..., --benchmark_repetitions=5, ...).
//
// Benchmarks (one query per iteration, each on its own fresh Topology::Reader):
// Like bench/query_latency.py: random Person seeds, COLLABORATES_WITH edges, both directions.
//   OneHop          Neighbors of a random person (first page of 100)
//   ExpandCount/k   distinct nodes within k hops of a random person (Expand, count_only)
//   ShortestPath    bidirectional BFS between random pairs of persons (max 6 hops)
//   ExpandCountAll/k, ShortestPathAll  the same over every edge type (the suite's khop2/3 and
//                   path workloads)
//   Snapshot        the unfiltered undirected analytics snapshot (SnapshotView)
//   PageRank20      Snapshot + 20 PageRank iterations (the Rank rpc's engine work, first call)
//   PageRank20Cached  20 PageRank iterations on the cached snapshot (later calls, no writes)
//   TopologyLoad    Topology::Load from the store
// Counters: bytes_per_edge (Topology::memory_bytes() / edges), reached (mean nodes counted).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/io/importer.h"
#include "graph/query/analytics.h"
#include "graph/query/snapshot_cache.h"
#include "graph/query/traversal.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"

namespace innograph {
namespace {

struct Fixture {
  std::string temp_dir;  // Removed at exit when set.
  std::unique_ptr<GraphStore> store;
  std::unique_ptr<Topology> topology;
  std::vector<uint32_t> nodes;  // Live Person ids (the seeds of the query-latency suite).
  TopologyFilter collab;        // COLLABORATES_WITH edges only (the suite's filter).
};

Fixture* fixture = nullptr;

// Random live nodes, the same sequence for every benchmark.
std::vector<uint32_t> Sample(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> out(count);
  for (uint32_t& v : out) v = fixture->nodes[rng() % fixture->nodes.size()];
  return out;
}

void OneHop(benchmark::State& state) {
  const std::vector<uint32_t> seeds = Sample(1 << 16, 1);
  size_t i = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    Topology::Reader r = fixture->topology->Read();
    NeighborsResult n =
        Neighbors(r, seeds[i++ & 0xFFFF], Direction::kBoth, fixture->collab, std::nullopt, 100);
    benchmark::DoNotOptimize(n);
    total += n.steps.size();
  }
  state.counters["reached"] = static_cast<double>(total) / static_cast<double>(i);
}
BENCHMARK(OneHop);

void ExpandCountWith(benchmark::State& state, const TopologyFilter& filter) {
  const auto depth = static_cast<uint32_t>(state.range(0));
  const std::vector<uint32_t> seeds = Sample(1 << 12, 2);
  QueryLimits limits;
  limits.max_depth = depth;
  limits.max_visited = 100000000;
  size_t i = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    Topology::Reader r = fixture->topology->Read();
    ExpandResult x = Expand(r, {seeds[i++ & 0xFFF]}, Direction::kBoth, filter, depth, limits, true);
    uint64_t reached = 0;
    for (uint64_t c : x.per_hop) reached += c;
    benchmark::DoNotOptimize(reached);
    total += reached;
  }
  state.counters["reached"] = static_cast<double>(total) / static_cast<double>(i);
}
void ExpandCount(benchmark::State& state) { ExpandCountWith(state, fixture->collab); }
BENCHMARK(ExpandCount)->Arg(1)->Arg(2)->Arg(3);
// Every edge type, as the suite's khop2/khop3.
void ExpandCountAll(benchmark::State& state) { ExpandCountWith(state, TopologyFilter{}); }
BENCHMARK(ExpandCountAll)->Arg(2)->Arg(3);

void ShortestPathWith(benchmark::State& state, const TopologyFilter& filter) {
  const std::vector<uint32_t> a = Sample(1 << 12, 3), b = Sample(1 << 12, 4);
  PathOptions options;  // Both directions, hops, at most 6.
  QueryLimits limits;
  limits.max_visited = 100000000;
  size_t i = 0, found = 0;
  for (auto _ : state) {
    Topology::Reader r = fixture->topology->Read();
    PathsResult p = ShortestPath(r, a[i & 0xFFF], b[i & 0xFFF], filter, options, limits);
    ++i;
    found += !p.paths.empty();
    benchmark::DoNotOptimize(p);
  }
  state.counters["found"] = static_cast<double>(found) / static_cast<double>(i);
}
void ShortestPathBench(benchmark::State& state) { ShortestPathWith(state, fixture->collab); }
BENCHMARK(ShortestPathBench)->Name("ShortestPath");
// Every edge type, as the suite's path workload.
void ShortestPathAll(benchmark::State& state) { ShortestPathWith(state, TopologyFilter{}); }
BENCHMARK(ShortestPathAll);

void Snapshot(benchmark::State& state) {
  for (auto _ : state) {
    Topology::Reader r = fixture->topology->Read();
    AnalyticsGraph g = SnapshotView(r, TopologyFilter{}, /*directed=*/false);
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(Snapshot)->Unit(benchmark::kMillisecond);

void PageRank20(benchmark::State& state) {
  for (auto _ : state) {
    AnalyticsGraph g;
    {
      Topology::Reader r = fixture->topology->Read();
      g = SnapshotView(r, TopologyFilter{}, /*directed=*/false);
    }
    // A tolerance no run reaches: exactly 20 iterations (the result is then an error status).
    auto ranks = PageRank(g, 0.85, 20, 1e-300);
    benchmark::DoNotOptimize(ranks);
  }
}
BENCHMARK(PageRank20)->Unit(benchmark::kMillisecond);

// The Rank rpc's engine work on an unchanged topology: the snapshot comes from the cache
// (built once, before timing) and only the 20 iterations run.
void PageRank20Cached(benchmark::State& state) {
  SnapshotCache cache;
  cache.Get(*fixture->topology, TopologyFilter{}, /*directed=*/false);
  for (auto _ : state) {
    std::shared_ptr<const AnalyticsGraph> g =
        cache.Get(*fixture->topology, TopologyFilter{}, /*directed=*/false);
    auto ranks = PageRank(*g, 0.85, 20, 1e-300);
    benchmark::DoNotOptimize(ranks);
  }
  state.counters["snapshot_mb"] = static_cast<double>(cache.memory_bytes()) / 1e6;
}
BENCHMARK(PageRank20Cached)->Unit(benchmark::kMillisecond);

void TopologyLoad(benchmark::State& state) {
  for (auto _ : state) {
    auto t = Topology::Load(*fixture->store);
    if (!t.ok()) state.SkipWithError(std::string(t.status().message()).c_str());
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(TopologyLoad)->Unit(benchmark::kMillisecond)->Iterations(3);

int Usage() {
  std::fprintf(stderr,
               "usage: innograph-engine-bench (--csv=DIR | --store=DIR) [benchmark flags]\n"
               "  --csv=DIR    import DIR/nodes.csv and DIR/edges.csv (innograph-generate's "
               "output) into a temporary store\n"
               "  --store=DIR  open an existing store\n"
               "  --general-loop  traversals without their specialised loops (for comparison)\n");
  return 2;
}

int Main(int argc, char** argv) {
  std::string csv, store_dir;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--csv=", 6) == 0) {
      csv = argv[i] + 6;
    } else if (std::strncmp(argv[i], "--store=", 8) == 0) {
      store_dir = argv[i] + 8;
    } else if (std::strcmp(argv[i], "--general-loop") == 0) {
      SetTraversalPathsForTesting(TraversalPaths::kGeneral);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (csv.empty() == store_dir.empty()) return Usage();
  Fixture f;
  fixture = &f;
  GraphStore::Options options;
  options.sync_writes = false;
  if (!csv.empty()) {
    f.temp_dir =
        (std::filesystem::temp_directory_path() / absl::StrCat("innograph-engine-bench-", getpid()))
            .string();
    store_dir = f.temp_dir;
  }
  auto store = GraphStore::Open(store_dir, options);
  if (!store.ok()) {
    std::fprintf(stderr, "opening %s: %s\n", store_dir.c_str(),
                 std::string(store.status().message()).c_str());
    return 1;
  }
  f.store = std::move(*store);
  if (!csv.empty()) {
    io::ImportOptions import_options;
    import_options.bulk_if_empty = true;
    auto report =
        io::ImportFiles(*f.store, {csv + "/nodes.csv", csv + "/edges.csv"}, import_options, {});
    if (!report.ok()) {
      std::fprintf(stderr, "importing %s: %s\n", csv.c_str(),
                   std::string(report.status().message()).c_str());
      std::filesystem::remove_all(f.temp_dir);
      return 1;
    }
  }
  auto topology = Topology::Load(*f.store);
  if (!topology.ok()) {
    std::fprintf(stderr, "loading the topology: %s\n",
                 std::string(topology.status().message()).c_str());
    return 1;
  }
  f.topology = std::move(*topology);
  {
    Topology::Reader r = f.topology->Read();
    const uint16_t person = static_cast<uint16_t>(Schema::Default()->FindKind("Person")->id.value);
    for (uint32_t v = 0; v < r.num_slots(); ++v) {
      if (r.kind(v) == person) f.nodes.push_back(v);
    }
    const uint32_t collab = Schema::Default()->FindType("COLLABORATES_WITH")->id.value;
    f.collab.types.assign(collab + 1, false);
    f.collab.types[collab] = true;
  }
  const uint64_t edges = f.topology->num_edges();
  if (f.nodes.empty() || edges == 0) {
    std::fprintf(stderr, "the store at %s has no edges\n", store_dir.c_str());
    return 1;
  }
  benchmark::AddCustomContext("nodes", std::to_string(f.nodes.size()));
  benchmark::AddCustomContext("edges", std::to_string(edges));
  benchmark::AddCustomContext(
      "topology_bytes_per_edge",
      std::to_string(static_cast<double>(f.topology->memory_bytes()) / static_cast<double>(edges)));
  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  f.topology.reset();
  f.store.reset();
  if (!f.temp_dir.empty()) std::filesystem::remove_all(f.temp_dir);
  return 0;
}

}  // namespace
}  // namespace innograph

int main(int argc, char** argv) { return innograph::Main(argc, argv); }
