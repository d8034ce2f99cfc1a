// Modularity, Louvain and label propagation (declared in analytics.h). Boost.Graph 1.74 has no
// community detection, so both methods are written here over the CSR arrays.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "graph/model/status.h"
#include "graph/query/analytics.h"

namespace innograph {
namespace {

using analytics_internal::CancelPoller;
using analytics_internal::IsCancelled;
using analytics_internal::RenumberBySize;
using analytics_internal::Shuffle;
using analytics_internal::Symmetrized;
using analytics_internal::UniformBelow;

absl::Status Cancelled(const char* what) {
  return absl::DeadlineExceededError(absl::StrFormat("%s cancelled: deadline exceeded", what));
}

// One level of the Louvain hierarchy: an undirected weighted graph whose nodes are the
// communities of the level below. Symmetric CSR without self-loops, plus each node's self-loop
// weight (the weight of the edges inside it) and strength (weighted degree, a self-loop counting
// twice, so the strengths sum to 2m at every level).
struct LevelGraph {
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> targets;
  std::vector<double> weights;
  std::vector<double> self_loop;
  std::vector<double> strength;

  uint32_t size() const { return static_cast<uint32_t>(strength.size()); }
};

LevelGraph FirstLevel(const AnalyticsGraph& g) {
  LevelGraph level{g.offsets, g.targets, g.weights, std::vector<double>(g.num_nodes(), 0.0),
                   std::vector<double>(g.num_nodes(), 0.0)};
  for (uint32_t u = 0; u < g.num_nodes(); ++u) {
    for (uint32_t a = g.offsets[u]; a < g.offsets[u + 1]; ++a) level.strength[u] += g.weights[a];
  }
  return level;
}

// Stop rules: a local-moving pass gaining less modularity than this ends its level (Blondel
// et al.'s reference implementation uses 1e-6), and a level gaining less than kMinLevelGain is
// the last (networkx.louvain_communities' threshold is 1e-7).
constexpr double kMinPassGain = 1e-6;
constexpr double kMinLevelGain = 1e-7;

struct LocalMoves {
  std::vector<uint32_t> community;  // Per node of the level: a node index of the level.
  bool any_move = false;
  double gain = 0.0;  // Modularity gained.
};

// Local moving phase on `level`, starting from singletons.
absl::StatusOr<LocalMoves> MoveNodes(const LevelGraph& level, double resolution,
                                     double total_strength, std::mt19937_64& rng,
                                     CancelPoller& poller) {
  const uint32_t n = level.size();
  std::vector<uint32_t> community(n);
  std::iota(community.begin(), community.end(), 0u);
  std::vector<double> community_strength = level.strength;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  Shuffle(order, rng);

  // Moving i into community c (i removed from its own) changes modularity by
  //   (k_i,c - resolution * tot_c * k_i / 2m) / m + terms that do not depend on c,
  // so candidates are compared on the bracket alone.
  const double penalty = resolution / total_strength;
  std::vector<double> link_weight(n, 0.0);  // k_i,c per neighbouring community c.
  std::vector<uint32_t> neighbour_communities;
  LocalMoves moved;
  for (;;) {
    uint64_t moves = 0;
    double pass_gain = 0.0;
    for (uint32_t i : order) {
      if (poller.Tick()) return Cancelled("louvain");
      const uint32_t own = community[i];
      const double k_i = level.strength[i];
      neighbour_communities.clear();
      for (uint32_t a = level.offsets[i]; a < level.offsets[i + 1]; ++a) {
        const uint32_t c = community[level.targets[a]];
        if (link_weight[c] == 0.0) neighbour_communities.push_back(c);
        link_weight[c] += level.weights[a];
      }
      community_strength[own] -= k_i;
      uint32_t best = own;
      const double stay_gain = link_weight[own] - penalty * community_strength[own] * k_i;
      double best_gain = stay_gain;
      // A move must win by more than rounding noise, or nodes could cycle between equals.
      const double epsilon = 1e-12 * k_i;
      for (uint32_t c : neighbour_communities) {
        const double gain = link_weight[c] - penalty * community_strength[c] * k_i;
        if (gain > best_gain + epsilon) {
          best = c;
          best_gain = gain;
        }
      }
      community_strength[best] += k_i;
      if (best != own) {
        pass_gain += (best_gain - stay_gain) * 2 / total_strength;
        community[i] = best;
        ++moves;
      }
      for (uint32_t c : neighbour_communities) link_weight[c] = 0.0;
    }
    if (moves > 0) moved.any_move = true;
    moved.gain += pass_gain;
    // Like Blondel et al.'s reference code: a pass that gains less than kMinPassGain ends the
    // level. Without it the last passes of a large level each move a handful of nodes for
    // gains near 1/m, and take most of the time.
    if (moves == 0 || pass_gain < kMinPassGain) break;
  }
  moved.community = std::move(community);
  return moved;
}

// Collapses each community (labels 0..k-1) of `level` into one node.
LevelGraph Aggregate(const LevelGraph& level, const std::vector<uint32_t>& community, uint32_t k) {
  // Members of each community, contiguous (counting sort).
  std::vector<uint32_t> start(k + 1, 0);
  for (uint32_t c : community) ++start[c + 1];
  for (uint32_t c = 0; c < k; ++c) start[c + 1] += start[c];
  std::vector<uint32_t> members(community.size());
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < community.size(); ++i) members[next[community[i]]++] = i;
  }
  LevelGraph out;
  out.offsets.assign(k + 1, 0);
  out.self_loop.assign(k, 0.0);
  out.strength.assign(k, 0.0);
  std::vector<double> link_weight(k, 0.0);
  std::vector<uint32_t> neighbours;
  for (uint32_t c = 0; c < k; ++c) {
    neighbours.clear();
    for (uint32_t m = start[c]; m < start[c + 1]; ++m) {
      const uint32_t i = members[m];
      out.self_loop[c] += level.self_loop[i];
      out.strength[c] += level.strength[i];
      for (uint32_t a = level.offsets[i]; a < level.offsets[i + 1]; ++a) {
        const uint32_t d = community[level.targets[a]];
        if (d == c) {
          out.self_loop[c] += level.weights[a] / 2;  // Seen from both ends.
          continue;
        }
        if (link_weight[d] == 0.0) neighbours.push_back(d);
        link_weight[d] += level.weights[a];
      }
    }
    std::sort(neighbours.begin(), neighbours.end());
    for (uint32_t d : neighbours) {
      out.targets.push_back(d);
      out.weights.push_back(link_weight[d]);
      link_weight[d] = 0.0;
    }
    out.offsets[c + 1] = static_cast<uint32_t>(out.targets.size());
  }
  return out;
}

