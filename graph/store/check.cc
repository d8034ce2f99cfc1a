// GraphStore::Check: verifies that the column families agree with each other and with the schema
// (what `innograph-server check` reports). Reads everything once; holds the write lock so that
// no write lands half-way through.

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "graph/store/key_codec.h"
#include "graph/store/record_codec.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "rocksdb/db.h"

namespace innograph {

using namespace store_internal;  // NOLINT: the store's own internals.

absl::StatusOr<CheckReport> GraphStore::Check(size_t max_problems) const {
  std::lock_guard lock(write_mu_);
  CheckReport report;
  auto problem = [&](std::string text) {
    ++report.problem_count;
    if (report.problems.size() < max_problems) report.problems.push_back(std::move(text));
  };
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  ro.snapshot = snapshot;
  auto scan = [&](Cf cf, const std::function<void(absl::string_view, absl::string_view)>& fn) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[cf]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) fn(View(it->key()), View(it->value()));
    return FromRocks(it->status(), absl::StrCat("scanning ", kCfNames[cf]));
  };
  auto exists = [&](Cf cf, absl::string_view key, std::string* value) {
    std::string ignored;
    return db_->Get(ro, cfs_[cf], rocksdb::Slice(key.data(), key.size()), value ? value : &ignored)
        .ok();
  };

  // Nodes: decodable, valid for the schema, indexed by key and name tokens.
  absl::flat_hash_map<uint64_t, KindId> kinds;
  StoreCounts counts;
  counts.by_kind.assign(schema_->max_kind_id() + 1, 0);
  counts.by_type.assign(schema_->max_type_id() + 1, 0);
  uint64_t max_node = 0, max_edge = 0;
  absl::Status s = scan(kNodes, [&](absl::string_view key, absl::string_view value) {
    NodeId id = keys::DecodeNodeKey(key);
    Node n;
    if (!id.valid() || !records::DecodeNode(value, &n).ok()) {
      return problem(absl::StrCat("nodes: undecodable entry (key of ", key.size(), " bytes)"));
    }
    n.id = id;
    max_node = std::max(max_node, id.value);
    kinds[id.value] = n.kind;
    if (n.kind.value < counts.by_kind.size()) ++counts.by_kind[n.kind.value];
    ++counts.nodes;
    if (absl::Status v = schema_->ValidateNode(n); !v.ok()) {
      problem(absl::StrCat("node ", id.value, " (", n.key, "): breaks the schema: ", v.message()));
    }
    std::string value_of_key;
    if (!exists(kKeys, n.key, &value_of_key) || keys::DecodeIdValue(value_of_key) != id.value) {
      problem(absl::StrCat("node ", id.value, " (", n.key, "): no keys entry pointing at it"));
    }
    for (const std::string& t : NodeTokens(n)) {
      if (!exists(kNames, keys::NameKey(t, id), nullptr)) {
        problem(absl::StrCat("node ", id.value, " (", n.key, "): name token '", t,
                             "' missing from the names index"));
        break;
      }
    }
  });
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(scan(kKeys, [&](absl::string_view key, absl::string_view value) {
    const uint64_t id = keys::DecodeIdValue(value);
    if (!kinds.contains(id)) {
      problem(absl::StrCat("keys: '", key, "' points at missing node ", id));
    }
  }));
  RETURN_IF_ERROR(scan(kNames, [&](absl::string_view key, absl::string_view) {
    NodeId id = keys::DecodeNameKey(key);
    if (!id.valid() || !kinds.contains(id.value)) {
      problem(absl::StrCat("names: an entry points at missing node ", id.value));
    }
  }));

  // Edges: each out entry has its in entry and id entry; endpoints live; schema holds.
  absl::flat_hash_set<uint64_t> edge_ids;
  RETURN_IF_ERROR(scan(kOutEdges, [&](absl::string_view key, absl::string_view value) {
    if (key.size() != keys::kEdgeKeySize) return problem("out_edges: malformed key");
    keys::EdgeKeyParts p = keys::DecodeEdgeKey(key);
    Edge e;
    if (!records::DecodeEdge(value, &e).ok()) {
      return problem(absl::StrCat("edge ", p.edge.value, ": undecodable record"));
    }
    e.id = p.edge;
    e.type = p.type;
    e.from = p.self;
    e.to = p.other;
    max_edge = std::max(max_edge, e.id.value);
    edge_ids.insert(e.id.value);
    if (e.type.value < counts.by_type.size()) ++counts.by_type[e.type.value];
    ++counts.edges;
    const std::string label =
        absl::StrCat("edge ", e.id.value, " (", e.from.value, " -> ", e.to.value, ")");
    if (!exists(kInEdges, keys::EdgeKey(e.to, e.type, e.from, e.id), nullptr)) {
      problem(absl::StrCat(label, ": no in_edges entry"));
    }
    std::string triple;
    if (!exists(kEdgeIds, keys::EdgeIdKey(e.id), &triple) ||
        triple != keys::EdgeIdValue(e.from, e.type, e.to)) {
      problem(absl::StrCat(label, ": edge_ids entry missing or different"));
    }
    if (!e.key.empty()) {
      std::string owner;
      if (!exists(kEdgeKeys, e.key, &owner) || keys::DecodeIdValue(owner) != e.id.value) {
        problem(absl::StrCat(label, ": edge_keys entry for '", e.key, "' missing"));
      }
    }
    auto from = kinds.find(e.from.value), to = kinds.find(e.to.value);
    if (from == kinds.end() || to == kinds.end()) {
      problem(absl::StrCat(label, ": an endpoint does not exist"));
    } else if (absl::Status v = schema_->ValidateEdge(e, from->second, to->second); !v.ok()) {
      problem(absl::StrCat(label, ": breaks the schema: ", v.message()));
    }
  }));
  RETURN_IF_ERROR(scan(kInEdges, [&](absl::string_view key, absl::string_view) {
    if (key.size() != keys::kEdgeKeySize) return problem("in_edges: malformed key");
    keys::EdgeKeyParts p = keys::DecodeEdgeKey(key);
    if (!exists(kOutEdges, keys::EdgeKey(p.other, p.type, p.self, p.edge), nullptr)) {
      problem(absl::StrCat("edge ", p.edge.value, ": in_edges entry without out_edges entry"));
    }
  }));
  RETURN_IF_ERROR(scan(kEdgeIds, [&](absl::string_view key, absl::string_view) {
    const uint64_t id = keys::DecodeIdValue(key);
    if (!edge_ids.contains(id)) problem(absl::StrCat("edge_ids: ", id, " has no edge"));
  }));
  RETURN_IF_ERROR(scan(kEdgeKeys, [&](absl::string_view key, absl::string_view value) {
    if (!edge_ids.contains(keys::DecodeIdValue(value))) {
      problem(absl::StrCat("edge_keys: '", key, "' points at a missing edge"));
    }
  }));
  db_->ReleaseSnapshot(snapshot);

  // Counters.
  if (counts.nodes != counts_.nodes || counts.edges != counts_.edges ||
      counts.by_kind != counts_.by_kind || counts.by_type != counts_.by_type) {
    problem(absl::StrCat("counters: recorded ", counts_.nodes, " nodes and ", counts_.edges,
                         " edges, found ", counts.nodes, " and ", counts.edges,
                         " (or per kind/type differ)"));
  }
  if (max_node >= next_node_id_ || max_edge >= next_edge_id_) {
    problem("counters: an id is at or above the next id to assign (ids could be reused)");
  }
  report.nodes = counts.nodes;
  report.edges = counts.edges;
  return report;
}

}  // namespace innograph
