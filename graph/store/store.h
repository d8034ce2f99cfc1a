#pragma once

// GraphStore: the RocksDB-backed source of truth. Key layouts: key_codec.h; record layouts:
// record_codec.h; overview: docs/storage.md.
//
// Every mutation call (a batch of node upserts, edge upserts or deletes, with all its index
// entries, both edge directions and cascades) is validated completely first and then written as
// one rocksdb::WriteBatch: it is applied whole or not at all. With Options::sync_writes (the
// default) the WAL is fsynced before a call returns, so an acknowledged write survives a crash
// of the process or of the machine.
//
// Thread safety: all methods may be called concurrently. Reads take no lock and see every
// write that returned before they started, and nothing that is not yet durable. Writes are
// validated one at a time in commit order; node upserts of distinct keys are group-committed:
// while one write's batch is being fsynced, the next ones are validated and queued, and the
// next fsync writes all queued batches as one WriteBatch (see docs/storage.md, "Write path").
// Every other write waits for the queue to drain and then runs alone.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graph/model/entity.h"
#include "graph/model/schema.h"

namespace rocksdb {
struct Options;
class ColumnFamilyHandle;
class DB;
class Snapshot;
}  // namespace rocksdb

namespace innograph {

// A node named by internal id or by external key (exactly one is set).
struct NodeRef {
  NodeId id;
  std::string key;
};

// One edge to upsert. Endpoints: edge.from / edge.to when valid, else from_key / to_key.
struct EdgeWrite {
  Edge edge;
  std::string from_key;
  std::string to_key;
};

// What one committed write changed, in the order of the batch. Delivered to the commit
// listener; later the source of the change feed.
struct ChangeSet {
  // The change log's sequence number of this commit (dense, from 1; see ReadChanges).
  uint64_t sequence = 0;
  std::vector<Node> nodes_upserted;             // New state.
  std::vector<bool> nodes_created;              // Parallel: new (true) or updated.
  std::vector<NodeId> nodes_deleted;            // Deleted nodes (edges in edges_deleted).
  std::vector<std::string> nodes_deleted_keys;  // Parallel to nodes_deleted.
  std::vector<Edge> edges_upserted;             // New state.
  std::vector<bool> edges_created;              // Parallel: new (true) or updated.
  std::vector<Edge> edges_deleted;              // State before the delete.
  // A bulk load: the change log records only that it happened (with counts); followers resync.
  bool bulk_load = false;
  uint64_t bulk_nodes = 0;
  uint64_t bulk_edges = 0;
};

struct UpsertResult {
  std::vector<uint64_t> ids;  // One per input, in input order.
  uint32_t created = 0;       // How many were new.
};

// An item a skip_invalid write left out, and why.
struct ItemError {
  size_t index = 0;  // Position in the input.
  absl::Status status;
};

struct BatchResult {
  UpsertResult nodes;  // ids are 0 for items left out.
  UpsertResult edges;
  std::vector<ItemError> node_errors;  // With skip_invalid.
  std::vector<ItemError> edge_errors;
};

struct DeleteResult {
  uint32_t nodes = 0;
  uint32_t edges = 0;
};

struct SearchQuery {
  std::string text;           // Required.
  std::vector<KindId> kinds;  // Empty = all.
  uint32_t offset = 0;
  uint32_t limit = 20;
};

struct SearchResult {
  std::vector<Node> nodes;
  bool more = false;       // More matches after offset + limit.
  bool truncated = false;  // Candidates were capped at kMaxSearchCandidates.
};

enum class EdgeDirection { kOut, kIn };

// What the in-memory topology needs of one edge (GraphStore::ScanTopology).
struct EdgeLink {
  uint64_t id = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  uint32_t type = 0;
  int32_t valid_from = 0;  // Days since 1970-01-01 (INT32_MIN = open).
  int32_t valid_to = 0;    // (INT32_MAX = open).
  double weight = 0;
};

// Receives what GraphStore::ScanTopology would give of the store after a bulk load
// (GraphStore::BulkLoad), from memory: the nodes by increasing id, then the edges by (from,
// type, to, id), then `end`. The calls come from one of the load's threads while its files are
// written, before they are ingested: only when `delivered` is set afterwards was the load
// written (and is what the sink received).
struct TopologySink {
  // When set: called first, with the bound of the node ids (the largest + 1) and the number of
  // edges that follow.
  std::function<void(uint64_t node_slots, uint64_t edges)> begin;
  std::function<void(uint64_t id, uint32_t kind)> node;
  // When set: every edge's validity and weight, by increasing id, after the nodes and before
  // the first `edge` (whose EdgeLink carries them again). A sink that keeps them by id fills
  // its table in order here instead of at random in `edge`.
  std::function<void(uint64_t id, int32_t valid_from, int32_t valid_to, double weight)> edge_attrs;
  std::function<void(const EdgeLink&)> edge;
  std::function<void()> end;
  // Set when the sink feeds the commit listener's own view (Topology::BulkLoadSink): the
  // listener then gets a change set that only marks the load (bulk_load, bulk_nodes,
  // bulk_edges, no items) instead of every node and edge.
  bool feeds_listener = false;
  bool delivered = false;
};

// What GraphStore::Check found.
struct CheckReport {
  uint64_t nodes = 0;
  uint64_t edges = 0;
  uint64_t problem_count = 0;
  std::vector<std::string> problems;  // The first ones, each naming what is wrong.
};

struct StoreCounts {
  uint64_t nodes = 0;
  uint64_t edges = 0;
  std::vector<uint64_t> by_kind;  // Indexed by KindId value.
  std::vector<uint64_t> by_type;  // Indexed by TypeId value.
};

// RocksDB's own figures, for metrics and Stats. Sums over all column families.
struct StoreFigures {
  uint64_t sst_bytes = 0;                 // Live SST files.
  uint64_t memtable_bytes = 0;            // Active and immutable memtables.
  uint64_t live_data_bytes = 0;           // RocksDB's estimate of live data.
  uint64_t compaction_pending_bytes = 0;  // RocksDB's estimate of bytes compaction must rewrite.
  uint64_t block_cache_hits = 0;          // Since the store opened.
  uint64_t block_cache_misses = 0;
  double block_cache_hit_ratio = 0;  // hits / (hits + misses); 0 before any lookup.
};

class BulkLoader;

class GraphStore {
 public:
  struct Options {
    // Fsync the WAL before a write returns. Default: true.
    bool sync_writes = true;
    // Shared block cache size. Default: 256 MiB.
    size_t block_cache_bytes = size_t{256} << 20;
    // The schema of a new store. Default (nullptr): Schema::Default(). An existing store keeps
    // the schema it was created with.
    std::shared_ptr<const Schema> schema;
    // How many changes the change log keeps (older ones are dropped). Default: 1,000,000.
    uint64_t change_retention = 1000000;
    // Tests only: called before each batch is written; a non-OK status is returned instead of
    // writing (to check that a failed write leaves nothing behind).
    std::function<absl::Status()> fail_write_for_testing;
  };

