#pragma once

// The innograph C++ client: one method per GraphService rpc, returning absl::StatusOr.
//
// Thread safety: a Client may be shared by threads (gRPC stubs are thread-safe).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "innograph/v1/graph.grpc.pb.h"

namespace innograph::client {

class Client {
 public:
  struct Options {
    // Server address, HOST:PORT. Default: $INNOGRAPH_SERVER, else 127.0.0.1:50051.
    std::string target;
    // Deadline of each call. Default: 30 s.
    std::chrono::milliseconds timeout{30000};
    // Bearer token sent as `authorization: Bearer <token>` on every call; empty = none.
    std::string token;
    // PEM of the CA that signed the server's certificate: connect with TLS. Empty = plaintext.
    std::string tls_ca_pem;
  };

  // The address a client uses when none is given: $INNOGRAPH_SERVER or 127.0.0.1:50051.
  static std::string DefaultTarget();

  // Creates a client. Connecting is lazy: an unreachable server shows as UNAVAILABLE on the
  // first call.
  static std::unique_ptr<Client> Create(Options options);

  absl::StatusOr<v1::GetSchemaResponse> GetSchema(const v1::GetSchemaRequest& req = {});
  absl::StatusOr<v1::UpsertNodesResponse> UpsertNodes(const v1::UpsertNodesRequest& req);
  absl::StatusOr<v1::UpsertEdgesResponse> UpsertEdges(const v1::UpsertEdgesRequest& req);
  absl::StatusOr<v1::DeleteNodesResponse> DeleteNodes(const v1::DeleteNodesRequest& req);
  absl::StatusOr<v1::DeleteEdgesResponse> DeleteEdges(const v1::DeleteEdgesRequest& req);
  absl::StatusOr<v1::GetNodesResponse> GetNodes(const v1::GetNodesRequest& req);
  absl::StatusOr<v1::GetEdgesResponse> GetEdges(const v1::GetEdgesRequest& req);
  absl::StatusOr<v1::SearchNodesResponse> SearchNodes(const v1::SearchNodesRequest& req);
  absl::StatusOr<v1::NeighborsResponse> Neighbors(const v1::NeighborsRequest& req);
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& req = {});
  absl::StatusOr<v1::ExpandResponse> Expand(const v1::ExpandRequest& req);
  absl::StatusOr<v1::PathsResponse> ShortestPath(const v1::ShortestPathRequest& req);
  absl::StatusOr<v1::PathsResponse> Paths(const v1::PathsRequest& req);
  // Reads the whole stream and merges the chunks into one (the last chunk's truncation).
  absl::StatusOr<v1::SubgraphChunk> Subgraph(const v1::SubgraphRequest& req);
  absl::StatusOr<v1::CommonNeighborsResponse> CommonNeighbors(
      const v1::CommonNeighborsRequest& req);
  absl::StatusOr<v1::SimilarResponse> Similar(const v1::SimilarRequest& req);
  absl::StatusOr<v1::RankResponse> Rank(const v1::RankRequest& req);
  absl::StatusOr<v1::ComponentsResponse> Components(const v1::ComponentsRequest& req);
  absl::StatusOr<v1::CommunitiesResponse> Communities(const v1::CommunitiesRequest& req);
  // Admin: a consistent backup of the live store into `req.dir`, a directory on the server's
  // machine (new or empty).
  absl::StatusOr<v1::BackupResponse> Backup(const v1::BackupRequest& req);

  // Progress of an import: bytes sent of all files, rows sent.
  struct ImportProgress {
    uint64_t bytes_sent = 0;
    uint64_t bytes_total = 0;
    uint64_t lines_sent = 0;
  };
  // Streams files (.jsonl/.ndjson/.json or .csv; format from the name) to the Import rpc.
  // `progress` (may be empty) is called after each message. The whole import has no deadline
  // but the per-message flow; it fails with the server's status, or NOT_FOUND for a missing file.
  absl::StatusOr<v1::ImportResponse> Import(
      const std::vector<std::string>& paths, const v1::ImportOptions& options,
      const std::function<void(const ImportProgress&)>& progress);
  // Runs an export and hands each chunk to `sink` (file name, bytes).
  absl::Status Export(const v1::ExportRequest& req,
                      const std::function<void(const std::string&, const std::string&)>& sink);

  // Follows the change feed, calling `on_event` for each event until it returns false, the
  // server ends the stream, or `deadline_seconds` (> 0) pass. Returns the stream's status (OK
  // when on_event stopped it).
  absl::Status Watch(const v1::WatchRequest& req, double deadline_seconds,
                     const std::function<bool(const v1::WatchEvent&)>& on_event);

  const std::string& target() const { return options_.target; }

 private:
  explicit Client(Options options);

  template <typename Req, typename Resp, typename Method>
  absl::StatusOr<Resp> Call(Method method, const Req& req);
  // Adds the call's metadata (the bearer token) to `ctx`.
  void Prepare(grpc::ClientContext& ctx) const;

  Options options_;
  std::unique_ptr<v1::GraphService::Stub> stub_;
};

}  // namespace innograph::client
