#pragma once

// HealthService: the gRPC health checking protocol (grpc.health.v1.Health, proto/grpc/health/)
// for innograph-server. "" (the server) and "innograph.v1.GraphService" are SERVING until
// Shutdown(), NOT_SERVING after it; any other name is unknown (Check: NOT_FOUND; Watch:
// SERVICE_UNKNOWN).
//
// Check is a raw asynchronous method served by LightRpcs (light_rpcs.h) on the light rpcs'
// threads: it measures the same transport as the light rpcs, and no callback-API threads are
// started for it (gRPC's built-in health service would start them, and they take part in
// polling every connection). Watch is a sync server stream: it blocks one thread of the sync
// pool while it waits for a change.
//
// Thread safety: all methods may be called concurrently.

#include <condition_variable>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace innograph::server {

using HealthServiceBase =
    grpc::health::v1::Health::WithRawMethod_Check<grpc::health::v1::Health::Service>;

class HealthService final : public HealthServiceBase {
 public:
  // The status of `service` now.
  grpc::health::v1::HealthCheckResponse::ServingStatus StatusOf(const std::string& service) const;

  // Check's handler (LightRpcs calls it).
  grpc::Status Check(grpc::ServerContextBase* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::health::v1::HealthCheckResponse* resp);
  grpc::Status Watch(grpc::ServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

  // Every known service turns NOT_SERVING; open Watch streams send that and end, so that they
  // do not hold up the server's shutdown.
  void Shutdown();

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool shut_down_ = false;  // Guarded by mu_.
};

}  // namespace innograph::server
