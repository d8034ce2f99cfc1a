#include "graph/store/store.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "graph/model/text.h"
#include "graph/store/key_codec.h"
#include "graph/store/record_codec.h"
#include "graph/store/store_internal.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace innograph {

using namespace store_internal;  // NOLINT: the store's own internals.

absl::StatusOr<std::unique_ptr<GraphStore>> GraphStore::Open(const std::string& dir,
                                                             Options options) {
  std::unique_ptr<GraphStore> store(new GraphStore());
  store->dir_ = dir;
  store->options_ = std::move(options);

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 4;
  // Tickers only (block cache hits and misses for Figures()); no histograms or timers.
  db_options.statistics = rocksdb::CreateDBStatistics();
  db_options.statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(store->options_.block_cache_bytes);
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kLZ4Compression;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) descriptors.emplace_back(name, cf_options);
  store->rocks_options_ = std::make_unique<rocksdb::Options>(db_options, cf_options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &store->cfs_, &raw);
  if (!s.ok()) {
    if (s.IsIOError() &&
        (absl::StrContains(s.ToString(), "LOCK") || absl::StrContains(s.ToString(), "lock"))) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory '", dir,
                       "' is in use by another process (its LOCK is held): ", s.ToString()));
    }
    return FromRocks(s, absl::StrCat("opening data directory '", dir, "'"));
  }
  store->db_.reset(raw);
  RETURN_IF_ERROR(store->LoadMeta());
  {
    std::lock_guard lock(store->stage_mu_);
    store->ResetStagedLocked();
  }
  return store;
}

GraphStore::~GraphStore() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
  db_->Close().PermitUncheckedError();
}

absl::Status GraphStore::LoadMeta() {
  rocksdb::ColumnFamilyHandle* meta = cfs_[kMeta];
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta, kMetaFormat, &value);
  if (s.IsNotFound()) {
    // A new store: record the format version and the schema, in one batch.
    schema_ = options_.schema ? options_.schema : Schema::Default();
    rocksdb::WriteBatch batch;
    batch.Put(meta, kMetaFormat, absl::StrCat(kFormatVersion)).PermitUncheckedError();
    batch.Put(meta, kMetaSchema, schema_->json()).PermitUncheckedError();
    batch.Put(meta, kMetaNextNode, keys::IdValue(1)).PermitUncheckedError();
    batch.Put(meta, kMetaNextEdge, keys::IdValue(1)).PermitUncheckedError();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "initialising the store"));
  } else {
    RETURN_IF_ERROR(FromRocks(s, "reading format_version"));
    uint32_t format = 0;
    if (!absl::SimpleAtoi(value, &format)) {
      return absl::DataLossError(
          absl::StrCat("store '", dir_, "': bad format_version '", value, "'"));
    }
    if (format > kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store '", dir_, "' has on-disk format ", format, "; this build reads up to ",
          kFormatVersion, ": use a newer innograph-server"));
    }
    RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kMetaSchema, &value),
                              "reading the schema"));
    ASSIGN_OR_RETURN(schema_, Schema::FromJson(value));
  }
  for (auto [key, target] :
       {std::pair{kMetaNextNode, &next_node_id_}, std::pair{kMetaNextEdge, &next_edge_id_}}) {
    RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), meta, key, &value), key));
    *target = keys::DecodeIdValue(value);
    if (*target == 0) return absl::DataLossError(absl::StrCat("store: bad ", key));
  }
  if (db_->Get(rocksdb::ReadOptions(), meta, kMetaNextChange, &value).ok()) {
    next_change_ = keys::DecodeIdValue(value);
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kChanges]));
    it->SeekToFirst();
    first_change_ = it->Valid() ? keys::DecodeIdValue(View(it->key())) : next_change_;
  }
  counts_.by_kind.assign(schema_->max_kind_id() + 1, 0);
  counts_.by_type.assign(schema_->max_type_id() + 1, 0);
  auto load_counts = [&](const char* prefix, std::vector<uint64_t>* out, uint64_t* total) {
    for (uint32_t id = 0; id < out->size(); ++id) {
      rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), meta, CountKey(prefix, id), &value);
      if (st.ok()) (*out)[id] = keys::DecodeIdValue(value);
      *total += (*out)[id];
    }
  };
  load_counts(kMetaKindCount, &counts_.by_kind, &counts_.nodes);
  load_counts(kMetaTypeCount, &counts_.by_type, &counts_.edges);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Commits

void GraphStore::WriteGate::lock() {
  GraphStore& s = *store_;
  std::unique_lock lock(s.stage_mu_);
  s.stage_cv_.wait(lock, [&] { return !s.exclusive_; });
  // From here no write is staged; the queued ones are written by their leaders.
  s.exclusive_ = true;
  s.stage_cv_.wait(lock, [&] { return s.queue_.empty() && !s.leader_active_; });
}

void GraphStore::WriteGate::unlock() {
  GraphStore& s = *store_;
  {
    std::lock_guard lock(s.stage_mu_);
    // The holder may have committed (or bulk loaded): the staged state starts from it.
    s.ResetStagedLocked();
    s.exclusive_ = false;
  }
  s.stage_cv_.notify_all();
}

void GraphStore::ResetStagedLocked() {
  staged_node_ = next_node_id_;
  staged_edge_ = next_edge_id_;
  staged_change_ = next_change_;
  staged_first_ = first_change_;
  staged_counts_ = counts_;
  published_counts_ = counts_;
}

// One write queued for the group commit; lives in the writer's frame until `done`.
struct GraphStore::PendingCommit {
  rocksdb::WriteBatch* batch = nullptr;
  ChangeSet changes;
  CommitPoint point;
  uint64_t first_change = 0;  // The change log's first retained sequence after it.
  std::vector<std::string> node_keys;
  bool done = false;
  absl::Status status;
};

