// Traversal handlers of GraphServiceImpl: Expand, ShortestPath, Paths, Subgraph,
// CommonNeighbors, Similar. Each resolves its nodes, parses filters and limits, runs the
// traversal inside one topology Reader, and builds the answer after releasing it.

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "server/answer_builder.h"
#include "server/convert.h"
#include "server/graph_service.h"
#include "server/metrics.h"

namespace innograph::server {
namespace {

constexpr int kMaxSeeds = 1000;

// `method` names the rpc in the truncated-queries metric.
template <typename Resp>
void SetTruncation(absl::string_view method, const Truncation& t, Resp* resp) {
  if (Metrics* m = Metrics::Global()) m->QueryTruncated(method, t);
  resp->set_truncated(t.truncated);
  for (LimitKind k : t.hit) resp->add_limits_hit(static_cast<v1::LimitKind>(k));
}

absl::Status PathsToProto(absl::string_view method, const PathsResult& result,
                          AnswerBuilder& answers, v1::PathsResponse* resp) {
  for (const Path& p : result.paths) {
    v1::Path* out = resp->add_paths();
    for (uint32_t n : p.nodes) RETURN_IF_ERROR(answers.AddNode(n, out->add_nodes()));
    for (const Step& s : p.steps) RETURN_IF_ERROR(answers.AddStep(s, out->add_steps()));
    out->set_cost(p.cost);
  }
  SetTruncation(method, result.truncation, resp);
  return absl::OkStatus();
}

}  // namespace

grpc::Status GraphServiceImpl::Expand(grpc::ServerContext* ctx, const v1::ExpandRequest* req,
                                      v1::ExpandResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  if (req->seeds_size() == 0 || req->seeds_size() > kMaxSeeds) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("seeds: ", req->seeds_size(), " seeds, want 1-", kMaxSeeds)));
  }
  std::vector<uint32_t> seeds;
  for (int i = 0; i < req->seeds_size(); ++i) {
    auto id = ResolveLive(req->seeds(i), absl::StrCat("seeds[", i, "]"));
    if (!id.ok()) return ToGrpc(id.status());
    seeds.push_back(*id);
  }
  auto depth = CheckRange(req->depth(), 0, options_.max_depth, "depth");
  if (!depth.ok()) return ToGrpc(depth.status());
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto limits = ParseLimits(req->limits(), options_, ctx);
  if (!limits.ok()) return ToGrpc(limits.status());
  // The topology's entries are only valid under the reader: copy what the answer needs.
  std::vector<Edge> edges;
  ExpandResult result;
  {
    Topology::Reader reader = topology_.Read();
    result = innograph::Expand(reader, seeds, ParseDirection(req->direction()), *filter, *depth,
                               *limits, req->count_only());
    AnswerBuilder answers(records_, &reader);
    for (size_t i = 0; i < result.nodes.size(); ++i) {
      if (auto s = answers.AddNode(result.nodes[i], resp->add_nodes()); !s.ok()) return ToGrpc(s);
      resp->add_hops(result.hops[i]);
    }
    for (const Step& s : result.edges) {
      if (auto st = answers.AddEdge(s, resp->add_edges()); !st.ok()) return ToGrpc(st);
    }
  }
  for (uint64_t c : result.per_hop) resp->add_per_hop(c);
  SetTruncation("Expand", result.truncation, resp);
  return grpc::Status::OK;
}

template <typename Req>
absl::StatusOr<GraphServiceImpl::PathQuery> GraphServiceImpl::ParsePathQuery(
    const grpc::ServerContextBase* ctx, const Req& req) const {
  PathQuery q;
  ASSIGN_OR_RETURN(q.from, ResolveLive(req.from(), "from"));
  ASSIGN_OR_RETURN(q.to, ResolveLive(req.to(), "to"));
  ASSIGN_OR_RETURN(q.filter, ParseFilter(req.filter(), *store_.schema()));
  ASSIGN_OR_RETURN(q.limits, ParseLimits(req.limits(), options_, ctx));
  ASSIGN_OR_RETURN(q.max_length,
                   CheckRange(req.max_length(), std::min<uint32_t>(6, options_.max_depth),
                              options_.max_depth, "max_length"));
  return q;
}

grpc::Status GraphServiceImpl::ShortestPath(grpc::ServerContext* ctx,
                                            const v1::ShortestPathRequest* req,
                                            v1::PathsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto q = ParsePathQuery(ctx, *req);
  if (!q.ok()) return ToGrpc(q.status());
  if (req->weighted() && req->time_respecting()) {
    return ToGrpc(absl::InvalidArgumentError(
        "time_respecting: a time-respecting search counts hops; it cannot be weighted"));
  }
  PathOptions options{ParseDirection(req->direction()), req->weighted(), req->time_respecting(),
                      q->max_length};
  Topology::Reader reader = topology_.Read();
  PathsResult result =
      innograph::ShortestPath(reader, q->from, q->to, q->filter, options, q->limits);
  AnswerBuilder answers(records_, &reader);
  return ToGrpc(PathsToProto("ShortestPath", result, answers, resp));
}

grpc::Status GraphServiceImpl::Paths(grpc::ServerContext* ctx, const v1::PathsRequest* req,
                                     v1::PathsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto q = ParsePathQuery(ctx, *req);
  if (!q.ok()) return ToGrpc(q.status());
  PathOptions options{ParseDirection(req->direction()), req->weighted(), false, q->max_length};
  Topology::Reader reader = topology_.Read();
  PathsResult result;
  if (req->mode() == v1::PATHS_MODE_ALL_SHORTEST) {
    if (req->weighted()) {
      return ToGrpc(absl::InvalidArgumentError("weighted: ALL_SHORTEST counts hops only"));
    }
    result = AllShortestPaths(reader, q->from, q->to, q->filter, options, q->limits);
  } else {
    auto k = CheckRange(req->k(), 3, options_.max_k, "k");
    if (!k.ok()) return ToGrpc(k.status());
    result = KShortestPaths(reader, q->from, q->to, q->filter, options, *k, q->limits);
  }
  AnswerBuilder answers(records_, &reader);
  return ToGrpc(PathsToProto("Paths", result, answers, resp));
}

