#pragma once

// SnapshotCache: analytics snapshots (SnapshotView) kept per (topology version, filter,
// direction), so that repeated whole-graph analytics on an unchanged graph copy it once.
//
// A snapshot is valid for exactly one topology version (Topology::State::version, bumped by
// every Apply): a lookup that finds the topology at a newer version drops the entries of the
// older ones and builds afresh, so an acknowledged write is always seen by the next call.
// The cache is bounded by entry count and by bytes (least recently used out first); a snapshot
// larger than the byte bound is returned but not kept. Callers share the immutable graph through
// a shared_ptr, so an evicted snapshot lives on until its last user is done.
//
// Thread safety: all methods may be called concurrently. A build runs under the topology's
// shared lock and outside the cache's lock; two callers missing the same key at once both build
// it (the second insert replaces nothing and is dropped).

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "graph/query/analytics_graph.h"
#include "graph/topology/topology.h"

namespace innograph {

class SnapshotCache {
 public:
  struct Options {
    uint64_t max_bytes = uint64_t{512} << 20;  // 0 = cache nothing.
    size_t max_entries = 4;
  };

  SnapshotCache() : SnapshotCache(Options{}) {}
  explicit SnapshotCache(Options options) : options_(options) {}

  // The snapshot of `topology` as it is now, under `filter`, directed or not: the cached one
  // when it was built at the topology's current version, else a fresh one (then cached).
  std::shared_ptr<const AnalyticsGraph> Get(const Topology& topology, const TopologyFilter& filter,
                                            bool directed);

  // Bytes held by the cached snapshots (capacity of their arrays).
  uint64_t memory_bytes() const;
  size_t entries() const;
  uint64_t hits() const;
  uint64_t misses() const;

  // Bytes held by one snapshot's arrays.
  static uint64_t Bytes(const AnalyticsGraph& g);

 private:
  struct Entry {
    uint64_t version = 0;
    TopologyFilter filter;
    bool directed = false;
    std::shared_ptr<const AnalyticsGraph> graph;
    uint64_t bytes = 0;
    uint64_t last_used = 0;
  };
  // Drops entries of `version`'s topology built at other versions; moves them to `dropped` so
  // that they are freed after the lock is released.
  void DropStaleLocked(uint64_t version, std::vector<Entry>& dropped)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t tick_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace innograph
