#pragma once

// Traversals over the live topology: neighbours, k-hop expansion, shortest paths (hops or
// weighted), k shortest simple paths (Yen), all shortest paths, ego and induced subgraphs,
// common neighbours and similarity. Every function runs inside one Topology::Reader and obeys
// QueryLimits: hitting a limit stops the work, keeps what was found and says which limit in
// the Truncation; no function allocates more than its limits allow.
//
// Node and edge identities are the topology's: node ids (uint32_t) and AdjEntry pointers that
// stay valid while the Reader lives.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/query/analytics_graph.h"
#include "graph/topology/bgl_adapter.h"
#include "graph/topology/topology.h"

namespace innograph {

// Which limit stopped a query. Persisted in the API as LimitKind: keep the order.
enum class LimitKind : uint8_t {
  kDepth = 1,         // More hops existed beyond max_depth (Expand only reports, never errors).
  kEdgesPerNode = 2,  // A node had more edges than max_edges_per_node; the rest were not read.
  kVisited = 3,       // max_visited nodes were reached.
  kResults = 4,       // max_results results were produced.
  kDeadline = 5,      // The deadline passed.
};

struct QueryLimits {
  uint32_t max_depth = 3;
  uint32_t max_edges_per_node = 100000;
  uint64_t max_visited = 1000000;
  uint32_t max_results = 10000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct Truncation {
  bool truncated = false;
  std::vector<LimitKind> hit;  // Distinct, in the order they were hit.
  void Hit(LimitKind k);
};

// Counts work and checks the deadline every 256 steps.
class Budget {
 public:
  Budget(const QueryLimits& limits, Truncation* t) : limits_(limits), t_(t) {}
  // False (and records kDeadline) once the deadline has passed.
  bool Tick();
  // Counts n steps at once (a whole adjacency list), checking the deadline when they cross a
  // multiple of 256.
  bool TickMany(uint32_t n);
  bool expired() const { return expired_; }
  const QueryLimits& limits() const { return limits_; }
  Truncation* truncation() const { return t_; }

