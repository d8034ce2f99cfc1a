#include "graph/query/analytics_graph.h"

#include <algorithm>
#include <tuple>

namespace innograph {

AnalyticsGraph AnalyticsGraph::FromEdges(std::vector<uint64_t> node_ids,
                                         const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                                         const std::vector<double>& weights, bool directed) {
  AnalyticsGraph g;
  g.directed = directed;
  g.node_ids = std::move(node_ids);
  const uint32_t n = g.num_nodes();
  std::vector<std::tuple<uint32_t, uint32_t, double>> arcs;
  arcs.reserve(directed ? edges.size() : 2 * edges.size());
  for (size_t i = 0; i < edges.size(); ++i) {
    auto [u, v] = edges[i];
    if (u == v) continue;
    arcs.emplace_back(u, v, weights[i]);
    if (!directed) arcs.emplace_back(v, u, weights[i]);
  }
  std::sort(arcs.begin(), arcs.end());
  g.offsets.assign(n + 1, 0);
  for (size_t i = 0; i < arcs.size(); ++i) {
    auto [u, v, w] = arcs[i];
    if (!g.targets.empty() && i > 0 && std::get<0>(arcs[i - 1]) == u &&
        std::get<1>(arcs[i - 1]) == v) {
      g.weights.back() += w;
      continue;
    }
    g.targets.push_back(v);
    g.weights.push_back(w);
    ++g.offsets[u + 1];
  }
  for (uint32_t u = 0; u < n; ++u) g.offsets[u + 1] += g.offsets[u];
  return g;
}

}  // namespace innograph