CommunitiesResult Finish(const AnalyticsGraph& g, std::vector<uint32_t> labels, double resolution) {
  CommunitiesResult result;
  result.sizes = RenumberBySize(labels);
  result.community = std::move(labels);
  result.modularity = Modularity(g, result.community, resolution);
  return result;
}

}  // namespace

double Modularity(const AnalyticsGraph& g, const std::vector<uint32_t>& community,
                  double resolution) {
  const uint32_t n = g.num_nodes();
  assert(community.size() == n);
  std::vector<uint32_t> dense = community;
  const size_t k = RenumberBySize(dense).size();
  std::vector<double> inside(k, 0.0);   // Arc weight inside each community.
  std::vector<double> out_sum(k, 0.0);  // Out-strength (undirected: degree) per community.
  std::vector<double> in_sum(k, 0.0);   // In-strength per community (directed only).
  double total = 0.0;                   // Sum of all arc weights.
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t a = g.offsets[u]; a < g.offsets[u + 1]; ++a) {
      const uint32_t v = g.targets[a];
      const double w = g.weights[a];
      total += w;
      out_sum[dense[u]] += w;
      in_sum[dense[v]] += w;
      if (dense[u] == dense[v]) inside[dense[u]] += w;
    }
  }
  if (total == 0.0) return 0.0;
  double q = 0.0;
  if (g.directed) {
    // networkx: m = sum of out-degrees, L_c / m - resolution * out_c * in_c / m^2.
    const double norm = 1.0 / (total * total);
    for (size_t c = 0; c < k; ++c) {
      q += inside[c] / total - resolution * out_sum[c] * in_sum[c] * norm;
    }
  } else {
    // Every edge is in both rows: total = 2m and inside[c] = 2 L_c.
    const double m = total / 2;
    const double norm = 1.0 / (total * total);
    for (size_t c = 0; c < k; ++c) {
      q += (inside[c] / 2) / m - resolution * out_sum[c] * out_sum[c] * norm;
    }
  }
  return q;
}

