#include "graph/topology/topology.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "graph/model/huge_pages.h"
#include "graph/model/status.h"

namespace innograph {
namespace {

constexpr int kOut = 0;
constexpr int kIn = 1;

// The overlay is folded into a new base once it holds this many entries, or more than 1/16 of
// the base's: the cost of a compaction, O(E), is spread over at least E/16 changed entries.
constexpr uint64_t kMinCompactEntries = 4096;

// Topology objects made so far in the process: the high bits of each one's versions.
std::atomic<uint64_t> instances{0};

void GrowBits(std::vector<uint64_t>& bits, size_t n) {
  if (bits.size() < (n + 63) / 64) bits.resize((n + 63) / 64, 0);
}

}  // namespace

uint16_t AdjEntry::Flags(int32_t from, int32_t to, double weight) {
  uint16_t flags = 0;
  if (from != std::numeric_limits<int32_t>::min() || to != std::numeric_limits<int32_t>::max()) {
    flags |= kTimed;
  }
  if (weight != 1.0) {
    flags |= kWeighted;
    if (weight >= 1.0 && weight <= kMaxInlineWeight && weight == static_cast<int>(weight)) {
      flags |= static_cast<uint16_t>(static_cast<int>(weight) << kInlineShift);
    }
  }
  return flags;
}

void EdgeAttrTable::set(uint32_t id, const EdgeAttrs& a) {
  const size_t chunk = id >> kChunkBits;
  while (chunks_.size() <= chunk) {
    chunks_.push_back(std::make_unique<EdgeAttrs[]>(kChunk));  // Value-initialized: open, 1.0.
  }
  chunks_[chunk][id & (kChunk - 1)] = a;
}

Topology::Topology() : s_(std::make_unique<State>()) {
  s_->version = (instances.fetch_add(1, std::memory_order_relaxed) + 1) << kVersionBits;
}
Topology::~Topology() = default;

std::unique_ptr<Topology> Topology::Empty() { return std::unique_ptr<Topology>(new Topology()); }

Topology::Builder::Builder(uint64_t expected_edges) : t_(new Topology()) {
  std::vector<AdjEntry>& entries = t_->s_->base[kOut].entries;
  entries.reserve(expected_edges);
  AdviseHugePages(entries.data(), entries.capacity() * sizeof(AdjEntry));
}

void Topology::Builder::AddNode(uint64_t id, uint32_t kind) {
  if (!bad_.ok()) return;
  State& s = *t_->s_;
  if (id > GraphStore::kMaxId || kind == 0 || kind > 0xFFFF) {
    bad_ = absl::DataLossError(
        absl::StrCat("node ", id, " has kind ", kind, ", outside what the topology holds"));
    return;
  }
  if (id >= s.kind.size()) s.kind.resize(id + 1, 0);
  s.kind[id] = static_cast<uint16_t>(kind);
  ++s.num_nodes;
}

void Topology::Builder::SetEdgeAttrs(uint64_t id, const EdgeAttrs& attrs) {
  if (!bad_.ok()) return;
  if (id > GraphStore::kMaxId) {
    bad_ = absl::DataLossError(absl::StrCat("edge ", id, " does not fit the topology"));
    return;
  }
  t_->s_->attrs.set(static_cast<uint32_t>(id), attrs);
}

TopologySink Topology::Builder::Sink() {
  TopologySink sink;
  sink.node = [this](uint64_t id, uint32_t kind) { AddNode(id, kind); };
  sink.edge_attrs = [this](uint64_t id, int32_t valid_from, int32_t valid_to, double weight) {
    SetEdgeAttrs(id, EdgeAttrs{valid_from, valid_to, weight});
  };
  sink.edge = [this](const EdgeLink& e) { AddEdge(e, /*with_attrs=*/false); };
  return sink;
}

void Topology::Builder::AddEdge(const EdgeLink& e, bool with_attrs) {
  if (!bad_.ok()) return;
  State& s = *t_->s_;
  CsrLists& out = s.base[kOut];
  if (e.from > GraphStore::kMaxId || e.to > GraphStore::kMaxId || e.id > GraphStore::kMaxId ||
      e.type > 0xFFFF || e.from < current_) {
    bad_ = absl::DataLossError(
        absl::StrCat("edge ", e.id, " (", e.from, " -> ", e.to, ") does not fit the topology"));
    return;
  }
  // An endpoint without a node record (the store never writes one) stays dead.
  if (std::max(e.from, e.to) >= s.kind.size()) s.kind.resize(std::max(e.from, e.to) + 1, 0);
  const auto from = static_cast<uint32_t>(e.from);
  // Close the rows of every vertex before `from` (edges come sorted by source).
  while (out.offsets.size() <= from) {
    out.offsets.push_back(static_cast<uint32_t>(out.entries.size()));
  }
  current_ = from;
  const uint16_t flags = AdjEntry::Flags(e.valid_from, e.valid_to, e.weight);
  out.entries.push_back(AdjEntry{static_cast<uint32_t>(e.to), static_cast<uint32_t>(e.id),
                                 static_cast<uint16_t>(e.type), flags});
  if (with_attrs) {
    s.attrs.set(static_cast<uint32_t>(e.id), EdgeAttrs{e.valid_from, e.valid_to, e.weight});
  }
}

absl::StatusOr<std::unique_ptr<Topology>> Topology::Builder::Finish() {
  RETURN_IF_ERROR(bad_);
  State& s = *t_->s_;
  CsrLists& out = s.base[kOut];
  const auto n = static_cast<uint32_t>(s.kind.size());
  while (out.offsets.size() <= n) out.offsets.push_back(static_cast<uint32_t>(out.entries.size()));
  out.entries.shrink_to_fit();
  s.num_edges = out.entries.size();
  s.kind.shrink_to_fit();
  DeriveInLists(s);
  return std::move(t_);
}

absl::StatusOr<std::unique_ptr<Topology>> Topology::Load(const GraphStore& store) {
  Builder builder(store.counts().edges);
  RETURN_IF_ERROR(store.ScanTopology([&](uint64_t id, uint32_t kind) { builder.AddNode(id, kind); },
                                     [&](const EdgeLink& e) { builder.AddEdge(e); }));
  return builder.Finish();
}

void Topology::DeriveInLists(State& s) {
  const auto n = static_cast<uint32_t>(s.kind.size());
  const CsrLists& out = s.base[kOut];
  // Visiting sources in increasing order keeps each in-list in (source, type, id) order, as a
  // scan of in_edges would give.
  CsrLists& in = s.base[kIn];
  // Counted and placed at random: in huge pages where the arrays are big.
  in.offsets.clear();
  in.offsets.reserve(n + 1);
  AdviseHugePages(in.offsets.data(), in.offsets.capacity() * sizeof(uint32_t));
  in.offsets.assign(n + 1, 0);
  for (const AdjEntry& a : out.entries) ++in.offsets[a.nbr + 1];
  for (uint32_t v = 0; v < n; ++v) in.offsets[v + 1] += in.offsets[v];
  in.entries.clear();
  in.entries.reserve(out.entries.size());
  AdviseHugePages(in.entries.data(), in.entries.capacity() * sizeof(AdjEntry));
  in.entries.resize(out.entries.size());
  std::vector<uint32_t> next;
  next.reserve(n);
  AdviseHugePages(next.data(), next.capacity() * sizeof(uint32_t));
  next.assign(in.offsets.begin(), in.offsets.end() - 1);
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t i = out.offsets[u]; i < out.offsets[u + 1]; ++i) {
      const AdjEntry& a = out.entries[i];
      in.entries[next[a.nbr]++] = AdjEntry{u, a.edge, a.type, a.flags};
    }
  }
  for (auto& bits : s.dirty) GrowBits(bits, n);
}

