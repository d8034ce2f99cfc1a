#pragma once

// GraphService: the gRPC face of the store. Thin: it validates request shapes, converts
// messages to domain types (convert.h), calls graph/, and converts back.
//
// Thread safety: all handlers run concurrently on gRPC's threads; the store is thread-safe.

#include <chrono>

#include "graph/store/store.h"
#include "innograph/v1/graph.grpc.pb.h"

namespace innograph::server {

class GraphServiceImpl final : public v1::GraphService::Service {
 public:
  explicit GraphServiceImpl(GraphStore& store);

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
  grpc::Status GetNodes(grpc::ServerContext*, const v1::GetNodesRequest*,
                        v1::GetNodesResponse*) override;
  grpc::Status GetEdges(grpc::ServerContext*, const v1::GetEdgesRequest*,
                        v1::GetEdgesResponse*) override;
  grpc::Status SearchNodes(grpc::ServerContext*, const v1::SearchNodesRequest*,
                           v1::SearchNodesResponse*) override;
  grpc::Status Neighbors(grpc::ServerContext*, const v1::NeighborsRequest*,
                         v1::NeighborsResponse*) override;
  grpc::Status Stats(grpc::ServerContext*, const v1::StatsRequest*, v1::StatsResponse*) override;

 private:
  // The edge as an API message, with its endpoints' keys looked up.
  absl::Status EdgeToProto(const Edge& e, v1::Edge* out) const;

  GraphStore& store_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace innograph::server
