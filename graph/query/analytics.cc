// Degree, TopK and the helpers shared by centrality.cc, components.cc and communities.cc.

#include "graph/query/analytics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace innograph {

std::vector<double> DegreeCentrality(const AnalyticsGraph& g, bool weighted) {
  const uint32_t n = g.num_nodes();
  std::vector<double> degree(n, 0.0);
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t a = g.offsets[u]; a < g.offsets[u + 1]; ++a) {
      const double x = weighted ? g.weights[a] : 1.0;
      degree[u] += x;
      // An undirected edge is already in both rows; a directed arc also counts for its head.
      if (g.directed) degree[g.targets[a]] += x;
    }
  }
  return degree;
}

std::vector<uint32_t> TopK(const std::vector<double>& scores, uint32_t k) {
  const auto key = [&](uint32_t i) {
    const double s = scores[i];
    return std::isnan(s) ? -std::numeric_limits<double>::infinity() : s;
  };
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  const size_t kept = std::min<size_t>(k, order.size());
  std::partial_sort(order.begin(), order.begin() + kept, order.end(), [&](uint32_t a, uint32_t b) {
    const double ka = key(a), kb = key(b);
    return ka > kb || (ka == kb && a < b);
  });
  order.resize(kept);
  return order;
}

namespace analytics_internal {

bool IsCancelled(const CancelledFn& cancelled) { return cancelled && cancelled(); }

uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound) {
  // Values below 2^64 mod bound would make the low residues more likely; reject them.
  const uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % bound;
  }
}

void Shuffle(std::vector<uint32_t>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[UniformBelow(rng, i)]);
  }
}

std::vector<uint32_t> RenumberBySize(std::vector<uint32_t>& labels) {
  // Compact to 0..k-1 in order of first appearance, which is the order of each group's smallest
  // node index.
  absl::flat_hash_map<uint32_t, uint32_t> dense_of;
  std::vector<uint32_t> first_seen_sizes;
  for (uint32_t& label : labels) {
    auto [it, inserted] = dense_of.try_emplace(label, static_cast<uint32_t>(dense_of.size()));
    if (inserted) first_seen_sizes.push_back(0);
    label = it->second;
    ++first_seen_sizes[label];
  }
  // A stable sort by decreasing size keeps first-appearance order among equal sizes.
  std::vector<uint32_t> by_size(first_seen_sizes.size());
  std::iota(by_size.begin(), by_size.end(), 0u);
  std::stable_sort(by_size.begin(), by_size.end(), [&](uint32_t a, uint32_t b) {
    return first_seen_sizes[a] > first_seen_sizes[b];
  });
  std::vector<uint32_t> new_number(by_size.size());
  std::vector<uint32_t> sizes(by_size.size());
  for (uint32_t r = 0; r < by_size.size(); ++r) {
    new_number[by_size[r]] = r;
    sizes[r] = first_seen_sizes[by_size[r]];
  }
  for (uint32_t& label : labels) label = new_number[label];
  return sizes;
}

AnalyticsGraph Symmetrized(const AnalyticsGraph& g) {
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  edges.reserve(g.targets.size());
  for (uint32_t u = 0; u < g.num_nodes(); ++u) {
    for (uint32_t a = g.offsets[u]; a < g.offsets[u + 1]; ++a) edges.emplace_back(u, g.targets[a]);
  }
  // FromEdges puts each edge in both rows and sums parallel (u->v, v->u) weights.
  return AnalyticsGraph::FromEdges(g.node_ids, edges, g.weights, /*directed=*/false);
}

}  // namespace analytics_internal
}  // namespace innograph
