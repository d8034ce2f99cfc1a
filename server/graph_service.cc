#include "server/graph_service.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/unknown_field_set.h"
#include "graph/model/status.h"
#include "server/answer_builder.h"
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

}  // namespace

GraphServiceImpl::GraphServiceImpl(GraphStore& store, Topology& topology, QueryOptions options,
                                   RecordCache* records)
    : store_(store),
      topology_(topology),
      own_records_(records ? nullptr : std::make_unique<RecordCache>(store, 0)),
      records_(records ? *records : *own_records_),
      options_(std::move(options)),
      started_(std::chrono::steady_clock::now()) {}

absl::StatusOr<uint32_t> GraphServiceImpl::ResolveLive(const v1::NodeRef& ref,
                                                       absl::string_view field) const {
  NodeRef r;
  RETURN_IF_ERROR(WithContext(FromProto(ref, &r), field));
  ASSIGN_OR_RETURN(NodeId id, store_.Resolve(r, field));
  return static_cast<uint32_t>(id.value);
}

grpc::Status GraphServiceImpl::GetSchema(grpc::ServerContext* ctx, const v1::GetSchemaRequest*,
                                         v1::GetSchemaResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  ToProto(*store_.schema(), resp->mutable_schema());
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::UpsertNodes(grpc::ServerContext* ctx,
                                           const v1::UpsertNodesRequest* req,
                                           v1::UpsertNodesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kWrite); !s.ok()) return s;
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

grpc::Status GraphServiceImpl::UpsertEdges(grpc::ServerContext* ctx,
                                           const v1::UpsertEdgesRequest* req,
                                           v1::UpsertEdgesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kWrite); !s.ok()) return s;
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

grpc::Status GraphServiceImpl::DeleteNodes(grpc::ServerContext* ctx,
                                           const v1::DeleteNodesRequest* req,
                                           v1::DeleteNodesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kWrite); !s.ok()) return s;
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

grpc::Status GraphServiceImpl::DeleteEdges(grpc::ServerContext* ctx,
                                           const v1::DeleteEdgesRequest* req,
                                           v1::DeleteEdgesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kWrite); !s.ok()) return s;
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

