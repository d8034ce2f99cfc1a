#pragma once

// Topology: the in-memory adjacency that traversals and analytics run on. RocksDB stays the
// source of truth; the topology is loaded from it at start (Load) and then follows every
// committed write (Apply, called by the store's commit listener under the store's write lock,
// so it sees writes in commit order and a query sees every acknowledged write).
//
// Layout (about 42 bytes per edge, both directions included):
//  - an immutable compressed-sparse-row base per direction: offsets (4 bytes per node) and one
//    12-byte AdjEntry {neighbour, edge id, type, flags} per edge end, every list contiguous;
//  - a per-vertex overlay: a vertex whose edges changed since the base was built keeps its whole
//    current list in the overlay (a bit per vertex says so, so clean vertices pay one bit test);
//  - a side table indexed by edge id holding each edge's validity interval and weight (16
//    bytes), read only when an entry's flags say the edge is time-bounded or weighted and the
//    caller needs that (a time filter, a weight, an answer);
//  - the node kinds (2 bytes per node; 0 = no live node).
// When the overlay holds more than about 1/16 of the edges, Apply builds a new base from the old
// one and the overlay while holding only the shared lock (Apply is the only writer and calls are
// serialized), then swaps it in under the exclusive lock: readers never wait for O(E) work.
// List order is stable: a list keeps the store's key order (type, other end, edge id) as
// loaded, new edges are appended, removed ones drop out; compaction keeps the order.
//
// Thread safety: readers hold a shared lock through a Reader for the length of one bounded
// traversal (every traversal has limits and a deadline); Apply takes the exclusive lock for
// O(changes) time. Readers never block each other.

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/model/date.h"
#include "graph/store/store.h"

namespace innograph {

struct TopologyImage;

// One edge seen from one endpoint.
struct AdjEntry {
  static constexpr uint16_t kTimed = 1;     // valid is not (-inf, +inf): see the side table.
  static constexpr uint16_t kWeighted = 2;  // weight != 1: see the inline weight or side table.
  // Bits 2..15: a weight that is a whole number in [1, kMaxInlineWeight], held here exactly so
  // that weighted work (snapshots, Dijkstra) does not read the side table; 0 when the weight is
  // not such a number.
  static constexpr uint16_t kInlineShift = 2;
  static constexpr uint16_t kMaxInlineWeight = (1u << 14) - 1;

  uint32_t nbr;    // The node at the other end (NodeId value).
  uint32_t edge;   // EdgeId value.
  uint16_t type;   // TypeId value.
  uint16_t flags;  // kTimed | kWeighted | inline weight << kInlineShift.

  static uint16_t Flags(int32_t from, int32_t to, double weight);
};
static_assert(sizeof(AdjEntry) == 12);

// The per-edge attributes kept off the adjacency lists.
struct EdgeAttrs {
  int32_t from = std::numeric_limits<int32_t>::min();  // valid.from, days (INT32_MIN = open).
  int32_t to = std::numeric_limits<int32_t>::max();    // valid.to (INT32_MAX = open).
  double weight = 1.0;                                 // Exact.
};
static_assert(sizeof(EdgeAttrs) == 16);

// Which edges and nodes a traversal may use. Empty type/kind masks mean "all".
struct TopologyFilter {
  std::vector<bool> types;  // Indexed by TypeId value.
  std::vector<bool> kinds;  // Indexed by KindId value (applies to nodes reached, not the start).
  // Edges valid at some day of [window.from, window.to]; as_of d is the window [d, d].
  bool has_window = false;
  Interval window;
  double min_weight = 0;

  bool TypeOk(uint16_t type) const { return types.empty() || (type < types.size() && types[type]); }
  bool KindOk(uint16_t kind) const { return kinds.empty() || (kind < kinds.size() && kinds[kind]); }
  // Whether attributes pass the window and weight parts of the filter.
  bool AttrsOk(const EdgeAttrs& a) const {
    if (has_window && (a.from > window.to.days || a.to < window.from.days)) return false;
    return a.weight >= min_weight;
  }
};

// One direction of the immutable base: the list of v is entries[offsets[v], offsets[v + 1]).
struct CsrLists {
  std::vector<uint32_t> offsets;  // size() + 1 values (empty when there are no vertices).
  std::vector<AdjEntry> entries;

  uint32_t size() const { return offsets.empty() ? 0 : static_cast<uint32_t>(offsets.size() - 1); }
  std::span<const AdjEntry> row(uint32_t v) const {
    return {entries.data() + offsets[v], entries.data() + offsets[v + 1]};
  }
};

// The side table: EdgeAttrs by edge id, in fixed chunks so that growing never copies it.
class EdgeAttrTable {
 public:
  static constexpr uint32_t kChunkBits = 16;
  static constexpr uint32_t kChunk = 1u << kChunkBits;

