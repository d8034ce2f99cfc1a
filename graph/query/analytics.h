#pragma once

// Whole-graph analytics over an AnalyticsGraph: ranking (degree, PageRank, betweenness,
// closeness), components, articulation points, communities (Louvain, label propagation) and
// modularity.
//
// Every function is pure: it reads `g`, allocates its own scratch space and returns a fresh
// result, so any number of them may run concurrently on one graph. Results are indexed like the
// graph (0..n-1; `g.node_ids[i]` is the NodeId of index i).
//
// Reference semantics: each function names the networkx 2.8 function whose values it
// reproduces; tests/graph/query/analytics_test.cc checks them against values produced by
// networkx, not against this code.
//
// Cancellation: long-running functions take `cancelled`, polled between units of work (a BFS
// source, a PageRank iteration, a batch of node visits). When it returns true they stop and
// return DEADLINE_EXCEEDED. An empty function means "never cancelled".
//
// Randomness: seeded functions draw from std::mt19937_64(seed) through our own unbiased
// bounded draw and Fisher-Yates shuffle (not std::uniform_int_distribution / std::shuffle,
// whose output differs between standard libraries), so a seed gives the same answer on every
// platform.

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/query/analytics_graph.h"

namespace innograph {

// Returns true once the caller's deadline has passed (or the caller gave up).
using CancelledFn = std::function<bool()>;

// ---------------------------------------------------------------------------------------------
// Ranking
// ---------------------------------------------------------------------------------------------

// Degree of each node: the number of distinct neighbours (parallel edges are already merged in
// `g`), or with `weighted` the sum of the (merged) edge weights. For a directed `g`, out + in.
// Not normalized (networkx.degree_centrality divides this by n - 1; G.degree(weight=...) equals
// it). O(n + m).
std::vector<double> DegreeCentrality(const AnalyticsGraph& g, bool weighted);

// PageRank by power iteration, with the semantics of networkx.pagerank(G, alpha=damping,
// max_iter=max_iterations, tol=tolerance, weight="weight"): transition probabilities
// proportional to edge weight, the mass of dangling nodes (no out-edges) spread uniformly,
// uniform teleport, start vector 1/n, stop after the first iteration whose L1 change is
// < n * tolerance. For an undirected `g` every edge is followed in both directions. The result
// sums to 1 (up to rounding). O(m) per iteration.
//
// Errors: INVALID_ARGUMENT when damping is outside [0, 1], max_iterations < 1 or tolerance is
// not a positive finite number; RESOURCE_EXHAUSTED when max_iterations pass without
// convergence (networkx raises PowerIterationFailedConvergence); DEADLINE_EXCEEDED when
// cancelled (polled once per iteration). An empty graph gives an empty vector.
absl::StatusOr<std::vector<double>> PageRank(const AnalyticsGraph& g, double damping = 0.85,
                                             int max_iterations = 100, double tolerance = 1e-6,
                                             const CancelledFn& cancelled = {});

// Shortest-path (hop count, edge weights ignored) betweenness centrality.
//
// samples == 0 or samples >= n: exact, by Boost.Graph's brandes_betweenness_centrality on a
// boost::compressed_sparse_row_graph holding g's arcs (both directions of an undirected edge;
// see centrality.cc for why not an undirected adjacency_list). Values equal
// networkx.betweenness_centrality(G, normalized=normalized): unnormalized, each unordered pair
// counts once in an undirected graph; normalized divides by (n-1)(n-2)/2 (undirected) or
// (n-1)(n-2) (directed), and is left unscaled when n <= 2. O(n m) time, O(n + m) memory.
//
// 0 < samples < n: Brandes from `samples` distinct sources drawn with
// std::mt19937_64(seed), the sum scaled by n / samples, then normalized like networkx with
// k=samples. An unbiased estimate of the exact value (networkx draws its sources differently, so
// only the distribution, not the values, matches networkx's k=...). O(samples * m) time.
//
// Errors: DEADLINE_EXCEEDED when cancelled (polled between sources; in the exact version
// between batches of Boost.Graph's work).
absl::StatusOr<std::vector<double>> Betweenness(const AnalyticsGraph& g, bool normalized,
                                                uint32_t samples, uint64_t seed,
                                                const CancelledFn& cancelled = {});

// Closeness centrality over hop distances, as networkx.closeness_centrality(G) (wf_improved =
// True): for a node u that reaches r - 1 other nodes at total distance sum_d,
// (r-1)/sum_d * (r-1)/(n-1); 0 when u reaches nobody. For a directed `g` distances are incoming
// (from the others to u), as networkx does. O(n m) time (one BFS per node), O(n + m) memory.
//
// Errors: DEADLINE_EXCEEDED when cancelled (polled between BFS sources).
absl::StatusOr<std::vector<double>> Closeness(const AnalyticsGraph& g,
                                              const CancelledFn& cancelled = {});

// Indices of the k largest scores in decreasing order, ties broken by the smaller index
// (NaN ranks last). k > scores.size() returns every index. O(n log k).
std::vector<uint32_t> TopK(const std::vector<double>& scores, uint32_t k);

// ---------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------

struct ComponentsResult {
  // Per node index: its component, numbered by decreasing size, ties broken by the smallest node
  // index in the component (so 0 is the largest component).
  std::vector<uint32_t> component;
  // Per component: its number of nodes (non-increasing). sizes.size() is the component count.
  std::vector<uint32_t> sizes;
};

// Connected components (weakly connected for a directed `g`), by Boost.Graph's
// connected_components on an undirected copy of `g`. Same partition as
// networkx.connected_components (weakly_connected_components for a DiGraph). O(n + m).
ComponentsResult ConnectedComponents(const AnalyticsGraph& g);

// Articulation points (cut vertices) of `g` taken as undirected, sorted ascending, by
// Boost.Graph's articulation_points. Same set as networkx.articulation_points(G) (of
// G.to_undirected() for a DiGraph). O(n + m).
std::vector<uint32_t> ArticulationPoints(const AnalyticsGraph& g);

// ---------------------------------------------------------------------------------------------
// Communities
// ---------------------------------------------------------------------------------------------

struct CommunitiesResult {
  // Per node index: its community, numbered by decreasing size, ties broken by the smallest node
  // index in the community.
  std::vector<uint32_t> community;
  // Per community: its number of nodes (non-increasing).
  std::vector<uint32_t> sizes;
  // Modularity(g, community, resolution) of this partition (resolution 1 for label
  // propagation).
  double modularity = 0.0;
  // Louvain: aggregation levels that improved the partition. Label propagation: rounds run.
  uint32_t iterations = 0;
  // False when label propagation stopped at its round cap before the labels were stable.
  bool converged = true;
};

// Louvain method (Blondel et al. 2008) maximizing weighted modularity with `resolution`.
// Levels of local moving followed by aggregation of each community into one node. Local moving
// visits the nodes in an order shuffled once per level with std::mt19937_64(seed) and moves
// each to the neighbouring community of largest strictly positive modularity gain; passes repeat
// until one moves nothing or gains less than 1e-6 (the reference implementation's rule). Levels
// repeat until one moves nothing or gains less than 1e-7 (networkx's threshold). A given seed is
// deterministic. A directed `g` is treated as undirected, the weights of u->v and v->u summed.
// Comparable in quality with networkx.algorithms.community.louvain_communities (not the same
// partition: the random orders differ). O(m) per pass, typically tens of passes in all.
//
// Errors: INVALID_ARGUMENT when resolution is negative or not finite; DEADLINE_EXCEEDED when
// cancelled (polled every few thousand node visits).
absl::StatusOr<CommunitiesResult> Louvain(const AnalyticsGraph& g, double resolution = 1.0,
                                          uint64_t seed = 0, const CancelledFn& cancelled = {});

// Asynchronous weighted label propagation (Raghavan et al. 2007), like
// networkx.algorithms.community.asyn_lpa_communities(G, weight="weight", seed=...): every node
// starts in its own label; each round visits the nodes in an order shuffled with
// std::mt19937_64(seed); a node keeps its label if it is among the labels of largest total edge
// weight to its neighbours, else takes one of those, chosen by the same RNG. Stops after a
// round without changes, or after 100 rounds (converged = false). A directed `g` is treated as
// undirected. O(m) per round.
//
// Errors: DEADLINE_EXCEEDED when cancelled (polled every few thousand node visits).
absl::StatusOr<CommunitiesResult> LabelPropagation(const AnalyticsGraph& g, uint64_t seed = 0,
                                                   const CancelledFn& cancelled = {});

// Modularity of a partition, exactly as networkx.algorithms.community.modularity(G,
// communities, weight="weight", resolution=resolution):
//   undirected: sum_c L_c / m - resolution * (d_c / 2m)^2
//   directed:   sum_c L_c / m - resolution * out_c * in_c / m^2
// with L_c the weight of the edges inside c, d_c the total weighted degree of c, m the total
// edge weight. `community` has one entry per node; labels are arbitrary (need not be dense).
// Returns 0 for a graph without edges (networkx divides by zero). O(n + m).
double Modularity(const AnalyticsGraph& g, const std::vector<uint32_t>& community,
                  double resolution = 1.0);

// ---------------------------------------------------------------------------------------------
// Shared by the analytics .cc files; not for callers.
// ---------------------------------------------------------------------------------------------
namespace analytics_internal {

// f && f().
bool IsCancelled(const CancelledFn& cancelled);

// Polls `cancelled` once every `period` calls of Tick(), so hot loops can call Tick() per item.
class CancelPoller {
 public:
  explicit CancelPoller(const CancelledFn& cancelled, uint32_t period = 4096)
      : cancelled_(cancelled), period_(period) {}
  bool Tick() {
    if (++count_ < period_) return false;
    count_ = 0;
    return IsCancelled(cancelled_);
  }

 private:
  const CancelledFn& cancelled_;
  const uint32_t period_;
  uint32_t count_ = 0;
};

// Uniform in [0, bound), bound > 0, by rejection: the same on every standard library.
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound);

// Fisher-Yates shuffle drawing with UniformBelow.
void Shuffle(std::vector<uint32_t>& items, std::mt19937_64& rng);

// Renumbers arbitrary labels (one per node) in place to 0..k-1 by decreasing group size, ties by
// the smallest node index in the group; returns the group sizes.
std::vector<uint32_t> RenumberBySize(std::vector<uint32_t>& labels);

// `g` with every arc also reversed and the weights of u->v and v->u summed: the undirected view
// of a directed graph.
AnalyticsGraph Symmetrized(const AnalyticsGraph& g);

}  // namespace analytics_internal
}  // namespace innograph