grpc::Status GraphServiceImpl::GetNodes(grpc::ServerContextBase* ctx,
                                        const v1::GetNodesRequest* req,
                                        v1::GetNodesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  if (auto s = CheckBatch(req->nodes_size(), "nodes"); !s.ok()) return ToGrpc(s);
  // The nodes go into the answer already encoded, from the record cache (as in Neighbors).
  google::protobuf::UnknownFieldSet* encoded = resp->GetReflection()->MutableUnknownFields(resp);
  for (int i = 0; i < req->nodes_size(); ++i) {
    std::string field = absl::StrCat("nodes[", i, "]");
    NodeRef ref;
    absl::Status s = FromProto(req->nodes(i), &ref);
    if (!s.ok()) return ToGrpc(WithContext(s, field));
    absl::Status missing;
    RecordCache::NodePtr node;
    if (!ref.key.empty()) {
      auto id = store_.Resolve(ref, field);
      if (!id.ok() && !absl::IsNotFound(id.status())) return ToGrpc(id.status());
      if (id.ok()) ref.id = *id;
      missing = id.status();
    }
    if (missing.ok()) {
      // Node ids are below 2^32 (the topology's ids); a larger one names no node.
      if (ref.id.value <= UINT32_MAX) {
        auto got = records_.GetNode(static_cast<uint32_t>(ref.id.value));
        if (!got.ok()) return ToGrpc(got.status());
        node = std::move(*got);
      }
      if (node == nullptr || !node->live) {
        node = nullptr;
        missing = absl::NotFoundError(absl::StrCat(field, ": no node with id ", ref.id.value));
      }
    }
    if (node == nullptr) {
      if (!req->allow_missing()) return ToGrpc(missing);
      *resp->add_missing() = req->nodes(i);
      continue;
    }
    encoded->AddLengthDelimited(v1::GetNodesResponse::kNodesFieldNumber, node->message);
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::GetEdges(grpc::ServerContextBase* ctx,
                                        const v1::GetEdgesRequest* req,
                                        v1::GetEdgesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  if (auto s = CheckBatch(req->ids_size(), "ids"); !s.ok()) return ToGrpc(s);
  // The edges go into the answer already encoded, from the record cache (as in Neighbors).
  google::protobuf::UnknownFieldSet* encoded = resp->GetReflection()->MutableUnknownFields(resp);
  for (int i = 0; i < req->ids_size(); ++i) {
    auto edge = records_.GetEdge(req->ids(i));
    if (!edge.ok()) return ToGrpc(edge.status());
    if (*edge == nullptr) {
      if (!req->allow_missing()) {
        return ToGrpc(
            absl::NotFoundError(absl::StrCat("ids[", i, "]: no edge with id ", req->ids(i))));
      }
      resp->add_missing_ids(req->ids(i));
      continue;
    }
    encoded->AddLengthDelimited(v1::GetEdgesResponse::kEdgesFieldNumber, **edge);
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::SearchNodes(grpc::ServerContext* ctx,
                                           const v1::SearchNodesRequest* req,
                                           v1::SearchNodesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
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

grpc::Status GraphServiceImpl::Neighbors(grpc::ServerContextBase* ctx,
                                         const v1::NeighborsRequest* req,
                                         v1::NeighborsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto node = ResolveLive(req->node(), "node");
  if (!node.ok()) return ToGrpc(node.status());
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto limit = CheckRange(req->limit(), kDefaultNeighborsLimit, kMaxNeighborsLimit, "limit");
  if (!limit.ok()) return ToGrpc(limit.status());
  std::optional<NeighborCursor> after;
  if (!req->page_token().empty()) {
    auto payload = ReadToken(req->page_token(), "nbr");
    if (!payload.ok()) return ToGrpc(payload.status());
    std::vector<absl::string_view> parts = absl::StrSplit(*payload, ',');
    uint32_t phase, type, nbr, edge;
    if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &phase) ||
        !absl::SimpleAtoi(parts[1], &type) || !absl::SimpleAtoi(parts[2], &nbr) ||
        !absl::SimpleAtoi(parts[3], &edge) || phase > 1 || type > 65535) {
      return ToGrpc(absl::InvalidArgumentError("page_token: malformed"));
    }
    after = NeighborCursor{static_cast<uint8_t>(phase), static_cast<uint16_t>(type), nbr, edge};
  }
  // Read the page from the topology, then the records from the store (outside the lock).
  std::vector<std::pair<EdgeId, uint32_t>> page;  // Edge, neighbour.
  std::vector<bool> outgoing;
  {
    Topology::Reader reader = topology_.Read();
    NeighborsResult result = innograph::Neighbors(reader, *node, ParseDirection(req->direction()),
                                                  *filter, after, *limit);
    for (const Step& s : result.steps) {
      page.emplace_back(EdgeId(s.entry->edge), s.to);
      outgoing.push_back(s.forward);
    }
    if (result.next) {
      const NeighborCursor& c = *result.next;
      resp->set_next_page_token(
          MakeToken("nbr", absl::StrCat(c.phase, ",", c.type, ",", c.nbr, ",", c.edge)));
    }
  }
  // The neighbours go into the answer already encoded: the cached records are encoded
  // messages, and splicing them saves decoding and re-encoding two messages per neighbour.
  // Protobuf writes unknown fields after the known ones, so these occurrences of field 1
  // (`neighbors`) decode exactly as the same answer built field by field would.
  AnswerBuilder answers(records_);
  google::protobuf::UnknownFieldSet* encoded = resp->GetReflection()->MutableUnknownFields(resp);
  std::string neighbor;
  for (size_t i = 0; i < page.size(); ++i) {
    neighbor.clear();
    auto live = answers.AppendNeighbor(page[i].first.value, page[i].second, outgoing[i], &neighbor);
    if (!live.ok()) return ToGrpc(live.status());
    if (!*live) continue;  // Deleted since the page was read.
    encoded->AddLengthDelimited(v1::NeighborsResponse::kNeighborsFieldNumber)->swap(neighbor);
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Stats(grpc::ServerContext* ctx, const v1::StatsRequest*,
                                     v1::StatsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
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
  resp->set_topology_bytes(topology_.memory_bytes());
  const StoreFigures figures = store_.Figures();
  resp->set_rocksdb_memtable_bytes(figures.memtable_bytes);
  resp->set_block_cache_hit_ratio(figures.block_cache_hit_ratio);
  resp->set_compaction_pending_bytes(figures.compaction_pending_bytes);
  return grpc::Status::OK;
}

}  // namespace innograph::server