absl::Status GraphStore::PrepareCommit(void* batch_ptr, ChangeSet& changes, uint64_t* first_after) {
  auto* batch = static_cast<rocksdb::WriteBatch*>(batch_ptr);
  if (options_.fail_write_for_testing) RETURN_IF_ERROR(options_.fail_write_for_testing());
  // The change log entry goes in the same batch as the change.
  changes.sequence = staged_change_;
  batch->Put(cfs_[kChanges], keys::IdValue(changes.sequence), records::EncodeChangeSet(changes))
      .PermitUncheckedError();
  batch->Put(cfs_[kMeta], kMetaNextChange, keys::IdValue(changes.sequence + 1))
      .PermitUncheckedError();
  uint64_t first = staged_first_;
  if (changes.sequence + 1 - first > options_.change_retention + 1024) {
    // Trim in steps of 1024 so that most commits carry no range delete.
    const uint64_t new_first = changes.sequence + 1 - options_.change_retention;
    batch->DeleteRange(cfs_[kChanges], keys::IdValue(first), keys::IdValue(new_first))
        .PermitUncheckedError();
    first = new_first;
  }
  *first_after = first;
  return absl::OkStatus();
}

absl::Status GraphStore::Commit(void* batch_ptr, ChangeSet changes, CommitPoint point) {
  auto* batch = static_cast<rocksdb::WriteBatch*>(batch_ptr);
  uint64_t first = 0;
  RETURN_IF_ERROR(PrepareCommit(batch, changes, &first));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  RETURN_IF_ERROR(FromRocks(db_->Write(wo, batch), "writing the batch"));
  {
    std::lock_guard lock(stage_mu_);
    next_node_id_ = point.next_node;
    next_edge_id_ = point.next_edge;
    counts_ = std::move(point.counts);
    staged_node_ = next_node_id_;
    staged_edge_ = next_edge_id_;
    staged_counts_ = counts_;
    staged_change_ = changes.sequence + 1;
    staged_first_ = first;
    published_counts_ = counts_;
  }
  {
    std::lock_guard lock(change_mu_);
    next_change_ = changes.sequence + 1;
    first_change_ = first;
  }
  change_cv_.notify_all();
  if (listener_) listener_(changes);
  return absl::OkStatus();
}

absl::Status GraphStore::CommitGrouped(std::unique_lock<std::mutex>& lock, void* batch_ptr,
                                       ChangeSet changes, CommitPoint point,
                                       std::vector<std::string> node_keys) {
  PendingCommit p;
  p.batch = static_cast<rocksdb::WriteBatch*>(batch_ptr);
  RETURN_IF_ERROR(PrepareCommit(p.batch, changes, &p.first_change));
  p.changes = std::move(changes);
  staged_node_ = point.next_node;
  staged_edge_ = point.next_edge;
  staged_counts_ = point.counts;
  staged_change_ = p.changes.sequence + 1;
  staged_first_ = p.first_change;
  p.point = std::move(point);
  for (const std::string& key : node_keys) ++pending_keys_[key];
  p.node_keys = std::move(node_keys);
  queue_.push_back(&p);
  while (!p.done) {
    if (leader_active_) {
      stage_cv_.wait(lock);
      continue;
    }
    leader_active_ = true;
    WriteQueued(lock);
    leader_active_ = false;
    stage_cv_.notify_all();
  }
  return p.status;
}

namespace {

// Appends the operations of one batch to another (the group commit's merged batch).
class BatchAppender : public rocksdb::WriteBatch::Handler {
 public:
  BatchAppender(rocksdb::WriteBatch* out, const std::vector<rocksdb::ColumnFamilyHandle*>& cfs)
      : out_(out), cfs_(cfs) {}

  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    rocksdb::ColumnFamilyHandle* h = Handle(cf);
    return h ? out_->Put(h, key, value) : Unknown(cf);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    rocksdb::ColumnFamilyHandle* h = Handle(cf);
    return h ? out_->Delete(h, key) : Unknown(cf);
  }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& begin,
                                const rocksdb::Slice& end) override {
    rocksdb::ColumnFamilyHandle* h = Handle(cf);
    return h ? out_->DeleteRange(h, begin, end) : Unknown(cf);
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(uint32_t id) const {
    for (rocksdb::ColumnFamilyHandle* h : cfs_) {
      if (h->GetID() == id) return h;
    }
    return nullptr;
  }
  static rocksdb::Status Unknown(uint32_t id) {
    return rocksdb::Status::Corruption("group commit: unknown column family id " +
                                       std::to_string(id));
  }

  rocksdb::WriteBatch* out_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& cfs_;
};

}  // namespace

void GraphStore::WriteQueued(std::unique_lock<std::mutex>& lock) {
  // Every queued batch was staged on the committed state plus the batches before it.
  std::vector<PendingCommit*> group(queue_.begin(), queue_.end());
  if (group.empty()) return;
  absl::Status status;
  if (group.front()->changes.sequence != next_change_) {
    status = absl::InternalError(
        absl::StrCat("group commit: queued change ", group.front()->changes.sequence,
                     " does not follow the committed change ", next_change_ - 1));
  }
  lock.unlock();
  if (status.ok()) {
    rocksdb::WriteBatch merged;
    rocksdb::WriteBatch* batch = group.front()->batch;
    if (group.size() > 1) {
      BatchAppender append(&merged, cfs_);
      for (PendingCommit* p : group) {
        status = FromRocks(p->batch->Iterate(&append), "merging queued batches");
        if (!status.ok()) break;
      }
      batch = &merged;
    }
    if (status.ok()) {
      rocksdb::WriteOptions wo;
      wo.sync = options_.sync_writes;
      status = FromRocks(db_->Write(wo, batch), "writing the batch");
    }
  }
  if (status.ok()) {
    // Durable: publish in commit order, then acknowledge.
    for (PendingCommit* p : group) {
      {
        std::lock_guard change_lock(change_mu_);
        next_change_ = p->changes.sequence + 1;
        first_change_ = p->first_change;
      }
      change_cv_.notify_all();
      if (listener_) listener_(p->changes);
    }
  }
  lock.lock();
  if (status.ok()) {
    const PendingCommit& last = *group.back();
    next_node_id_ = last.point.next_node;
    next_edge_id_ = last.point.next_edge;
    counts_ = last.point.counts;
    published_counts_ = counts_;
    for (PendingCommit* p : group) {
      for (const std::string& key : p->node_keys) {
        if (--pending_keys_[key] == 0) pending_keys_.erase(key);
      }
      p->done = true;
      queue_.pop_front();
    }
  } else {
    // Nothing of the group was written, and the batches queued since were staged on it: all
    // of them fail, and staging restarts from the committed state.
    for (PendingCommit* p : queue_) {
      p->status = status;
      p->done = true;
    }
    queue_.clear();
    pending_keys_.clear();
    ResetStagedLocked();
  }
}

