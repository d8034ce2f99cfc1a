// The in-memory topology (base lists + overlay + side table) against a reference rebuilt from
// the store: random upserts and deletes of nodes and edges go through a real GraphStore whose
// commit listener feeds Topology::Apply, with compactions along the way and readers running
// concurrently; after every round the topology must equal what the store holds, and a fresh
// Topology::Load must equal it too. Traversals and analytics snapshots are checked against
// independent reference computations on the same reference lists.

#include "graph/topology/topology.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "graph/query/analytics.h"
#include "graph/query/analytics_graph.h"
#include "graph/query/snapshot_cache.h"
#include "graph/query/traversal.h"
#include "graph/topology/image.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

KindId Kind(absl::string_view name) { return Schema::Default()->FindKind(name)->id; }
TypeId Type(absl::string_view name) { return Schema::Default()->FindType(name)->id; }

// One adjacency entry with its attributes, as a comparable value.
using Row = std::tuple<uint32_t, uint32_t, uint16_t, int32_t, int32_t, double>;

struct Reference {
  std::map<uint32_t, uint16_t> kind;  // Live nodes.
  std::vector<Edge> edges;            // In out_edges key order.
  std::map<uint32_t, std::vector<Row>> out, in;
};

Row RowOf(const Edge& e, bool out) {
  return Row{static_cast<uint32_t>(out ? e.to.value : e.from.value),
             static_cast<uint32_t>(e.id.value),
             static_cast<uint16_t>(e.type.value),
             e.valid.from.days,
             e.valid.to.days,
             e.weight};
}

Reference Rebuild(const GraphStore& store) {
  Reference ref;
  EXPECT_TRUE(store
                  .ForEachNode([&](const Node& n) {
                    ref.kind[static_cast<uint32_t>(n.id.value)] =
                        static_cast<uint16_t>(n.kind.value);
                    return true;
                  })
                  .ok());
  EXPECT_TRUE(store
                  .ForEachEdge([&](const Edge& e) {
                    ref.edges.push_back(e);
                    ref.out[static_cast<uint32_t>(e.from.value)].push_back(RowOf(e, true));
                    ref.in[static_cast<uint32_t>(e.to.value)].push_back(RowOf(e, false));
                    return true;
                  })
                  .ok());
  return ref;
}

std::vector<Row> Rows(const Topology::Reader& r, std::span<const AdjEntry> list) {
  std::vector<Row> rows;
  for (const AdjEntry& e : list) {
    const EdgeAttrs a = r.attrs(e);
    rows.emplace_back(e.nbr, e.edge, e.type, a.from, a.to, a.weight);
    // The flags must say exactly when the side table differs from the defaults.
    EXPECT_EQ((e.flags & AdjEntry::kWeighted) != 0, a.weight != 1.0) << "edge " << e.edge;
    EXPECT_EQ(r.weight(e), a.weight) << "edge " << e.edge;  // Inline or side table: exact.
    EXPECT_EQ((e.flags & AdjEntry::kTimed) != 0,
              a.from != Date::OpenStart().days || a.to != Date::OpenEnd().days)
        << "edge " << e.edge;
  }
  return rows;
}

// Compares t with the reference. With `same_order` the lists must be in the store's key order
// (a fresh load); otherwise as multisets (the overlay appends).
void ExpectEqual(const Topology& t, const Reference& ref, bool same_order) {
  Topology::Reader r = t.Read();
  EXPECT_EQ(r.num_nodes(), ref.kind.size());
  EXPECT_EQ(r.num_edges(), ref.edges.size());
  uint32_t max_id = 0;
  if (!ref.kind.empty()) max_id = ref.kind.rbegin()->first;
  ASSERT_GE(r.num_slots(), ref.kind.empty() ? 0 : max_id + 1);
  for (uint32_t v = 0; v < r.num_slots(); ++v) {
    auto k = ref.kind.find(v);
    ASSERT_EQ(r.alive(v), k != ref.kind.end()) << "node " << v;
    if (k != ref.kind.end()) {
      EXPECT_EQ(r.kind(v), k->second) << "node " << v;
    }
    for (int d = 0; d < 2; ++d) {
      std::vector<Row> got = Rows(r, d == 0 ? r.out(v) : r.in(v));
      const auto& lists = d == 0 ? ref.out : ref.in;
      auto it = lists.find(v);
      std::vector<Row> want = it == lists.end() ? std::vector<Row>() : it->second;
      if (!same_order) {
        std::sort(got.begin(), got.end());
        std::sort(want.begin(), want.end());
      }
      ASSERT_EQ(got, want) << "node " << v << (d == 0 ? " out" : " in");
    }
  }
}

// A reader's view must be a consistent state: every out-entry has its in-entry and the counts
// agree. Returns the number of problems found.
int CheckConsistent(const Topology& t) {
  Topology::Reader r = t.Read();
  uint64_t outs = 0, ins = 0;
  int problems = 0;
  std::multiset<std::pair<uint32_t, uint32_t>> in_pairs;  // (edge, head).
  for (uint32_t v = 0; v < r.num_slots(); ++v) {
    for (const AdjEntry& e : r.in(v)) {
      in_pairs.emplace(e.edge, v);
      ++ins;
    }
  }
  for (uint32_t v = 0; v < r.num_slots(); ++v) {
    for (const AdjEntry& e : r.out(v)) {
      ++outs;
      auto it = in_pairs.find({e.edge, e.nbr});
      if (it == in_pairs.end()) {
        ++problems;
      } else {
        in_pairs.erase(it);
      }
      if (e.nbr >= r.num_slots()) ++problems;
    }
  }
  if (outs != r.num_edges() || ins != r.num_edges()) ++problems;
  return problems;
}

void ExpectSnapshotsMatch(const Topology::Reader& r, const Reference& ref);

class TopologyTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        absl::StrCat(testing::TempDir(), "innograph_topology_test_",
                     testing::UnitTest::GetInstance()->current_test_info()->name(), "_", getpid());
    std::filesystem::remove_all(dir_);
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    auto store = GraphStore::Open(dir_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto t = Topology::Load(*store_);
    ASSERT_TRUE(t.ok()) << t.status();
    topology_ = std::move(*t);
    store_->SetCommitListener([this](const ChangeSet& c) { topology_->Apply(c); });
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One round of random writes: new nodes, new edges, edge updates, edge and node deletes.
  void RandomRound(std::mt19937_64& rng, int edges_per_round) {
    std::vector<Node> nodes;
    for (int i = 0; i < 20; ++i) {
      Node n;
      const bool person = rng() % 4 != 0;
      n.kind = Kind(person ? "Person" : "University");
      n.key = absl::StrCat(person ? "p" : "u", next_key_++);
      n.name = n.key;
      nodes.push_back(n);
    }
    auto added = store_->UpsertNodes(nodes);
    ASSERT_TRUE(added.ok()) << added.status();
    for (size_t i = 0; i < nodes.size(); ++i) {
      (nodes[i].kind == Kind("Person") ? persons_ : orgs_).push_back(NodeId(added->ids[i]));
    }
    auto pick = [&](std::vector<NodeId>& from) { return from[rng() % from.size()]; };
    const double weights[] = {1.0, 1.0, 2.5, 0.25, 3.0, 20000.0, 16383.0};
    std::vector<EdgeWrite> writes;
    for (int i = 0; i < edges_per_round; ++i) {
      EdgeWrite w;
      const int kind = static_cast<int>(rng() % 3);
      if (kind == 2 && !orgs_.empty()) {
        w.edge.type = Type("EMPLOYED_BY");
        w.edge.from = pick(persons_);
        w.edge.to = pick(orgs_);
      } else {
        w.edge.type = Type(kind == 0 ? "COLLABORATES_WITH" : "ADVISED");
        w.edge.from = pick(persons_);
        w.edge.to = pick(persons_);
      }
      if (rng() % 2) w.edge.valid.from = Date{static_cast<int32_t>(10000 + rng() % 5000)};
      if (rng() % 3 == 0) w.edge.valid.to = Date{static_cast<int32_t>(15000 + rng() % 5000)};
      w.edge.weight = weights[rng() % 7];
      writes.push_back(w);
    }
    auto edges = store_->UpsertEdges(writes);
    ASSERT_TRUE(edges.ok()) << edges.status();
    for (uint64_t id : edges->ids) edge_ids_.push_back(EdgeId(id));
    // Updates of existing edges (same identity, new weight and validity).
    std::vector<EdgeWrite> updates;
    for (int i = 0; i < edges_per_round / 10 && !edge_ids_.empty(); ++i) {
      auto e = store_->GetEdge(edge_ids_[rng() % edge_ids_.size()]);
      ASSERT_TRUE(e.ok());
      if (!*e) continue;
      EdgeWrite w;
      w.edge = **e;
      w.edge.weight = weights[rng() % 7];
      w.edge.valid.to = rng() % 2 ? Date::OpenEnd() : Date{static_cast<int32_t>(20000 + i)};
      updates.push_back(w);
    }
    if (!updates.empty()) {
      ASSERT_TRUE(store_->UpsertEdges(updates).ok());
    }
    // Edge deletes.
    std::vector<EdgeId> doomed;
    for (int i = 0; i < edges_per_round / 5 && !edge_ids_.empty(); ++i) {
      const size_t at = rng() % edge_ids_.size();
      doomed.push_back(edge_ids_[at]);
      edge_ids_[at] = edge_ids_.back();
      edge_ids_.pop_back();
    }
    ASSERT_TRUE(store_->DeleteEdges(doomed, {}, /*allow_missing=*/true).ok());
    // A node delete (with its edges) now and then.
    if (rng() % 2 == 0 && persons_.size() > 10) {
      const size_t at = rng() % persons_.size();
      NodeRef ref;
      ref.id = persons_[at];
      persons_[at] = persons_.back();
      persons_.pop_back();
      ASSERT_TRUE(store_->DeleteNodes({ref}, /*allow_missing=*/true).ok());
    }
  }

  std::string dir_;
  std::unique_ptr<GraphStore> store_;
  std::unique_ptr<Topology> topology_;
  std::vector<NodeId> persons_, orgs_;
  std::vector<EdgeId> edge_ids_;
  int next_key_ = 0;
};