  static constexpr uint32_t kFormatVersion = 1;  // Persisted in meta "format_version".
  static constexpr size_t kMaxBatch = 10000;
  // Ids stay below 2^32 so that the in-memory topology can hold them in 4 bytes.
  static constexpr uint64_t kMaxId = (uint64_t{1} << 32) - 1;
  static constexpr size_t kMaxSearchCandidates = 10000;

  // Opens (creating when missing) the store in `dir`. FAILED_PRECONDITION when another process
  // holds the directory's lock or the format version is newer than this build; other errors
  // name the directory.
  static absl::StatusOr<std::unique_ptr<GraphStore>> Open(const std::string& dir, Options options);
  ~GraphStore();
  GraphStore(const GraphStore&) = delete;
  GraphStore& operator=(const GraphStore&) = delete;

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  const std::string& dir() const { return dir_; }

  // Upserts nodes by key (node.id is ignored). A key given twice: the later entry wins.
  absl::StatusOr<UpsertResult> UpsertNodes(std::vector<Node> nodes);
  // Upserts edges: by edge.id when set, else by edge.key when set, else by
  // (from, type, to, valid.from).
  absl::StatusOr<UpsertResult> UpsertEdges(std::vector<EdgeWrite> edges);
  // Upserts nodes, then edges, in one atomic batch of any size (edges may name the batch's
  // nodes by key). Without skip_invalid the first invalid item fails the call and nothing is
  // written; with it, invalid items are reported in the result and left out, and the valid ones
  // are written. Storage errors always fail the call. With commit = false, everything is
  // validated and reported but nothing is written (a dry run). Used by imports.
  absl::StatusOr<BatchResult> UpsertBatch(std::vector<Node> nodes, std::vector<EdgeWrite> edges,
                                          bool skip_invalid, bool commit = true);
  // The fast path of offline imports: loads nodes and edges into an EMPTY store (no node or
  // edge was ever written: FAILED_PRECONDITION otherwise) by validating everything in memory and
  // writing sorted SST files that RocksDB ingests atomically (all column families at once). The
  // result (ids included) is the one UpsertBatch would produce for the same input. Invalid items
  // are reported; nothing is written when there are more than `max_errors` of them (with
  // max_errors = 0: when there is any). The commit listener receives the load as one change
  // set. Writers wait for the whole load; readers do not.
  // With commit = false everything is validated and reported, nothing written. A `topology`
  // sink, when given, receives the loaded graph (an offline import builds the topology image
  // from it instead of scanning the store; a running server's topology builds its next state,
  // Topology::BulkLoadSink, and the listener is then told of the load only).
  absl::StatusOr<BatchResult> BulkLoad(std::vector<Node> nodes, std::vector<EdgeWrite> edges,
                                       size_t max_errors, bool commit = true,
                                       TopologySink* topology = nullptr);
  // BulkLoad in steps, for an import that reads all its nodes before its edges: the nodes are
  // validated and identified now (node_errors and node ids in the loader's node_result(), by
  // their index in `nodes`), and from then on their files are written in the background while
  // the caller prepares the edges as it reads them (BulkLoader). Same conditions and result as
  // BulkLoad. `max_errors` and `commit` as there: when the nodes alone have more errors, or with
  // commit = false, nothing will be written. Writers wait until the loader is finished or gone.
  absl::StatusOr<std::unique_ptr<BulkLoader>> StartBulkLoad(std::vector<Node> nodes,
                                                            size_t max_errors, bool commit = true);
  // True when no node or edge was ever written (ids start at 1).
  bool pristine() const;
  // Deletes nodes and all their edges.
  absl::StatusOr<DeleteResult> DeleteNodes(const std::vector<NodeRef>& refs, bool allow_missing);
  // Deletes edges by id or key.
  absl::StatusOr<DeleteResult> DeleteEdges(const std::vector<EdgeId>& ids,
                                           const std::vector<std::string>& keys,
                                           bool allow_missing);

