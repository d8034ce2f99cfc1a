#pragma once

// GraphService: the gRPC face of graph/. Thin: it validates request shapes, converts messages
// to domain types (convert.h, query_params.h), calls the store (writes, lookups) or the
// topology (traversals, analytics), and converts back. Handlers are split by family:
// graph_service.cc (schema, writes, lookups, stats), query_service.cc (traversals),
// analytics_service.cc (rank, components, communities).
//
// Thread safety: all handlers run concurrently on gRPC's threads; the store and the topology
// are thread-safe.

#include <atomic>
#include <chrono>

#include "graph/query/snapshot_cache.h"
#include "graph/query/traversal.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"
#include "innograph/v1/graph.grpc.pb.h"
#include "server/auth.h"
#include "server/query_params.h"
#include "server/record_cache.h"

namespace innograph::server {

// The light rpcs, GetNodes, GetEdges and Neighbors, are raw asynchronous methods: LightRpcs
// (light_rpcs.h) serves them on threads that poll gRPC's completion queues themselves and run
// the handler on the thread that read the request, with no hand-over to another thread. Their
// work is bounded by their batch and page sizes and served from memory (record_cache.h). Every
// other rpc stays on the sync API's growing thread pool, because it may run for as long as its
// limits and deadline allow (traversals, analytics), wait for fsync (writes) or stream: on the
// few light threads such a call would hold up every other call.
using GraphServiceBase =
    v1::GraphService::WithRawMethod_GetNodes<v1::GraphService::WithRawMethod_GetEdges<
        v1::GraphService::WithRawMethod_Neighbors<v1::GraphService::Service>>>;

class GraphServiceImpl : public GraphServiceBase {
 public:
  // `records` (may be null: answers then read every record from the store) must be the cache
  // the store's commit listener keeps current (RecordCache::Apply) and outlive the service.
  GraphServiceImpl(GraphStore& store, Topology& topology, QueryOptions options,
                   RecordCache* records = nullptr);

  grpc::Status GetSchema(grpc::ServerContext*, const v1::GetSchemaRequest*,
                         v1::GetSchemaResponse*) override;
  grpc::Status UpsertNodes(grpc::ServerContext*, const v1::UpsertNodesRequest*,
                           v1::UpsertNodesResponse*) override;
  grpc::Status UpsertEdges(grpc::ServerContext*, const v1::UpsertEdgesRequest*,
                           v1::UpsertEdgesResponse*) override;
  grpc::Status DeleteNodes(grpc::ServerContext*, const v1::DeleteNodesRequest*,
                           v1::DeleteNodesResponse*) override;
  grpc::Status DeleteEdges(grpc::ServerContext*, const v1::DeleteEdgesRequest*,
                           v1::DeleteEdgesResponse*) override;
  // The light rpcs' handlers (LightRpcs calls them; they take any server context).
  grpc::Status GetNodes(grpc::ServerContextBase*, const v1::GetNodesRequest*,
                        v1::GetNodesResponse*);
  grpc::Status GetEdges(grpc::ServerContextBase*, const v1::GetEdgesRequest*,
                        v1::GetEdgesResponse*);
  grpc::Status SearchNodes(grpc::ServerContext*, const v1::SearchNodesRequest*,
                           v1::SearchNodesResponse*) override;
  grpc::Status Neighbors(grpc::ServerContextBase*, const v1::NeighborsRequest*,
                         v1::NeighborsResponse*);
  grpc::Status Stats(grpc::ServerContext*, const v1::StatsRequest*, v1::StatsResponse*) override;

  // query_service.cc
  grpc::Status Expand(grpc::ServerContext*, const v1::ExpandRequest*, v1::ExpandResponse*) override;
  grpc::Status ShortestPath(grpc::ServerContext*, const v1::ShortestPathRequest*,
                            v1::PathsResponse*) override;
  grpc::Status Paths(grpc::ServerContext*, const v1::PathsRequest*, v1::PathsResponse*) override;
  grpc::Status Subgraph(grpc::ServerContext*, const v1::SubgraphRequest*,
                        grpc::ServerWriter<v1::SubgraphChunk>*) override;
  grpc::Status CommonNeighbors(grpc::ServerContext*, const v1::CommonNeighborsRequest*,
                               v1::CommonNeighborsResponse*) override;
  grpc::Status Similar(grpc::ServerContext*, const v1::SimilarRequest*,
                       v1::SimilarResponse*) override;

  // transfer_service.cc
  grpc::Status Import(grpc::ServerContext*, grpc::ServerReader<v1::ImportRequest>*,
                      v1::ImportResponse*) override;
  grpc::Status Export(grpc::ServerContext*, const v1::ExportRequest*,
                      grpc::ServerWriter<v1::ExportChunk>*) override;

  // watch_service.cc
  grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*,
                     grpc::ServerWriter<v1::WatchEvent>*) override;
  // Ends open Watch streams (with UNAVAILABLE) so that shutdown need not wait for them.
  void BeginShutdown() { shutting_down_ = true; }

  // Every handler first checks the caller's bearer token against `tokens` (auth.h): a missing
  // or unknown token is UNAUTHENTICATED, a reader calling a write rpc PERMISSION_DENIED. Null
  // (the default) = no access control. `tokens` must outlive the service; set before serving.
  void set_tokens(const TokenTable* tokens) { tokens_ = tokens; }
  // The analytics snapshots kept between calls (memory accounting).
  const SnapshotCache& snapshots() const { return snapshots_; }

  // analytics_service.cc
  grpc::Status Rank(grpc::ServerContext*, const v1::RankRequest*, v1::RankResponse*) override;
  grpc::Status Components(grpc::ServerContext*, const v1::ComponentsRequest*,
                          v1::ComponentsResponse*) override;
  grpc::Status Communities(grpc::ServerContext*, const v1::CommunitiesRequest*,
                           v1::CommunitiesResponse*) override;

 private:
  // Resolves a ref to a live node id of the topology; NOT_FOUND names `field`.
  absl::StatusOr<uint32_t> ResolveLive(const v1::NodeRef& ref, absl::string_view field) const;

  // The endpoints, filter, limits and length bound shared by ShortestPath and Paths.
  struct PathQuery {
    uint32_t from = 0;
    uint32_t to = 0;
    TopologyFilter filter;
    QueryLimits limits;
    uint32_t max_length = 0;
  };
  template <typename Req>
  absl::StatusOr<PathQuery> ParsePathQuery(const grpc::ServerContextBase* ctx,
                                           const Req& req) const;

  // OK when access control is off or the call's token grants `need`.
  grpc::Status Authorize(grpc::ServerContextBase* ctx, Access need) const {
    return tokens_ == nullptr ? grpc::Status::OK : tokens_->Authorize(*ctx, need);
  }

  GraphStore& store_;
  Topology& topology_;
  std::unique_ptr<RecordCache> own_records_;  // A pass-through cache when none is given.
  RecordCache& records_;
  const QueryOptions options_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<bool> shutting_down_{false};
  const TokenTable* tokens_ = nullptr;
  // Analytics snapshots by topology version and filter (analytics_service.cc).
  SnapshotCache snapshots_;
};

}  // namespace innograph::server