TEST_F(TopologyTest, RandomWritesMatchTheStoreThroughOverlayAndCompaction) {
  std::mt19937_64 rng(7);
  std::atomic<bool> done{false};
  std::atomic<int> problems{0};
  std::atomic<uint64_t> reads{0};
  // Readers run during every write and compaction; each view they take must be consistent.
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      while (!done.load()) {
        problems += CheckConsistent(*topology_);
        ++reads;
      }
    });
  }
  for (int round = 0; round < 60; ++round) {
    RandomRound(rng, 150);
    if (HasFatalFailure()) break;
    if (round % 17 == 16) topology_->Compact();
    if (round % 5 == 4) ExpectEqual(*topology_, Rebuild(*store_), /*same_order=*/false);
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(problems.load(), 0);
  EXPECT_GT(reads.load(), 0u);
  // Enough changes went through to fold the overlay several times on its own.
  EXPECT_GE(topology_->compactions(), 3u);
  const Reference ref = Rebuild(*store_);
  ExpectEqual(*topology_, ref, /*same_order=*/false);
  topology_->Compact();
  EXPECT_EQ(topology_->overlay_vertices(), 0u);
  ExpectEqual(*topology_, ref, /*same_order=*/false);
  // A fresh load from the store gives the same lists, in key order.
  auto loaded = Topology::Load(*store_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectEqual(**loaded, ref, /*same_order=*/true);
  EXPECT_GT((*loaded)->memory_bytes(), 0u);
}

// A bulk load of 300 people and 3,000 collaborations (bounded validity, weights 1-3).
std::pair<std::vector<Node>, std::vector<EdgeWrite>> PeopleLoad() {
  std::vector<Node> nodes;
  for (int i = 0; i < 300; ++i) {
    Node n;
    n.kind = Kind("Person");
    n.key = absl::StrCat("p", i);
    n.name = n.key;
    nodes.push_back(n);
  }
  std::vector<EdgeWrite> edges;
  for (int i = 0; i < 3000; ++i) {
    EdgeWrite w;
    w.edge.type = Type("COLLABORATES_WITH");
    w.from_key = absl::StrCat("p", (i * 7) % 300);
    w.to_key = absl::StrCat("p", (i * 13 + 1) % 300);
    w.edge.valid.from = Date{static_cast<int32_t>(i)};
    w.edge.weight = 1.0 + i % 3;
    edges.push_back(w);
  }
  return {nodes, edges};
}

TEST_F(TopologyTest, BulkLoadIntoARunningTopologyIsApplied) {
  const auto [nodes, edges] = PeopleLoad();
  auto result = store_->BulkLoad(nodes, edges, 0);
  ASSERT_TRUE(result.ok()) << result.status();
  const Reference ref = Rebuild(*store_);
  ExpectEqual(*topology_, ref, /*same_order=*/false);
  EXPECT_EQ(CheckConsistent(*topology_), 0);
  // No node was deleted: the snapshot takes its contiguous-ids path.
  ExpectSnapshotsMatch(topology_->Read(), ref);
}

// A running topology's own sink: the load builds its next state, the listener is told of the
// load only, and the topology then equals a fresh scan (list order included) and keeps
// following ordinary writes.
TEST_F(TopologyTest, BulkLoadThroughTheTopologysOwnSinkSwapsItIn) {
  const auto [nodes, edges] = PeopleLoad();
  const uint64_t before = topology_->version();
  TopologySink unused = topology_->BulkLoadSink();  // Never fed: changes nothing.
  TopologySink sink = topology_->BulkLoadSink();
  auto result = store_->BulkLoad(nodes, edges, 0, true, &sink);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(sink.delivered);
  EXPECT_GT(topology_->version(), before);
  EXPECT_TRUE(Topology::SameObject(topology_->version(), before));
  Reference ref = Rebuild(*store_);
  ExpectEqual(*topology_, ref, /*same_order=*/true);
  EXPECT_EQ(CheckConsistent(*topology_), 0);
  ExpectSnapshotsMatch(topology_->Read(), ref);
  // Ordinary writes after it apply on top of the swapped-in state.
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5; ++round) RandomRound(rng, 200);
  ref = Rebuild(*store_);
  ExpectEqual(*topology_, ref, /*same_order=*/false);
  EXPECT_EQ(CheckConsistent(*topology_), 0);
}

// A bulk load's input: nodes with repeated keys, edges with repeated identities (updates),
// parallel edges, edge keys (when `keyed`), open and bounded validity, whole and fractional
// weights, and rows the load leaves out (unknown endpoints).
void BulkData(bool keyed, std::vector<Node>* nodes, std::vector<EdgeWrite>* edges) {
  for (int i = 0; i < 400; ++i) {
    Node n;
    n.kind = Kind(i % 5 == 0 ? "University" : "Person");
    n.key = absl::StrCat("n", i % 390);  // The last ten update earlier keys.
    n.name = n.key;
    nodes->push_back(n);
  }
  for (int i = 0; i < 6000; ++i) {
    EdgeWrite w;
    int from = (i * 7) % 390, to = (i * 13 + 1) % 390;
    if (from % 5 == 0) ++from;  // People only.
    w.edge.type = Type(to % 5 == 0 ? "EMPLOYED_BY" : "COLLABORATES_WITH");
    w.from_key = absl::StrCat("n", from);
    w.to_key = absl::StrCat("n", to);
    if (i % 3 == 0) w.edge.valid.from = Date{static_cast<int32_t>(i % 500)};
    if (i % 5 == 0) w.edge.valid.to = Date{static_cast<int32_t>(20000 + i)};
    w.edge.weight = i % 4 == 0 ? 1.0 : (i % 4 == 1 ? 3.0 : 0.25 * (i % 7 + 1));
    if (keyed && i % 2 == 0) w.edge.key = absl::StrCat("e", i % 2500);
    if (i % 1000 == 999) w.to_key = "no-such-node";  // Left out.
    edges->push_back(w);
  }
}

