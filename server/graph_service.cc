#include "server/graph_service.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "graph/model/status.h"
#include "server/convert.h"

namespace innograph::server {
namespace {

constexpr uint32_t kDefaultSearchLimit = 20;
constexpr uint32_t kMaxSearchLimit = 1000;
constexpr uint32_t kDefaultNeighborsLimit = 100;
constexpr uint32_t kMaxNeighborsLimit = 10000;
constexpr int kMaxBatch = static_cast<int>(GraphStore::kMaxBatch);

// Checks the size of a batch field.
absl::Status CheckBatch(int n, absl::string_view field) {
  if (n == 0) return absl::InvalidArgumentError(absl::StrCat(field, ": empty"));
  if (n > kMaxBatch) {
    return absl::ResourceExhaustedError(
        absl::StrCat(field, ": ", n, " items, at most ", kMaxBatch, " per call"));
  }
  return absl::OkStatus();
}

// Parsed traversal filters.
struct ParsedFilter {
  std::vector<TypeId> types;  // Sorted; empty = all.
  std::vector<KindId> kinds;  // Sorted; empty = all.
  Date as_of = Date::OpenStart();
  bool has_as_of = false;
  double min_weight = 0;

  bool EdgeMatches(const Edge& e) const {
    if (!types.empty() && !std::binary_search(types.begin(), types.end(), e.type)) return false;
    if (has_as_of && !e.valid.Contains(as_of)) return false;
    return e.weight >= min_weight;
  }
  bool KindMatches(KindId k) const {
    return kinds.empty() || std::binary_search(kinds.begin(), kinds.end(), k);
  }
};

absl::StatusOr<ParsedFilter> ParseFilter(const v1::Filter& f, const Schema& schema) {
  ParsedFilter out;
  for (int i = 0; i < f.edge_types_size(); ++i) {
    ASSIGN_OR_RETURN(
        TypeId t, schema.ResolveType(f.edge_types(i), absl::StrCat("filter.edge_types[", i, "]")));
    out.types.push_back(t);
  }
  for (int i = 0; i < f.node_kinds_size(); ++i) {
    ASSIGN_OR_RETURN(
        KindId k, schema.ResolveKind(f.node_kinds(i), absl::StrCat("filter.node_kinds[", i, "]")));
    out.kinds.push_back(k);
  }
  std::sort(out.types.begin(), out.types.end());
  std::sort(out.kinds.begin(), out.kinds.end());
  if (!f.as_of().empty()) {
    auto d = ParseDate(f.as_of(), DateRounding::kStart);
    if (!d.ok()) return WithContext(d.status(), "filter.as_of");
    out.as_of = *d;
    out.has_as_of = true;
  }
  if (!(f.min_weight() >= 0) || f.min_weight() > 1e300) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.min_weight: ", f.min_weight(), " must be a finite number >= 0"));
  }
  out.min_weight = f.min_weight();
  return out;
}

// Page tokens are web-safe base64 of "<tag>:<payload>", opaque to clients.
std::string MakeToken(absl::string_view tag, absl::string_view payload) {
  return absl::WebSafeBase64Escape(absl::StrCat(tag, ":", payload));
}

absl::StatusOr<std::string> ReadToken(const std::string& token, absl::string_view tag) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() <= tag.size() ||
      raw.compare(0, tag.size(), tag.data(), tag.size()) != 0 || raw[tag.size()] != ':') {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: '", token, "' is not a token of this call"));
  }
  return raw.substr(tag.size() + 1);
}

}  // namespace

GraphServiceImpl::GraphServiceImpl(GraphStore& store)
    : store_(store), started_(std::chrono::steady_clock::now()) {}

absl::Status GraphServiceImpl::EdgeToProto(const Edge& e, v1::Edge* out) const {
  ASSIGN_OR_RETURN(std::optional<Node> from, store_.GetNode(e.from));
  ASSIGN_OR_RETURN(std::optional<Node> to, store_.GetNode(e.to));
  ToProto(e, *store_.schema(), from ? from->key : "", to ? to->key : "", out);
  return absl::OkStatus();
}

