#include "graph/query/traversal.h"

#include <algorithm>
#include <atomic>
#include <boost/graph/dijkstra_shortest_paths_no_color_map.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace innograph {

void Truncation::Hit(LimitKind k) {
  truncated = true;
  if (std::find(hit.begin(), hit.end(), k) == hit.end()) hit.push_back(k);
}

bool Budget::Tick() {
  if (expired_) return false;
  if ((++ticks_ & 255) == 0 && std::chrono::steady_clock::now() > limits_.deadline) {
    expired_ = true;
    t_->Hit(LimitKind::kDeadline);
  }
  return !expired_;
}

bool Budget::TickMany(uint32_t n) {
  if (expired_) return false;
  const uint32_t before = ticks_;
  ticks_ += n;
  if ((before >> 8) != (ticks_ >> 8) && std::chrono::steady_clock::now() > limits_.deadline) {
    expired_ = true;
    t_->Hit(LimitKind::kDeadline);
  }
  return !expired_;
}

namespace {

std::atomic<TraversalPaths> traversal_paths{TraversalPaths::kAuto};

// A filter as the loops see it: `simple` when it has no window and no weight minimum (then an
// entry passes on its type alone, a node on its kind alone). Built once per query where the
// loop is hot; converting a TopologyFilter on the fly works too.
struct StepFilter {
  StepFilter(const TopologyFilter& filter)  // NOLINT(google-explicit-constructor)
      : f(filter),
        simple(!filter.has_window && !(filter.min_weight > 0) &&
               traversal_paths.load(std::memory_order_relaxed) != TraversalPaths::kGeneral),
        any_type(filter.types.empty()),
        any_kind(filter.kinds.empty()) {}
  bool TypeOk(uint16_t type) const { return any_type || (type < f.types.size() && f.types[type]); }
  bool KindOk(uint16_t kind) const { return any_kind || (kind < f.kinds.size() && f.kinds[kind]); }