uint64_t GraphStore::last_change() const {
  std::lock_guard lock(change_mu_);
  return next_change_ - 1;
}

uint64_t GraphStore::first_change() const {
  std::lock_guard lock(change_mu_);
  return first_change_;
}

bool GraphStore::WaitForChange(uint64_t after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(change_mu_);
  return change_cv_.wait_for(lock, timeout, [&] { return next_change_ - 1 > after; });
}

absl::Status GraphStore::ReadChanges(uint64_t after, size_t max,
                                     const std::function<bool(const ChangeSet&)>& fn) const {
  const uint64_t first = first_change();
  if (after + 1 < first) {
    return absl::FailedPreconditionError(
        absl::StrCat("start_after: change ", after + 1, " is no longer retained (the oldest is ",
                     first, "): resync from a fresh read, then watch from last_change"));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kChanges]));
  size_t n = 0;
  for (it->Seek(keys::IdValue(after + 1)); it->Valid() && n < max; it->Next(), ++n) {
    ChangeSet c;
    RETURN_IF_ERROR(records::DecodeChangeSet(View(it->value()), &c));
    c.sequence = keys::DecodeIdValue(View(it->key()));
    if (!fn(c)) break;
  }
  return FromRocks(it->status(), "reading the change log");
}

void GraphStore::SetCommitListener(std::function<void(const ChangeSet&)> listener) {
  std::lock_guard lock(write_mu_);
  listener_ = std::move(listener);
}

// ---------------------------------------------------------------------------------------------
// Writes

// Everything one write call stages before it commits: the batch, the change set, the id
// counters and counts as they will be after the commit, and what the batch already holds (so
// that edges may name nodes of the same batch and a later entry updates an earlier one).
struct GraphStore::WriteState {
  rocksdb::WriteBatch batch;
  ChangeSet changes;
  uint64_t next_node = 0;
  uint64_t next_edge = 0;
  StoreCounts counts;
  absl::flat_hash_map<std::string, NodeId> node_by_key;  // Keys of this batch's nodes, resolved.
  absl::flat_hash_map<uint64_t, KindId> kind_of;         // Node id -> kind (cache).
  // Edges of this batch: final state, stored state before (when it existed), and lookups.
  std::vector<Edge> out;
  std::vector<std::optional<Edge>> old;
  absl::flat_hash_map<std::string, size_t> by_identity;
  absl::flat_hash_map<std::string, size_t> by_key;
  absl::flat_hash_map<uint64_t, size_t> by_id;
};

GraphStore::WriteState GraphStore::BeginWrite() const {
  WriteState st;
  st.next_node = staged_node_;
  st.next_edge = staged_edge_;
  st.counts = staged_counts_;
  return st;
}

