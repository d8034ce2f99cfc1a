#pragma once

// ServedGraphService: the GraphService as innograph-server serves it. It is GraphServiceImpl
// with
//   - the server-wide limits of limits.h around the traversal, analytics and Export handlers:
//     heavy calls hold a slot of --max-heavy-queries while they run, and every traversal and
//     whole-graph call is checked against --max-query-memory (admin.cc);
//   - the admin rpcs: Backup, a consistent checkpoint of the live store into a directory on the
//     server's machine while reads and writes continue (admin.cc).
// Access control comes first: a caller without the role a call needs is refused before it
// takes a slot or is estimated.
//
// Thread safety: as GraphServiceImpl; Backups are taken one at a time.

#include <mutex>
#include <string>

#include "server/graph_service.h"
#include "server/limits.h"

namespace innograph::server {

class ServedGraphService final : public GraphServiceImpl {
 public:
  // `options` are the configured query options; the service runs with limiter.Fit(options).
  // `data_dir` is the store's directory (Backup refuses to write inside it). `store`,
  // `topology` and `limiter` must outlive the service.
  ServedGraphService(GraphStore& store, Topology& topology, const QueryOptions& options,
                     QueryLimiter& limiter, std::string data_dir, RecordCache* records = nullptr);

  // As GraphServiceImpl::set_tokens; this service checks the same tokens.
  void set_tokens(const TokenTable* tokens) {
    GraphServiceImpl::set_tokens(tokens);
    tokens_ = tokens;
  }

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
  grpc::Status Rank(grpc::ServerContext*, const v1::RankRequest*, v1::RankResponse*) override;
  grpc::Status Components(grpc::ServerContext*, const v1::ComponentsRequest*,
                          v1::ComponentsResponse*) override;
  grpc::Status Communities(grpc::ServerContext*, const v1::CommunitiesRequest*,
                           v1::CommunitiesResponse*) override;
  grpc::Status Export(grpc::ServerContext*, const v1::ExportRequest*,
                      grpc::ServerWriter<v1::ExportChunk>*) override;

  grpc::Status Backup(grpc::ServerContext*, const v1::BackupRequest*, v1::BackupResponse*) override;

 private:
  grpc::Status AuthorizeCall(grpc::ServerContext* ctx, Access need) const {
    return tokens_ == nullptr ? grpc::Status::OK : tokens_->Authorize(*ctx, need);
  }
  // Runs `body` holding a heavy-query slot (after the read access check).
  template <typename Body>
  grpc::Status Heavy(grpc::ServerContext* ctx, absl::string_view method, Body body);
  // A traversal's memory checks around the handler: before it, the request's limits; after
  // it, a truncation by a default that the memory limit lowered. `resp` is cleared on refusal.
  template <typename Resp, typename Run>
  grpc::Status Traversal(absl::string_view method, const v1::Limits& limits, Resp* resp, Run run);
  // A whole-graph computation's memory check, from the topology's counts.
  grpc::Status WholeGraph(absl::string_view method, WholeGraphWork work);

  GraphStore& store_;
  Topology& topology_;
  QueryLimiter& limiter_;
  const std::string data_dir_;
  const TokenTable* tokens_ = nullptr;
  std::mutex backup_mu_;  // One Backup at a time.
};

}  // namespace innograph::server