// A bulk load's topology sink gets what a scan of the store gives afterwards, in the same
// order: a topology built from it equals Topology::Load's, list by list. Duplicates (updates
// of one identity), edge keys, open and bounded validity, whole and fractional weights, and
// rows the load leaves out are all in the input.
TEST_F(TopologyTest, BulkLoadSinkBuildsWhatAScanBuilds) {
  for (bool keyed : {false, true}) {
    SCOPED_TRACE(keyed ? "edge keys" : "no edge keys");
    TearDown();  // A fresh, empty store each round.
    SetUp();
    std::vector<Node> nodes;
    std::vector<EdgeWrite> edges;
    BulkData(keyed, &nodes, &edges);
    Topology::Builder builder;
    TopologySink sink = builder.Sink();
    int ends = 0;
    sink.end = [&] { ++ends; };
    auto result = store_->BulkLoad(nodes, edges, /*max_errors=*/1000, true, &sink);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_GE(result->edge_errors.size(), 6u);
    EXPECT_GT(result->edges.created, 1000u);
    ASSERT_TRUE(sink.delivered);
    EXPECT_EQ(ends, 1);
    auto built = builder.Finish();
    ASSERT_TRUE(built.ok()) << built.status();
    auto scanned = Topology::Load(*store_);
    ASSERT_TRUE(scanned.ok()) << scanned.status();
    const Reference ref = Rebuild(*store_);
    ExpectEqual(**built, ref, /*same_order=*/true);
    ExpectEqual(**scanned, ref, /*same_order=*/true);
    EXPECT_TRUE(CompareTopologies(**built, **scanned).ok());
    EXPECT_EQ((*built)->num_edges(), store_->counts().edges);
  }
  // Nothing written (too many bad rows): nothing delivered.
  TearDown();
  SetUp();
  TopologySink sink;
  sink.edge = [](const EdgeLink&) { ADD_FAILURE() << "fed without a load"; };
  std::vector<Node> fine(3);
  for (int i = 0; i < 3; ++i) {
    fine[i].kind = Kind("Person");
    fine[i].key = absl::StrCat("p", i);
    fine[i].name = fine[i].key;
  }
  std::vector<EdgeWrite> bad(1);
  bad[0].edge.type = Type("COLLABORATES_WITH");
  bad[0].from_key = "p0";
  bad[0].to_key = "nobody";
  // The nodes' files are started before the edges are checked: refused, they are removed.
  auto refused = store_->BulkLoad(fine, bad, 0, true, &sink);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->edge_errors.size(), 1u);
  EXPECT_FALSE(sink.delivered);
  EXPECT_TRUE(store_->pristine());
  EXPECT_EQ(store_->counts().nodes, 0u);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/bulk-load.tmp"));
}

// The analytics snapshot equals AnalyticsGraph::FromEdges over the reference edge list, bit for
// bit, directed and undirected, with and without a filter.
void ExpectSnapshotsMatch(const Topology::Reader& r, const Reference& ref) {
  TopologyFilter as_of;
  as_of.has_window = true;
  as_of.window = Interval{Date{14000}, Date{14000}};
  for (bool directed : {false, true}) {
    for (bool filtered : {false, true}) {
      TopologyFilter f = filtered ? as_of : TopologyFilter{};
      std::vector<uint64_t> ids;
      std::map<uint32_t, uint32_t> index;
      for (const auto& [v, kind] : ref.kind) {
        index[v] = static_cast<uint32_t>(ids.size());
        ids.push_back(v);
      }
      std::vector<std::pair<uint32_t, uint32_t>> edges;
      std::vector<double> weights;
      for (const Edge& e : ref.edges) {
        if (filtered && (e.valid.from.days > 14000 || e.valid.to.days < 14000)) continue;
        edges.emplace_back(index.at(static_cast<uint32_t>(e.from.value)),
                           index.at(static_cast<uint32_t>(e.to.value)));
        weights.push_back(e.weight);
      }
      const AnalyticsGraph want = AnalyticsGraph::FromEdges(ids, edges, weights, directed);
      const AnalyticsGraph got = SnapshotView(r, f, directed);
      EXPECT_EQ(got.node_ids, want.node_ids);
      EXPECT_EQ(got.offsets, want.offsets);
      EXPECT_EQ(got.targets, want.targets);
      EXPECT_EQ(got.weights, want.weights);
    }
  }
}

// Reference BFS over the reference lists (undirected, filtered by an as-of day).
std::vector<uint64_t> ReferencePerHop(const Reference& ref, uint32_t seed, uint32_t depth,
                                      int32_t day) {
  std::map<uint32_t, uint32_t> hop = {{seed, 0}};
  std::vector<uint32_t> frontier = {seed};
  std::vector<uint64_t> per_hop = {1};
  for (uint32_t h = 0; h < depth && !frontier.empty(); ++h) {
    std::vector<uint32_t> next;
    for (uint32_t u : frontier) {
      for (const auto* lists : {&ref.out, &ref.in}) {
        auto it = lists->find(u);
        if (it == lists->end()) continue;
        for (const Row& row : it->second) {
          if (std::get<3>(row) > day || std::get<4>(row) < day) continue;
          if (hop.emplace(std::get<0>(row), h + 1).second) next.push_back(std::get<0>(row));
        }
      }
    }
    if (!next.empty()) per_hop.push_back(next.size());
    frontier = std::move(next);
  }
  return per_hop;
}

TEST_F(TopologyTest, TraversalsAndSnapshotsMatchReferenceComputations) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 12; ++round) {
    RandomRound(rng, 200);
    ASSERT_FALSE(HasFatalFailure());
  }
  const Reference ref = Rebuild(*store_);
  TopologyFilter as_of;
  as_of.has_window = true;
  as_of.window = Interval{Date{14000}, Date{14000}};
  Topology::Reader r = topology_->Read();
  for (const auto& [seed, kind] : ref.kind) {
    ExpandResult got = Expand(r, {seed}, Direction::kBoth, as_of, 3, QueryLimits{}, true);
    EXPECT_EQ(got.per_hop, ReferencePerHop(ref, seed, 3, 14000)) << "seed " << seed;
  }
  // Shortest path lengths (hops) agree with the reference BFS distances.
  const uint32_t a = ref.kind.begin()->first;
  std::map<uint32_t, uint32_t> dist = {{a, 0}};
  std::vector<uint32_t> frontier = {a};
  for (uint32_t h = 0; h < 6 && !frontier.empty(); ++h) {
    std::vector<uint32_t> next;
    for (uint32_t u : frontier) {
      for (const auto* lists : {&ref.out, &ref.in}) {
        auto it = lists->find(u);
        if (it == lists->end()) continue;
        for (const Row& row : it->second) {
          if (dist.emplace(std::get<0>(row), h + 1).second) next.push_back(std::get<0>(row));
        }
      }
    }
    frontier = std::move(next);
  }
  for (const auto& [b, kind] : ref.kind) {
    PathsResult p = ShortestPath(r, a, b, TopologyFilter{}, PathOptions{}, QueryLimits{});
    auto it = dist.find(b);
    if (it == dist.end()) {
      EXPECT_TRUE(p.paths.empty()) << "to " << b;
    } else {
      ASSERT_EQ(p.paths.size(), 1u) << "to " << b;
      EXPECT_EQ(p.paths[0].steps.size(), it->second) << "to " << b;
    }
  }
  ExpectSnapshotsMatch(r, ref);
}