grpc::Status GraphServiceImpl::GetSchema(grpc::ServerContext*, const v1::GetSchemaRequest*,
                                         v1::GetSchemaResponse* resp) {
  ToProto(*store_.schema(), resp->mutable_schema());
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::UpsertNodes(grpc::ServerContext*, const v1::UpsertNodesRequest* req,
                                           v1::UpsertNodesResponse* resp) {
  if (auto s = CheckBatch(req->nodes_size(), "nodes"); !s.ok()) return ToGrpc(s);
  const Schema& schema = *store_.schema();
  std::vector<Node> nodes(req->nodes_size());
  for (int i = 0; i < req->nodes_size(); ++i) {
    absl::Status s = FromProto(req->nodes(i), schema, &nodes[i]);
    if (!s.ok()) {
      return ToGrpc(
          WithContext(s, absl::StrCat("nodes[", i, "] (key '", req->nodes(i).key(), "')")));
    }
  }
  auto result = store_.UpsertNodes(std::move(nodes));
  if (!result.ok()) return ToGrpc(result.status());
  resp->mutable_ids()->Add(result->ids.begin(), result->ids.end());
  resp->set_created(result->created);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::UpsertEdges(grpc::ServerContext*, const v1::UpsertEdgesRequest* req,
                                           v1::UpsertEdgesResponse* resp) {
  if (auto s = CheckBatch(req->edges_size(), "edges"); !s.ok()) return ToGrpc(s);
  const Schema& schema = *store_.schema();
  std::vector<EdgeWrite> edges(req->edges_size());
  for (int i = 0; i < req->edges_size(); ++i) {
    const v1::Edge& e = req->edges(i);
    absl::Status s = FromProto(e, schema, &edges[i]);
    if (!s.ok()) {
      return ToGrpc(WithContext(s, absl::StrCat("edges[", i, "] (", e.type(), " ", e.from_key(),
                                                " -> ", e.to_key(), ")")));
    }
  }
  auto result = store_.UpsertEdges(std::move(edges));
  if (!result.ok()) return ToGrpc(result.status());
  resp->mutable_ids()->Add(result->ids.begin(), result->ids.end());
  resp->set_created(result->created);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::DeleteNodes(grpc::ServerContext*, const v1::DeleteNodesRequest* req,
                                           v1::DeleteNodesResponse* resp) {
  if (auto s = CheckBatch(req->nodes_size(), "nodes"); !s.ok()) return ToGrpc(s);
  std::vector<NodeRef> refs(req->nodes_size());
  for (int i = 0; i < req->nodes_size(); ++i) {
    absl::Status s = FromProto(req->nodes(i), &refs[i]);
    if (!s.ok()) return ToGrpc(WithContext(s, absl::StrCat("nodes[", i, "]")));
  }
  auto result = store_.DeleteNodes(refs, req->allow_missing());
  if (!result.ok()) return ToGrpc(result.status());
  resp->set_deleted_nodes(result->nodes);
  resp->set_deleted_edges(result->edges);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::DeleteEdges(grpc::ServerContext*, const v1::DeleteEdgesRequest* req,
                                           v1::DeleteEdgesResponse* resp) {
  if (auto s = CheckBatch(req->ids_size() + req->keys_size(), "ids"); !s.ok()) return ToGrpc(s);
  std::vector<EdgeId> ids;
  for (int i = 0; i < req->ids_size(); ++i) {
    if (req->ids(i) == 0) {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat("ids[", i, "]: 0 is not an edge id")));
    }
    ids.emplace_back(req->ids(i));
  }
  std::vector<std::string> keys(req->keys().begin(), req->keys().end());
  auto result = store_.DeleteEdges(ids, keys, req->allow_missing());
  if (!result.ok()) return ToGrpc(result.status());
  resp->set_deleted_edges(result->edges);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::GetNodes(grpc::ServerContext*, const v1::GetNodesRequest* req,
                                        v1::GetNodesResponse* resp) {
  if (auto s = CheckBatch(req->nodes_size(), "nodes"); !s.ok()) return ToGrpc(s);
  for (int i = 0; i < req->nodes_size(); ++i) {
    std::string field = absl::StrCat("nodes[", i, "]");
    NodeRef ref;
    absl::Status s = FromProto(req->nodes(i), &ref);
    if (!s.ok()) return ToGrpc(WithContext(s, field));
    auto id = store_.Resolve(ref, field);
    std::optional<Node> node;
    if (id.ok()) {
      auto got = store_.GetNode(*id);
      if (!got.ok()) return ToGrpc(got.status());
      node = std::move(*got);
    } else if (!absl::IsNotFound(id.status())) {
      return ToGrpc(id.status());
    }
    if (!node) {
      if (!req->allow_missing()) {
        return ToGrpc(
            id.ok() ? absl::NotFoundError(absl::StrCat(field, ": no node with id ", id->value))
                    : id.status());
      }
      *resp->add_missing() = req->nodes(i);
      continue;
    }
    ToProto(*node, *store_.schema(), resp->add_nodes());
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::GetEdges(grpc::ServerContext*, const v1::GetEdgesRequest* req,
                                        v1::GetEdgesResponse* resp) {
  if (auto s = CheckBatch(req->ids_size(), "ids"); !s.ok()) return ToGrpc(s);
  for (int i = 0; i < req->ids_size(); ++i) {
    auto edge = store_.GetEdge(EdgeId(req->ids(i)));
    if (!edge.ok()) return ToGrpc(edge.status());
    if (!*edge) {
      if (!req->allow_missing()) {
        return ToGrpc(
            absl::NotFoundError(absl::StrCat("ids[", i, "]: no edge with id ", req->ids(i))));
      }
      resp->add_missing_ids(req->ids(i));
      continue;
    }
    if (auto s = EdgeToProto(**edge, resp->add_edges()); !s.ok()) return ToGrpc(s);
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::SearchNodes(grpc::ServerContext*, const v1::SearchNodesRequest* req,
                                           v1::SearchNodesResponse* resp) {
  if (req->query().empty() || req->query().size() > 256) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("query: must be 1-256 bytes, got ", req->query().size())));
  }
  if (req->limit() > kMaxSearchLimit) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("limit: ", req->limit(), " is above the maximum ", kMaxSearchLimit)));
  }
  SearchQuery q;
  q.text = req->query();
  q.limit = req->limit() == 0 ? kDefaultSearchLimit : req->limit();
  for (int i = 0; i < req->kinds_size(); ++i) {
    auto k = store_.schema()->ResolveKind(req->kinds(i), absl::StrCat("kinds[", i, "]"));
    if (!k.ok()) return ToGrpc(k.status());
    q.kinds.push_back(*k);
  }
  if (!req->page_token().empty()) {
    auto payload = ReadToken(req->page_token(), "search");
    if (!payload.ok()) return ToGrpc(payload.status());
    if (!absl::SimpleAtoi(*payload, &q.offset)) {
      return ToGrpc(absl::InvalidArgumentError("page_token: malformed"));
    }
  }
  auto result = store_.Search(q);
  if (!result.ok()) return ToGrpc(result.status());
  for (const Node& n : result->nodes) ToProto(n, *store_.schema(), resp->add_nodes());
  if (result->more)
    resp->set_next_page_token(MakeToken("search", absl::StrCat(q.offset + q.limit)));
  resp->set_truncated(result->truncated);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Neighbors(grpc::ServerContext*, const v1::NeighborsRequest* req,
                                         v1::NeighborsResponse* resp) {
  const Schema& schema = *store_.schema();
  NodeRef ref;
  if (auto s = FromProto(req->node(), &ref); !s.ok()) return ToGrpc(WithContext(s, "node"));
  auto id = store_.Resolve(ref, "node");
  if (!id.ok()) return ToGrpc(id.status());
  auto filter = ParseFilter(req->filter(), schema);
  if (!filter.ok()) return ToGrpc(filter.status());
  if (req->limit() > kMaxNeighborsLimit) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("limit: ", req->limit(), " is above the maximum ", kMaxNeighborsLimit)));
  }
  const uint32_t limit = req->limit() == 0 ? kDefaultNeighborsLimit : req->limit();
  std::vector<EdgeDirection> phases;
  if (req->direction() != v1::DIRECTION_IN) phases.push_back(EdgeDirection::kOut);
  if (req->direction() != v1::DIRECTION_OUT) phases.push_back(EdgeDirection::kIn);

  // Resume point: "<phase index><raw key>".
  size_t first_phase = 0;
  std::string start_after;
  if (!req->page_token().empty()) {
    auto payload = ReadToken(req->page_token(), "nbr");
    if (!payload.ok()) return ToGrpc(payload.status());
    if (payload->empty() || (*payload)[0] < '0' || (*payload)[0] - '0' >= (int)phases.size()) {
      return ToGrpc(absl::InvalidArgumentError("page_token: malformed"));
    }
    first_phase = (*payload)[0] - '0';
    start_after = payload->substr(1);
  }
  absl::Status status;
  std::string own_key;
  if (auto self = store_.GetNode(*id); self.ok() && *self) own_key = (*self)->key;
  bool more = false;
  std::string last_key;
  size_t last_phase = 0;
  for (size_t p = first_phase; p < phases.size() && status.ok() && !more; ++p) {
    const bool out = phases[p] == EdgeDirection::kOut;
    absl::Status scan =
        store_.ScanEdges(*id, phases[p], p == first_phase ? start_after : "",
                         [&](const Edge& e, absl::string_view raw_key) {
                           if (!filter->EdgeMatches(e)) return true;
                           NodeId other = out ? e.to : e.from;
                           auto node = store_.GetNode(other);
                           if (!node.ok()) {
                             status = node.status();
                             return false;
                           }
                           if (!*node || !filter->KindMatches((*node)->kind)) return true;
                           if (static_cast<uint32_t>(resp->neighbors_size()) == limit) {
                             more = true;
                             return false;
                           }
                           v1::Neighbor* n = resp->add_neighbors();
                           ToProto(e, schema, out ? own_key : (*node)->key,
                                   out ? (*node)->key : own_key, n->mutable_edge());
                           ToProto(**node, schema, n->mutable_node());
                           n->set_direction(out ? v1::DIRECTION_OUT : v1::DIRECTION_IN);
                           last_key = std::string(raw_key);
                           last_phase = p;
                           return true;
                         });
    if (status.ok()) status = scan;
  }
  if (!status.ok()) return ToGrpc(status);
  if (more) {
    resp->set_next_page_token(MakeToken("nbr", absl::StrCat(last_phase, last_key)));
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Stats(grpc::ServerContext*, const v1::StatsRequest*,
                                     v1::StatsResponse* resp) {
  const Schema& schema = *store_.schema();
  StoreCounts counts = store_.counts();
  resp->set_nodes(counts.nodes);
  resp->set_edges(counts.edges);
  for (const NodeKindSpec& k : schema.kinds()) {
    v1::KindCount* c = resp->add_nodes_by_kind();
    c->set_name(k.name);
    c->set_count(counts.by_kind[k.id.value]);
  }
  for (const EdgeTypeSpec& t : schema.types()) {
    v1::KindCount* c = resp->add_edges_by_type();
    c->set_name(t.name);
    c->set_count(counts.by_type[t.id.value]);
  }
  resp->set_disk_bytes(store_.disk_bytes());
  resp->set_data_dir(store_.dir());
  resp->set_format_version(GraphStore::kFormatVersion);
  resp->set_server_version(INNOGRAPH_VERSION);
  resp->set_uptime_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count());
  resp->set_last_sequence(store_.last_sequence());
  return grpc::Status::OK;
}

}  // namespace innograph::server
