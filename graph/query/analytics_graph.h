#pragma once

// AnalyticsGraph: a compact, immutable copy of a filtered view of the topology, re-indexed
// 0..n-1, on which whole-graph analytics run (ranking, components, communities) without holding
// any lock on the live topology.
//
// Shape: compressed sparse rows. For an undirected view every edge appears in both rows;
// parallel edges between the same two nodes are merged into one whose weight is the sum of
// theirs; self-loops are dropped. A directed view keeps one entry per (u, v) pair with the summed
// weight, in u's row.

#include <cstdint>
#include <vector>

namespace innograph {

struct AnalyticsGraph {
  bool directed = false;
  std::vector<uint64_t> node_ids;  // Index -> NodeId value; sorted ascending.
  std::vector<uint32_t> offsets;   // Size n + 1; row of u is [offsets[u], offsets[u + 1]).
  std::vector<uint32_t> targets;   // Neighbour indices, sorted within a row.
  std::vector<double> weights;     // Parallel to targets; > 0.

  uint32_t num_nodes() const { return static_cast<uint32_t>(node_ids.size()); }
  // Undirected: each edge once (targets.size() / 2). Directed: targets.size().
  uint64_t num_edges() const { return directed ? targets.size() : targets.size() / 2; }

  // Builds from an edge list over node indices (u, v, weight), applying the merge rules above.
  static AnalyticsGraph FromEdges(std::vector<uint64_t> node_ids,
                                  const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                                  const std::vector<double>& weights, bool directed);
};

}  // namespace innograph