// The loops specialised to filters without window or weight, and the bottom-up steps of a
// count-only Expand, against the general loop: a graph with deleted nodes and edges, overlay
// lists and timed, weighted edges; type, kind, window and weight filters; every direction;
// default and tight limits.
std::vector<std::tuple<uint32_t, uint32_t, uint32_t, bool>> StepKeys(const std::vector<Step>& s) {
  std::vector<std::tuple<uint32_t, uint32_t, uint32_t, bool>> out;
  for (const Step& x : s) out.emplace_back(x.from, x.to, x.entry->edge, x.forward);
  return out;
}

TEST_F(TopologyTest, SpecialisedLoopsMatchTheGeneralLoop) {
  struct Restore {
    ~Restore() { SetTraversalPathsForTesting(TraversalPaths::kAuto); }
  } restore;
  std::mt19937_64 rng(23);
  for (int round = 0; round < 10; ++round) {
    RandomRound(rng, 150);
    ASSERT_FALSE(HasFatalFailure());
  }
  const Reference ref = Rebuild(*store_);
  std::vector<TopologyFilter> filters(6);
  filters[1].types.assign(64, false);
  filters[1].types[Type("COLLABORATES_WITH").value] = true;
  filters[1].types[Type("EMPLOYED_BY").value] = true;
  filters[2].kinds.assign(64, false);
  filters[2].kinds[Kind("Person").value] = true;
  filters[3].has_window = true;
  filters[3].window = Interval{Date{14000}, Date{16000}};
  filters[4].min_weight = 1.5;
  filters[5].types.assign(64, true);  // Every type listed, ids past the end refused.
  filters[5].kinds.assign(64, true);
  std::vector<QueryLimits> limits(5);
  limits[1].max_edges_per_node = 3;
  limits[2].max_visited = 30;
  limits[3].max_visited = 60;
  limits[4].max_visited = 120;
  std::vector<uint32_t> nodes;
  for (const auto& [id, kind] : ref.kind) nodes.push_back(id);
  ASSERT_GT(nodes.size(), 50u);
  Topology::Reader r = topology_->Read();
  int deep_runs = 0;  // Count-only runs past the first hop (where bottom-up steps can run).
  for (const TopologyFilter& f : filters) {
    for (const QueryLimits& l : limits) {
      for (Direction dir : {Direction::kOut, Direction::kIn, Direction::kBoth}) {
        for (size_t i = 0; i < nodes.size(); i += 5) {
          const std::vector<uint32_t> seeds = {nodes[i], nodes[(i * 7 + 3) % nodes.size()]};
          const uint32_t depth = 1 + static_cast<uint32_t>(i % 3);
          SetTraversalPathsForTesting(TraversalPaths::kGeneral);
          const ExpandResult want_count = Expand(r, seeds, dir, f, depth, l, true);
          const ExpandResult want = Expand(r, seeds, dir, f, depth, l, false);
          const PathsResult want_path = ShortestPath(r, seeds[0], seeds[1], f, PathOptions{dir}, l);
          const PathsResult want_k =
              KShortestPaths(r, seeds[0], seeds[1], f, PathOptions{dir}, 3, l);
          for (TraversalPaths paths : {TraversalPaths::kAuto, TraversalPaths::kAlwaysBottomUp}) {
            SetTraversalPathsForTesting(paths);
            const std::string where = absl::StrCat(
                "filter ", &f - filters.data(), " limits ", &l - limits.data(), " dir ",
                static_cast<int>(dir), " seed ", seeds[0], " paths ", static_cast<int>(paths));
            const ExpandResult count = Expand(r, seeds, dir, f, depth, l, true);
            EXPECT_EQ(count.per_hop, want_count.per_hop) << where;
            EXPECT_EQ(count.truncation.hit, want_count.truncation.hit) << where;
            const ExpandResult got = Expand(r, seeds, dir, f, depth, l, false);
            EXPECT_EQ(got.nodes, want.nodes) << where;
            EXPECT_EQ(got.hops, want.hops) << where;
            EXPECT_EQ(StepKeys(got.edges), StepKeys(want.edges)) << where;
            EXPECT_EQ(got.truncation.hit, want.truncation.hit) << where;
            const PathsResult path = ShortestPath(r, seeds[0], seeds[1], f, PathOptions{dir}, l);
            ASSERT_EQ(path.paths.size(), want_path.paths.size()) << where;
            for (size_t p = 0; p < path.paths.size(); ++p) {
              EXPECT_EQ(path.paths[p].nodes, want_path.paths[p].nodes) << where;
              EXPECT_EQ(StepKeys(path.paths[p].steps), StepKeys(want_path.paths[p].steps)) << where;
            }
            const PathsResult k = KShortestPaths(r, seeds[0], seeds[1], f, PathOptions{dir}, 3, l);
            ASSERT_EQ(k.paths.size(), want_k.paths.size()) << where;
            for (size_t p = 0; p < k.paths.size(); ++p) {
              EXPECT_EQ(k.paths[p].nodes, want_k.paths[p].nodes) << where;
            }
            deep_runs += count.per_hop.size() > 2;
          }
        }
      }
    }
  }
  // Enough runs went past the first hop for the bottom-up steps to matter.
  EXPECT_GT(deep_runs, 100);
}

