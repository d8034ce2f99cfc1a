#include "server/health_service.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace innograph::server {
namespace {

using grpc::health::v1::HealthCheckResponse;

bool Known(const std::string& service) {
  return service.empty() || service == "innograph.v1.GraphService";
}

// How often a Watch looks whether its call was cancelled.
constexpr std::chrono::milliseconds kWatchPoll(200);

}  // namespace

HealthCheckResponse::ServingStatus HealthService::StatusOf(const std::string& service) const {
  if (!Known(service)) return HealthCheckResponse::SERVICE_UNKNOWN;
  std::lock_guard lock(mu_);
  return shut_down_ ? HealthCheckResponse::NOT_SERVING : HealthCheckResponse::SERVING;
}

grpc::Status HealthService::Check(grpc::ServerContextBase*,
                                  const grpc::health::v1::HealthCheckRequest* req,
                                  HealthCheckResponse* resp) {
  const HealthCheckResponse::ServingStatus status = StatusOf(req->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("service: '", req->service(), "' is not served here"));
  }
  resp->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* ctx,
                                  const grpc::health::v1::HealthCheckRequest* req,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  HealthCheckResponse::ServingStatus sent = HealthCheckResponse::UNKNOWN;
  while (!ctx->IsCancelled()) {
    const HealthCheckResponse::ServingStatus now = StatusOf(req->service());
    if (now != sent) {
      HealthCheckResponse resp;
      resp.set_status(now);
      if (!writer->Write(resp)) break;
      sent = now;
    }
    if (now == HealthCheckResponse::NOT_SERVING) break;  // Shut down: nothing changes any more.
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, kWatchPoll, [this] { return shut_down_; });
  }
  return grpc::Status::OK;
}

void HealthService::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
  }
  changed_.notify_all();
}

}  // namespace innograph::server