  const TopologyFilter& f;
  const bool simple;
  const bool any_type, any_kind;
};

Direction Reverse(Direction d) {
  return d == Direction::kOut ? Direction::kIn : d == Direction::kIn ? Direction::kOut : d;
}

// Calls fn(step) for each filtered edge of v in direction `dir` whose other end is alive and
// passes the kind filter (or is `exempt`). Reads at most max_edges_per_node entries. Returns
// false when fn asked to stop or the budget ran out.
template <typename F>
bool ForEachStep(const Topology::Reader& r, uint32_t v, Direction dir, const StepFilter& sf,
                 Budget& budget, uint32_t exempt, F&& fn) {
  uint32_t left = budget.limits().max_edges_per_node;
  if (sf.simple) {
    // Type and kind tests only; the budget counts a list at a time. 0: go on, 1: the cap was
    // reached, 2: stopped.
    auto walk = [&](std::span<const AdjEntry> list, bool forward) -> int {
      size_t n = list.size();
      const bool cut = n > left;
      if (cut) n = left;
      left -= static_cast<uint32_t>(n);
      if (!budget.TickMany(static_cast<uint32_t>(n))) return 2;
      for (const AdjEntry& e : list.first(n)) {
        if (!sf.TypeOk(e.type)) continue;
        const uint16_t kind = r.kind(e.nbr);
        if (kind == 0 || (e.nbr != exempt && !sf.KindOk(kind))) continue;
        if (!fn(Step{v, e.nbr, &e, forward})) return 2;
      }
      if (cut) {
        budget.truncation()->Hit(LimitKind::kEdgesPerNode);
        return 1;
      }
      return 0;
    };
    int state = 0;
    if (dir != Direction::kIn) state = walk(r.out(v), true);
    if (state == 0 && dir != Direction::kOut) state = walk(r.in(v), false);
    return state != 2;
  }
  const TopologyFilter& f = sf.f;
  uint32_t read = 0;
  const uint32_t cap = left;
  bool stopped = false;
  // Returns whether to go on with this node's next list.
  auto walk = [&](std::span<const AdjEntry> list, bool forward) {
    for (const AdjEntry& e : list) {
      if (read++ == cap) {
        budget.truncation()->Hit(LimitKind::kEdgesPerNode);
        return false;
      }
      if (!budget.Tick()) {
        stopped = true;
        return false;
      }
      if (!r.EdgeOk(f, e) || !r.alive(e.nbr)) continue;
      if (e.nbr != exempt && !f.KindOk(r.kind(e.nbr))) continue;
      if (!fn(Step{v, e.nbr, &e, forward})) {
        stopped = true;
        return false;
      }
    }
    return true;
  };
  bool more = true;
  if (dir != Direction::kIn) more = walk(r.out(v), true);
  if (more && dir != Direction::kOut) walk(r.in(v), false);
  return !stopped;
}

uint64_t PairKey(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }

bool Overlap(const EdgeAttrs& a, const EdgeAttrs& b) { return a.from <= b.to && b.from <= a.to; }

double StepCost(const Topology::Reader& r, const Step& s, bool weighted) {
  return weighted ? 1.0 / r.weight(*s.entry) : 1.0;
}

// Walks parent steps back from `node` to a root, returning the steps root-first.
std::vector<Step> Unwind(const absl::flat_hash_map<uint32_t, Step>& parent, uint32_t node,
                         uint32_t root) {
  std::vector<Step> steps;
  while (node != root) {
    const Step& s = parent.at(node);
    steps.push_back(s);
    node = s.from;
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

Path MakePath(const Topology::Reader& r, uint32_t source, std::vector<Step> steps, bool weighted) {
  Path p;
  p.nodes.push_back(source);
  for (const Step& s : steps) {
    p.nodes.push_back(s.to);
    p.cost += StepCost(r, s, weighted);
  }
  p.steps = std::move(steps);
  return p;
}

// Step seen from the other end.
Step Flip(const Step& s) { return Step{s.to, s.from, s.entry, !s.forward}; }

// --- Dense per-query node state ---------------------------------------------------------------

// Marks over node ids with two payload words each. Membership is a bitmap (an eighth of a byte
// per node: it stays in the first-level caches where the hot loops test it); the payload is
// read only for members. Between queries the bits that were set are cleared one by one, or the
// whole bitmap when that is cheaper.
class VisitMap {
 public:
  // Starts a new query over node ids < n.
  void Begin(uint32_t n) {
    const size_t words = (size_t{n} + 63) / 64;
    if (touched_.size() < bits_.size() / 8) {
      for (uint32_t v : touched_) bits_[v >> 6] = 0;
    } else {
      std::fill(bits_.begin(), bits_.end(), 0);
    }
    touched_.clear();
    if (bits_.size() < words) bits_.resize(words, 0);
    if (a_.size() < n) {
      a_.resize(n);
      b_.resize(n);
    }
  }
  bool contains(uint32_t v) const { return (bits_[v >> 6] >> (v & 63)) & 1; }
  // Marks v with payload (a, b); false (and no change) when it was marked already.
  bool insert(uint32_t v, uint32_t a, uint32_t b = 0) {
    uint64_t& word = bits_[v >> 6];
    const uint64_t bit = uint64_t{1} << (v & 63);
    if (word & bit) return false;
    word |= bit;
    touched_.push_back(v);
    a_[v] = a;
    b_[v] = b;
    return true;
  }
  // Marks v without payload (a and b stay unset); v is not marked yet.
  void mark(uint32_t v) {
    bits_[v >> 6] |= uint64_t{1} << (v & 63);
    touched_.push_back(v);
  }
  uint32_t a(uint32_t v) const { return a_[v]; }
  uint32_t b(uint32_t v) const { return b_[v]; }

 private:
  std::vector<uint64_t> bits_;
  std::vector<uint32_t> touched_;  // Marked since Begin (whose bits the next Begin clears).
  std::vector<uint32_t> a_, b_;
};

// The scratch state of one running query. Leased from a pool, so memory follows the number of
// concurrent queries, not of threads, and a query allocates nothing once the pool is warm.
struct Scratch {
  VisitMap map[2];
  std::vector<Step> steps[2];
  std::vector<uint64_t> frontier_bits;  // Count-only Expand's bottom-up steps.
};

class ScratchLease {
 public:
  ScratchLease() {
    std::lock_guard lock(mu_);
    if (pool_.empty()) {
      s_ = std::make_unique<Scratch>();
    } else {
      s_ = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  ~ScratchLease() {
    for (auto& v : s_->steps) v.clear();
    std::lock_guard lock(mu_);
    pool_.push_back(std::move(s_));
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch* operator->() const { return s_.get(); }

 private:
  static inline std::mutex mu_;
  static inline std::vector<std::unique_ptr<Scratch>> pool_;
  std::unique_ptr<Scratch> s_;
};

// Walks the parent steps (b = index into `steps`) back from `node` to `root`, root first.
std::vector<Step> UnwindDense(const VisitMap& map, const std::vector<Step>& steps, uint32_t node,
                              uint32_t root) {
  std::vector<Step> out;
  while (node != root) {
    const Step& s = steps[map.b(node)];
    out.push_back(s);
    node = s.from;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// --- Weighted search on the BGL view --------------------------------------------------------

// A distance map over a hash map: absent vertices are at infinity.
struct DistanceMap {
  using key_type = uint32_t;
  using value_type = double;
  using reference = double;
  using category = boost::read_write_property_map_tag;
  absl::flat_hash_map<uint32_t, double>* map;
};
double get(const DistanceMap& m, uint32_t v) {
  auto it = m.map->find(v);
  return it == m.map->end() ? std::numeric_limits<double>::max() : it->second;
}
void put(const DistanceMap& m, uint32_t v, double d) { (*m.map)[v] = d; }

struct FoundTarget {};
struct StopSearch {};

// Stops at the target, records the edge that last improved each vertex, enforces limits.
class DijkstraVisitor : public boost::default_dijkstra_visitor {
 public:
  DijkstraVisitor(uint32_t target, absl::flat_hash_map<uint32_t, Step>* parent, Budget* budget,
                  uint64_t* visited)
      : target_(target), parent_(parent), budget_(budget), visited_(visited) {}
  template <typename G>
  void examine_vertex(uint32_t u, const G&) {
    if (u == target_) throw FoundTarget();
    if (++*visited_ > budget_->limits().max_visited) {
      budget_->truncation()->Hit(LimitKind::kVisited);
      throw StopSearch();
    }
  }
  template <typename E, typename G>
  void examine_edge(const E&, const G&) {
    if (!budget_->Tick()) throw StopSearch();
  }
  template <typename E, typename G>
  void edge_relaxed(const E& e, const G&) {
    (*parent_)[e.target()] = Step{e.source, e.target(), e.entry, e.forward};
  }

 private:
  uint32_t target_;
  absl::flat_hash_map<uint32_t, Step>* parent_;
  Budget* budget_;
  uint64_t* visited_;
};

// Vertex and edge predicates with Yen's bans on top of the query filter.
struct BannedEdgePredicate {
  const Topology::Reader* reader = nullptr;
  const TopologyFilter* filter = nullptr;
  const absl::flat_hash_set<uint64_t>* banned_pairs = nullptr;
  bool operator()(const TopoEdge& e) const {
    return reader->EdgeOk(*filter, *e.entry) &&
           (!banned_pairs || !banned_pairs->contains(PairKey(e.source, e.target())));
  }
};
struct BannedVertexPredicate {
  TopoVertexPredicate base;
  const absl::flat_hash_set<uint32_t>* banned = nullptr;
  bool operator()(uint32_t v) const { return base(v) && (!banned || !banned->contains(v)); }
};

std::optional<Path> WeightedSearch(const Topology::Reader& r, uint32_t source, uint32_t target,
                                   const TopologyFilter& filter, Direction dir,
                                   const absl::flat_hash_set<uint32_t>* banned_nodes,
                                   const absl::flat_hash_set<uint64_t>* banned_pairs,
                                   Budget& budget) {
  TopologyGraph g(r, dir);
  using Filtered = boost::filtered_graph<TopologyGraph, BannedEdgePredicate, BannedVertexPredicate>;
  Filtered fg(
      g, BannedEdgePredicate{&r, &filter, banned_pairs},
      BannedVertexPredicate{TopoVertexPredicate{&r, &filter, source, target}, banned_nodes});
  absl::flat_hash_map<uint32_t, double> dist;
  absl::flat_hash_map<uint32_t, Step> parent;
  dist[source] = 0;
  uint64_t visited = 0;
  auto weight = boost::make_function_property_map<TopoEdge, double>(
      [&r](const TopoEdge& e) { return 1.0 / r.weight(*e.entry); });
  try {
    boost::dijkstra_shortest_paths_no_color_map_no_init(
        fg, source, boost::dummy_property_map(), DistanceMap{&dist}, weight,
        boost::typed_identity_property_map<uint32_t>(), std::less<double>(),
        boost::closed_plus<double>(), std::numeric_limits<double>::max(), 0.0,
        DijkstraVisitor(target, &parent, &budget, &visited));
  } catch (const FoundTarget&) {
    return MakePath(r, source, Unwind(parent, target, source), true);
  } catch (const StopSearch&) {
  }
  return std::nullopt;
}

// Unidirectional BFS with bans (Yen's spur searches by hops).
std::optional<Path> HopSearch(const Topology::Reader& r, uint32_t source, uint32_t target,
                              const TopologyFilter& filter, Direction dir, uint32_t max_hops,
                              const absl::flat_hash_set<uint32_t>* banned_nodes,
                              const absl::flat_hash_set<uint64_t>* banned_pairs, Budget& budget) {
  if (source == target) return MakePath(r, source, {}, false);
  absl::flat_hash_map<uint32_t, Step> parent;
  absl::flat_hash_set<uint32_t> seen = {source};
  std::vector<uint32_t> frontier = {source};
  const StepFilter sf(filter);
  for (uint32_t hop = 0; hop < max_hops && !frontier.empty(); ++hop) {
    std::vector<uint32_t> next;
    bool found = false, stop = false;
    for (uint32_t u : frontier) {
      ForEachStep(r, u, dir, sf, budget, target, [&](const Step& s) {
        if (banned_nodes && banned_nodes->contains(s.to)) return true;
        if (banned_pairs && banned_pairs->contains(PairKey(s.from, s.to))) return true;
        if (!seen.insert(s.to).second) return true;
        if (seen.size() > budget.limits().max_visited) {
          budget.truncation()->Hit(LimitKind::kVisited);
          stop = true;
          return false;
        }
        parent[s.to] = s;
        if (s.to == target) {
          found = true;
          return false;
        }
        next.push_back(s.to);
        return true;
      });
      if (found) return MakePath(r, source, Unwind(parent, target, source), false);
      if (stop || budget.expired()) return std::nullopt;
    }
    frontier = std::move(next);
  }
  return std::nullopt;
}

// Whether some list was cut at max_edges_per_node so far.
bool Cut(const Budget& budget) {
  const std::vector<LimitKind>& hit = budget.truncation()->hit;
  return std::find(hit.begin(), hit.end(), LimitKind::kEdgesPerNode) != hit.end();
}

// Entries of v's lists in direction dir.
size_t ListLength(const Topology::Reader& r, uint32_t v, Direction dir) {
  return (dir != Direction::kIn ? r.out(v).size() : 0) +
         (dir != Direction::kOut ? r.in(v).size() : 0);
}

std::optional<Path> BidirectionalBfs(const Topology::Reader& r, uint32_t source, uint32_t target,
                                     const TopologyFilter& filter, Direction dir, uint32_t max_hops,
                                     Budget& budget) {
  if (source == target) return MakePath(r, source, {}, false);
  // An id that is no node has no edges: nothing connects it.
  if (source >= r.num_slots() || target >= r.num_slots()) return std::nullopt;
  // seen[side]: a = depth from that side's root, b = index in steps[side] of the step that
  // reached the node (oriented root -> node).
  ScratchLease scratch;
  VisitMap* seen = scratch->map;
  std::vector<Step>* steps = scratch->steps;
  seen[0].Begin(r.num_slots());
  seen[1].Begin(r.num_slots());
  seen[0].insert(source, 0);
  seen[1].insert(target, 0);
  uint64_t visited = 2;
  std::vector<uint32_t> frontier[2] = {{source}, {target}};
  const Direction dirs[2] = {dir, Reverse(dir)};
  const uint32_t roots[2] = {source, target};
  const StepFilter sf(filter);
  // Every meet found while one level is expanded is equally short: a node of the other side
  // nearer its root was expanded with all its lists, so it would have met this side at an
  // earlier level. The first meet then ends the level (the answer is the one the whole level
  // gives), unless a list was cut (an edge may have been missed) or max_visited could stop the
  // level before its end (the answer would then be none).
  const bool first_meet_ends =
      r.num_nodes() < budget.limits().max_visited &&
      traversal_paths.load(std::memory_order_relaxed) != TraversalPaths::kGeneral;
  uint32_t levels = 0;
  while (!frontier[0].empty() && !frontier[1].empty() && levels < max_hops) {
    const int side = frontier[0].size() <= frontier[1].size() ? 0 : 1;
    VisitMap& mine = seen[side];
    const VisitMap& other = seen[1 - side];
    std::vector<uint32_t> next;
    uint32_t best = std::numeric_limits<uint32_t>::max();
    uint32_t meet = 0;
    Step meet_step;
    bool stop = false;
    bool met = false;
    size_t i = 0;
    for (; i < frontier[side].size(); ++i) {
      const uint32_t u = frontier[side][i];
      const uint32_t du = mine.a(u);
      ForEachStep(r, u, dirs[side], sf, budget, roots[1 - side], [&](const Step& s) {
        if (other.contains(s.to) && du + 1 + other.a(s.to) < best) {
          best = du + 1 + other.a(s.to);
          meet = s.to;
          meet_step = s;
          if (first_meet_ends && !Cut(budget)) {
            met = true;
            return false;
          }
        }
        if (mine.contains(s.to)) return true;
        if (visited >= budget.limits().max_visited) {
          budget.truncation()->Hit(LimitKind::kVisited);
          stop = true;
          return false;
        }
        mine.insert(s.to, du + 1, static_cast<uint32_t>(steps[side].size()));
        steps[side].push_back(s);
        ++visited;
        next.push_back(s.to);
        return true;
      });
      if (met) break;
      if (stop || budget.expired()) return std::nullopt;
    }
    if (met) {
      // What the rest of the level would have recorded: a list longer than the cap.
      for (; i < frontier[side].size(); ++i) {
        if (ListLength(r, frontier[side][i], dirs[side]) > budget.limits().max_edges_per_node) {
          budget.truncation()->Hit(LimitKind::kEdgesPerNode);
          break;
        }
      }
    }
    ++levels;
    if (best <= max_hops) {
      // Join: root(side) .. u -> meet, then meet .. root(other).
      std::vector<Step> a = UnwindDense(mine, steps[side], meet_step.from, roots[side]);
      a.push_back(meet_step);
      std::vector<Step> b = UnwindDense(other, steps[1 - side], meet, roots[1 - side]);
      std::vector<Step> path;
      if (side == 0) {
        path = std::move(a);
        for (auto it = b.rbegin(); it != b.rend(); ++it) path.push_back(Flip(*it));
      } else {
        path = std::move(b);
        for (auto it = a.rbegin(); it != a.rend(); ++it) path.push_back(Flip(*it));
      }
      return MakePath(r, source, std::move(path), false);
    }
    if (best != std::numeric_limits<uint32_t>::max()) return std::nullopt;  // Too long.
    frontier[side] = std::move(next);
  }
  return std::nullopt;
}

// BFS over edge states: a walk may continue from edge e to edge e' only if their validity
// intervals overlap.
std::optional<Path> TimeRespectingBfs(const Topology::Reader& r, uint32_t source, uint32_t target,
                                      const TopologyFilter& filter, Direction dir,
                                      uint32_t max_hops, Budget& budget) {
  if (source == target) return MakePath(r, source, {}, false);
  struct State {
    Step step;
    int parent;  // Index into states, -1 for the first step.
  };
  std::vector<State> states;
  absl::flat_hash_set<std::pair<uint32_t, bool>> seen;  // (edge id, walked forward)
  std::vector<int> frontier;
  auto finish = [&](int i) {
    std::vector<Step> steps;
    for (; i >= 0; i = states[i].parent) steps.push_back(states[i].step);
    std::reverse(steps.begin(), steps.end());
    return MakePath(r, source, std::move(steps), false);
  };
  bool stop = false;
  int found = -1;
  ForEachStep(r, source, dir, filter, budget, target, [&](const Step& s) {
    seen.insert({s.entry->edge, s.forward});
    states.push_back({s, -1});
    if (s.to == target) {
      found = static_cast<int>(states.size()) - 1;
      return false;
    }
    frontier.push_back(static_cast<int>(states.size()) - 1);
    return true;
  });
  if (found >= 0) return finish(found);
  for (uint32_t hop = 1; hop < max_hops && !frontier.empty() && !stop; ++hop) {
    std::vector<int> next;
    for (int i : frontier) {
      const Step cur = states[i].step;
      const EdgeAttrs cur_attrs = r.attrs(*cur.entry);
      ForEachStep(r, cur.to, dir, filter, budget, target, [&](const Step& s) {
        if (s.entry->edge == cur.entry->edge || s.to == source ||
            !Overlap(r.attrs(*s.entry), cur_attrs)) {
          return true;
        }
        if (!seen.insert({s.entry->edge, s.forward}).second) return true;
        if (states.size() >= budget.limits().max_visited) {
          budget.truncation()->Hit(LimitKind::kVisited);
          stop = true;
          return false;
        }
        states.push_back({s, i});
        if (s.to == target) {
          found = static_cast<int>(states.size()) - 1;
          return false;
        }
        next.push_back(static_cast<int>(states.size()) - 1);
        return true;
      });
      if (found >= 0) return finish(found);
      if (stop || budget.expired()) return std::nullopt;
    }
    frontier = std::move(next);
  }
  return std::nullopt;
}

}  // namespace

// --- Neighbors ------------------------------------------------------------------------------

NeighborsResult Neighbors(const Topology::Reader& r, uint32_t node, Direction dir,
                          const TopologyFilter& filter, std::optional<NeighborCursor> after,
                          uint32_t limit) {
  struct Item {
    NeighborCursor key;
    Step step;
  };
  std::vector<Item> items;
  auto collect = [&](std::span<const AdjEntry> list, uint8_t phase) {
    for (const AdjEntry& e : list) {
      if (!r.EdgeOk(filter, e) || !r.alive(e.nbr) || !filter.KindOk(r.kind(e.nbr))) continue;
      NeighborCursor key{phase, e.type, e.nbr, e.edge};
      if (after && !(*after < key)) continue;
      items.push_back({key, Step{node, e.nbr, &e, phase == 0}});
    }
  };
  if (dir != Direction::kIn) collect(r.out(node), 0);
  if (dir != Direction::kOut) collect(r.in(node), 1);
  NeighborsResult result;
  const size_t take = std::min<size_t>(items.size(), limit);
  auto by_key = [](const Item& a, const Item& b) { return a.key < b.key; };
  std::partial_sort(items.begin(), items.begin() + take, items.end(), by_key);
  for (size_t i = 0; i < take; ++i) result.steps.push_back(items[i].step);
  if (items.size() > take && take > 0) result.next = items[take - 1].key;
  return result;
}

// --- Expand ---------------------------------------------------------------------------------

// --- Count-only expansion with a simple filter -----------------------------------------------

namespace {

// Bottom-up pays when the frontier's lists are more than 1/kBottomUpShare of the lists not yet
// read: each unreached node then usually finds a parent among its first entries.
constexpr uint64_t kBottomUpShare = 8;

// The state of one count-only Expand with a simple filter (see TraversalPaths).
struct CountingBfs {
  const Topology::Reader& r;
  Direction dir;
  const StepFilter& sf;
  const QueryLimits& limits;
  Budget& budget;
  VisitMap& seen;
  std::vector<uint64_t>& frontier_bits;
  ExpandResult& result;
  uint64_t visited = 0;

  // A node first reached at `hop` (not marked yet): false (and kVisited recorded) when
  // max_visited is reached. `next` is null on the last step (no frontier follows).
  bool Reach(uint32_t v, uint32_t hop, std::vector<uint32_t>* next) {
    if (visited >= limits.max_visited) {
      result.truncation.Hit(LimitKind::kVisited);
      return false;
    }
    seen.mark(v);
    ++visited;
    ++result.per_hop[hop];
    if (next != nullptr) next->push_back(v);
    return true;
  }

  // One top-down step from the frontier (nodes at depth hop), as the general loop: false when
  // the search must stop.
  bool TopDown(const std::vector<uint32_t>& frontier, uint32_t hop, std::vector<uint32_t>* next) {
    const uint32_t cap = limits.max_edges_per_node;
    for (size_t i = 0; i < frontier.size(); ++i) {
      const uint32_t u = frontier[i];
      // The lists of the nodes ahead: offsets 16 nodes ahead, list starts 4 ahead.
      if (i + 16 < frontier.size()) r.PrefetchOffsets(frontier[i + 16]);
      if (i + 4 < frontier.size()) {
        if (dir != Direction::kIn) r.PrefetchList(0, frontier[i + 4]);
        if (dir != Direction::kOut) r.PrefetchList(1, frontier[i + 4]);
      }
      uint32_t left = cap;
      for (int side = 0; side < 2; ++side) {
        if ((side == 0 && dir == Direction::kIn) || (side == 1 && dir == Direction::kOut)) continue;
        const std::span<const AdjEntry> list = side == 0 ? r.out(u) : r.in(u);
        size_t n = list.size();
        const bool cut = n > left;
        if (cut) n = left;
        left -= static_cast<uint32_t>(n);
        if (!budget.TickMany(static_cast<uint32_t>(n))) return false;
        for (const AdjEntry& e : list.first(n)) {
          if (!sf.TypeOk(e.type)) continue;
          const uint32_t v = e.nbr;
          // The bitmap first: it is in the first-level cache, the kinds are not.
          if (seen.contains(v)) continue;
          const uint16_t kind = r.kind(v);
          if (kind == 0 || (v != 0 && !sf.KindOk(kind))) continue;
          if (!Reach(v, hop + 1, next)) return false;
        }
        if (cut) {
          result.truncation.Hit(LimitKind::kEdgesPerNode);
          break;
        }
      }
    }
    return true;
  }

  // One bottom-up step: every unreached node that passes the filter looks through its lists (the
  // other way round) for an edge from a frontier node. Reaches the same nodes as TopDown when no
  // frontier list is longer than max_edges_per_node; the order of `next` differs, which only
  // matters when max_visited can cut a later step (the caller rules that out).
  bool BottomUp(const std::vector<uint32_t>& frontier, std::vector<uint32_t>* next) {
    const uint32_t n = r.num_slots();
    frontier_bits.assign((size_t{n} + 63) / 64, 0);
    for (uint32_t u : frontier) frontier_bits[u >> 6] |= uint64_t{1} << (u & 63);
    const uint32_t hop = static_cast<uint32_t>(result.per_hop.size()) - 2;
    uint32_t read = 0;
    for (uint32_t v = 0; v < n; ++v) {
      if (seen.contains(v)) continue;
      const uint16_t kind = r.kind(v);
      if (kind == 0 || (v != 0 && !sf.KindOk(kind))) continue;
      bool found = false;
      // u -> v in u's out-list is u in v's in-list, and the other way round.
      for (int side = 0; side < 2 && !found; ++side) {
        if ((side == 0 && dir == Direction::kIn) || (side == 1 && dir == Direction::kOut)) continue;
        const std::span<const AdjEntry> list = side == 0 ? r.in(v) : r.out(v);
        for (const AdjEntry& e : list) {
          ++read;
          if (((frontier_bits[e.nbr >> 6] >> (e.nbr & 63)) & 1) && sf.TypeOk(e.type)) {
            found = true;
            break;
          }
        }
      }
      if (found && !Reach(v, hop + 1, next)) return false;
      if (read >= 256) {
        if (!budget.TickMany(read)) return false;
        read = 0;
      }
    }
    return budget.TickMany(read);
  }
};

}  // namespace

void SetTraversalPathsForTesting(TraversalPaths paths) { traversal_paths.store(paths); }

ExpandResult Expand(const Topology::Reader& r, const std::vector<uint32_t>& seeds, Direction dir,
                    const TopologyFilter& filter, uint32_t depth, const QueryLimits& limits,
                    bool count_only) {
  ExpandResult result;
  Budget budget(limits, &result.truncation);
  ScratchLease scratch;
  VisitMap& seen = scratch->map[0];
  seen.Begin(r.num_slots());
  const StepFilter sf(filter);
  uint64_t visited = 0;
  absl::flat_hash_set<uint32_t> edges_seen;  // Edge ids.
  std::vector<uint32_t> frontier;
  result.per_hop.assign(1, 0);
  for (uint32_t s : seeds) {
    if (!r.alive(s) || !seen.insert(s, 0)) continue;
    ++visited;
    frontier.push_back(s);
    ++result.per_hop[0];
    if (!count_only) {
      result.nodes.push_back(s);
      result.hops.push_back(0);
    }
  }
  bool stop = false;
  std::vector<uint32_t> next;
  if (count_only && sf.simple) {
    CountingBfs bfs{r, dir, sf, limits, budget, seen, scratch->frontier_bits, result, visited};
    const TraversalPaths paths = traversal_paths.load(std::memory_order_relaxed);
    // Bottom-up steps only when max_visited cannot cut the search (see BottomUp).
    const bool may_go_bottom_up = r.num_nodes() < limits.max_visited;
    const uint64_t total = r.num_edges() * (dir == Direction::kBoth ? 2 : 1);
    uint64_t read = 0;  // Entries of the lists of the frontiers so far.
    for (uint32_t hop = 0; hop < depth && !frontier.empty() && !stop; ++hop) {
      next.clear();
      result.per_hop.push_back(0);
      bool bottom_up = false;
      if (may_go_bottom_up) {
        uint64_t entries = 0;
        size_t longest = 0;
        for (uint32_t u : frontier) {
          const size_t len = (dir != Direction::kIn ? r.out(u).size() : 0) +
                             (dir != Direction::kOut ? r.in(u).size() : 0);
          entries += len;
          longest = std::max(longest, len);
        }
        read += entries;
        bottom_up = longest <= limits.max_edges_per_node &&
                    (paths == TraversalPaths::kAlwaysBottomUp ||
                     entries * kBottomUpShare > total - std::min(total, read));
      }
      std::vector<uint32_t>* to = hop + 1 < depth ? &next : nullptr;
      stop = !(bottom_up ? bfs.BottomUp(frontier, to) : bfs.TopDown(frontier, hop, to));
      frontier.swap(next);
    }
  } else {
    for (uint32_t hop = 0; hop < depth && !frontier.empty() && !stop; ++hop) {
      next.clear();
      result.per_hop.push_back(0);
      for (uint32_t u : frontier) {
        ForEachStep(r, u, dir, sf, budget, /*exempt=*/0, [&](const Step& s) {
          if (!seen.contains(s.to)) {
            if (visited >= limits.max_visited) {
              result.truncation.Hit(LimitKind::kVisited);
              stop = true;
              return false;
            }
            if (!count_only && result.nodes.size() >= limits.max_results) {
              result.truncation.Hit(LimitKind::kResults);
              stop = true;
              return false;
            }
            seen.insert(s.to, hop + 1);
            ++visited;
            ++result.per_hop[hop + 1];
            next.push_back(s.to);
            if (!count_only) {
              result.nodes.push_back(s.to);
              result.hops.push_back(hop + 1);
            }
          }
          if (!count_only && edges_seen.insert(s.entry->edge).second) {
            result.edges.push_back(s);
          }
          return true;
        });
        if (stop || budget.expired()) break;
      }
      stop = stop || budget.expired();
      frontier.swap(next);
    }
  }
  while (result.per_hop.size() > 1 && result.per_hop.back() == 0) result.per_hop.pop_back();
  return result;
}

// --- Paths ----------------------------------------------------------------------------------

PathsResult ShortestPath(const Topology::Reader& r, uint32_t source, uint32_t target,
                         const TopologyFilter& filter, const PathOptions& options,
                         const QueryLimits& limits) {
  PathsResult result;
  Budget budget(limits, &result.truncation);
  std::optional<Path> p;
  if (options.time_respecting) {
    p = TimeRespectingBfs(r, source, target, filter, options.dir, options.max_length, budget);
  } else if (options.weighted) {
    p = WeightedSearch(r, source, target, filter, options.dir, nullptr, nullptr, budget);
  } else {
    p = BidirectionalBfs(r, source, target, filter, options.dir, options.max_length, budget);
  }
  if (p) result.paths.push_back(std::move(*p));
  return result;
}

PathsResult KShortestPaths(const Topology::Reader& r, uint32_t source, uint32_t target,
                           const TopologyFilter& filter, const PathOptions& options, uint32_t k,
                           const QueryLimits& limits) {
  PathsResult result;
  Budget budget(limits, &result.truncation);
  auto search = [&](uint32_t s, const absl::flat_hash_set<uint32_t>* bn,
                    const absl::flat_hash_set<uint64_t>* bp, uint32_t max_hops) {
    return options.weighted
               ? WeightedSearch(r, s, target, filter, options.dir, bn, bp, budget)
               : HopSearch(r, s, target, filter, options.dir, max_hops, bn, bp, budget);
  };
  std::optional<Path> first = search(source, nullptr, nullptr, options.max_length);
  if (!first) return result;
  result.paths.push_back(std::move(*first));
  auto cmp = [](const Path& a, const Path& b) {
    return std::tie(a.cost, a.nodes) > std::tie(b.cost, b.nodes);
  };
  std::priority_queue<Path, std::vector<Path>, decltype(cmp)> candidates(cmp);
  std::set<std::vector<uint32_t>> known = {result.paths[0].nodes};
  while (result.paths.size() < k && !budget.expired()) {
    const Path prev = result.paths.back();
    for (size_t i = 0; i + 1 < prev.nodes.size() && !budget.expired(); ++i) {
      const uint32_t spur = prev.nodes[i];
      absl::flat_hash_set<uint64_t> banned_pairs;
      for (const Path& p : result.paths) {
        if (p.nodes.size() > i + 1 &&
            std::equal(p.nodes.begin(), p.nodes.begin() + i + 1, prev.nodes.begin())) {
          banned_pairs.insert(PairKey(p.nodes[i], p.nodes[i + 1]));
        }
      }
      absl::flat_hash_set<uint32_t> banned_nodes(prev.nodes.begin(), prev.nodes.begin() + i);
      const uint32_t hops_left = options.max_length - static_cast<uint32_t>(i);
      std::optional<Path> tail = search(spur, &banned_nodes, &banned_pairs, hops_left);
      if (!tail) continue;
      std::vector<Step> steps(prev.steps.begin(), prev.steps.begin() + i);
      steps.insert(steps.end(), tail->steps.begin(), tail->steps.end());
      if (steps.size() > options.max_length) continue;
      Path total = MakePath(r, source, std::move(steps), options.weighted);
      if (known.insert(total.nodes).second) candidates.push(std::move(total));
    }
    if (candidates.empty()) break;
    result.paths.push_back(candidates.top());
    candidates.pop();
  }
  return result;
}

PathsResult AllShortestPaths(const Topology::Reader& r, uint32_t source, uint32_t target,
                             const TopologyFilter& filter, const PathOptions& options,
                             const QueryLimits& limits) {
  PathsResult result;
  Budget budget(limits, &result.truncation);
  if (source == target) {
    result.paths.push_back(MakePath(r, source, {}, false));
    return result;
  }
  absl::flat_hash_map<uint32_t, uint32_t> dist = {{source, 0}};
  // preds[v]: one step per distinct predecessor u with dist[u] + 1 == dist[v] (lowest edge id).
  absl::flat_hash_map<uint32_t, std::vector<Step>> preds;
  std::vector<uint32_t> frontier = {source};
  bool reached = false, stop = false;
  for (uint32_t hop = 0; hop < options.max_length && !frontier.empty() && !reached && !stop;
       ++hop) {
    std::vector<uint32_t> next;
    for (uint32_t u : frontier) {
      ForEachStep(r, u, options.dir, filter, budget, target, [&](const Step& s) {
        auto [it, added] = dist.emplace(s.to, hop + 1);
        if (added) {
          if (dist.size() > limits.max_visited) {
            result.truncation.Hit(LimitKind::kVisited);
            stop = true;
            return false;
          }
          if (s.to == target) {
            reached = true;
          } else {
            next.push_back(s.to);
          }
        }
        if (it->second != hop + 1) return true;
        auto& list = preds[s.to];
        for (Step& p : list) {
          if (p.from == s.from) {
            if (s.entry->edge < p.entry->edge) p = s;
            return true;
          }
        }
        list.push_back(s);
        return true;
      });
      if (stop || budget.expired()) break;
    }
    frontier = std::move(next);
  }
  if (!reached) return result;
  // Depth-first enumeration from the target back to the source.
  std::vector<Step> stack;
  std::function<bool(uint32_t)> walk = [&](uint32_t v) {
    if (v == source) {
      if (result.paths.size() >= limits.max_results) {
        result.truncation.Hit(LimitKind::kResults);
        return false;
      }
      result.paths.push_back(MakePath(r, source, {stack.rbegin(), stack.rend()}, false));
      return true;
    }
    for (const Step& s : preds[v]) {
      stack.push_back(s);
      bool go_on = walk(s.from);
      stack.pop_back();
      if (!go_on) return false;
    }
    return true;
  };
  walk(target);
  return result;
}

// --- Subgraphs ------------------------------------------------------------------------------

SubgraphResult InducedSubgraph(const Topology::Reader& r, std::vector<uint32_t> nodes,
                               const TopologyFilter& filter, const QueryLimits& limits) {
  SubgraphResult result;
  Budget budget(limits, &result.truncation);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  for (uint32_t v : nodes) {
    if (!r.alive(v)) continue;
    if (result.nodes.size() >= limits.max_results) {
      result.truncation.Hit(LimitKind::kResults);
      break;
    }
    result.nodes.push_back(v);
  }
  absl::flat_hash_set<uint32_t> in_set(result.nodes.begin(), result.nodes.end());
  TopologyFilter any_kind = filter;
  any_kind.kinds.clear();  // Membership is decided by the node set.
  for (uint32_t u : result.nodes) {
    ForEachStep(r, u, Direction::kOut, any_kind, budget, 0, [&](const Step& s) {
      if (in_set.contains(s.to)) result.edges.push_back(s);
      return true;
    });
    if (budget.expired()) break;
  }
  return result;
}

SubgraphResult EgoNetwork(const Topology::Reader& r, uint32_t center, uint32_t radius,
                          Direction dir, const TopologyFilter& filter, const QueryLimits& limits) {
  ExpandResult ball = Expand(r, {center}, dir, filter, radius, limits, false);
  SubgraphResult result = InducedSubgraph(r, ball.nodes, filter, limits);
  for (LimitKind k : ball.truncation.hit) result.truncation.Hit(k);
  return result;
}

// --- Common neighbours and similarity -------------------------------------------------------

std::vector<CommonNeighbor> CommonNeighbors(const Topology::Reader& r, uint32_t a, uint32_t b,
                                            Direction dir, const TopologyFilter& filter,
                                            const QueryLimits& limits, Truncation* t) {
  Budget budget(limits, t);
  absl::flat_hash_map<uint32_t, Step> of_a;
  ForEachStep(r, a, dir, filter, budget, 0, [&](const Step& s) {
    of_a.emplace(s.to, s);
    return true;
  });
  std::vector<CommonNeighbor> out;
  absl::flat_hash_set<uint32_t> done;
  ForEachStep(r, b, dir, filter, budget, 0, [&](const Step& s) {
    auto it = of_a.find(s.to);
    if (it == of_a.end() || s.to == a || s.to == b || !done.insert(s.to).second) return true;
    if (out.size() >= limits.max_results) {
      t->Hit(LimitKind::kResults);
      return false;
    }
    out.push_back({s.to, it->second, s});
    return true;
  });
  std::sort(out.begin(), out.end(),
            [](const CommonNeighbor& x, const CommonNeighbor& y) { return x.node < y.node; });
  return out;
}

std::vector<Similar> SimilarNodes(const Topology::Reader& r, uint32_t node, SimilarityMetric metric,
                                  Direction dir, const TopologyFilter& filter, uint32_t k,
                                  bool include_neighbors, const QueryLimits& limits,
                                  Truncation* t) {
  Budget budget(limits, t);
  TopologyFilter any_kind = filter;
  any_kind.kinds.clear();  // The kind filter selects candidates, not the nodes between.
  uint64_t visited = 0;
  bool stop = false;
  auto neighbours = [&](uint32_t v) {
    absl::flat_hash_set<uint32_t> set;
    ForEachStep(r, v, dir, any_kind, budget, 0, [&](const Step& s) {
      if (s.to != v) set.insert(s.to);
      return true;
    });
    visited += set.size();
    if (visited > limits.max_visited) {
      t->Hit(LimitKind::kVisited);
      stop = true;
    }
    return set;
  };
  const absl::flat_hash_set<uint32_t> mine = neighbours(node);
  absl::flat_hash_map<uint32_t, uint32_t> common;  // candidate -> shared neighbours
  absl::flat_hash_map<uint32_t, double> adamic;
  for (uint32_t z : mine) {
    if (stop || budget.expired()) break;
    absl::flat_hash_set<uint32_t> nz = neighbours(z);
    const double aa = nz.size() > 1 ? 1.0 / std::log(static_cast<double>(nz.size())) : 0.0;
    for (uint32_t c : nz) {
      if (c == node || (!include_neighbors && mine.contains(c))) continue;
      if (!filter.KindOk(r.kind(c))) continue;
      ++common[c];
      adamic[c] += aa;
    }
  }
  std::vector<Similar> out;
  for (const auto& [c, shared] : common) {
    if (stop || budget.expired()) break;
    double score;
    if (metric == SimilarityMetric::kJaccard) {
      const absl::flat_hash_set<uint32_t> nc = neighbours(c);
      const size_t uni = mine.size() + nc.size() - shared;
      score = uni == 0 ? 0 : static_cast<double>(shared) / static_cast<double>(uni);
    } else {
      score = adamic[c];
    }
    out.push_back({c, score, shared});
  }
  std::sort(out.begin(), out.end(), [](const Similar& a, const Similar& b) {
    return a.score != b.score ? a.score > b.score : a.node < b.node;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

// --- Snapshots ------------------------------------------------------------------------------

AnalyticsGraph SnapshotView(const Topology::Reader& r, const TopologyFilter& filter,
                            bool directed) {
  AnalyticsGraph g;
  g.directed = directed;
  std::vector<uint32_t> index(r.num_slots(), UINT32_MAX);
  for (uint32_t v = 0; v < r.num_slots(); ++v) {
    if (!r.alive(v) || !filter.KindOk(r.kind(v))) continue;
    index[v] = static_cast<uint32_t>(g.node_ids.size());
    g.node_ids.push_back(v);
  }
  const uint32_t n = g.num_nodes();
  // The common case (no kind filter, no deleted node): the kept ids are one contiguous range,
  // so a neighbour's index is its id minus the first, with no lookup in `index`.
  const uint32_t first = n == 0 ? 0 : static_cast<uint32_t>(g.node_ids[0]);
  const bool contiguous = n > 0 && g.node_ids.back() - first + 1 == n;
  // Rows are built one at a time straight from the adjacency lists (an undirected row is the
  // out-list and the in-list): no global sort. Within a row, (target, weight) order makes the
  // sums of parallel edges add in the same order as AnalyticsGraph::FromEdges.
  // Rows [0, split) are built by this thread straight into g, rows [split, n) by a second
  // thread into its own arrays, appended afterwards (the caller's shared lock covers both: it
  // waits for the helper before returning). Small views use one thread.
  std::vector<uint64_t> row_arcs(n);
  uint64_t arcs = 0;
  for (uint32_t u = 0; u < n; ++u) {
    const auto v = static_cast<uint32_t>(g.node_ids[u]);
    row_arcs[u] = r.out(v).size() + (directed ? 0 : r.in(v).size());
    arcs += row_arcs[u];
  }
  constexpr uint64_t kParallelArcs = 1024;
  uint32_t split = n;
  if (arcs >= kParallelArcs && std::thread::hardware_concurrency() > 1) {
    uint64_t half = 0;
    for (split = 0; split < n && half < arcs / 2; ++split) half += row_arcs[split];
  }
  using Arc = std::pair<uint32_t, double>;
  struct Part {
    std::vector<uint32_t> offsets, targets;
    std::vector<double> weights;
  };
  auto build = [&](uint32_t begin, uint32_t end, Part& out) {
    uint64_t reserve = 0;
    for (uint32_t u = begin; u < end; ++u) reserve += row_arcs[u];
    if (begin == 0) reserve = arcs;  // The head's arrays become g's and receive the tail.
    out.offsets.resize(end - begin);
    out.targets.reserve(reserve);
    out.weights.reserve(reserve);
    std::vector<Arc> row, merged;
    auto gather = [&](uint32_t v, std::span<const AdjEntry> list) {
      for (const AdjEntry& e : list) {
        uint32_t target;
        if (contiguous) {
          target = e.nbr - first;  // Wraps to a large value below `first`.
          if (target >= n) continue;
        } else {
          if (e.nbr >= index.size() || index[e.nbr] == UINT32_MAX) continue;
          target = index[e.nbr];
        }
        if (e.nbr == v || !r.EdgeOk(filter, e)) continue;
        row.emplace_back(target, r.weight(e));
      }
    };
    // Each list is mostly sorted already (out: by type, then neighbour; in: by neighbour).
    auto sort_part = [](std::vector<Arc>::iterator a, std::vector<Arc>::iterator b) {
      if (!std::is_sorted(a, b)) std::sort(a, b);
    };
    for (uint32_t u = begin; u < end; ++u) {
      out.offsets[u - begin] = static_cast<uint32_t>(out.targets.size());
      const auto v = static_cast<uint32_t>(g.node_ids[u]);
      row.clear();
      gather(v, r.out(v));
      const auto outs = static_cast<ptrdiff_t>(row.size());
      sort_part(row.begin(), row.end());
      const std::vector<Arc>* sorted = &row;
      if (!directed) {
        gather(v, r.in(v));
        sort_part(row.begin() + outs, row.end());
        if (outs > 0 && static_cast<size_t>(outs) < row.size()) {
          merged.resize(row.size());
          std::merge(row.begin(), row.begin() + outs, row.begin() + outs, row.end(),
                     merged.begin());
          sorted = &merged;
        }
      }
      const std::vector<Arc>& arcs_of_u = *sorted;
      for (size_t i = 0; i < arcs_of_u.size(); ++i) {
        if (i > 0 && arcs_of_u[i].first == arcs_of_u[i - 1].first) {
          out.weights.back() += arcs_of_u[i].second;
          continue;
        }
        out.targets.push_back(arcs_of_u[i].first);
        out.weights.push_back(arcs_of_u[i].second);
      }
    }
  };
  Part head, tail;
  std::thread helper;
  if (split < n) helper = std::thread([&] { build(split, n, tail); });
  build(0, split, head);
  if (helper.joinable()) helper.join();
  g.offsets = std::move(head.offsets);
  g.targets = std::move(head.targets);
  g.weights = std::move(head.weights);
  const auto shift = static_cast<uint32_t>(g.targets.size());
  for (uint32_t o : tail.offsets) g.offsets.push_back(o + shift);
  g.targets.insert(g.targets.end(), tail.targets.begin(), tail.targets.end());
  g.weights.insert(g.weights.end(), tail.weights.begin(), tail.weights.end());
  g.offsets.push_back(static_cast<uint32_t>(g.targets.size()));
  return g;
}

}  // namespace innograph
