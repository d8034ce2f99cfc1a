#include "server/record_cache.h"

#include "graph/model/status.h"
#include "innograph/v1/graph.pb.h"
#include "server/convert.h"

namespace innograph::server {
namespace {

// Entry overhead beyond the strings: hash slot, record fields.
constexpr uint64_t kEntryOverhead = 64;

uint64_t SizeOf(const RecordCache::NodeRecord& r) {
  return kEntryOverhead + r.key.size() + r.message.size();
}

}  // namespace

RecordCache::RecordCache(const GraphStore& store, uint64_t max_bytes)
    : store_(store), shard_budget_(max_bytes / kShards) {}

uint64_t RecordCache::bytes() const {
  uint64_t total = 0;
  for (const Shard& s : shards_) {
    absl::MutexLock lock(&s.mu);
    total += s.bytes;
  }
  return total;
}

void RecordCache::MakeRoom(Shard& s, uint64_t need) {
  while (s.bytes + need > shard_budget_ && !(s.nodes.empty() && s.edges.empty())) {
    // Edges are the cheaper to read again (one record, no endpoint lookups): drop them first.
    if (!s.edges.empty()) {
      auto it = s.edges.begin();
      s.bytes -= kEntryOverhead + it->second->size();
      s.edges.erase(it);
    } else {
      auto it = s.nodes.begin();
      s.bytes -= SizeOf(*it->second);
      s.nodes.erase(it);
    }
  }
}

absl::StatusOr<RecordCache::NodePtr> RecordCache::ReadNode(uint32_t id) {
  ASSIGN_OR_RETURN(std::optional<Node> node, store_.GetNode(NodeId(id)));
  auto out = std::make_shared<NodeRecord>();
  out->live = node.has_value();
  if (node) {
    v1::Node proto;
    ToProto(*node, *store_.schema(), &proto);
    out->key = node->key;
    proto.SerializeToString(&out->message);
  }
  return out;
}

absl::StatusOr<RecordCache::NodePtr> RecordCache::GetNode(uint32_t id) {
  Shard& s = ShardOf(id);
  if (shard_budget_ > 0) {
    absl::MutexLock lock(&s.mu);
    if (auto it = s.nodes.find(id); it != s.nodes.end()) return it->second;
  }
  const uint64_t epoch = epoch_.load();
  ASSIGN_OR_RETURN(NodePtr node, ReadNode(id));
  // Absent ids are not kept: a later commit may create the node, and commits only drop.
  if (!node->live || shard_budget_ == 0) return node;
  const uint64_t size = SizeOf(*node);
  if (size > shard_budget_) return node;
  absl::MutexLock lock(&s.mu);
  if (epoch_.load() == epoch && !s.nodes.contains(id)) {
    MakeRoom(s, size);
    s.nodes.emplace(id, node);
    s.bytes += size;
  }
  return node;
}

absl::StatusOr<RecordCache::EdgePtr> RecordCache::GetEdge(uint64_t id) {
  Shard& s = ShardOf(id);
  if (shard_budget_ > 0) {
    absl::MutexLock lock(&s.mu);
    if (auto it = s.edges.find(id); it != s.edges.end()) return it->second;
  }
  const uint64_t epoch = epoch_.load();
  ASSIGN_OR_RETURN(std::optional<Edge> edge, store_.GetEdge(EdgeId(id)));
  if (!edge) return nullptr;
  ASSIGN_OR_RETURN(NodePtr from, GetNode(static_cast<uint32_t>(edge->from.value)));
  ASSIGN_OR_RETURN(NodePtr to, GetNode(static_cast<uint32_t>(edge->to.value)));
  v1::Edge proto;
  ToProto(*edge, *store_.schema(), from->key, to->key, &proto);
  auto message = std::make_shared<std::string>();
  proto.SerializeToString(message.get());
  if (shard_budget_ == 0) return message;
  const uint64_t size = kEntryOverhead + message->size();
  if (size > shard_budget_) return message;
  absl::MutexLock lock(&s.mu);
  if (epoch_.load() == epoch && !s.edges.contains(id)) {
    MakeRoom(s, size);
    s.edges.emplace(id, message);
    s.bytes += size;
  }
  return message;
}

absl::StatusOr<uint64_t> RecordCache::Prefill(const std::atomic<bool>& stop) {
  if (shard_budget_ == 0) return 0;
  const uint64_t epoch = epoch_.load();
  const Schema& schema = *store_.schema();
  uint64_t added = 0;
  bool full = false;
  // Insert unless a commit happened since the scans began or the shard has no room left.
  auto keep = [&](Shard& s, uint64_t size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
    if (epoch_.load() != epoch) return false;
    if (s.bytes + size > shard_budget_) {
      full = true;
      return false;
    }
    s.bytes += size;
    ++added;
    return true;
  };
  std::vector<std::string> keys;  // By node id, for the edges' endpoints.
  v1::Node node_proto;
  RETURN_IF_ERROR(store_.ForEachNode([&](const Node& n) {
    const uint32_t id = static_cast<uint32_t>(n.id.value);
    if (keys.size() <= id) keys.resize(id + 1);
    keys[id] = n.key;
    if (full) return !stop.load();
    auto r = std::make_shared<NodeRecord>();
    r->live = true;
    r->key = n.key;
    node_proto.Clear();
    ToProto(n, schema, &node_proto);
    node_proto.SerializeToString(&r->message);
    Shard& s = ShardOf(id);
    absl::MutexLock lock(&s.mu);
    if (!s.nodes.contains(id) && keep(s, SizeOf(*r))) s.nodes.emplace(id, std::move(r));
    return !stop.load() && epoch_.load() == epoch;
  }));
  v1::Edge edge_proto;
  static const std::string kNone;
  auto key_of = [&](NodeId id) -> const std::string& {
    return id.value < keys.size() ? keys[id.value] : kNone;
  };
  RETURN_IF_ERROR(store_.ForEachEdge([&](const Edge& e) {
    if (full || stop.load() || epoch_.load() != epoch) return false;
    edge_proto.Clear();
    ToProto(e, schema, key_of(e.from), key_of(e.to), &edge_proto);
    auto message = std::make_shared<std::string>();
    edge_proto.SerializeToString(message.get());
    Shard& s = ShardOf(e.id.value);
    absl::MutexLock lock(&s.mu);
    if (!s.edges.contains(e.id.value) && keep(s, kEntryOverhead + message->size())) {
      s.edges.emplace(e.id.value, std::move(message));
    }
    return true;
  }));
  return added;
}

void RecordCache::Apply(const ChangeSet& c) {
  if (shard_budget_ == 0) return;
  // First the epoch (fills that read before this commit are refused), then the drops.
  epoch_.fetch_add(1);
  if (c.bulk_load) {
    for (Shard& s : shards_) {
      absl::MutexLock lock(&s.mu);
      s.nodes.clear();
      s.edges.clear();
      s.bytes = 0;
    }
    return;
  }
  auto drop_node = [this](uint64_t id) {
    Shard& s = ShardOf(id);
    absl::MutexLock lock(&s.mu);
    if (auto it = s.nodes.find(static_cast<uint32_t>(id)); it != s.nodes.end()) {
      s.bytes -= SizeOf(*it->second);
      s.nodes.erase(it);
    }
  };
  auto drop_edge = [this](uint64_t id) {
    Shard& s = ShardOf(id);
    absl::MutexLock lock(&s.mu);
    if (auto it = s.edges.find(id); it != s.edges.end()) {
      s.bytes -= kEntryOverhead + it->second->size();
      s.edges.erase(it);
    }
  };
  for (const Node& n : c.nodes_upserted) drop_node(n.id.value);
  for (NodeId id : c.nodes_deleted) drop_node(id.value);
  for (const Edge& e : c.edges_upserted) drop_edge(e.id.value);
  for (const Edge& e : c.edges_deleted) drop_edge(e.id.value);
}

}  // namespace innograph::server