  const EdgeAttrs& get(uint32_t id) const { return chunks_[id >> kChunkBits][id & (kChunk - 1)]; }
  void set(uint32_t id, const EdgeAttrs& a);
  // Whole chunks (the topology image reads and writes the table chunk by chunk): chunks()
  // allocated so far, each of kChunk rows.
  size_t chunks() const { return chunks_.size(); }
  const EdgeAttrs* chunk(size_t i) const { return chunks_[i].get(); }
  EdgeAttrs* chunk(size_t i) { return chunks_[i].get(); }
  uint64_t memory_bytes() const {
    return chunks_.size() * (uint64_t{kChunk} * sizeof(EdgeAttrs) + sizeof(chunks_[0]));
  }

 private:
  std::vector<std::unique_ptr<EdgeAttrs[]>> chunks_;
};

class Topology {
 public:
  ~Topology();

  // Builds the topology from every node and edge of the store (GraphStore::ScanTopology: keys
  // and the leading fields of the records only).
  static absl::StatusOr<std::unique_ptr<Topology>> Load(const GraphStore& store);

  // Builds a topology from what GraphStore::ScanTopology gives, in its order: the nodes, then
  // the edges by (from, type, to, id). Load feeds it from a scan, an offline bulk load from
  // memory (GraphStore::TopologySink). Finish once; DATA_LOSS names the first edge or node
  // that does not fit (ids or type beyond 32/16 bits, edges out of order).
  class Builder {
   public:
    explicit Builder(uint64_t expected_edges = 0);
    void AddNode(uint64_t id, uint32_t kind);
    // The edge's validity and weight, ahead of AddEdge(e, /*with_attrs=*/false).
    void SetEdgeAttrs(uint64_t id, const EdgeAttrs& attrs);
    // with_attrs = false: its validity and weight were given by SetEdgeAttrs (the EdgeLink's
    // still decide the adjacency entry's flags).
    void AddEdge(const EdgeLink& e, bool with_attrs = true);
    absl::StatusOr<std::unique_ptr<Topology>> Finish();
    // A bulk load's sink feeding this builder (node, edge_attrs, edge; `end` is the caller's).
    // The builder must outlive the sink.
    TopologySink Sink();

   private:
    std::unique_ptr<Topology> t_;
    uint32_t current_ = 0;  // Vertex whose row is being filled; rows of smaller ids are done.
    absl::Status bad_;
  };
  // An empty topology (tests and tools that apply change sets themselves).
  static std::unique_ptr<Topology> Empty();

  // Applies one committed change set. Cost: O(changes) plus O(degree) of each vertex whose list
  // changed for the first time since the last compaction; now and then a compaction, O(E) with
  // only the shared lock held. A bulk load's change set without items (the load was given this
  // topology's BulkLoadSink) swaps in the state the sink built.
  void Apply(const ChangeSet& changes);

  // A sink for GraphStore::BulkLoad into the store this topology follows: it builds the
  // topology of the loaded store while the load writes its files, and the load's change set
  // then swaps it in (Apply), instead of carrying every node and edge to Apply. The sink refers
  // to this topology, which must outlive it.
  TopologySink BulkLoadSink();

  // Everything the lock guards.
  struct State {
    std::vector<uint16_t> kind;  // By node id; 0 = no live node.
    CsrLists base[2];            // [0] out, [1] in.
    // Bit v of dirty[d]: the list of v in direction d is overlay[d][v], not the base's.
    std::vector<uint64_t> dirty[2];
    absl::flat_hash_map<uint32_t, std::vector<AdjEntry>> overlay[2];
    uint64_t overlay_entries = 0;  // Entries copied or added into the overlay since compaction.
    EdgeAttrTable attrs;
    uint64_t num_nodes = 0;
    uint64_t num_edges = 0;
    // Bumped by every Apply (not by compaction, which keeps the content): two reads that see
    // the same version see the same graph. Starts at a value unique to this Topology object in
    // the process, so that caches keyed by version never confuse two topologies.
    uint64_t version = 0;

    bool is_dirty(int d, uint32_t v) const { return (dirty[d][v >> 6] >> (v & 63)) & 1; }
    std::span<const AdjEntry> list(int d, uint32_t v) const {
      if (v >= kind.size()) return {};
      if (is_dirty(d, v)) {
        auto it = overlay[d].find(v);
        return it == overlay[d].end() ? std::span<const AdjEntry>() : std::span(it->second);
      }
      return v < base[d].size() ? base[d].row(v) : std::span<const AdjEntry>();
    }
  };

  // A consistent read view: holds the shared lock until destroyed.
  class Reader {
   public:
    explicit Reader(const Topology& t) : t_(&t), s_(t.s_.get()) { t_->mu_.ReaderLock(); }
    ~Reader() {
      if (t_) t_->mu_.ReaderUnlock();
    }
    Reader(Reader&& o) noexcept : t_(o.t_), s_(o.s_) { o.t_ = nullptr; }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Reader& operator=(Reader&&) = delete;