absl::StatusOr<CommunitiesResult> Louvain(const AnalyticsGraph& g, double resolution, uint64_t seed,
                                          const CancelledFn& cancelled) {
  if (!(resolution >= 0.0 && std::isfinite(resolution))) {
    return absl::InvalidArgumentError(
        absl::StrFormat("resolution %g must be a non-negative finite number", resolution));
  }
  const uint32_t n = g.num_nodes();
  std::optional<AnalyticsGraph> symmetric;
  if (g.directed) symmetric = Symmetrized(g);
  LevelGraph level = FirstLevel(symmetric ? *symmetric : g);
  symmetric.reset();
  const double total_strength = std::accumulate(level.strength.begin(), level.strength.end(), 0.0);

  // assignment[u]: the node of the current level that holds original node u.
  std::vector<uint32_t> assignment(n);
  std::iota(assignment.begin(), assignment.end(), 0u);
  uint32_t levels = 0;
  if (total_strength > 0.0) {
    std::mt19937_64 rng(seed);
    CancelPoller poller(cancelled);
    for (;;) {
      if (IsCancelled(cancelled)) return Cancelled("louvain");
      ASSIGN_OR_RETURN(LocalMoves moved, MoveNodes(level, resolution, total_strength, rng, poller));
      if (!moved.any_move) break;
      std::vector<uint32_t>& community = moved.community;
      ++levels;
      // Dense labels in order of first appearance; a move always empties a singleton (nodes
      // only join non-empty neighbouring communities), so the level shrinks.
      std::vector<uint32_t> dense(level.size(), UINT32_MAX);
      uint32_t k = 0;
      for (uint32_t& c : community) {
        if (dense[c] == UINT32_MAX) dense[c] = k++;
        c = dense[c];
      }
      for (uint32_t& a : assignment) a = community[a];
      level = Aggregate(level, community, k);
      if (moved.gain < kMinLevelGain) break;
    }
  }
  CommunitiesResult result = Finish(g, std::move(assignment), resolution);
  result.iterations = levels;
  return result;
}

absl::StatusOr<CommunitiesResult> LabelPropagation(const AnalyticsGraph& g, uint64_t seed,
                                                   const CancelledFn& cancelled) {
  constexpr uint32_t kMaxRounds = 100;
  const uint32_t n = g.num_nodes();
  std::optional<AnalyticsGraph> symmetric;
  if (g.directed) symmetric = Symmetrized(g);
  const AnalyticsGraph& ug = symmetric ? *symmetric : g;

  std::vector<uint32_t> label(n);
  std::iota(label.begin(), label.end(), 0u);
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<double> label_weight(n, 0.0);
  std::vector<uint32_t> neighbour_labels;
  std::vector<uint32_t> best_labels;
  std::mt19937_64 rng(seed);
  CancelPoller poller(cancelled);
  uint32_t rounds = 0;
  bool converged = false;
  while (!converged && rounds < kMaxRounds) {
    if (IsCancelled(cancelled)) return Cancelled("label propagation");
    ++rounds;
    Shuffle(order, rng);
    converged = true;
    for (uint32_t u : order) {
      if (poller.Tick()) return Cancelled("label propagation");
      if (ug.offsets[u] == ug.offsets[u + 1]) continue;
      neighbour_labels.clear();
      for (uint32_t a = ug.offsets[u]; a < ug.offsets[u + 1]; ++a) {
        const uint32_t l = label[ug.targets[a]];
        if (label_weight[l] == 0.0) neighbour_labels.push_back(l);
        label_weight[l] += ug.weights[a];
      }
      double max_weight = 0.0;
      for (uint32_t l : neighbour_labels) max_weight = std::max(max_weight, label_weight[l]);
      // Sums of equal weights added in different orders may differ in the last bits.
      const double threshold = max_weight * (1.0 - 1e-12);
      if (label_weight[label[u]] < threshold) {
        best_labels.clear();
        for (uint32_t l : neighbour_labels) {
          if (label_weight[l] >= threshold) best_labels.push_back(l);
        }
        label[u] = best_labels[UniformBelow(rng, best_labels.size())];
        converged = false;
      }
      for (uint32_t l : neighbour_labels) label_weight[l] = 0.0;
    }
  }
  CommunitiesResult result = Finish(g, std::move(label), 1.0);
  result.iterations = rounds;
  result.converged = converged;
  return result;
}

}  // namespace innograph
