#include "client/client.h"

#include <cstdlib>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace innograph::client {

std::string Client::DefaultTarget() {
  const char* env = std::getenv("INNOGRAPH_SERVER");
  return env && *env ? env : "127.0.0.1:50051";
}

std::unique_ptr<Client> Client::Create(Options options) {
  if (options.target.empty()) options.target = DefaultTarget();
  return std::unique_ptr<Client>(new Client(std::move(options)));
}

Client::Client(Options options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  stub_ = v1::GraphService::NewStub(
      grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), args));
}

template <typename Req, typename Resp, typename Method>
absl::StatusOr<Resp> Client::Call(Method method, const Req& req) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  Resp resp;
  grpc::Status s = (stub_.get()->*method)(&ctx, req, &resp);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return resp;
}

#define INNOGRAPH_CLIENT_METHOD(Name)                                                       \
  absl::StatusOr<v1::Name##Response> Client::Name(const v1::Name##Request& req) {           \
    return Call<v1::Name##Request, v1::Name##Response>(&v1::GraphService::Stub::Name, req); \
  }

INNOGRAPH_CLIENT_METHOD(GetSchema)
INNOGRAPH_CLIENT_METHOD(UpsertNodes)
INNOGRAPH_CLIENT_METHOD(UpsertEdges)
INNOGRAPH_CLIENT_METHOD(DeleteNodes)
INNOGRAPH_CLIENT_METHOD(DeleteEdges)
INNOGRAPH_CLIENT_METHOD(GetNodes)
INNOGRAPH_CLIENT_METHOD(GetEdges)
INNOGRAPH_CLIENT_METHOD(SearchNodes)
INNOGRAPH_CLIENT_METHOD(Neighbors)
INNOGRAPH_CLIENT_METHOD(Stats)
INNOGRAPH_CLIENT_METHOD(Expand)
INNOGRAPH_CLIENT_METHOD(CommonNeighbors)
INNOGRAPH_CLIENT_METHOD(Similar)
INNOGRAPH_CLIENT_METHOD(Rank)
INNOGRAPH_CLIENT_METHOD(Components)
INNOGRAPH_CLIENT_METHOD(Communities)

absl::StatusOr<v1::PathsResponse> Client::ShortestPath(const v1::ShortestPathRequest& req) {
  return Call<v1::ShortestPathRequest, v1::PathsResponse>(&v1::GraphService::Stub::ShortestPath,
                                                          req);
}

absl::StatusOr<v1::PathsResponse> Client::Paths(const v1::PathsRequest& req) {
  return Call<v1::PathsRequest, v1::PathsResponse>(&v1::GraphService::Stub::Paths, req);
}

absl::StatusOr<v1::SubgraphChunk> Client::Subgraph(const v1::SubgraphRequest& req) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  std::unique_ptr<grpc::ClientReader<v1::SubgraphChunk>> reader = stub_->Subgraph(&ctx, req);
  v1::SubgraphChunk all, chunk;
  while (reader->Read(&chunk)) {
    all.mutable_nodes()->MergeFrom(chunk.nodes());
    all.mutable_edges()->MergeFrom(chunk.edges());
    if (chunk.last()) {
      all.set_last(true);
      all.set_truncated(chunk.truncated());
      all.mutable_limits_hit()->CopyFrom(chunk.limits_hit());
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return all;
}

#undef INNOGRAPH_CLIENT_METHOD

}  // namespace innograph::client