  absl::StatusOr<std::optional<Node>> GetNode(NodeId id) const;
  absl::StatusOr<std::optional<NodeId>> FindKey(absl::string_view key) const;
  // Resolves a ref; NOT_FOUND names `field` and the key or id.
  absl::StatusOr<NodeId> Resolve(const NodeRef& ref, absl::string_view field) const;
  absl::StatusOr<std::optional<Edge>> GetEdge(EdgeId id) const;

  absl::StatusOr<SearchResult> Search(const SearchQuery& query) const;

  // Calls fn for the edges of `node` in one direction, in key order (type, other end, edge id),
  // starting after the raw key `start_after` (empty: from the first). fn returns false to stop.
  // The edge passed is complete (id, type, endpoints, record).
  absl::Status ScanEdges(
      NodeId node, EdgeDirection dir, absl::string_view start_after,
      const std::function<bool(const Edge&, absl::string_view raw_key)>& fn) const;

  // Full scans (for loading the topology and for checks), in id / key order.
  absl::Status ForEachNode(const std::function<bool(const Node&)>& fn) const;
  absl::Status ForEachEdge(const std::function<bool(const Edge&)>& fn) const;

  // The topology's load (topology_scan.cc): node_fn(id, kind) for each node in id order, then
  // edge_fn for each edge in out_edges key order (source, type, destination, id), from one
  // snapshot. Decodes keys and only the leading fields of the records (kind; validity and
  // weight), so it is several times faster than ForEachNode + ForEachEdge.
  absl::Status ScanTopology(const std::function<void(uint64_t id, uint32_t kind)>& node_fn,
                            const std::function<void(const EdgeLink&)>& edge_fn) const;

  // Verifies the store: every out_edges entry has its in_edges and edge_ids entries and the
  // reverse, every index entry (keys, names, edge_keys) points at a live node or edge, every
  // node and edge holds under the schema, the counters match. Blocks writes while it runs.
  absl::StatusOr<CheckReport> Check(size_t max_problems = 100) const;

