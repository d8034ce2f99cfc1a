// GraphStore::BulkLoad: the offline import's fast path into an empty store. Everything is
// validated and identified in memory with the same rules as StageNodes/StageEdges, then each
// column family is written as one sorted SST file and all of them are ingested in one atomic
// IngestExternalFiles call: the store has all of the load or none of it. The commit listener
// then receives the load as one change set.

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "graph/store/key_codec.h"
#include "graph/store/record_codec.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/write_batch.h"

namespace innograph {

using namespace store_internal;  // NOLINT: the store's own internals.

namespace {

// A fixed-size edge key as a sortable value: (self, type, other, edge).
struct EdgeKeyTuple {
  uint64_t self;
  uint32_t type;
  uint64_t other;
  uint64_t edge;
  uint32_t slot;  // Index of the edge in the load (for its record).
  auto operator<=>(const EdgeKeyTuple& o) const {
    return std::tie(self, type, other, edge) <=> std::tie(o.self, o.type, o.other, o.edge);
  }
  bool operator==(const EdgeKeyTuple& o) const = default;
};

// Writes sorted (key, value) pairs produced by `next` into one SST file. Returns the file's
// path, or "" when there was nothing to write.
template <typename Next>
absl::StatusOr<std::string> WriteSst(const rocksdb::Options& options, const std::string& path,
                                     Next&& next) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
  bool opened = false;
  std::string key, value;
  while (next(&key, &value)) {
    if (!opened) {
      RETURN_IF_ERROR(FromRocks(writer.Open(path), absl::StrCat("creating ", path)));
      opened = true;
    }
    RETURN_IF_ERROR(FromRocks(writer.Put(key, value), absl::StrCat("writing ", path)));
  }
  if (!opened) return std::string();
  RETURN_IF_ERROR(FromRocks(writer.Finish(), absl::StrCat("finishing ", path)));
  return path;
}

}  // namespace

bool GraphStore::pristine() const {
  std::lock_guard lock(write_mu_);
  return next_node_id_ == 1 && next_edge_id_ == 1;
}