bool SameGraph(const AnalyticsGraph& a, const AnalyticsGraph& b) {
  return a.directed == b.directed && a.node_ids == b.node_ids && a.offsets == b.offsets &&
         a.targets == b.targets && a.weights == b.weights;
}

AnalyticsGraph FreshSnapshot(const Topology& t, const TopologyFilter& f, bool directed) {
  Topology::Reader r = t.Read();
  return SnapshotView(r, f, directed);
}

std::vector<double> Ranks(const AnalyticsGraph& g) {
  auto ranks = PageRank(g, 0.85, 100, 1e-6);
  EXPECT_TRUE(ranks.ok()) << ranks.status();
  return ranks.ok() ? *ranks : std::vector<double>{};
}

TEST_F(TopologyTest, SnapshotCacheServesTheCurrentVersionOnly) {
  std::mt19937_64 rng(23);
  for (int round = 0; round < 4; ++round) {
    RandomRound(rng, 150);
    ASSERT_FALSE(HasFatalFailure());
  }
  SnapshotCache cache;
  const TopologyFilter all;
  auto first = cache.Get(*topology_, all, /*directed=*/false);
  auto again = cache.Get(*topology_, all, /*directed=*/false);
  EXPECT_EQ(first.get(), again.get());  // Unchanged topology: the same snapshot, not a copy.
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_TRUE(SameGraph(*first, FreshSnapshot(*topology_, all, false)));
  EXPECT_EQ(cache.memory_bytes(), SnapshotCache::Bytes(*first));

  // Other filters and directions are other entries.
  TopologyFilter collab;
  collab.types.assign(Type("COLLABORATES_WITH").value + 1, false);
  collab.types[Type("COLLABORATES_WITH").value] = true;
  auto directed = cache.Get(*topology_, all, /*directed=*/true);
  auto filtered = cache.Get(*topology_, collab, /*directed=*/false);
  EXPECT_TRUE(SameGraph(*directed, FreshSnapshot(*topology_, all, true)));
  EXPECT_TRUE(SameGraph(*filtered, FreshSnapshot(*topology_, collab, false)));
  EXPECT_LT(filtered->num_edges(), first->num_edges());
  EXPECT_EQ(cache.entries(), 3u);

  // Compaction keeps the content and the version: still a hit.
  const uint64_t version = topology_->version();
  topology_->Compact();
  EXPECT_EQ(topology_->version(), version);
  EXPECT_EQ(cache.Get(*topology_, all, false).get(), first.get());

  // A write between two rankings: an edge between two persons not yet adjacent.
  const std::vector<double> before = Ranks(*first);
  NodeId a = persons_[0], b = persons_[1];
  for (size_t i = 1; i < persons_.size(); ++i) {
    b = persons_[i];
    auto ia = std::lower_bound(first->node_ids.begin(), first->node_ids.end(), a.value);
    auto ib = std::lower_bound(first->node_ids.begin(), first->node_ids.end(), b.value);
    ASSERT_TRUE(ia != first->node_ids.end() && ib != first->node_ids.end());
    const auto u = static_cast<uint32_t>(ia - first->node_ids.begin());
    const auto v = static_cast<uint32_t>(ib - first->node_ids.begin());
    if (u == v) continue;
    if (!std::binary_search(first->targets.begin() + first->offsets[u],
                            first->targets.begin() + first->offsets[u + 1], v)) {
      break;
    }
  }
  EdgeWrite w;
  w.edge.type = Type("COLLABORATES_WITH");
  w.edge.from = a;
  w.edge.to = b;
  ASSERT_TRUE(store_->UpsertEdges({w}).ok());
  EXPECT_GT(topology_->version(), version);
  auto after = cache.Get(*topology_, all, /*directed=*/false);
  EXPECT_NE(after.get(), first.get());
  EXPECT_EQ(after->num_edges(), first->num_edges() + 1);
  EXPECT_TRUE(SameGraph(*after, FreshSnapshot(*topology_, all, false)));
  // The entries of the old version are gone (their memory with them once callers let go).
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.memory_bytes(), SnapshotCache::Bytes(*after));
  const std::vector<double> ranked = Ranks(*after);
  EXPECT_EQ(ranked, Ranks(FreshSnapshot(*topology_, all, false)));
  EXPECT_NE(ranked, before);
  // The snapshot taken before the write is still whole for whoever holds it.
  EXPECT_EQ(Ranks(*first), before);

  // A node delete is a write too.
  NodeRef gone;
  gone.id = a;
  ASSERT_TRUE(store_->DeleteNodes({gone}, /*allow_missing=*/false).ok());
  auto without = cache.Get(*topology_, all, /*directed=*/false);
  EXPECT_EQ(without->num_nodes(), after->num_nodes() - 1);
  EXPECT_TRUE(SameGraph(*without, FreshSnapshot(*topology_, all, false)));
}

TEST_F(TopologyTest, SnapshotCacheIsBounded) {
  std::mt19937_64 rng(29);
  for (int round = 0; round < 3; ++round) {
    RandomRound(rng, 150);
    ASSERT_FALSE(HasFatalFailure());
  }
  const TopologyFilter all;
  // Larger than the byte bound: returned, not kept.
  SnapshotCache tiny(SnapshotCache::Options{.max_bytes = 64, .max_entries = 4});
  auto g = tiny.Get(*topology_, all, false);
  EXPECT_TRUE(SameGraph(*g, FreshSnapshot(*topology_, all, false)));
  EXPECT_EQ(tiny.entries(), 0u);
  EXPECT_EQ(tiny.memory_bytes(), 0u);
  // One entry: the least recently used one goes.
  SnapshotCache one(SnapshotCache::Options{.max_bytes = uint64_t{1} << 30, .max_entries = 1});
  auto undirected = one.Get(*topology_, all, false);
  auto directed = one.Get(*topology_, all, true);
  EXPECT_EQ(one.entries(), 1u);
  EXPECT_EQ(one.memory_bytes(), SnapshotCache::Bytes(*directed));
  EXPECT_EQ(one.Get(*topology_, all, true).get(), directed.get());
  EXPECT_NE(one.Get(*topology_, all, false).get(), undirected.get());  // Rebuilt.
  EXPECT_EQ(one.misses(), 3u);
  // Two topologies (two objects, the same content) never share entries.
  auto other = Topology::Load(*store_);
  ASSERT_TRUE(other.ok());
  SnapshotCache shared;
  auto mine = shared.Get(*topology_, all, false);
  auto theirs = shared.Get(**other, all, false);
  EXPECT_NE(mine.get(), theirs.get());
  EXPECT_TRUE(SameGraph(*mine, *theirs));
  EXPECT_EQ(shared.entries(), 2u);
}