absl::Status GraphStore::StageNodes(WriteState& st, std::vector<Node>& nodes, UpsertResult* result,
                                    std::vector<ItemError>* errors) {
  // With `errors`, an invalid item is reported there and left out; without, it fails the call.
  auto reject = [&](size_t i, absl::Status s) -> absl::Status {
    s = Prefixed(s, NodeLabel(i, nodes[i]));
    if (!errors) return s;
    errors->push_back({i, std::move(s)});
    return absl::OkStatus();
  };
  std::vector<bool> valid(nodes.size(), true);
  for (size_t i = 0; i < nodes.size(); ++i) {
    absl::Status s = schema_->ValidateNode(nodes[i]);
    if (!s.ok()) {
      valid[i] = false;
      RETURN_IF_ERROR(reject(i, s));
    }
  }
  // The last valid occurrence of each key wins.
  absl::flat_hash_map<std::string, size_t> last;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (valid[i]) last[nodes[i].key] = i;
  }
  absl::flat_hash_map<std::string, NodeId> assigned;
  absl::flat_hash_set<std::string> created;  // Keys that are new in the store.
  std::string value;
  for (size_t i = 0; i < nodes.size(); ++i) {
    Node& node = nodes[i];
    if (!valid[i] || last[node.key] != i) continue;
    std::vector<std::string> old_tokens;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kKeys], node.key, &value);
    if (s.ok()) {
      node.id = NodeId(keys::DecodeIdValue(value));
      RETURN_IF_ERROR(
          FromRocks(db_->Get(rocksdb::ReadOptions(), cfs_[kNodes], keys::NodeKey(node.id), &value),
                    absl::StrCat("reading node ", node.id.value)));
      Node old;
      RETURN_IF_ERROR(records::DecodeNode(value, &old));
      if (old.kind != node.kind) {
        RETURN_IF_ERROR(
            reject(i, absl::FailedPreconditionError(absl::StrCat(
                          "kind: the node exists with kind '", schema_->Kind(old.kind)->name,
                          "'; a kind cannot change (got '", schema_->Kind(node.kind)->name,
                          "'): delete the node first"))));
        continue;
      }
      old_tokens = NodeTokens(old);
    } else if (s.IsNotFound()) {
      if (st.next_node > kMaxId) {
        return absl::ResourceExhaustedError("nodes: the store has used all 2^32 node ids");
      }
      node.id = NodeId(st.next_node++);
      created.insert(node.key);
      st.batch.Put(cfs_[kKeys], node.key, keys::IdValue(node.id.value)).PermitUncheckedError();
      ++st.counts.by_kind[node.kind.value];
      ++st.counts.nodes;
      ++result->created;
    } else {
      return FromRocks(s, "reading keys");
    }
    std::vector<std::string> new_tokens = NodeTokens(node);
    for (const std::string& t : old_tokens) {
      if (!std::binary_search(new_tokens.begin(), new_tokens.end(), t)) {
        st.batch.Delete(cfs_[kNames], keys::NameKey(t, node.id)).PermitUncheckedError();
      }
    }
    for (const std::string& t : new_tokens) {
      if (!std::binary_search(old_tokens.begin(), old_tokens.end(), t)) {
        st.batch.Put(cfs_[kNames], keys::NameKey(t, node.id), "").PermitUncheckedError();
      }
    }
    st.batch.Put(cfs_[kNodes], keys::NodeKey(node.id), records::EncodeNode(node))
        .PermitUncheckedError();
    assigned[node.key] = node.id;
    st.node_by_key[node.key] = node.id;
    st.kind_of[node.id.value] = node.kind;
  }
  for (const Node& node : nodes) {
    auto it = assigned.find(node.key);
    result->ids.push_back(it == assigned.end() ? 0 : it->second.value);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (valid[i] && last[nodes[i].key] == i && assigned.contains(nodes[i].key)) {
      st.changes.nodes_created.push_back(created.contains(nodes[i].key));
      st.changes.nodes_upserted.push_back(std::move(nodes[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status GraphStore::StageEdges(WriteState& st, std::vector<EdgeWrite>& writes,
                                    UpsertResult* result, std::vector<ItemError>* errors) {
  rocksdb::ReadOptions ro;
  std::string value;
  auto node_kind = [&](NodeId id, absl::string_view field) -> absl::StatusOr<KindId> {
    if (auto it = st.kind_of.find(id.value); it != st.kind_of.end()) return it->second;
    rocksdb::Status s = db_->Get(ro, cfs_[kNodes], keys::NodeKey(id), &value);
    if (s.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat(field, ": no node with id ", id.value));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading a node"));
    Node n;
    RETURN_IF_ERROR(records::DecodeNode(value, &n));
    st.kind_of[id.value] = n.kind;
    return n.kind;
  };
  auto resolve = [&](NodeId id, const std::string& key,
                     absl::string_view field) -> absl::StatusOr<NodeId> {
    if (id.valid() == !key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "_key/", field, "_id: exactly one must be set"));
    }
    if (id.valid()) return id;
    if (auto it = st.node_by_key.find(key); it != st.node_by_key.end()) return it->second;
    rocksdb::Status s = db_->Get(ro, cfs_[kKeys], key, &value);
    if (s.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat(field, "_key: no node with key '", key, "'"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading keys"));
    NodeId found(keys::DecodeIdValue(value));
    st.node_by_key.emplace(key, found);  // Edges of a batch often share endpoints.
    return found;
  };
  // One iterator for every identity lookup of the batch (creating one per edge is costly).
  std::unique_ptr<rocksdb::Iterator> out_it(db_->NewIterator(ro, cfs_[kOutEdges]));

  std::vector<size_t> slot_of(writes.size(), SIZE_MAX);
  for (size_t i = 0; i < writes.size(); ++i) {
    EdgeWrite& w = writes[i];
    Edge& e = w.edge;
    const EdgeTypeSpec* type = schema_->Type(e.type);
    std::string label =
        absl::StrCat("edges[", i, "] (", type ? type->name : "?", " ",
                     e.from.valid() ? absl::StrCat(e.from.value) : w.from_key, " -> ",
                     e.to.valid() ? absl::StrCat(e.to.value) : w.to_key, "): ");
    // Storage failures always fail the call; item errors are reported or fail it.
    bool skipped = false;
    auto item = [&](const absl::Status& s) -> absl::Status {
      if (s.ok()) return s;
      absl::Status p = Prefixed(s, label);
      if (!errors || absl::IsInternal(s) || absl::IsDataLoss(s)) return p;
      errors->push_back({i, std::move(p)});
      skipped = true;
      return absl::OkStatus();
    };
    if (!type) {
      RETURN_IF_ERROR(
          item(absl::InvalidArgumentError(absl::StrCat("type: unknown type id ", e.type.value))));
      continue;
    }

    // The stored (or staged) edge this write updates, if any.
    std::optional<Edge> existing;
    std::optional<size_t> pending;
    auto load_existing = [&](EdgeId id) -> absl::Status {
      if (auto it = st.by_id.find(id.value); it != st.by_id.end()) {
        pending = it->second;
        return absl::OkStatus();
      }
      rocksdb::Status s = db_->Get(ro, cfs_[kEdgeIds], keys::EdgeIdKey(id), &value);
      if (s.IsNotFound()) {
        return absl::NotFoundError(absl::StrCat("id: no edge with id ", id.value));
      }
      RETURN_IF_ERROR(FromRocks(s, "reading edge_ids"));
      Edge x;
      x.id = id;
      keys::DecodeEdgeIdValue(value, &x.from, &x.type, &x.to);
      RETURN_IF_ERROR(
          FromRocks(db_->Get(ro, cfs_[kOutEdges], keys::EdgeKey(x.from, x.type, x.to, id), &value),
                    "reading out_edges"));
      RETURN_IF_ERROR(records::DecodeEdge(value, &x));
      existing = std::move(x);
      return absl::OkStatus();
    };

    if (e.id.valid()) {
      RETURN_IF_ERROR(item(load_existing(e.id)));
      if (skipped) continue;
      const Edge& cur = pending ? st.out[*pending] : *existing;
      if (!e.from.valid() && w.from_key.empty()) e.from = cur.from;
      if (!e.to.valid() && w.to_key.empty()) e.to = cur.to;
    }
    auto from = resolve(e.from, w.from_key, "from");
    if (!from.ok()) RETURN_IF_ERROR(item(from.status()));
    if (skipped) continue;
    auto to = resolve(e.to, w.to_key, "to");
    if (!to.ok()) RETURN_IF_ERROR(item(to.status()));
    if (skipped) continue;
    e.from = *from;
    e.to = *to;
    auto from_kind = node_kind(e.from, "from_id");
    if (!from_kind.ok()) RETURN_IF_ERROR(item(from_kind.status()));
    if (skipped) continue;
    auto to_kind = node_kind(e.to, "to_id");
    if (!to_kind.ok()) RETURN_IF_ERROR(item(to_kind.status()));
    if (skipped) continue;
    RETURN_IF_ERROR(item(schema_->ValidateEdge(e, *from_kind, *to_kind)));
    if (skipped) continue;

    std::string identity = keys::EdgePrefix(e.from, e.type, e.to);
    keys::PutFixed32BE(&identity, static_cast<uint32_t>(e.valid.from.days));
    if (!e.id.valid()) {
      if (!e.key.empty()) {
        if (auto it = st.by_key.find(e.key); it != st.by_key.end()) {
          pending = it->second;
        } else {
          rocksdb::Status s = db_->Get(ro, cfs_[kEdgeKeys], e.key, &value);
          if (s.ok()) {
            RETURN_IF_ERROR(item(load_existing(EdgeId(keys::DecodeIdValue(value)))));
            if (skipped) continue;
          } else if (!s.IsNotFound()) {
            return FromRocks(s, "reading edge_keys");
          }
        }
      }
      if (!pending && !existing) {
        if (auto pi = st.by_identity.find(identity); pi != st.by_identity.end()) {
          pending = pi->second;
        } else {
          // Natural identity: same endpoints, type and start date.
          std::string prefix = keys::EdgePrefix(e.from, e.type, e.to);
          rocksdb::Iterator* it = out_it.get();
          for (it->Seek(prefix); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
            Edge x;
            RETURN_IF_ERROR(records::DecodeEdge(View(it->value()), &x));
            if (x.valid.from == e.valid.from &&
                (e.key.empty() || x.key.empty() || x.key == e.key)) {
              keys::EdgeKeyParts parts = keys::DecodeEdgeKey(View(it->key()));
              x.id = parts.edge;
              x.type = parts.type;
              x.from = parts.self;
              x.to = parts.other;
              existing = std::move(x);
              break;
            }
          }
          RETURN_IF_ERROR(FromRocks(it->status(), "scanning out_edges"));
        }
      }
    }
    const Edge* cur = pending ? &st.out[*pending] : existing ? &*existing : nullptr;
    if (cur && (cur->type != e.type || cur->from != e.from || cur->to != e.to)) {
      RETURN_IF_ERROR(item(absl::FailedPreconditionError(
          absl::StrCat("edge ", cur->id.value,
                       " exists with another type or endpoints; an edge's type and "
                       "endpoints cannot change: delete it and add a new one"))));
      continue;
    }
    if (cur) e.id = cur->id;
    if (!e.key.empty() && (!cur || cur->key != e.key)) {
      // A new key must not belong to another edge.
      uint64_t owner = 0;
      if (auto pk = st.by_key.find(e.key); pk != st.by_key.end()) {
        owner = st.out[pk->second].id.value;
      } else if (db_->Get(ro, cfs_[kEdgeKeys], e.key, &value).ok()) {
        owner = keys::DecodeIdValue(value);
      }
      if (owner != 0 && owner != e.id.value) {
        RETURN_IF_ERROR(item(absl::FailedPreconditionError(
            absl::StrCat("key: '", e.key, "' already names edge ", owner))));
        continue;
      }
    }
    if (pending) {
      st.out[*pending] = e;
      slot_of[i] = *pending;
    } else {
      if (!e.id.valid()) {
        if (st.next_edge > kMaxId) {
          return absl::ResourceExhaustedError("edges: the store has used all 2^32 edge ids");
        }
        e.id = EdgeId(st.next_edge++);
      }
      slot_of[i] = st.out.size();
      st.out.push_back(e);
      st.old.push_back(existing);
    }
    st.by_id[e.id.value] = slot_of[i];
    st.by_identity[identity] = slot_of[i];
    if (!e.key.empty()) st.by_key[e.key] = slot_of[i];
  }
  for (size_t i = 0; i < writes.size(); ++i) {
    result->ids.push_back(slot_of[i] == SIZE_MAX ? 0 : st.out[slot_of[i]].id.value);
  }
  for (const std::optional<Edge>& o : st.old) result->created += o ? 0 : 1;
  return absl::OkStatus();
}

absl::Status GraphStore::FinishWrite(WriteState& st, std::unique_lock<std::mutex>* group) {
  for (size_t j = 0; j < st.out.size(); ++j) {
    const Edge& e = st.out[j];
    const std::optional<Edge>& old = st.old[j];
    if (!old) {
      ++st.counts.by_type[e.type.value];
      ++st.counts.edges;
      st.batch.Put(cfs_[kInEdges], keys::EdgeKey(e.to, e.type, e.from, e.id), "")
          .PermitUncheckedError();
      st.batch.Put(cfs_[kEdgeIds], keys::EdgeIdKey(e.id), keys::EdgeIdValue(e.from, e.type, e.to))
          .PermitUncheckedError();
    } else if (!old->key.empty() && old->key != e.key) {
      st.batch.Delete(cfs_[kEdgeKeys], old->key).PermitUncheckedError();
    }
    if (!e.key.empty()) {
      st.batch.Put(cfs_[kEdgeKeys], e.key, keys::IdValue(e.id.value)).PermitUncheckedError();
    }
    st.batch.Put(cfs_[kOutEdges], keys::EdgeKey(e.from, e.type, e.to, e.id), records::EncodeEdge(e))
        .PermitUncheckedError();
    st.changes.edges_upserted.push_back(e);
    st.changes.edges_created.push_back(!old);
  }
  if (st.next_node != staged_node_) {
    st.batch.Put(cfs_[kMeta], kMetaNextNode, keys::IdValue(st.next_node)).PermitUncheckedError();
  }
  if (st.next_edge != staged_edge_) {
    st.batch.Put(cfs_[kMeta], kMetaNextEdge, keys::IdValue(st.next_edge)).PermitUncheckedError();
  }
  PutCounts(&st.batch, st.counts);
  if (st.batch.Count() == 0) return absl::OkStatus();
  CommitPoint point{st.next_node, st.next_edge, std::move(st.counts)};
  if (!group) return Commit(&st.batch, std::move(st.changes), std::move(point));
  std::vector<std::string> node_keys;
  node_keys.reserve(st.node_by_key.size());
  for (const auto& [key, id] : st.node_by_key) node_keys.push_back(key);
  return CommitGrouped(*group, &st.batch, std::move(st.changes), std::move(point),
                       std::move(node_keys));
}

void GraphStore::PutCounts(void* batch_ptr, const StoreCounts& counts) const {
  auto* batch = static_cast<rocksdb::WriteBatch*>(batch_ptr);
  for (uint32_t k = 0; k < counts.by_kind.size(); ++k) {
    if (counts.by_kind[k] != staged_counts_.by_kind[k]) {
      batch->Put(cfs_[kMeta], CountKey(kMetaKindCount, k), keys::IdValue(counts.by_kind[k]))
          .PermitUncheckedError();
    }
  }
  for (uint32_t t = 0; t < counts.by_type.size(); ++t) {
    if (counts.by_type[t] != staged_counts_.by_type[t]) {
      batch->Put(cfs_[kMeta], CountKey(kMetaTypeCount, t), keys::IdValue(counts.by_type[t]))
          .PermitUncheckedError();
    }
  }
}

absl::StatusOr<UpsertResult> GraphStore::UpsertNodes(std::vector<Node> nodes) {
  if (nodes.empty()) return absl::InvalidArgumentError("nodes: empty batch");
  if (nodes.size() > kMaxBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat("nodes: ", nodes.size(), " in one batch, at most ", kMaxBatch));
  }
  // Group commit: staged while other node upserts are queued or being written, unless one of
  // them touches one of these keys (staging reads the keys' stored state).
  std::unique_lock lock(stage_mu_);
  stage_cv_.wait(lock, [&] {
    if (exclusive_) return false;
    if (pending_keys_.empty()) return true;
    return std::none_of(nodes.begin(), nodes.end(),
                        [&](const Node& n) { return pending_keys_.contains(n.key); });
  });
  WriteState st = BeginWrite();
  UpsertResult result;
  RETURN_IF_ERROR(StageNodes(st, nodes, &result, nullptr));
  RETURN_IF_ERROR(FinishWrite(st, &lock));
  return result;
}

absl::StatusOr<UpsertResult> GraphStore::UpsertEdges(std::vector<EdgeWrite> writes) {
  if (writes.empty()) return absl::InvalidArgumentError("edges: empty batch");
  if (writes.size() > kMaxBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat("edges: ", writes.size(), " in one batch, at most ", kMaxBatch));
  }
  std::lock_guard lock(write_mu_);
  WriteState st = BeginWrite();
  UpsertResult result;
  RETURN_IF_ERROR(StageEdges(st, writes, &result, nullptr));
  RETURN_IF_ERROR(FinishWrite(st));
  return result;
}

absl::StatusOr<BatchResult> GraphStore::UpsertBatch(std::vector<Node> nodes,
                                                    std::vector<EdgeWrite> edges, bool skip_invalid,
                                                    bool commit) {
  std::lock_guard lock(write_mu_);
  WriteState st = BeginWrite();
  BatchResult result;
  RETURN_IF_ERROR(
      StageNodes(st, nodes, &result.nodes, skip_invalid ? &result.node_errors : nullptr));
  RETURN_IF_ERROR(
      StageEdges(st, edges, &result.edges, skip_invalid ? &result.edge_errors : nullptr));
  if (commit) RETURN_IF_ERROR(FinishWrite(st));
  return result;
}

namespace {

// Collects the deletes of a set of edges into a batch, once each.
struct EdgeDeleter {
  rocksdb::WriteBatch* batch;
  const std::vector<rocksdb::ColumnFamilyHandle*>& cfs;
  absl::flat_hash_set<uint64_t> seen;
  std::vector<Edge> deleted;

  void Add(Edge e) {
    if (!seen.insert(e.id.value).second) return;
    batch->Delete(cfs[kOutEdges], keys::EdgeKey(e.from, e.type, e.to, e.id)).PermitUncheckedError();
    batch->Delete(cfs[kInEdges], keys::EdgeKey(e.to, e.type, e.from, e.id)).PermitUncheckedError();
    batch->Delete(cfs[kEdgeIds], keys::EdgeIdKey(e.id)).PermitUncheckedError();
    if (!e.key.empty()) batch->Delete(cfs[kEdgeKeys], e.key).PermitUncheckedError();
    deleted.push_back(std::move(e));
  }
};

}  // namespace

absl::StatusOr<DeleteResult> GraphStore::DeleteNodes(const std::vector<NodeRef>& refs,
                                                     bool allow_missing) {
  if (refs.empty()) return absl::InvalidArgumentError("nodes: empty batch");
  if (refs.size() > kMaxBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat("nodes: ", refs.size(), " in one batch, at most ", kMaxBatch));
  }
  std::lock_guard lock(write_mu_);
  StoreCounts counts = staged_counts_;
  rocksdb::WriteBatch batch;
  EdgeDeleter edges{&batch, cfs_, {}, {}};
  ChangeSet changes;
  absl::flat_hash_set<uint64_t> done;
  std::string value;
  rocksdb::ReadOptions ro;
  for (size_t i = 0; i < refs.size(); ++i) {
    std::string field = absl::StrCat("nodes[", i, "]");
    auto id = Resolve(refs[i], field);
    if (!id.ok()) {
      if (allow_missing && absl::IsNotFound(id.status())) continue;
      return id.status();
    }
    if (!done.insert(id->value).second) continue;
    rocksdb::Status s = db_->Get(ro, cfs_[kNodes], keys::NodeKey(*id), &value);
    if (s.IsNotFound()) {
      if (allow_missing) continue;
      return absl::NotFoundError(absl::StrCat(field, ": no node with id ", id->value));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading a node"));
    Node node;
    RETURN_IF_ERROR(records::DecodeNode(value, &node));
    node.id = *id;
    for (const std::string& t : NodeTokens(node)) {
      batch.Delete(cfs_[kNames], keys::NameKey(t, node.id)).PermitUncheckedError();
    }
    batch.Delete(cfs_[kKeys], node.key).PermitUncheckedError();
    batch.Delete(cfs_[kNodes], keys::NodeKey(node.id)).PermitUncheckedError();
    --counts.by_kind[node.kind.value];
    --counts.nodes;
    changes.nodes_deleted.push_back(node.id);
    changes.nodes_deleted_keys.push_back(node.key);
    for (EdgeDirection dir : {EdgeDirection::kOut, EdgeDirection::kIn}) {
      RETURN_IF_ERROR(ScanEdges(node.id, dir, "", [&](const Edge& e, absl::string_view) {
        edges.Add(e);
        return true;
      }));
    }
  }
  for (const Edge& e : edges.deleted) {
    --counts.by_type[e.type.value];
    --counts.edges;
  }
  PutCounts(&batch, counts);
  DeleteResult result{static_cast<uint32_t>(changes.nodes_deleted.size()),
                      static_cast<uint32_t>(edges.deleted.size())};
  changes.edges_deleted = std::move(edges.deleted);
  if (result.nodes == 0) return result;
  RETURN_IF_ERROR(Commit(&batch, std::move(changes),
                         CommitPoint{staged_node_, staged_edge_, std::move(counts)}));
  return result;
}

absl::StatusOr<DeleteResult> GraphStore::DeleteEdges(const std::vector<EdgeId>& ids,
                                                     const std::vector<std::string>& edge_keys,
                                                     bool allow_missing) {
  if (ids.empty() && edge_keys.empty()) return absl::InvalidArgumentError("ids: empty batch");
  if (ids.size() + edge_keys.size() > kMaxBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ids: ", ids.size() + edge_keys.size(), " in one batch, at most ", kMaxBatch));
  }
  std::lock_guard lock(write_mu_);
  StoreCounts counts = staged_counts_;
  rocksdb::WriteBatch batch;
  EdgeDeleter edges{&batch, cfs_, {}, {}};
  std::string value;
  rocksdb::ReadOptions ro;
  std::vector<std::pair<EdgeId, std::string>> targets;
  for (EdgeId id : ids) targets.emplace_back(id, absl::StrCat("ids: no edge with id ", id.value));
  for (const std::string& key : edge_keys) {
    rocksdb::Status s = db_->Get(ro, cfs_[kEdgeKeys], key, &value);
    if (s.IsNotFound()) {
      if (allow_missing) continue;
      return absl::NotFoundError(absl::StrCat("keys: no edge with key '", key, "'"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading edge_keys"));
    targets.emplace_back(EdgeId(keys::DecodeIdValue(value)), "");
  }
  for (const auto& [id, missing_message] : targets) {
    auto edge = GetEdge(id);
    if (!edge.ok()) return edge.status();
    if (!*edge) {
      if (allow_missing) continue;
      return absl::NotFoundError(missing_message);
    }
    edges.Add(**edge);
  }
  for (const Edge& e : edges.deleted) {
    --counts.by_type[e.type.value];
    --counts.edges;
  }
  PutCounts(&batch, counts);
  DeleteResult result{0, static_cast<uint32_t>(edges.deleted.size())};
  if (result.edges == 0) return result;
  ChangeSet changes;
  changes.edges_deleted = std::move(edges.deleted);
  RETURN_IF_ERROR(Commit(&batch, std::move(changes),
                         CommitPoint{staged_node_, staged_edge_, std::move(counts)}));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reads

absl::StatusOr<std::optional<Node>> GraphStore::GetNode(NodeId id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kNodes], keys::NodeKey(id), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "reading a node"));
  Node node;
  RETURN_IF_ERROR(records::DecodeNode(value, &node));
  node.id = id;
  return node;
}

absl::StatusOr<std::optional<NodeId>> GraphStore::FindKey(absl::string_view key) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cfs_[kKeys], rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "reading keys"));
  return NodeId(keys::DecodeIdValue(value));
}

absl::StatusOr<NodeId> GraphStore::Resolve(const NodeRef& ref, absl::string_view field) const {
  if (ref.id.valid() == !ref.key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": set exactly one of key and id"));
  }
  if (!ref.key.empty()) {
    ASSIGN_OR_RETURN(std::optional<NodeId> id, FindKey(ref.key));
    if (!id) return absl::NotFoundError(absl::StrCat(field, ": no node with key '", ref.key, "'"));
    return *id;
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kNodes], keys::NodeKey(ref.id), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat(field, ": no node with id ", ref.id.value));
  }
  RETURN_IF_ERROR(FromRocks(s, "reading a node"));
  return ref.id;
}