  // Flushes memtables and fsyncs the WAL (after writes made with sync_writes = false).
  absl::Status Sync();

  // Writes a consistent point-in-time copy of the whole store (every column family, meta
  // included) to `dest`, a directory that must not exist yet; a server opened on `dest` sees
  // every write that returned before the call. SST files are hard-linked when `dest` is on the
  // same filesystem (cheap: no data copied), copied otherwise. Safe to call while reads and
  // writes continue. INVALID_ARGUMENT when `dest` exists; other errors name `dest`.
  absl::Status Checkpoint(const std::string& dest) const;

  StoreCounts counts() const;
  uint64_t disk_bytes() const;
  uint64_t last_sequence() const;
  // RocksDB's identity of this database (a UUID kept with the store's files). Empty when it
  // cannot be read.
  std::string db_identity() const;
  // Cheap (property and ticker reads, no I/O).
  StoreFigures Figures() const;

  // The change log: every committed write, in commit order, with a dense sequence number,
  // written in the same batch as the write (so it survives restarts exactly like the data).
  // The oldest entries are dropped past Options::change_retention.
  //
  // Sequence of the last committed change (0 when none).
  uint64_t last_change() const;
  // Oldest retained sequence (last_change() + 1 when the log is empty).
  uint64_t first_change() const;
  // Calls fn for each retained change with sequence > after, in order, at most max of them.
  // FAILED_PRECONDITION when `after` + 1 is older than the oldest retained change.
  absl::Status ReadChanges(uint64_t after, size_t max,
                           const std::function<bool(const ChangeSet&)>& fn) const;
  // Waits until a change with sequence > after is committed, or the timeout passes; returns
  // whether there is one.
  bool WaitForChange(uint64_t after, std::chrono::milliseconds timeout) const;

  // Called after every committed write once it is durable and before the write returns, in
  // commit order and never concurrently. Keep it short. Set before serving.
  void SetCommitListener(std::function<void(const ChangeSet&)> listener);

 private:
  friend class BulkLoader;
  GraphStore() = default;
  struct WriteState;
  struct PendingCommit;
  // What a commit leaves behind: the id counters and counts after it.
  struct CommitPoint {
    uint64_t next_node = 0;
    uint64_t next_edge = 0;
    StoreCounts counts;
  };

  // The store's write lock (write_mu_). Holding it makes a write exclusive: no commit is queued
  // or being written, none starts, and the committed state (ids, counts, change log position)
  // is stable. Node upserts do not take it; they use the group commit queue (stage_mu_).
  class WriteGate {
   public:
    explicit WriteGate(GraphStore* store) : store_(store) {}
    void lock();
    void unlock();

   private:
    GraphStore* store_;
  };

  absl::Status LoadMeta();
  WriteState BeginWrite() const;
  absl::Status StageNodes(WriteState& st, std::vector<Node>& nodes, UpsertResult* result,
                          std::vector<ItemError>* errors);
  absl::Status StageEdges(WriteState& st, std::vector<EdgeWrite>& edges, UpsertResult* result,
                          std::vector<ItemError>* errors);
  // Completes the batch of a staged write and commits it: alone (holding write_mu_) when
  // `group` is null, else through the group commit queue (`group` holds stage_mu_).
  absl::Status FinishWrite(WriteState& st, std::unique_lock<std::mutex>* group = nullptr);
  void PutCounts(void* batch, const StoreCounts& counts) const;
  // Adds the change log entry (the next staged sequence) and its trimming to the batch.
  absl::Status PrepareCommit(void* batch, ChangeSet& changes, uint64_t* first_after);
  // Writes one batch while holding write_mu_ and publishes it.
  absl::Status Commit(void* batch, ChangeSet changes, CommitPoint point);
  // Queues a staged batch and returns once it is durable and published (or failed).
  absl::Status CommitGrouped(std::unique_lock<std::mutex>& lock, void* batch, ChangeSet changes,
                             CommitPoint point, std::vector<std::string> node_keys);
  // The group commit leader: writes every queued batch with one WriteBatch and publishes them
  // in order. Called with stage_mu_ held (released during the write) and leader_active_ set.
  void WriteQueued(std::unique_lock<std::mutex>& lock);
  // Staged state := committed state (stage_mu_ held; nothing queued or in flight).
  void ResetStagedLocked();

