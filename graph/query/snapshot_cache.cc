#include "graph/query/snapshot_cache.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "graph/query/traversal.h"

namespace innograph {
namespace {

bool SameFilter(const TopologyFilter& a, const TopologyFilter& b) {
  if (a.types != b.types || a.kinds != b.kinds || a.has_window != b.has_window ||
      a.min_weight != b.min_weight) {
    return false;
  }
  return !a.has_window || a.window == b.window;
}

}  // namespace

uint64_t SnapshotCache::Bytes(const AnalyticsGraph& g) {
  return sizeof(g) + g.node_ids.capacity() * sizeof(uint64_t) +
         g.offsets.capacity() * sizeof(uint32_t) + g.targets.capacity() * sizeof(uint32_t) +
         g.weights.capacity() * sizeof(double);
}

void SnapshotCache::DropStaleLocked(uint64_t version, std::vector<Entry>& dropped) {
  auto stale = [&](const Entry& e) {
    return e.version != version && Topology::SameObject(e.version, version);
  };
  for (Entry& e : entries_) {
    if (!stale(e)) continue;
    bytes_ -= e.bytes;
    dropped.push_back(std::move(e));
  }
  std::erase_if(entries_, [](const Entry& e) { return e.graph == nullptr; });
}

std::shared_ptr<const AnalyticsGraph> SnapshotCache::Get(const Topology& topology,
                                                         const TopologyFilter& filter,
                                                         bool directed) {
  std::vector<Entry> dropped;  // Freed after mu_ is released (declared first).
  std::shared_ptr<const AnalyticsGraph> graph;
  uint64_t version;
  {
    std::optional<Topology::Reader> reader;
    reader.emplace(topology);
    version = reader->version();
    {
      absl::MutexLock lock(&mu_);
      DropStaleLocked(version, dropped);
      for (Entry& e : entries_) {
        if (e.version == version && e.directed == directed && SameFilter(e.filter, filter)) {
          e.last_used = ++tick_;
          ++hits_;
          return e.graph;
        }
      }
      ++misses_;
    }
    graph = std::make_shared<const AnalyticsGraph>(SnapshotView(*reader, filter, directed));
  }
  const uint64_t bytes = Bytes(*graph);
  if (bytes > options_.max_bytes || options_.max_entries == 0) return graph;
  absl::MutexLock lock(&mu_);
  DropStaleLocked(version, dropped);
  for (const Entry& e : entries_) {
    // Built by a concurrent caller meanwhile, or the topology moved on while this one built.
    if (e.version == version && e.directed == directed && SameFilter(e.filter, filter)) {
      return graph;
    }
    if (Topology::SameObject(e.version, version) && e.version > version) return graph;
  }
  while (!entries_.empty() &&
         (entries_.size() >= options_.max_entries || bytes_ + bytes > options_.max_bytes)) {
    auto lru =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
    bytes_ -= lru->bytes;
    dropped.push_back(std::move(*lru));
    entries_.erase(lru);
  }
  entries_.push_back(Entry{version, filter, directed, graph, bytes, ++tick_});
  bytes_ += bytes;
  return graph;
}

uint64_t SnapshotCache::memory_bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

size_t SnapshotCache::entries() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

uint64_t SnapshotCache::hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}

uint64_t SnapshotCache::misses() const {
  absl::MutexLock lock(&mu_);
  return misses_;
}

}  // namespace innograph
