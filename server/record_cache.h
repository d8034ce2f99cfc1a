#pragma once

// RecordCache: nodes and edges of the store as encoded API messages, kept in memory so that
// answers that list many nodes or edges (Neighbors, Expand, paths, subgraphs) do not read
// RocksDB once per item. The store stays the source of truth: a miss reads it and fills the
// cache, and every commit drops the entries it changed (Apply, called from the store's commit
// listener before the write is acknowledged), so an answer never shows a record older than
// the last acknowledged write.
//
// A fill races with a commit when the record was read before the commit and is inserted after
// it dropped the entry. Every commit therefore advances an epoch before it drops anything, and
// a fill is kept only when the epoch did not move since before its read.
//
// Memory: at most `max_bytes` of encoded records (plus hash table overhead); past it, entries
// of the shard being filled are dropped in no particular order.
//
// Thread safety: all methods may be called concurrently.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/store/store.h"

namespace innograph::server {

class RecordCache {
 public:
  // One node: its key (for the endpoints of edges) and its encoded v1::Node.
  struct NodeRecord {
    bool live = false;  // False: no live node has this id.
    std::string key;
    std::string message;  // Serialized v1::Node.
  };

  // `store` must outlive the cache. `max_bytes` 0 = keep nothing (every lookup reads the store).
  RecordCache(const GraphStore& store, uint64_t max_bytes);

  using NodePtr = std::shared_ptr<const NodeRecord>;
  using EdgePtr = std::shared_ptr<const std::string>;

  // Never null; `live` false when no live node has this id.
  absl::StatusOr<NodePtr> GetNode(uint32_t id);
  // The edge as a serialized v1::Edge (properties, sources, endpoint keys); null when no live
  // edge has this id.
  absl::StatusOr<EdgePtr> GetEdge(uint64_t id);

  // Fills the cache from full scans of the store (nodes, then edges) until it is full, `stop`
  // is set, or a commit happens (whose changes the scans may have missed). Meant for a
  // background thread at start, so that the first queries find their records in memory.
  // Returns the records added.
  absl::StatusOr<uint64_t> Prefill(const std::atomic<bool>& stop);

  // Drops what `changes` changed. Call from the store's commit listener.
  void Apply(const ChangeSet& changes);

  uint64_t bytes() const;
  const Schema& schema() const { return *store_.schema(); }

 private:
  static constexpr int kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<uint32_t, NodePtr> nodes ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<uint64_t, EdgePtr> edges ABSL_GUARDED_BY(mu);
    uint64_t bytes ABSL_GUARDED_BY(mu) = 0;
  };
  Shard& ShardOf(uint64_t id) { return shards_[(id * 0x9E3779B97F4A7C15ull) >> 60]; }
  void MakeRoom(Shard& s, uint64_t need) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  absl::StatusOr<NodePtr> ReadNode(uint32_t id);

  const GraphStore& store_;
  const uint64_t shard_budget_;
  std::atomic<uint64_t> epoch_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace innograph::server
