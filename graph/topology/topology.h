#pragma once

// Topology: the in-memory adjacency that traversals and analytics run on. RocksDB stays the
// source of truth; the topology is loaded from it at start (Load) and then follows every
// committed write (Apply, called by the store's commit listener under the store's write lock,
// so it sees writes in commit order and a query sees every acknowledged write).
//
// Layout: per node id, two vectors of AdjEntry (out and in), 32 bytes per entry, so an edge
// costs 64 bytes plus vector slack; properties stay in RocksDB.
//
// Thread safety: readers hold a shared lock through a Reader for the length of one bounded
// traversal (every traversal has limits and a deadline); Apply takes the exclusive lock for
// O(changes) time. Readers never block each other. Whole-graph analytics copy a filtered
// view (query/analytics_graph.h) and release the lock before computing.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/model/date.h"
#include "graph/store/store.h"

namespace innograph {

// One edge seen from one endpoint.
struct AdjEntry {
  uint32_t nbr;     // The node at the other end (NodeId value).
  uint16_t type;    // TypeId value.
  uint16_t unused;  // Padding, zero.
  int32_t from;     // valid.from, days since 1970-01-01 (INT32_MIN = open).
  int32_t to;       // valid.to (INT32_MAX = open).
  uint32_t edge;    // EdgeId value.
  double weight;    // Edge weight (exact: weighted searches sum its inverse).
};
static_assert(sizeof(AdjEntry) == 32);

// Which edges and nodes a traversal may use. Empty type/kind masks mean "all".
struct TopologyFilter {
  std::vector<bool> types;  // Indexed by TypeId value.
  std::vector<bool> kinds;  // Indexed by KindId value (applies to nodes reached, not the start).
  // Edges valid at some day of [window.from, window.to]; as_of d is the window [d, d].
  bool has_window = false;
  Interval window;
  double min_weight = 0;

  bool EdgeOk(const AdjEntry& e) const {
    if (!types.empty() && (e.type >= types.size() || !types[e.type])) return false;
    if (has_window && (e.from > window.to.days || e.to < window.from.days)) return false;
    return e.weight >= min_weight;
  }
  bool KindOk(uint16_t kind) const { return kinds.empty() || (kind < kinds.size() && kinds[kind]); }
};

class Topology {
 public:
  // Builds the topology from every node and edge of the store.
  static absl::StatusOr<std::unique_ptr<Topology>> Load(const GraphStore& store);

  // Applies one committed change set. Cost: O(changes), plus O(degree) of each vertex that lost
  // edges.
  void Apply(const ChangeSet& changes);

  // A consistent read view: holds the shared lock until destroyed.
  class Reader {
   public:
    explicit Reader(const Topology& t) : t_(&t) { t_->mu_.ReaderLock(); }
    ~Reader() {
      if (t_) t_->mu_.ReaderUnlock();
    }
    Reader(Reader&& o) noexcept : t_(o.t_) { o.t_ = nullptr; }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Reader& operator=(Reader&&) = delete;

    // Node ids are < num_slots(); ids of deleted (or never created) nodes are not alive.
    uint32_t num_slots() const { return static_cast<uint32_t>(t_->kind_.size()); }
    bool alive(uint32_t v) const { return v < t_->kind_.size() && t_->kind_[v] != 0; }
    uint16_t kind(uint32_t v) const { return v < t_->kind_.size() ? t_->kind_[v] : 0; }
    std::span<const AdjEntry> out(uint32_t v) const {
      return v < t_->out_.size() ? std::span<const AdjEntry>(t_->out_[v])
                                 : std::span<const AdjEntry>();
    }
    std::span<const AdjEntry> in(uint32_t v) const {
      return v < t_->in_.size() ? std::span<const AdjEntry>(t_->in_[v])
                                : std::span<const AdjEntry>();
    }
    uint64_t num_nodes() const { return t_->num_nodes_; }
    uint64_t num_edges() const { return t_->num_edges_; }

   private:
    const Topology* t_;
  };

  Reader Read() const { return Reader(*this); }

  uint64_t num_nodes() const;
  uint64_t num_edges() const;
  // Bytes held by the adjacency (capacity, not size).
  uint64_t memory_bytes() const;

 private:
  Topology() = default;
  void Grow(uint32_t id);
  void AddEdge(const Edge& e);

  mutable absl::Mutex mu_;
  std::vector<uint16_t> kind_;  // By node id; 0 = no live node.
  std::vector<std::vector<AdjEntry>> out_;
  std::vector<std::vector<AdjEntry>> in_;
  uint64_t num_nodes_ = 0;
  uint64_t num_edges_ = 0;
};

}  // namespace innograph