// The image written at shutdown: loaded alone it gives the scan's lists in key order; with the
// changes made after it replayed, the same graph as the live topology and as a fresh scan.
std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The image an offline import writes from its bulk load as it goes (TopologyImageWriter) is
// byte for byte the image SaveTopologyImage writes of the loaded store's scanned topology.
TEST_F(TopologyTest, ImageWrittenFromABulkLoadIsTheSavedImage) {
  const std::string path = absl::StrCat(dir_, "/", kTopologyImageFile);
  for (bool keyed : {false, true}) {
    SCOPED_TRACE(keyed ? "edge keys" : "no edge keys");
    TearDown();
    SetUp();
    std::vector<Node> nodes;
    std::vector<EdgeWrite> edges;
    BulkData(keyed, &nodes, &edges);
    std::string from_load;
    {
      TopologyImageWriter writer(dir_);
      TopologySink sink = writer.Sink();
      auto result = store_->BulkLoad(nodes, edges, /*max_errors=*/1000, true, &sink);
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_TRUE(sink.delivered);
      ASSERT_TRUE(store_->Sync().ok());
      ASSERT_TRUE(writer.Commit(*store_).ok());
      EXPECT_EQ(writer.nodes(), store_->counts().nodes);
      EXPECT_EQ(writer.edges(), store_->counts().edges);
      from_load = FileBytes(path);
    }
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    std::filesystem::remove(path);
    auto scanned = Topology::Load(*store_);
    ASSERT_TRUE(scanned.ok()) << scanned.status();
    ASSERT_TRUE(SaveTopologyImage(**scanned, *store_).ok());
    const std::string saved = FileBytes(path);
    ASSERT_GT(saved.size(), 1000u * sizeof(AdjEntry));
    EXPECT_TRUE(from_load == saved) << from_load.size() << " bytes against " << saved.size();
    TopologyLoadReport report;
    auto loaded = LoadTopology(*store_, &report);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_TRUE(report.from_image) << report.fallback_reason;
    EXPECT_TRUE(CompareTopologies(**loaded, **scanned).ok());
  }
}