 private:
  const QueryLimits& limits_;
  Truncation* t_;
  uint32_t ticks_ = 0;
  bool expired_ = false;
};

// An edge used by an answer, oriented from the node it was reached from.
struct Step {
  uint32_t from = 0;  // The node the step leaves.
  uint32_t to = 0;    // The node it reaches.
  const AdjEntry* entry = nullptr;
  bool forward = true;  // True when the stored edge points from `from` to `to`.
};

// --- Neighbors ------------------------------------------------------------------------------

// The position after which a Neighbors page starts: (phase, type, neighbour, edge id), phase 0
// for outgoing and 1 for incoming edges. Pages are in this order.
struct NeighborCursor {
  uint8_t phase = 0;
  uint16_t type = 0;
  uint32_t nbr = 0;
  uint32_t edge = 0;
  auto operator<=>(const NeighborCursor&) const = default;
};

struct NeighborsResult {
  std::vector<Step> steps;             // At most `limit`.
  std::optional<NeighborCursor> next;  // Set when more follow.
};

NeighborsResult Neighbors(const Topology::Reader& r, uint32_t node, Direction dir,
                          const TopologyFilter& filter, std::optional<NeighborCursor> after,
                          uint32_t limit);

// --- Expand ---------------------------------------------------------------------------------

struct ExpandResult {
  std::vector<uint32_t> nodes;    // Seeds first, then in BFS order.
  std::vector<uint32_t> hops;     // Parallel to nodes: distance from the nearest seed.
  std::vector<Step> edges;        // Edges read between result nodes, each once.
  std::vector<uint64_t> per_hop;  // per_hop[h]: nodes first reached at hop h (h = 0: seeds).
  Truncation truncation;
};

// Breadth-first k-hop neighbourhood of `seeds` up to `depth` hops (1..limits.max_depth).
// With count_only, `nodes`, `hops` and `edges` stay empty and max_results does not apply.
ExpandResult Expand(const Topology::Reader& r, const std::vector<uint32_t>& seeds, Direction dir,
                    const TopologyFilter& filter, uint32_t depth, const QueryLimits& limits,
                    bool count_only);

// --- Paths ----------------------------------------------------------------------------------

struct Path {
  std::vector<uint32_t> nodes;  // From source to target.
  std::vector<Step> steps;      // nodes.size() - 1 edges.
  double cost = 0;              // Hops, or the sum of 1/weight when weighted.
};

struct PathOptions {
  Direction dir = Direction::kBoth;
  bool weighted = false;  // Cost of an edge = 1 / weight (strong ties are short).
  // Consecutive edges must have overlapping validity intervals (two people are linked through
  // an organisation only if their stints there overlapped).
  bool time_respecting = false;
  uint32_t max_length = 6;  // Hops.
};

struct PathsResult {
  std::vector<Path> paths;
  Truncation truncation;
};

// One shortest path: bidirectional BFS (hops), Dijkstra on the BGL view (weighted) or a BFS
// over edge states (time-respecting). Empty `paths` when none within max_length.
PathsResult ShortestPath(const Topology::Reader& r, uint32_t source, uint32_t target,
                         const TopologyFilter& filter, const PathOptions& options,
                         const QueryLimits& limits);

// The k shortest simple paths (Yen's algorithm), in order of cost, distinct node sequences.
PathsResult KShortestPaths(const Topology::Reader& r, uint32_t source, uint32_t target,
                           const TopologyFilter& filter, const PathOptions& options, uint32_t k,
                           const QueryLimits& limits);

// Every shortest path (by hops), as distinct node sequences, up to limits.max_results.
PathsResult AllShortestPaths(const Topology::Reader& r, uint32_t source, uint32_t target,
                             const TopologyFilter& filter, const PathOptions& options,
                             const QueryLimits& limits);

// --- Subgraphs, common neighbours, similarity -----------------------------------------------

struct SubgraphResult {
  std::vector<uint32_t> nodes;
  std::vector<Step> edges;  // Every filtered edge with both ends in `nodes`, once.
  Truncation truncation;
};

// The subgraph induced by `nodes` (dead ids skipped).
SubgraphResult InducedSubgraph(const Topology::Reader& r, std::vector<uint32_t> nodes,
                               const TopologyFilter& filter, const QueryLimits& limits);

// The ego network: the ball of `radius` hops around `center` and every filtered edge among it.
SubgraphResult EgoNetwork(const Topology::Reader& r, uint32_t center, uint32_t radius,
                          Direction dir, const TopologyFilter& filter, const QueryLimits& limits);

struct CommonNeighbor {
  uint32_t node = 0;
  Step from_a;  // An edge linking a and node.
  Step from_b;  // An edge linking b and node.
};

std::vector<CommonNeighbor> CommonNeighbors(const Topology::Reader& r, uint32_t a, uint32_t b,
                                            Direction dir, const TopologyFilter& filter,
                                            const QueryLimits& limits, Truncation* t);

enum class SimilarityMetric { kJaccard, kAdamicAdar };

struct Similar {
  uint32_t node = 0;
  double score = 0;
  uint32_t common = 0;  // Shared neighbours.
};

// Nodes two hops from `node` (not itself; not its neighbours unless include_neighbors), scored by
// Jaccard (|N(u) ∩ N(v)| / |N(u) ∪ N(v)|) or Adamic-Adar (Σ 1/ln|N(z)| over shared z), over
// distinct-neighbour sets in the filtered view, best first, at most k.
std::vector<Similar> SimilarNodes(const Topology::Reader& r, uint32_t node, SimilarityMetric metric,
                                  Direction dir, const TopologyFilter& filter, uint32_t k,
                                  bool include_neighbors, const QueryLimits& limits, Truncation* t);

// --- Specialised loops ------------------------------------------------------------------------

// When a filter has no time window and no weight minimum, an entry passes on its type alone and
// a node on its kind alone: Expand, the shortest-path searches and the other traversals then run
// loops specialised to that case (no per-entry side-table test, the budget counted per list),
// and a count-only Expand switches to bottom-up steps (each unreached node looks for a parent
// in the frontier) when the frontier's lists outweigh the rest of the graph. Answers are the
// same as the general loop's. Tests switch the choice to compare the two.
enum class TraversalPaths : uint8_t {
  kGeneral,         // Always the general loop.
  kAuto,            // Specialised when the filter allows, bottom-up when it pays (the default).
  kAlwaysBottomUp,  // As kAuto, but every count-only Expand step that may go bottom-up does.
};
void SetTraversalPathsForTesting(TraversalPaths paths);

// --- Snapshots for analytics ------------------------------------------------------------------

// Copies the filtered view: live nodes passing the kind filter, and the filtered edges between
// them (see AnalyticsGraph for the merge rules). O(n + m) under the reader.
AnalyticsGraph SnapshotView(const Topology::Reader& r, const TopologyFilter& filter, bool directed);

}  // namespace innograph
