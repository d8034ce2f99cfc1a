#pragma once

// RpcInterceptorFactory: a gRPC server interceptor that, for every GraphService call (unary and
// streaming, from gRPC clients and from the HTTP gateway's in-process channel alike), measures
// the time from the call's arrival (POST_RECV_INITIAL_METADATA) to its status (PRE_SEND_STATUS),
// and there
//   - counts it in Metrics by method and status code, and observes its latency;
//   - logs it at level warn as a slow query when it took at least `slow_query` (0 = never),
//     with the method, the status code, the milliseconds and the request as JSON (its first
//     message, for client streams), cut to kSlowQueryRequestBytes. Streams that last as long
//     as the client wants (Watch) are counted but never logged as slow.
//   - writes the audit log: every write rpc (auth.h IsWriteMethod) and every call refused with
//     UNAUTHENTICATED or PERMISSION_DENIED is logged at level info as
//     {"msg":"audit","audit":true,"who":NAME,"method":M,"code":C,"items":N,"peer":P}, where
//     NAME is the token's name (or "anonymous") and N the items the request carried (nodes,
//     edges, refs, ids and keys, or import lines).
// Calls to other services (health checking, reflection) are not intercepted.
//
// Register with grpc::ServerBuilder::experimental().SetInterceptorCreators.
//
// Thread safety: gRPC creates one interceptor per call; the factory is shared and immutable.

#include <chrono>
#include <memory>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/auth.h"
#include "server/metrics.h"

namespace innograph::server {

class RpcInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  static constexpr size_t kSlowQueryRequestBytes = 2048;

  // `metrics` and `tokens` (null: no access control, every caller is "anonymous") must outlive
  // the server.
  RpcInterceptorFactory(Metrics& metrics, std::chrono::milliseconds slow_query,
                        const TokenTable* tokens = nullptr)
      : metrics_(metrics), slow_query_(slow_query), tokens_(tokens) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics& metrics_;
  const std::chrono::milliseconds slow_query_;
  const TokenTable* const tokens_;
};

// The items a request carries, for the audit log: the sum of its top-level repeated fields, or
// the lines of an import message.
uint64_t AuditItems(const google::protobuf::Message& request);

// A copy of `from` small enough to log: repeated fields keep their first few elements, strings
// their first bytes, and the whole copy at most a few hundred fields. True in `*trimmed` when
// anything was left out.
std::unique_ptr<google::protobuf::Message> CopyForLog(const google::protobuf::Message& from,
                                                      bool* trimmed);

}  // namespace innograph::server