TopologySink Topology::BulkLoadSink() {
  // Each sink builds into its own builder; a load's `end` hands the result to this topology,
  // whose Apply of that load's change set swaps it in. Bulk loads do not overlap (the store
  // runs one write at a time, the listener included), and a sink that is never fed (an import
  // into a store with data) changes nothing.
  auto builder = std::make_shared<Builder>();
  TopologySink sink = builder->Sink();  // `end` below keeps the builder alive.
  sink.feeds_listener = true;
  sink.end = [this, builder] {
    absl::StatusOr<std::unique_ptr<Topology>> built = builder->Finish();
    absl::MutexLock lock(&bulk_mu_);
    bulk_built_ = std::move(built);
  };
  return sink;
}

void Topology::Apply(const ChangeSet& changes) {
  absl::MutexLock writer(&writer_mu_);
  if (changes.bulk_load && changes.nodes_upserted.empty() && changes.edges_upserted.empty() &&
      (changes.bulk_nodes > 0 || changes.bulk_edges > 0)) {
    // A bulk load that handed its graph to BulkLoadSink: swap in what was built.
    absl::StatusOr<std::unique_ptr<Topology>> built;
    {
      absl::MutexLock lock(&bulk_mu_);
      built = std::move(bulk_built_);
      bulk_built_ = absl::NotFoundError("no bulk load");
    }
    // GraphStore::BulkLoad gives an item-less change set only to a load that fed a sink, and
    // the builder cannot fail on what a load feeds it: anything else is a bug, and going on
    // would serve a topology that misses the load.
    if (!built.ok()) {
      std::fprintf(stderr, "topology: a bulk load's change set without its built topology: %s\n",
                   std::string(built.status().message()).c_str());
      std::abort();
    }
    State fresh = std::move(*(*built)->s_);
    absl::MutexLock lock(&mu_);
    fresh.version = s_->version + 1;
    *s_ = std::move(fresh);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    State& s = *s_;
    ++s.version;
    auto grow = [&](uint32_t v) {
      if (v < s.kind.size()) return;
      s.kind.resize(std::max<size_t>(v + 1, s.kind.size() + s.kind.size() / 2), 0);
      for (auto& bits : s.dirty) GrowBits(bits, s.kind.size());
    };
    // The overlay list of v in direction d, copied from the base on first use.
    auto touch = [&](int d, uint32_t v) -> std::vector<AdjEntry>& {
      std::vector<AdjEntry>& list = s.overlay[d][v];
      if (!s.is_dirty(d, v)) {
        s.dirty[d][v >> 6] |= uint64_t{1} << (v & 63);
        if (v < s.base[d].size()) {
          std::span<const AdjEntry> row = s.base[d].row(v);
          list.assign(row.begin(), row.end());
          s.overlay_entries += row.size();
        }
      }
      return list;
    };
    for (const Node& n : changes.nodes_upserted) {
      const auto v = static_cast<uint32_t>(n.id.value);
      grow(v);
      if (s.kind[v] == 0) ++s.num_nodes;
      s.kind[v] = static_cast<uint16_t>(n.kind.value);
    }
    // Removals, grouped per vertex so that each list is filtered once.
    absl::flat_hash_map<uint32_t, absl::flat_hash_set<uint32_t>> drops[2];
    auto drop = [&](const Edge& e) {
      drops[kOut][static_cast<uint32_t>(e.from.value)].insert(static_cast<uint32_t>(e.id.value));
      drops[kIn][static_cast<uint32_t>(e.to.value)].insert(static_cast<uint32_t>(e.id.value));
    };
    for (const Edge& e : changes.edges_deleted) drop(e);
    for (size_t i = 0; i < changes.edges_upserted.size(); ++i) {
      if (!changes.edges_created[i]) drop(changes.edges_upserted[i]);
    }
    for (int d : {kOut, kIn}) {
      for (auto& [v, ids] : drops[d]) {
        if (v >= s.kind.size()) continue;
        std::vector<AdjEntry>& list = touch(d, v);
        auto end = std::remove_if(list.begin(), list.end(),
                                  [&](const AdjEntry& a) { return ids.contains(a.edge); });
        if (d == kOut) s.num_edges -= list.end() - end;
        list.erase(end, list.end());
      }
    }
    for (const Edge& e : changes.edges_upserted) {
      const auto from = static_cast<uint32_t>(e.from.value);
      const auto to = static_cast<uint32_t>(e.to.value);
      const auto id = static_cast<uint32_t>(e.id.value);
      const auto type = static_cast<uint16_t>(e.type.value);
      grow(std::max(from, to));
      const uint16_t flags = AdjEntry::Flags(e.valid.from.days, e.valid.to.days, e.weight);
      touch(kOut, from).push_back(AdjEntry{to, id, type, flags});
      touch(kIn, to).push_back(AdjEntry{from, id, type, flags});
      s.overlay_entries += 2;
      s.attrs.set(id, EdgeAttrs{e.valid.from.days, e.valid.to.days, e.weight});
      ++s.num_edges;
    }
    for (NodeId id : changes.nodes_deleted) {
      const auto v = static_cast<uint32_t>(id.value);
      if (v >= s.kind.size() || s.kind[v] == 0) continue;
      s.kind[v] = 0;
      --s.num_nodes;
      // The store deleted the node's edges in the same change set; release the lists.
      for (int d : {kOut, kIn}) {
        if (!s.is_dirty(d, v)) continue;
        s.overlay[d][v] = std::vector<AdjEntry>();
      }
    }
    const uint64_t base_entries = s.base[kOut].entries.size() + s.base[kIn].entries.size();
    if (s.overlay_entries < std::max(kMinCompactEntries, base_entries / 16)) return;
  }
  CompactLocked();
}