absl::StatusOr<std::optional<Edge>> GraphStore::GetEdge(EdgeId id) const {
  std::string value;
  rocksdb::ReadOptions ro;
  rocksdb::Status s = db_->Get(ro, cfs_[kEdgeIds], keys::EdgeIdKey(id), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "reading edge_ids"));
  Edge e;
  e.id = id;
  keys::DecodeEdgeIdValue(value, &e.from, &e.type, &e.to);
  s = db_->Get(ro, cfs_[kOutEdges], keys::EdgeKey(e.from, e.type, e.to, id), &value);
  // A concurrent delete may remove the edge between the two reads.
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "reading out_edges"));
  RETURN_IF_ERROR(records::DecodeEdge(value, &e));
  return e;
}

absl::Status GraphStore::ScanEdges(
    NodeId node, EdgeDirection dir, absl::string_view start_after,
    const std::function<bool(const Edge&, absl::string_view)>& fn) const {
  const bool out = dir == EdgeDirection::kOut;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  ro.snapshot = snapshot;
  std::string prefix = keys::EdgePrefix(node);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[out ? kOutEdges : kInEdges]));
  if (start_after.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
    if (it->Valid() && View(it->key()) == start_after) it->Next();
  }
  absl::Status status;
  std::string value;
  for (; it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (it->key().size() != keys::kEdgeKeySize) {
      status = absl::DataLossError("malformed edge key");
      break;
    }
    keys::EdgeKeyParts parts = keys::DecodeEdgeKey(View(it->key()));
    Edge e;
    e.id = parts.edge;
    e.type = parts.type;
    e.from = out ? parts.self : parts.other;
    e.to = out ? parts.other : parts.self;
    if (out) {
      status = records::DecodeEdge(View(it->value()), &e);
    } else {
      rocksdb::Status s =
          db_->Get(ro, cfs_[kOutEdges], keys::EdgeKey(e.from, e.type, e.to, e.id), &value);
      status = s.IsNotFound()
                   ? absl::DataLossError(absl::StrCat("in_edges entry of edge ", e.id.value,
                                                      " has no out_edges entry"))
                   : FromRocks(s, "reading out_edges");
      if (status.ok()) status = records::DecodeEdge(value, &e);
    }
    if (!status.ok() || !fn(e, View(it->key()))) break;
  }
  if (status.ok()) status = FromRocks(it->status(), "scanning edges");
  it.reset();
  db_->ReleaseSnapshot(snapshot);
  return status;
}