  std::string dir_;
  Options options_;
  std::shared_ptr<const Schema> schema_;
  std::unique_ptr<rocksdb::Options> rocks_options_;  // As opened (for SST writers).
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // Indexed by the Cf enum in store.cc.

  // The committed (durable and published) state: the id counters, the counts, and the
  // listener. Changed only by the group commit leader or by a holder of write_mu_ (never both
  // at once); the holder of write_mu_ may read it freely.
  mutable WriteGate write_mu_{this};
  uint64_t next_node_id_ = 1;
  uint64_t next_edge_id_ = 1;
  uint64_t next_change_ = 1;   // Also guarded by change_mu_ for readers.
  uint64_t first_change_ = 1;  // Oldest retained; guarded like next_change_.
  StoreCounts counts_;
  std::function<void(const ChangeSet&)> listener_;

  // The group commit queue and the staged state (as it will be once every queued batch is
  // committed), guarded by stage_mu_. Staging reads RocksDB, so a node upsert is staged while
  // batches are queued only when no queued batch touches one of its keys (pending_keys_).
  mutable std::mutex stage_mu_;
  std::condition_variable stage_cv_;
  std::deque<PendingCommit*> queue_;  // Staged, not yet published; in commit order.
  std::unordered_map<std::string, int> pending_keys_;  // Node keys of queue_ -> how many.
  bool leader_active_ = false;  // A leader is writing or publishing queued batches.
  bool exclusive_ = false;      // write_mu_ is held or being acquired.
  uint64_t staged_node_ = 1;
  uint64_t staged_edge_ = 1;
  uint64_t staged_change_ = 1;
  uint64_t staged_first_ = 1;
  StoreCounts staged_counts_;
  StoreCounts published_counts_;  // counts_ as counts() reports it.

  // Wakes change-log readers; guards reads of next_change_/first_change_ outside write_mu_.
  mutable std::mutex change_mu_;
  mutable std::condition_variable change_cv_;
};

// The steps of a bulk load after GraphStore::StartBulkLoad. Edges are prepared into Blocks,
// one per thread (Prepare is thread-safe as long as each thread has its own block), and the
// blocks appended in input order; an edge's index is its position among the appended edges.
// Destroying the loader before Finish abandons the load: nothing is written.
class BulkLoader {
 public:
  // Edges prepared by one thread, waiting to be appended. A block may be reused after Append
  // but with the same loader only (the rest of its memory then belongs to that loader).
  class Block {
   public:
    Block();
    ~Block();
    Block(Block&&) noexcept;
    Block& operator=(Block&&) noexcept;
    size_t size() const;
    // Room for this many edges. The first block appended to an empty load whose room is at
    // least the load's is taken over whole instead of copied.
    void Reserve(size_t edges);

   private:
    friend class BulkLoader;
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

  ~BulkLoader();
  BulkLoader(const BulkLoader&) = delete;
  BulkLoader& operator=(const BulkLoader&) = delete;

  // The nodes' errors, ids and count created (the edges' part is empty).
  const BatchResult& node_result() const;
  // Hints the cache about the node keys Prepare(edge) looks up.
  void Prefetch(const EdgeWrite& edge) const;
  // Checks one edge as BulkLoad does (type, endpoints among the load's nodes by key, the
  // schema's rules) and adds it to `block`. The error names the edge "(TYPE from -> to): ",
  // then the field and the value; nothing is added then.
  absl::Status Prepare(const EdgeWrite& edge, Block* block) const;
  // Room for this many more edges.
  void Reserve(size_t edges);
  // Appends the block's edges (the block is left empty, ready for reuse).
  void Append(Block& block);
  // Appends the blocks' edges in order, copying two blocks on two threads.
  void Append(std::span<Block> blocks);
  size_t size() const;
  // Finish leaves the result's edges.ids empty (for a caller that has no use for them: 8 bytes
  // an edge less).
  void OmitEdgeIds();
  // Identifies the appended edges and, unless `commit` is false or identifying refuses more
  // than `max_errors` of them, writes everything and ingests it atomically. The result holds
  // the nodes' part and the edges' (ids by appended index; errors, by that index, are edges
  // that would change an existing edge's endpoints or take another edge's key). Call once.
  absl::StatusOr<BatchResult> Finish(size_t max_errors, bool commit = true,
                                     TopologySink* topology = nullptr);

  struct State;

 private:
  friend class GraphStore;
  explicit BulkLoader(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace innograph