// A writer fed anything but one whole load, in order, refuses to commit and leaves no file.
TEST_F(TopologyTest, ImageWriterRefusesWhatIsNotAWholeLoad) {
  const std::string path = absl::StrCat(dir_, "/", kTopologyImageFile);
  auto feed = [&](auto&& calls) -> absl::Status {
    TopologyImageWriter writer(dir_);
    TopologySink sink = writer.Sink();
    calls(sink);
    absl::Status s = writer.Commit(*store_);
    return s;
  };
  EdgeLink e;
  e.id = 1;
  e.from = 1;
  e.to = 2;
  e.type = Type("COLLABORATES_WITH").value;
  e.valid_from = std::numeric_limits<int32_t>::min();
  e.valid_to = std::numeric_limits<int32_t>::max();
  e.weight = 1;
  const uint32_t person = Kind("Person").value;
  // Not begun, never ended.
  EXPECT_EQ(feed([](TopologySink&) {}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(feed([&](TopologySink& s) { s.begin(3, 0); }).code(),
            absl::StatusCode::kFailedPrecondition);
  // Fewer edges than announced; side-table rows out of order; lists out of order.
  EXPECT_EQ(feed([&](TopologySink& s) {
              s.begin(3, 2);
              s.node(1, person);
              s.node(2, person);
              s.edge_attrs(1, e.valid_from, e.valid_to, 1);
              s.edge_attrs(2, e.valid_from, e.valid_to, 1);
              s.edge(e);
              s.end();
            }).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(feed([&](TopologySink& s) {
              s.begin(3, 1);
              s.edge_attrs(2, e.valid_from, e.valid_to, 1);
            }).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(feed([&](TopologySink& s) {
              s.begin(3, 2);
              EdgeLink later = e;
              later.from = 2;
              s.edge(later);
              e.id = 2;
              s.edge(e);
              s.end();
            }).code(),
            absl::StatusCode::kDataLoss);
  // A node slot past the last node, an unknown kind.
  EXPECT_EQ(feed([&](TopologySink& s) {
              s.begin(4, 0);
              s.node(1, person);
              s.end();
            }).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(feed([&](TopologySink& s) {
              s.begin(2, 0);
              s.node(1, 0);
              s.end();
            }).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // And the smallest whole load commits.
  EXPECT_TRUE(feed([&](TopologySink& s) {
                s.begin(2, 0);
                s.node(1, person);
                s.end();
              }).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(TopologyTest, ImageWithReplayedChangesEqualsAScan) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 12; ++round) {
    RandomRound(rng, 150);
    ASSERT_FALSE(HasFatalFailure());
  }
  ASSERT_GT(topology_->overlay_vertices(), 0u);  // The image folds the overlay in.
  ASSERT_TRUE(SaveTopologyImage(*topology_, *store_).ok());
  const std::string path = absl::StrCat(dir_, "/", kTopologyImageFile);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  TopologyLoadReport report;
  auto fresh = LoadTopology(*store_, &report);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_TRUE(report.from_image) << report.fallback_reason;
  EXPECT_EQ(report.image_sequence, store_->last_change());
  EXPECT_EQ(report.replayed_changes, 0u);
  const Reference before = Rebuild(*store_);
  ExpectEqual(**fresh, before, /*same_order=*/true);
  EXPECT_TRUE(CompareTopologies(**fresh, *topology_).ok());
  // Writes after the image (as after a crash: no new image) are replayed from the change log.
  for (int round = 0; round < 8; ++round) {
    RandomRound(rng, 150);
    ASSERT_FALSE(HasFatalFailure());
  }
  auto replayed = LoadTopology(*store_, &report);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(report.from_image) << report.fallback_reason;
  EXPECT_GT(report.replayed_changes, 8u);
  const Reference after = Rebuild(*store_);
  ExpectEqual(**replayed, after, /*same_order=*/false);
  auto scanned = Topology::Load(*store_);
  ASSERT_TRUE(scanned.ok());
  absl::Status same = CompareTopologies(**replayed, **scanned);
  EXPECT_TRUE(same.ok()) << same;
  same = CompareTopologies(**replayed, *topology_);
  EXPECT_TRUE(same.ok()) << same;
  // The comparison can fail: the image's state lacks the later writes.
  EXPECT_FALSE(CompareTopologies(**fresh, **scanned).ok());
}

TEST_F(TopologyTest, DamagedOrForeignImagesAreNotUsed) {
  std::mt19937_64 rng(12);
  for (int round = 0; round < 4; ++round) {
    RandomRound(rng, 100);
    ASSERT_FALSE(HasFatalFailure());
  }
  ASSERT_TRUE(SaveTopologyImage(*topology_, *store_).ok());
  const std::string path = absl::StrCat(dir_, "/", kTopologyImageFile);
  const std::string good = absl::StrCat(dir_, "/good.img");
  std::filesystem::copy_file(path, good);
  const auto size = std::filesystem::file_size(path);
  auto expect_fallback = [&](absl::string_view why) {
    TopologyLoadReport report;
    auto t = LoadTopology(*store_, &report);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_FALSE(report.from_image);
    EXPECT_THAT(report.fallback_reason, testing::HasSubstr(std::string(why)));
    absl::Status same = CompareTopologies(**t, *topology_);
    EXPECT_TRUE(same.ok()) << same;
  };
  // One flipped byte in the header, in the lists, in the last section.
  for (const uint64_t at : {uint64_t{20}, size / 2, size - 3}) {
    std::filesystem::copy_file(good, path, std::filesystem::copy_options::overwrite_existing);
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(at));
      char c;
      f.read(&c, 1);
      c = static_cast<char>(c ^ 0x10);
      f.seekp(static_cast<std::streamoff>(at));
      f.write(&c, 1);
    }
    expect_fallback("checksum");
  }
  // Truncated.
  std::filesystem::copy_file(good, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, size - 8);
  expect_fallback("bytes, its header says");
  // Not an image at all.
  {
    std::ofstream f(path, std::ios::trunc);
    f << "hello";
  }
  expect_fallback("shorter than its header");
  // The image of another store with the same content.
  const std::string other_dir = dir_ + "_other";
  std::filesystem::remove_all(other_dir);
  {
    auto other = GraphStore::Open(other_dir, GraphStore::Options());
    ASSERT_TRUE(other.ok()) << other.status();
    ASSERT_NE((*other)->db_identity(), store_->db_identity());
    ASSERT_TRUE(SaveTopologyImage(*topology_, **other).ok());
  }
  std::filesystem::copy_file(absl::StrCat(other_dir, "/", kTopologyImageFile), path,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove_all(other_dir);
  expect_fallback("another store");
  // The good one is still good.
  std::filesystem::copy_file(good, path, std::filesystem::copy_options::overwrite_existing);
  TopologyLoadReport report;
  ASSERT_TRUE(LoadTopology(*store_, &report).ok());
  EXPECT_TRUE(report.from_image) << report.fallback_reason;
}

TEST(TopologyImageTest, ChangeLogTrimmedPastTheImageMeansAScan) {
  const std::string dir =
      absl::StrCat(testing::TempDir(), "innograph_topology_image_trim_", getpid());
  std::filesystem::remove_all(dir);
  GraphStore::Options options;
  options.sync_writes = false;
  options.change_retention = 3;  // The log is trimmed 1024 changes past this.
  auto store = GraphStore::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto t = Topology::Load(**store);
  ASSERT_TRUE(t.ok());
  (*store)->SetCommitListener([&](const ChangeSet& c) { (*t)->Apply(c); });
  auto add = [&](int i) {
    Node n;
    n.kind = Kind("Person");
    n.key = absl::StrCat("p", i);
    n.name = n.key;
    ASSERT_TRUE((*store)->UpsertNodes({n}).ok());
  };
  add(0);
  ASSERT_TRUE(SaveTopologyImage(**t, **store).ok());
  add(1);
  TopologyLoadReport report;
  ASSERT_TRUE(LoadTopology(**store, &report).ok());
  EXPECT_TRUE(report.from_image) << report.fallback_reason;
  EXPECT_EQ(report.replayed_changes, 1u);
  for (int i = 2; i < 1100; ++i) add(i);
  auto loaded = LoadTopology(**store, &report);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(report.from_image);
  EXPECT_THAT(report.fallback_reason, testing::HasSubstr("no longer holds change"));
  ASSERT_GT((*store)->first_change(), 2u);
  EXPECT_EQ((*loaded)->num_nodes(), 1100u);
  (*store)->SetCommitListener(nullptr);
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace innograph