void Topology::Compact() {
  absl::MutexLock writer(&writer_mu_);
  CompactLocked();
}

void Topology::CompactLocked() {
  CsrLists fresh[2];
  {
    // Only the writer changes the state, and it is here: the shared lock is enough to read it
    // while readers go on.
    absl::ReaderMutexLock lock(&mu_);
    const State& s = *s_;
    const auto n = static_cast<uint32_t>(s.kind.size());
    for (int d : {kOut, kIn}) {
      CsrLists& c = fresh[d];
      c.offsets.resize(n + 1);
      uint64_t total = 0;
      for (uint32_t v = 0; v < n; ++v) {
        c.offsets[v] = static_cast<uint32_t>(total);
        total += s.list(d, v).size();
      }
      c.offsets[n] = static_cast<uint32_t>(total);
      c.entries.resize(total);
      AdjEntry* dst = c.entries.data();
      for (uint32_t v = 0; v < n; ++v) {
        std::span<const AdjEntry> row = s.list(d, v);
        if (!row.empty()) std::memcpy(dst, row.data(), row.size() * sizeof(AdjEntry));
        dst += row.size();
      }
    }
  }
  // What the swap replaces is freed after the exclusive lock is released.
  CsrLists old[2];
  absl::flat_hash_map<uint32_t, std::vector<AdjEntry>> old_overlay[2];
  {
    absl::MutexLock lock(&mu_);
    State& s = *s_;
    for (int d : {kOut, kIn}) {
      std::swap(old[d], s.base[d]);
      s.base[d] = std::move(fresh[d]);
      std::swap(old_overlay[d], s.overlay[d]);
      std::fill(s.dirty[d].begin(), s.dirty[d].end(), 0);
    }
    s.overlay_entries = 0;
    ++compactions_;
  }
}