absl::Status GraphStore::ForEachNode(const std::function<bool(const Node&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNodes]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Node n;
    RETURN_IF_ERROR(records::DecodeNode(View(it->value()), &n));
    n.id = keys::DecodeNodeKey(View(it->key()));
    if (!fn(n)) break;
  }
  return FromRocks(it->status(), "scanning nodes");
}

absl::Status GraphStore::ForEachEdge(const std::function<bool(const Edge&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kOutEdges]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != keys::kEdgeKeySize) return absl::DataLossError("malformed edge key");
    keys::EdgeKeyParts parts = keys::DecodeEdgeKey(View(it->key()));
    Edge e;
    e.id = parts.edge;
    e.type = parts.type;
    e.from = parts.self;
    e.to = parts.other;
    RETURN_IF_ERROR(records::DecodeEdge(View(it->value()), &e));
    if (!fn(e)) break;
  }
  return FromRocks(it->status(), "scanning out_edges");
}

absl::StatusOr<SearchResult> GraphStore::Search(const SearchQuery& query) const {
  std::vector<std::string> tokens = QueryTokens(query.text);
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: '", query.text, "' has no letters, digits or CJK characters"));
  }
  // Scan the most selective (longest) token; check the others on each candidate.
  std::sort(tokens.begin(), tokens.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  ro.snapshot = snapshot;
  SearchResult result;
  std::vector<NodeId> candidates;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kNames]));
    absl::flat_hash_set<uint64_t> seen;
    const std::string scan = IndexablePrefix(tokens[0]);
    for (it->Seek(scan); it->Valid() && StartsWith(it->key(), scan); it->Next()) {
      NodeId id = keys::DecodeNameKey(View(it->key()));
      if (!id.valid() || !seen.insert(id.value).second) continue;
      if (candidates.size() == kMaxSearchCandidates) {
        result.truncated = true;
        break;
      }
      candidates.push_back(id);
    }
  }
  struct Hit {
    int score;
    Node node;
  };
  std::vector<Hit> hits;
  const std::string whole = AsciiLower(query.text);
  std::string value;
  for (NodeId id : candidates) {
    rocksdb::Status s = db_->Get(ro, cfs_[kNodes], keys::NodeKey(id), &value);
    if (!s.ok()) continue;
    Node n;
    if (!records::DecodeNode(value, &n).ok()) continue;
    n.id = id;
    if (!query.kinds.empty() &&
        std::find(query.kinds.begin(), query.kinds.end(), n.kind) == query.kinds.end()) {
      continue;
    }
    std::vector<std::string> node_tokens = NodeTokens(n);
    // A token matches as a prefix of an index token; a CJK run longer than the index keeps
    // matches as a substring of the name, an alias or the key.
    bool all = std::all_of(tokens.begin(), tokens.end(), [&](const std::string& t) {
      if (IndexablePrefix(t).size() != t.size()) {
        if (absl::StrContains(n.name, t) || absl::StrContains(n.key, t)) return true;
        return std::any_of(n.aliases.begin(), n.aliases.end(),
                           [&](const std::string& a) { return absl::StrContains(a, t); });
      }
      auto lb = std::lower_bound(node_tokens.begin(), node_tokens.end(), t);
      return lb != node_tokens.end() && absl::StartsWith(*lb, t);
    });
    if (!all) continue;
    int score = 3;
    auto rate = [&](absl::string_view text) {
      std::string lower = AsciiLower(text);
      if (lower == whole) score = std::min(score, 0);
      if (absl::StartsWith(lower, whole)) score = std::min(score, 1);
      if (absl::StrContains(lower, whole)) score = std::min(score, 2);
    };
    rate(n.name);
    rate(n.key);
    for (const std::string& a : n.aliases) rate(a);
    hits.push_back({score, std::move(n)});
  }
  db_->ReleaseSnapshot(snapshot);
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score < b.score;
    if (a.node.name.size() != b.node.name.size()) return a.node.name.size() < b.node.name.size();
    return a.node.id < b.node.id;
  });
  for (size_t i = query.offset; i < hits.size() && i < size_t{query.offset} + query.limit; ++i) {
    result.nodes.push_back(std::move(hits[i].node));
  }
  result.more = hits.size() > size_t{query.offset} + query.limit;
  return result;
}