absl::StatusOr<BatchResult> GraphStore::BulkLoad(std::vector<Node> nodes,
                                                 std::vector<EdgeWrite> edges, size_t max_errors,
                                                 bool commit) {
  std::lock_guard lock(write_mu_);
  if (next_node_id_ != 1 || next_edge_id_ != 1) {
    return absl::FailedPreconditionError("bulk load: the store is not empty");
  }
  BatchResult result;
  StoreCounts counts = counts_;

  // Nodes: validate; the last valid occurrence of a key wins; ids in order of those.
  std::vector<bool> valid(nodes.size(), true);
  absl::flat_hash_map<std::string, size_t> last;
  last.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    absl::Status s = schema_->ValidateNode(nodes[i]);
    if (!s.ok()) {
      valid[i] = false;
      result.node_errors.push_back({i, Prefixed(s, NodeLabel(i, nodes[i]))});
      continue;
    }
    last[nodes[i].key] = i;
  }
  std::vector<size_t> node_order;  // Indices of the nodes written, in id order.
  absl::flat_hash_map<std::string, std::pair<NodeId, KindId>> by_key;
  by_key.reserve(last.size());
  uint64_t next_node = 1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!valid[i] || last[nodes[i].key] != i) continue;
    nodes[i].id = NodeId(next_node++);
    by_key[nodes[i].key] = {nodes[i].id, nodes[i].kind};
    node_order.push_back(i);
    ++counts.by_kind[nodes[i].kind.value];
    ++counts.nodes;
  }
  result.nodes.created = static_cast<uint32_t>(node_order.size());
  for (const Node& n : nodes) {
    auto it = by_key.find(n.key);
    result.nodes.ids.push_back(it == by_key.end() ? 0 : it->second.first.value);
  }

  // Edges: resolve endpoints, validate, identify (key, else (from, type, to, valid_from));
  // a later entry updates an earlier one, ids in order of first appearance.
  std::vector<Edge> out;
  // Natural identity (from, type, to, valid_from) as a fixed-size key.
  using Identity = std::tuple<uint64_t, uint32_t, uint64_t, int32_t>;
  absl::flat_hash_map<Identity, size_t> by_identity;
  absl::flat_hash_map<std::string, size_t> by_edge_key;
  by_identity.reserve(edges.size());
  std::vector<size_t> slot_of(edges.size(), SIZE_MAX);
  uint64_t next_edge = 1;
  for (size_t i = 0; i < edges.size(); ++i) {
    EdgeWrite& w = edges[i];
    Edge& e = w.edge;
    const EdgeTypeSpec* type = schema_->Type(e.type);
    std::string label = absl::StrCat("edges[", i, "] (", type ? type->name : "?", " ", w.from_key,
                                     " -> ", w.to_key, "): ");
    auto fail = [&](absl::Status s) { result.edge_errors.push_back({i, Prefixed(s, label)}); };
    if (!type) {
      fail(absl::InvalidArgumentError(absl::StrCat("type: unknown type id ", e.type.value)));
      continue;
    }
    if (e.id.valid()) {
      fail(absl::NotFoundError(absl::StrCat("id: no edge with id ", e.id.value)));
      continue;
    }
    KindId kinds[2];
    bool ok = true;
    for (int end = 0; end < 2 && ok; ++end) {
      NodeId& id = end == 0 ? e.from : e.to;
      const std::string& key = end == 0 ? w.from_key : w.to_key;
      const char* field = end == 0 ? "from" : "to";
      if (id.valid() || key.empty()) {
        // Ids cannot name anything in an empty store; keys are the import's currency.
        fail(id.valid()
                 ? absl::NotFoundError(absl::StrCat(field, "_id: no node with id ", id.value))
                 : absl::InvalidArgumentError(
                       absl::StrCat(field, "_key/", field, "_id: exactly one must be set")));
        ok = false;
        break;
      }
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        fail(absl::NotFoundError(absl::StrCat(field, "_key: no node with key '", key, "'")));
        ok = false;
        break;
      }
      id = it->second.first;
      kinds[end] = it->second.second;
    }
    if (!ok) continue;
    if (absl::Status s = schema_->ValidateEdge(e, kinds[0], kinds[1]); !s.ok()) {
      fail(s);
      continue;
    }
    const Identity identity{e.from.value, e.type.value, e.to.value, e.valid.from.days};
    size_t slot = SIZE_MAX;
    if (!e.key.empty()) {
      if (auto it = by_edge_key.find(e.key); it != by_edge_key.end()) slot = it->second;
    }
    if (slot == SIZE_MAX) {
      if (auto it = by_identity.find(identity); it != by_identity.end()) slot = it->second;
    }
    if (slot != SIZE_MAX) {
      const Edge& cur = out[slot];
      if (cur.type != e.type || cur.from != e.from || cur.to != e.to) {
        fail(absl::FailedPreconditionError(
            absl::StrCat("edge ", cur.id.value,
                         " exists with another type or endpoints; an edge's type and "
                         "endpoints cannot change: delete it and add a new one")));
        continue;
      }
      if (!e.key.empty() && cur.key != e.key) {
        if (auto it = by_edge_key.find(e.key); it != by_edge_key.end() && it->second != slot) {
          fail(absl::FailedPreconditionError(
              absl::StrCat("key: '", e.key, "' already names edge ", out[it->second].id.value)));
          continue;
        }
      }
      e.id = cur.id;
      if (!cur.key.empty() && cur.key != e.key) by_edge_key.erase(cur.key);
      out[slot] = e;
    } else {
      if (!e.key.empty() && by_edge_key.contains(e.key)) {
        fail(absl::FailedPreconditionError(absl::StrCat("key: '", e.key, "' already names edge ",
                                                        out[by_edge_key[e.key]].id.value)));
        continue;
      }
      if (next_edge > kMaxId) {
        return absl::ResourceExhaustedError("edges: the store has used all 2^32 edge ids");
      }
      e.id = EdgeId(next_edge++);
      slot = out.size();
      out.push_back(e);
      ++counts.by_type[e.type.value];
      ++counts.edges;
    }
    slot_of[i] = slot;
    by_identity[identity] = slot;
    if (!e.key.empty()) by_edge_key[e.key] = slot;
  }
  result.edges.created = static_cast<uint32_t>(out.size());
  for (size_t i = 0; i < edges.size(); ++i) {
    result.edges.ids.push_back(slot_of[i] == SIZE_MAX ? 0 : out[slot_of[i]].id.value);
  }
  const size_t errors = result.node_errors.size() + result.edge_errors.size();
  if (!commit || errors > max_errors) return result;  // Nothing written.
  if (node_order.empty() && out.empty()) return result;

  // Write one sorted SST per column family, in two threads, then ingest them together.
  const std::string tmp = absl::StrCat(dir_, "/bulk-load.tmp");
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  std::filesystem::create_directories(tmp, ec);
  if (ec) return absl::InternalError(absl::StrCat("creating ", tmp, ": ", ec.message()));
  const rocksdb::Options& options = *rocks_options_;
  struct Job {
    Cf cf;
    absl::StatusOr<std::string> file;
  };
  std::vector<Job> jobs;
  auto path = [&](const char* name) { return absl::StrCat(tmp, "/", name, ".sst"); };

  auto nodes_job = [&]() -> std::vector<Job> {
    std::vector<Job> done;
    size_t i = 0;
    done.push_back({kNodes, WriteSst(options, path("nodes"), [&](std::string* k, std::string* v) {
                      if (i == node_order.size()) return false;
                      const Node& n = nodes[node_order[i++]];
                      *k = keys::NodeKey(n.id);
                      *v = records::EncodeNode(n);
                      return true;
                    })});
    std::vector<std::pair<absl::string_view, uint64_t>> by_name;
    by_name.reserve(node_order.size());
    for (size_t j : node_order) by_name.emplace_back(nodes[j].key, nodes[j].id.value);
    std::sort(by_name.begin(), by_name.end());
    i = 0;
    done.push_back({kKeys, WriteSst(options, path("keys"), [&](std::string* k, std::string* v) {
                      if (i == by_name.size()) return false;
                      k->assign(by_name[i].first.data(), by_name[i].first.size());
                      *v = keys::IdValue(by_name[i++].second);
                      return true;
                    })});
    std::vector<std::string> tokens;
    for (size_t j : node_order) {
      for (const std::string& t : NodeTokens(nodes[j]))
        tokens.push_back(keys::NameKey(t, nodes[j].id));
    }
    std::sort(tokens.begin(), tokens.end());
    i = 0;
    done.push_back({kNames, WriteSst(options, path("names"), [&](std::string* k, std::string* v) {
                      if (i == tokens.size()) return false;
                      *k = std::move(tokens[i++]);
                      v->clear();
                      return true;
                    })});
    i = 0;
    done.push_back(
        {kEdgeIds, WriteSst(options, path("edge_ids"), [&](std::string* k, std::string* v) {
           if (i == out.size()) return false;
           const Edge& e = out[i++];
           *k = keys::EdgeIdKey(e.id);
           *v = keys::EdgeIdValue(e.from, e.type, e.to);
           return true;
         })});
    std::vector<std::pair<absl::string_view, uint64_t>> edge_keys;
    for (const Edge& e : out) {
      if (!e.key.empty()) edge_keys.emplace_back(e.key, e.id.value);
    }
    std::sort(edge_keys.begin(), edge_keys.end());
    i = 0;
    done.push_back(
        {kEdgeKeys, WriteSst(options, path("edge_keys"), [&](std::string* k, std::string* v) {
           if (i == edge_keys.size()) return false;
           k->assign(edge_keys[i].first.data(), edge_keys[i].first.size());
           *v = keys::IdValue(edge_keys[i++].second);
           return true;
         })});
    return done;
  };
  auto edges_job = [&]() -> std::vector<Job> {
    std::vector<Job> done;
    std::vector<EdgeKeyTuple> order(out.size());
    for (size_t j = 0; j < out.size(); ++j) {
      const Edge& e = out[j];
      order[j] = {e.from.value, e.type.value, e.to.value, e.id.value, static_cast<uint32_t>(j)};
    }
    std::sort(order.begin(), order.end());
    size_t i = 0;
    done.push_back(
        {kOutEdges, WriteSst(options, path("out_edges"), [&](std::string* k, std::string* v) {
           if (i == order.size()) return false;
           const EdgeKeyTuple& t = order[i++];
           const Edge& e = out[t.slot];
           *k = keys::EdgeKey(e.from, e.type, e.to, e.id);
           *v = records::EncodeEdge(e);
           return true;
         })});
    for (EdgeKeyTuple& t : order) std::swap(t.self, t.other);
    std::sort(order.begin(), order.end());
    i = 0;
    done.push_back(
        {kInEdges, WriteSst(options, path("in_edges"), [&](std::string* k, std::string* v) {
           if (i == order.size()) return false;
           const EdgeKeyTuple& t = order[i++];
           *k = keys::EdgeKey(NodeId(t.self), TypeId(t.type), NodeId(t.other), EdgeId(t.edge));
           v->clear();
           return true;
         })});
    return done;
  };
  // The id counters and counts go in the same atomic ingestion (never a load without them).
  std::map<std::string, std::string> meta;
  meta[kMetaNextNode] = keys::IdValue(next_node);
  // The change log records the load as one entry that tells followers to resync.
  const uint64_t change = next_change_;
  meta[kMetaNextChange] = keys::IdValue(change + 1);
  ChangeSet marker;
  marker.bulk_load = true;
  marker.bulk_nodes = node_order.size();
  marker.bulk_edges = out.size();
  bool change_written = false;
  jobs.push_back({kChanges, WriteSst(options, path("changes"), [&](std::string* k, std::string* v) {
                    if (change_written) return false;
                    change_written = true;
                    *k = keys::IdValue(change);
                    *v = records::EncodeChangeSet(marker);
                    return true;
                  })});
  meta[kMetaNextEdge] = keys::IdValue(next_edge);
  for (uint32_t k = 0; k < counts.by_kind.size(); ++k) {
    if (counts.by_kind[k] != 0)
      meta[CountKey(kMetaKindCount, k)] = keys::IdValue(counts.by_kind[k]);
  }
  for (uint32_t t = 0; t < counts.by_type.size(); ++t) {
    if (counts.by_type[t] != 0)
      meta[CountKey(kMetaTypeCount, t)] = keys::IdValue(counts.by_type[t]);
  }
  auto meta_it = meta.begin();
  jobs.push_back({kMeta, WriteSst(options, path("meta"), [&](std::string* k, std::string* v) {
                    if (meta_it == meta.end()) return false;
                    *k = meta_it->first;
                    *v = meta_it->second;
                    ++meta_it;
                    return true;
                  })});
  std::vector<Job> edge_files;
  std::thread edge_thread([&] { edge_files = edges_job(); });
  std::vector<Job> node_files = nodes_job();
  edge_thread.join();
  for (Job& j : node_files) jobs.push_back(std::move(j));
  for (Job& j : edge_files) jobs.push_back(std::move(j));

  std::vector<rocksdb::IngestExternalFileArg> args;
  for (Job& j : jobs) {
    if (!j.file.ok()) return j.file.status();
    if (j.file->empty()) continue;
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = cfs_[j.cf];
    arg.external_files = {*j.file};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  RETURN_IF_ERROR(FromRocks(db_->IngestExternalFiles(args), "ingesting the bulk load"));
  std::filesystem::remove_all(tmp, ec);

  next_node_id_ = next_node;
  next_edge_id_ = next_edge;
  counts_ = std::move(counts);
  {
    std::lock_guard change_lock(change_mu_);
    next_change_ = change + 1;
  }
  change_cv_.notify_all();
  if (listener_) {
    // A running server's topology follows the load like any other commit.
    ChangeSet changes;
    changes.sequence = change;
    changes.nodes_upserted.reserve(node_order.size());
    for (size_t i : node_order) changes.nodes_upserted.push_back(std::move(nodes[i]));
    changes.nodes_created.assign(changes.nodes_upserted.size(), true);
    changes.edges_created.assign(out.size(), true);
    changes.edges_upserted = std::move(out);
    listener_(changes);
  }
  return result;
}

}  // namespace innograph