uint64_t Topology::num_nodes() const {
  absl::ReaderMutexLock lock(&mu_);
  return s_->num_nodes;
}

uint64_t Topology::num_edges() const {
  absl::ReaderMutexLock lock(&mu_);
  return s_->num_edges;
}

uint64_t Topology::version() const {
  absl::ReaderMutexLock lock(&mu_);
  return s_->version;
}

uint64_t Topology::overlay_vertices() const {
  absl::ReaderMutexLock lock(&mu_);
  return s_->overlay[kOut].size() + s_->overlay[kIn].size();
}

uint64_t Topology::compactions() const {
  absl::ReaderMutexLock lock(&mu_);
  return compactions_;
}

uint64_t Topology::memory_bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  const State& s = *s_;
  uint64_t bytes = s.kind.capacity() * sizeof(uint16_t) + s.attrs.memory_bytes();
  for (int d : {kOut, kIn}) {
    bytes += s.base[d].offsets.capacity() * sizeof(uint32_t) +
             s.base[d].entries.capacity() * sizeof(AdjEntry) +
             s.dirty[d].capacity() * sizeof(uint64_t);
    bytes += s.overlay[d].capacity() *
             (sizeof(std::pair<uint32_t, std::vector<AdjEntry>>) + 1);  // Slots and control bytes.
    for (const auto& [v, list] : s.overlay[d]) bytes += list.capacity() * sizeof(AdjEntry);
  }
  return bytes;
}

}  // namespace innograph