grpc::Status GraphServiceImpl::Subgraph(grpc::ServerContext* ctx, const v1::SubgraphRequest* req,
                                        grpc::ServerWriter<v1::SubgraphChunk>* writer) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  const bool ego = req->has_center();
  if (ego == (req->nodes_size() > 0)) {
    return ToGrpc(absl::InvalidArgumentError("center/nodes: give exactly one of them"));
  }
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto limits = ParseLimits(req->limits(), options_, ctx);
  if (!limits.ok()) return ToGrpc(limits.status());
  const uint32_t chunk = req->chunk_size() == 0 ? 1000 : std::min(req->chunk_size(), 100000u);
  std::vector<uint32_t> ids;
  for (int i = 0; i < req->nodes_size(); ++i) {
    auto id = ResolveLive(req->nodes(i), absl::StrCat("nodes[", i, "]"));
    if (!id.ok()) return ToGrpc(id.status());
    ids.push_back(*id);
  }
  uint32_t center = 0, radius = 0;
  if (ego) {
    auto c = ResolveLive(req->center(), "center");
    if (!c.ok()) return ToGrpc(c.status());
    center = *c;
    auto r = CheckRange(req->radius(), 1, options_.max_depth, "radius");
    if (!r.ok()) return ToGrpc(r.status());
    radius = *r;
  }
  // Build every chunk under the reader (entries are only valid there), then stream.
  std::vector<v1::SubgraphChunk> chunks(1);
  {
    Topology::Reader reader = topology_.Read();
    SubgraphResult result =
        ego ? EgoNetwork(reader, center, radius, ParseDirection(req->direction()), *filter, *limits)
            : InducedSubgraph(reader, ids, *filter, *limits);
    AnswerBuilder answers(records_, &reader);
    auto room = [&] {
      const auto& c = chunks.back();
      if (static_cast<uint32_t>(c.nodes_size() + c.edges_size()) >= chunk) chunks.emplace_back();
      return &chunks.back();
    };
    for (uint32_t n : result.nodes) {
      if (auto s = answers.AddNode(n, room()->add_nodes()); !s.ok()) return ToGrpc(s);
    }
    for (const Step& e : result.edges) {
      if (auto s = answers.AddEdge(e, room()->add_edges()); !s.ok()) return ToGrpc(s);
    }
    chunks.back().set_last(true);
    SetTruncation("Subgraph", result.truncation, &chunks.back());
  }
  for (const v1::SubgraphChunk& c : chunks) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    if (!writer->Write(c)) break;
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::CommonNeighbors(grpc::ServerContext* ctx,
                                               const v1::CommonNeighborsRequest* req,
                                               v1::CommonNeighborsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto a = ResolveLive(req->a(), "a");
  if (!a.ok()) return ToGrpc(a.status());
  auto b = ResolveLive(req->b(), "b");
  if (!b.ok()) return ToGrpc(b.status());
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto limits = ParseLimits(req->limits(), options_, ctx);
  if (!limits.ok()) return ToGrpc(limits.status());
  Truncation t;
  Topology::Reader reader = topology_.Read();
  std::vector<CommonNeighbor> found = innograph::CommonNeighbors(
      reader, *a, *b, ParseDirection(req->direction()), *filter, *limits, &t);
  AnswerBuilder answers(records_, &reader);
  for (const CommonNeighbor& c : found) {
    v1::CommonNeighbor* out = resp->add_neighbors();
    absl::Status s = answers.AddNode(c.node, out->mutable_node());
    if (s.ok()) s = answers.AddStep(c.from_a, out->mutable_from_a());
    if (s.ok()) s = answers.AddStep(c.from_b, out->mutable_from_b());
    if (!s.ok()) return ToGrpc(s);
  }
  SetTruncation("CommonNeighbors", t, resp);
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Similar(grpc::ServerContext* ctx, const v1::SimilarRequest* req,
                                       v1::SimilarResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto node = ResolveLive(req->node(), "node");
  if (!node.ok()) return ToGrpc(node.status());
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto limits = ParseLimits(req->limits(), options_, ctx);
  if (!limits.ok()) return ToGrpc(limits.status());
  auto k = CheckRange(req->k(), 10, limits->max_results, "k");
  if (!k.ok()) return ToGrpc(k.status());
  const SimilarityMetric metric = req->metric() == v1::SIMILARITY_METRIC_ADAMIC_ADAR
                                      ? SimilarityMetric::kAdamicAdar
                                      : SimilarityMetric::kJaccard;
  Truncation t;
  Topology::Reader reader = topology_.Read();
  std::vector<innograph::Similar> found =
      SimilarNodes(reader, *node, metric, ParseDirection(req->direction()), *filter, *k,
                   req->include_neighbors(), *limits, &t);
  AnswerBuilder answers(records_, &reader);
  for (const innograph::Similar& s : found) {
    v1::ScoredNode* out = resp->add_nodes();
    if (auto st = answers.AddNode(s.node, out->mutable_node()); !st.ok()) return ToGrpc(st);
    out->set_score(s.score);
    out->set_common(s.common);
  }
  SetTruncation("Similar", t, resp);
  return grpc::Status::OK;
}

}  // namespace innograph::server
