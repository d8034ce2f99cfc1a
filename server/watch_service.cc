// The Watch handler of GraphServiceImpl: the change feed, read from the store's change log
// (so a resume across a restart misses nothing the log retains), then live.

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/convert.h"
#include "server/graph_service.h"
#include "server/metrics.h"

namespace innograph::server {
namespace {

constexpr size_t kChangesPerRead = 256;
constexpr auto kPoll = std::chrono::milliseconds(250);

}  // namespace

grpc::Status GraphServiceImpl::Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                                     grpc::ServerWriter<v1::WatchEvent>* writer) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  const Schema& schema = *store_.schema();
  std::vector<bool> kinds, types;  // Empty: all.
  if (req->node_kinds_size() > 0) kinds.assign(schema.max_kind_id() + 1, false);
  for (int i = 0; i < req->node_kinds_size(); ++i) {
    auto k = schema.ResolveKind(req->node_kinds(i), absl::StrCat("node_kinds[", i, "]"));
    if (!k.ok()) return ToGrpc(k.status());
    kinds[k->value] = true;
  }
  if (req->edge_types_size() > 0) types.assign(schema.max_type_id() + 1, false);
  for (int i = 0; i < req->edge_types_size(); ++i) {
    auto t = schema.ResolveType(req->edge_types(i), absl::StrCat("edge_types[", i, "]"));
    if (!t.ok()) return ToGrpc(t.status());
    types[t->value] = true;
  }
  uint64_t cursor = req->from_oldest()        ? store_.first_change() - 1
                    : req->start_after() == 0 ? store_.last_change()
                                              : req->start_after();
  if (cursor > store_.last_change()) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat(
        "start_after: ", cursor, " is after the newest change ", store_.last_change())));
  }
  // Counted in innograph_watch_streams for as long as this handler runs.
  struct StreamGauge {
    StreamGauge() {
      if (Metrics* m = Metrics::Global()) m->WatchStreamOpened();
    }
    ~StreamGauge() {
      if (Metrics* m = Metrics::Global()) m->WatchStreamClosed();
    }
  } gauge;
  v1::WatchEvent hello;
  hello.set_sequence(cursor);
  hello.mutable_started()->set_last_change(store_.last_change());
  hello.mutable_started()->set_oldest_change(store_.first_change());
  hello.set_last_in_change(true);
  if (!writer->Write(hello)) return grpc::Status::OK;

  // Endpoint keys of edges, looked up once per node. A node deleted since the change being
  // sent is no longer in the store, but its deletion is in the change log after that change
  // (node ids are never reused): the log is scanned forward once for the keys of deleted
  // nodes, so that an edge's event names its endpoints however late it is read.
  absl::flat_hash_map<uint64_t, std::string> keys;
  absl::flat_hash_map<uint64_t, std::string> deleted_keys;  // From the log after `scanned`.
  uint64_t scanned_from = 0, scanned_to = 0;                // Deletions read: (from, to].
  auto deleted_key = [&](NodeId id, uint64_t sequence) -> std::string {
    auto found = [&]() -> const std::string* {
      auto it = deleted_keys.find(id.value);
      return it == deleted_keys.end() ? nullptr : &it->second;
    };
    if (sequence <= scanned_from || deleted_keys.size() > 100000) {
      deleted_keys.clear();
      scanned_from = scanned_to = sequence - 1;
    }
    if (const std::string* k = found()) return *k;
    // Deleted at or after `sequence`: read on from where the last scan stopped.
    for (bool more = true; more;) {
      more = false;
      store_
          .ReadChanges(scanned_to, kChangesPerRead,
                       [&](const ChangeSet& later) {
                         more = true;
                         scanned_to = later.sequence;
                         for (size_t i = 0; i < later.nodes_deleted.size(); ++i) {
                           if (i < later.nodes_deleted_keys.size()) {
                             deleted_keys[later.nodes_deleted[i].value] =
                                 later.nodes_deleted_keys[i];
                           }
                         }
                         return true;
                       })
          .IgnoreError();  // A log that cannot be read leaves the key empty.
      if (const std::string* k = found()) return *k;
    }
    return "";
  };
  auto key_of = [&](NodeId id, uint64_t sequence) -> std::string {
    auto it = keys.find(id.value);
    if (it != keys.end()) return it->second;
    auto node = store_.GetNode(id);
    std::string key = node.ok() && *node ? (*node)->key : deleted_key(id, sequence);
    if (keys.size() > 100000) keys.clear();
    keys.emplace(id.value, key);
    return key;
  };
  bool open = true;
  while (open && !ctx->IsCancelled()) {
    if (shutting_down_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("server shutting down; resume after sequence ", cursor));
    }
    absl::Status s = store_.ReadChanges(cursor, kChangesPerRead, [&](const ChangeSet& c) {
      std::vector<v1::WatchEvent> events;
      auto add = [&]() -> v1::WatchEvent* {
        events.emplace_back();
        events.back().set_sequence(c.sequence);
        return &events.back();
      };
      if (c.bulk_load) {
        v1::WatchEvent* e = add();
        e->mutable_resync()->set_nodes(c.bulk_nodes);
        e->mutable_resync()->set_edges(c.bulk_edges);
      }
      for (size_t i = 0; i < c.nodes_upserted.size(); ++i) {
        const Node& n = c.nodes_upserted[i];
        keys[n.id.value] = n.key;
        if (!kinds.empty() && (n.kind.value >= kinds.size() || !kinds[n.kind.value])) continue;
        v1::WatchEvent* e = add();
        ToProto(n, schema, e->mutable_node_upserted());
        e->set_created(i < c.nodes_created.size() && c.nodes_created[i]);
      }
      for (size_t i = 0; i < c.edges_upserted.size(); ++i) {
        const Edge& edge = c.edges_upserted[i];
        if (!types.empty() && (edge.type.value >= types.size() || !types[edge.type.value])) {
          continue;
        }
        v1::WatchEvent* e = add();
        ToProto(edge, schema, key_of(edge.from, c.sequence), key_of(edge.to, c.sequence),
                e->mutable_edge_upserted());
        e->set_created(i < c.edges_created.size() && c.edges_created[i]);
      }
      for (const Edge& edge : c.edges_deleted) {
        if (!types.empty() && (edge.type.value >= types.size() || !types[edge.type.value])) {
          continue;
        }
        v1::WatchEvent* e = add();
        ToProto(edge, schema, key_of(edge.from, c.sequence), key_of(edge.to, c.sequence),
                e->mutable_edge_deleted());
      }
      for (size_t i = 0; i < c.nodes_deleted.size(); ++i) {
        v1::WatchEvent* e = add();
        e->mutable_node_deleted()->set_id(c.nodes_deleted[i].value);
        if (i < c.nodes_deleted_keys.size()) {
          e->mutable_node_deleted()->set_key(c.nodes_deleted_keys[i]);
        }
        keys.erase(c.nodes_deleted[i].value);
      }
      if (!events.empty()) events.back().set_last_in_change(true);
      for (const v1::WatchEvent& e : events) {
        if (!writer->Write(e)) {
          open = false;
          return false;
        }
      }
      cursor = c.sequence;
      return true;
    });
    if (!s.ok()) return ToGrpc(s);
    if (open && cursor >= store_.last_change()) store_.WaitForChange(cursor, kPoll);
  }
  return grpc::Status::OK;
}

}  // namespace innograph::server