    // Node ids are < num_slots(); ids of deleted (or never created) nodes are not alive.
    uint32_t num_slots() const { return static_cast<uint32_t>(s_->kind.size()); }
    bool alive(uint32_t v) const { return v < s_->kind.size() && s_->kind[v] != 0; }
    uint16_t kind(uint32_t v) const { return v < s_->kind.size() ? s_->kind[v] : 0; }
    std::span<const AdjEntry> out(uint32_t v) const { return s_->list(0, v); }
    std::span<const AdjEntry> in(uint32_t v) const { return s_->list(1, v); }
    // Hints for loops over many lists: fetch the list offsets of v (some nodes ahead), then the
    // start of its list in direction d (0 out, 1 in; a few nodes ahead, once its offsets are
    // in cache). Overlay lists are not fetched.
    void PrefetchOffsets(uint32_t v) const {
      if (v < s_->base[0].size()) {
        __builtin_prefetch(s_->base[0].offsets.data() + v);
        __builtin_prefetch(s_->base[1].offsets.data() + v);
      }
    }
    void PrefetchList(int d, uint32_t v) const {
      if (v >= s_->base[d].size()) return;
      // Up to four cache lines: a typical list whole, the start of a long one.
      const char* p =
          reinterpret_cast<const char*>(s_->base[d].entries.data() + s_->base[d].offsets[v]);
      const char* end =
          reinterpret_cast<const char*>(s_->base[d].entries.data() + s_->base[d].offsets[v + 1]);
      for (int line = 0; line < 4 && p < end; ++line, p += 64) __builtin_prefetch(p);
    }
    // Validity and weight of the edge of `e` (defaults when its flags are clear).
    EdgeAttrs attrs(const AdjEntry& e) const {
      return e.flags == 0 ? EdgeAttrs{} : s_->attrs.get(e.edge);
    }
    double weight(const AdjEntry& e) const {
      if (!(e.flags & AdjEntry::kWeighted)) return 1.0;
      const uint16_t inline_weight = e.flags >> AdjEntry::kInlineShift;
      return inline_weight != 0 ? inline_weight : s_->attrs.get(e.edge).weight;
    }
    // The whole filter (type, window, weight) on one entry; the side table is read only when the
    // entry's flags and the filter both need it.
    bool EdgeOk(const TopologyFilter& f, const AdjEntry& e) const {
      if (!f.TypeOk(e.type)) return false;
      // Stored weights are positive and finite (the schema refuses others), so only a positive
      // minimum can exclude an edge by weight.
      if (f.min_weight > 0 && weight(e) < f.min_weight) return false;
      if (!f.has_window || !(e.flags & AdjEntry::kTimed)) return true;
      // Every edge has its side-table row (open interval and weight 1 when its flags are clear).
      const EdgeAttrs& a = s_->attrs.get(e.edge);
      return a.from <= f.window.to.days && a.to >= f.window.from.days;
    }
    uint64_t num_nodes() const { return s_->num_nodes; }
    uint64_t num_edges() const { return s_->num_edges; }
    // The state's version (see State::version).
    uint64_t version() const { return s_->version; }

   private:
    const Topology* t_;
    const State* s_;
  };

  Reader Read() const { return Reader(*this); }

  uint64_t num_nodes() const;
  uint64_t num_edges() const;
  uint64_t version() const;
  // Versions of one Topology object share their bits from kVersionBits up (an object's Apply
  // calls never reach 2^40); SameObject tells whether two versions come from one object.
  static constexpr int kVersionBits = 40;
  static bool SameObject(uint64_t a, uint64_t b) {
    return (a >> kVersionBits) == (b >> kVersionBits);
  }
  // Bytes held by the base, the overlay, the side table and the kinds (capacity).
  uint64_t memory_bytes() const;
  // Tests and benchmarks: vertices with an overlay list, and compactions done so far.
  uint64_t overlay_vertices() const;
  uint64_t compactions() const;
  // Folds the overlay into a new base now (tests and benchmarks; Apply does it on its own when
  // the overlay grows past about 1/16 of the edges).
  void Compact();

 private:
  friend struct TopologyImage;  // image.cc: writes and reads the persisted image.

  Topology();
  // Fills s.base[1] (the in-lists) from s.base[0] with a counting sort by destination, so that
  // each in-list is in (source, type, id) order, and sizes the dirty bits to s.kind.
  static void DeriveInLists(State& s);
  // Builds the new base under the shared lock and swaps it in under the exclusive lock. Called
  // by the writer only (Apply, Compact) with mu_ not held.
  void CompactLocked();

  mutable absl::Mutex mu_;
  std::unique_ptr<State> s_;
  // Serializes writers (Apply, Compact): the base is rebuilt outside the exclusive lock.
  absl::Mutex writer_mu_;
  uint64_t compactions_ = 0;  // Guarded by mu_.
  // What a BulkLoadSink built, until Apply swaps it in.
  absl::Mutex bulk_mu_;
  absl::StatusOr<std::unique_ptr<Topology>> bulk_built_ = absl::NotFoundError("no bulk load");
};

}  // namespace innograph
