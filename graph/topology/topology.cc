#include "graph/topology/topology.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "graph/model/status.h"

namespace innograph {
namespace {

AdjEntry Entry(const Edge& e, NodeId nbr) {
  return AdjEntry{static_cast<uint32_t>(nbr.value),
                  static_cast<uint16_t>(e.type.value),
                  0,
                  e.valid.from.days,
                  e.valid.to.days,
                  static_cast<uint32_t>(e.id.value),
                  e.weight};
}

}  // namespace

absl::StatusOr<std::unique_ptr<Topology>> Topology::Load(const GraphStore& store) {
  std::unique_ptr<Topology> t(new Topology());
  absl::MutexLock lock(&t->mu_);
  RETURN_IF_ERROR(store.ForEachNode([&](const Node& n) {
    t->Grow(static_cast<uint32_t>(n.id.value));
    t->kind_[n.id.value] = static_cast<uint16_t>(n.kind.value);
    ++t->num_nodes_;
    return true;
  }));
  // Count first so every vector is allocated once at its final size.
  std::vector<uint32_t> out_deg(t->kind_.size()), in_deg(t->kind_.size());
  RETURN_IF_ERROR(store.ForEachEdge([&](const Edge& e) {
    if (e.from.value < out_deg.size()) ++out_deg[e.from.value];
    if (e.to.value < in_deg.size()) ++in_deg[e.to.value];
    return true;
  }));
  for (size_t v = 0; v < t->kind_.size(); ++v) {
    t->out_[v].reserve(out_deg[v]);
    t->in_[v].reserve(in_deg[v]);
  }
  RETURN_IF_ERROR(store.ForEachEdge([&](const Edge& e) {
    t->AddEdge(e);
    return true;
  }));
  return t;
}

void Topology::Grow(uint32_t id) {
  if (id < kind_.size()) return;
  size_t size = std::max<size_t>(id + 1, kind_.size() + kind_.size() / 2);
  kind_.resize(size, 0);
  out_.resize(size);
  in_.resize(size);
}

void Topology::AddEdge(const Edge& e) {
  const auto from = static_cast<uint32_t>(e.from.value);
  const auto to = static_cast<uint32_t>(e.to.value);
  Grow(std::max(from, to));
  out_[from].push_back(Entry(e, e.to));
  in_[to].push_back(Entry(e, e.from));
  ++num_edges_;
}

void Topology::Apply(const ChangeSet& changes) {
  absl::MutexLock lock(&mu_);
  for (const Node& n : changes.nodes_upserted) {
    const auto v = static_cast<uint32_t>(n.id.value);
    Grow(v);
    if (kind_[v] == 0) ++num_nodes_;
    kind_[v] = static_cast<uint16_t>(n.kind.value);
  }
  // Removals, grouped per vertex so that each adjacency list is compacted once.
  absl::flat_hash_map<uint32_t, absl::flat_hash_set<uint32_t>> drop_out, drop_in;
  auto drop = [&](const Edge& e) {
    drop_out[static_cast<uint32_t>(e.from.value)].insert(static_cast<uint32_t>(e.id.value));
    drop_in[static_cast<uint32_t>(e.to.value)].insert(static_cast<uint32_t>(e.id.value));
  };
  for (const Edge& e : changes.edges_deleted) drop(e);
  for (size_t i = 0; i < changes.edges_upserted.size(); ++i) {
    if (!changes.edges_created[i]) drop(changes.edges_upserted[i]);
  }
  auto compact = [&](auto& lists, auto& drops, bool count) {
    for (auto& [v, ids] : drops) {
      if (v >= lists.size()) continue;
      auto& list = lists[v];
      auto end = std::remove_if(list.begin(), list.end(),
                                [&](const AdjEntry& a) { return ids.contains(a.edge); });
      if (count) num_edges_ -= list.end() - end;
      list.erase(end, list.end());
    }
  };
  compact(out_, drop_out, true);
  compact(in_, drop_in, false);
  for (const Edge& e : changes.edges_upserted) AddEdge(e);
  for (NodeId id : changes.nodes_deleted) {
    const auto v = static_cast<uint32_t>(id.value);
    if (v >= kind_.size() || kind_[v] == 0) continue;
    kind_[v] = 0;
    --num_nodes_;
    // The store deleted the node's edges in the same change set; release the memory.
    std::vector<AdjEntry>().swap(out_[v]);
    std::vector<AdjEntry>().swap(in_[v]);
  }
}

uint64_t Topology::num_nodes() const {
  absl::ReaderMutexLock lock(&mu_);
  return num_nodes_;
}

uint64_t Topology::num_edges() const {
  absl::ReaderMutexLock lock(&mu_);
  return num_edges_;
}

uint64_t Topology::memory_bytes() const {
  absl::ReaderMutexLock lock(&mu_);
  uint64_t bytes = kind_.capacity() * sizeof(uint16_t) +
                   (out_.capacity() + in_.capacity()) * sizeof(std::vector<AdjEntry>);
  for (const auto& l : out_) bytes += l.capacity() * sizeof(AdjEntry);
  for (const auto& l : in_) bytes += l.capacity() * sizeof(AdjEntry);
  return bytes;
}

}  // namespace innograph