absl::Status GraphStore::Checkpoint(const std::string& dest) const {
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint destination '", dest, "' already exists; give a new directory"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "creating a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: flush the memtables first, so the copy is mostly SST files (hard
  // links) and the WAL it copies is short.
  return FromRocks(checkpoint->CreateCheckpoint(dest, /*log_size_for_flush=*/0),
                   absl::StrCat("writing a checkpoint to '", dest, "'"));
}

absl::Status GraphStore::Sync() {
  RETURN_IF_ERROR(FromRocks(db_->FlushWAL(/*sync=*/true), "syncing the WAL"));
  rocksdb::FlushOptions flush;
  return FromRocks(db_->Flush(flush, cfs_), "flushing memtables");
}

StoreCounts GraphStore::counts() const {
  std::lock_guard lock(stage_mu_);
  return published_counts_;
}

uint64_t GraphStore::disk_bytes() const {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* cf : cfs_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) total += v;
  }
  uint64_t wal = 0;
  if (db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &wal)) total += wal;
  return total;
}

uint64_t GraphStore::last_sequence() const { return db_->GetLatestSequenceNumber(); }

std::string GraphStore::db_identity() const {
  std::string id;
  if (!db_->GetDbIdentity(id).ok()) id.clear();
  return id;
}

StoreFigures GraphStore::Figures() const {
  StoreFigures f;
  auto sum = [&](const std::string& property) {
    uint64_t v = 0;
    return db_->GetAggregatedIntProperty(property, &v) ? v : uint64_t{0};
  };
  f.sst_bytes = sum(rocksdb::DB::Properties::kTotalSstFilesSize);
  f.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  f.live_data_bytes = sum(rocksdb::DB::Properties::kEstimateLiveDataSize);
  f.compaction_pending_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  if (const rocksdb::Statistics* stats = rocks_options_->statistics.get()) {
    f.block_cache_hits = stats->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
    f.block_cache_misses = stats->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  }
  const uint64_t lookups = f.block_cache_hits + f.block_cache_misses;
  f.block_cache_hit_ratio =
      lookups == 0 ? 0 : static_cast<double>(f.block_cache_hits) / static_cast<double>(lookups);
  return f;
}

}  // namespace innograph
