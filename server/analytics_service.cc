// Analytics handlers of GraphServiceImpl: Rank, Components, Communities. Each takes the
// filtered view of the topology from the snapshot cache (built under a short reader lock when
// the topology changed since it was last built), then computes on it without any lock; the
// algorithms only read the shared snapshot.

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "graph/query/analytics.h"
#include "server/answer_builder.h"
#include "server/convert.h"
#include "server/graph_service.h"

namespace innograph::server {
namespace {

constexpr uint32_t kMaxTopK = 10000;
constexpr uint32_t kMaxMembers = 10000;
constexpr uint32_t kMaxArticulationPoints = 1000;

// A cancellation check for the analytics: the call's deadline (capped by query_timeout) or a
// cancelled call.
CancelledFn Deadline(grpc::ServerContext* ctx, const QueryOptions& options) {
  auto limit = std::chrono::system_clock::now() + options.query_timeout;
  auto deadline = std::min(ctx->deadline(), limit);
  return
      [ctx, deadline] { return ctx->IsCancelled() || std::chrono::system_clock::now() > deadline; };
}

// The members of each of the `top` largest groups, the first `per_group` by node id.
absl::Status GroupsToProto(const AnalyticsGraph& g, const std::vector<uint32_t>& group_of,
                           const std::vector<uint32_t>& sizes, uint32_t top, uint32_t per_group,
                           AnswerBuilder& answers,
                           google::protobuf::RepeatedPtrField<v1::Component>* out) {
  const uint32_t shown = std::min<uint32_t>(top, static_cast<uint32_t>(sizes.size()));
  std::vector<v1::Component*> groups;
  for (uint32_t c = 0; c < shown; ++c) {
    groups.push_back(out->Add());
    groups.back()->set_size(sizes[c]);
  }
  // node_ids are ascending, so members come out by id.
  for (uint32_t i = 0; i < g.num_nodes(); ++i) {
    const uint32_t c = group_of[i];
    if (c >= shown || static_cast<uint32_t>(groups[c]->members_size()) >= per_group) continue;
    absl::Status s =
        answers.AddNode(static_cast<uint32_t>(g.node_ids[i]), groups[c]->add_members());
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status GraphServiceImpl::Rank(grpc::ServerContext* ctx, const v1::RankRequest* req,
                                    v1::RankResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto top_k = CheckRange(req->top_k(), 20, kMaxTopK, "top_k");
  if (!top_k.ok()) return ToGrpc(top_k.status());
  if (req->damping() < 0 || req->damping() > 1) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("damping: ", req->damping(), " is outside [0, 1]")));
  }
  const std::shared_ptr<const AnalyticsGraph> snapshot =
      snapshots_.Get(topology_, *filter, req->directed());
  const AnalyticsGraph& g = *snapshot;
  const auto started = std::chrono::steady_clock::now();
  CancelledFn cancelled = Deadline(ctx, options_);
  absl::StatusOr<std::vector<double>> scores;
  switch (req->measure()) {
    case v1::MEASURE_PAGERANK:
      scores = PageRank(g, req->damping() == 0 ? 0.85 : req->damping(),
                        req->iterations() == 0 ? 100 : static_cast<int>(req->iterations()), 1e-6,
                        cancelled);
      break;
    case v1::MEASURE_BETWEENNESS: {
      const bool exact = req->samples() == 0 || req->samples() >= g.num_nodes();
      const double work = static_cast<double>(g.num_nodes()) * static_cast<double>(g.num_edges());
      if (exact && work > static_cast<double>(options_.max_exact_betweenness_work)) {
        return ToGrpc(absl::ResourceExhaustedError(absl::StrCat(
            "samples: exact betweenness on ", g.num_nodes(), " nodes and ", g.num_edges(),
            " edges is above the server's cap; ask for samples (e.g. 1000)")));
      }
      scores =
          Betweenness(g, /*normalized=*/true, exact ? 0 : req->samples(), req->seed(), cancelled);
      resp->set_samples_used(exact ? 0 : req->samples());
      break;
    }
    case v1::MEASURE_CLOSENESS: {
      const double work = static_cast<double>(g.num_nodes()) * static_cast<double>(g.num_edges());
      if (work > static_cast<double>(options_.max_exact_betweenness_work)) {
        return ToGrpc(absl::ResourceExhaustedError(
            absl::StrCat("measure: closeness on ", g.num_nodes(), " nodes and ", g.num_edges(),
                         " edges is above the server's cap; filter the view")));
      }
      scores = Closeness(g, cancelled);
      break;
    }
    default:
      scores = DegreeCentrality(g, req->weighted());
      break;
  }
  if (!scores.ok()) return ToGrpc(scores.status());
  resp->set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  resp->set_graph_nodes(g.num_nodes());
  resp->set_graph_edges(g.num_edges());
  AnswerBuilder answers(records_);
  for (uint32_t i : TopK(*scores, *top_k)) {
    v1::ScoredNode* out = resp->add_nodes();
    if (auto s = answers.AddNode(static_cast<uint32_t>(g.node_ids[i]), out->mutable_node());
        !s.ok()) {
      return ToGrpc(s);
    }
    out->set_score((*scores)[i]);
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Components(grpc::ServerContext* ctx,
                                          const v1::ComponentsRequest* req,
                                          v1::ComponentsResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto top_k = CheckRange(req->top_k(), 10, kMaxTopK, "top_k");
  if (!top_k.ok()) return ToGrpc(top_k.status());
  auto members = CheckRange(req->members_per_component(), 20, kMaxMembers, "members_per_component");
  if (!members.ok()) return ToGrpc(members.status());
  const std::shared_ptr<const AnalyticsGraph> snapshot =
      snapshots_.Get(topology_, *filter, /*directed=*/false);
  const AnalyticsGraph& g = *snapshot;
  ComponentsResult result = ConnectedComponents(g);
  resp->set_count(result.sizes.size());
  resp->set_graph_nodes(g.num_nodes());
  resp->set_graph_edges(g.num_edges());
  AnswerBuilder answers(records_);
  if (auto s = GroupsToProto(g, result.component, result.sizes, *top_k, *members, answers,
                             resp->mutable_components());
      !s.ok()) {
    return ToGrpc(s);
  }
  if (req->articulation_points()) {
    std::vector<uint32_t> cut = ArticulationPoints(g);
    resp->set_articulation_point_count(cut.size());
    for (size_t i = 0; i < cut.size() && i < kMaxArticulationPoints; ++i) {
      if (auto s = answers.AddNode(static_cast<uint32_t>(g.node_ids[cut[i]]),
                                   resp->add_articulation_points());
          !s.ok()) {
        return ToGrpc(s);
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Communities(grpc::ServerContext* ctx,
                                           const v1::CommunitiesRequest* req,
                                           v1::CommunitiesResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  auto filter = ParseFilter(req->filter(), *store_.schema());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto top_k = CheckRange(req->top_k(), 10, kMaxTopK, "top_k");
  if (!top_k.ok()) return ToGrpc(top_k.status());
  auto members = CheckRange(req->members_per_community(), 20, kMaxMembers, "members_per_community");
  if (!members.ok()) return ToGrpc(members.status());
  const std::shared_ptr<const AnalyticsGraph> snapshot =
      snapshots_.Get(topology_, *filter, /*directed=*/false);
  const AnalyticsGraph& g = *snapshot;
  CancelledFn cancelled = Deadline(ctx, options_);
  absl::StatusOr<CommunitiesResult> result =
      req->algorithm() == v1::COMMUNITY_ALGORITHM_LABEL_PROPAGATION
          ? LabelPropagation(g, req->seed(), cancelled)
          : Louvain(g, req->resolution() == 0 ? 1.0 : req->resolution(), req->seed(), cancelled);
  if (!result.ok()) return ToGrpc(result.status());
  resp->set_count(result->sizes.size());
  resp->set_modularity(result->modularity);
  resp->set_graph_nodes(g.num_nodes());
  resp->set_graph_edges(g.num_edges());
  AnswerBuilder answers(records_);
  return ToGrpc(GroupsToProto(g, result->community, result->sizes, *top_k, *members, answers,
                              resp->mutable_communities()));
}

}  // namespace innograph::server
