#pragma once

// HttpGateway: the HTTP face of the server. It serves
//   POST /api/v1/<Method>  the proto's standard JSON form of GraphService's messages, answered by
//                          calling the gRPC service over an in-process channel (one
//                          implementation, two transports, the same errors); server-streaming
//                          methods answer {"chunks": [...]};
//   GET  /healthz          "ok" when the store answers;
//   GET  /metrics          Prometheus text format 0.0.4 from Options::metrics, when set;
//   GET  /                 the dashboard's static files (web root), when there is one.
// gRPC status codes map to HTTP statuses as grpc-gateway does (INVALID_ARGUMENT 400, NOT_FOUND
// 404, ...) with {"code", "status", "message"} in the body; malformed JSON is 400 with the
// parser's message.
//
// Access control: the request's Authorization header is forwarded as `authorization` metadata
// on the in-process gRPC call, so the service's token check (auth.h) decides for /api/v1/*
// (UNAUTHENTICATED is 401, PERMISSION_DENIED 403). GET /metrics asks Options::authorize_metrics;
// /healthz and the static files are open.
//
// Thread safety: Start once, Stop once; requests are served on the HTTP library's threads.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "grpcpp/channel.h"

namespace httplib {
class Server;
}

namespace innograph::server {

class HttpGateway {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string web_root;              // Directory of static files; empty = none.
    size_t max_body_bytes = 16 << 20;  // Larger requests get 413.
    int request_timeout_seconds = 30;  // Deadline of the gRPC call behind a request.
    // The body of GET /metrics (Prometheus text format 0.0.4), called on the HTTP library's
    // threads; empty = no /metrics.
    std::function<std::string()> metrics;
    // Decides GET /metrics from its Authorization header value (maybe empty): the gRPC status
    // code to refuse with (16 UNAUTHENTICATED, 7 PERMISSION_DENIED), 0 to serve. Empty = open.
    std::function<int(const std::string& authorization)> authorize_metrics;
    // The `authorization` metadata of the gateway's own call behind /healthz (empty = none).
    std::string internal_authorization;
    // PEM files of the certificate chain and private key: serve HTTPS. Both or neither.
    std::string tls_cert_file;
    std::string tls_key_file;
  };

  // `channel` reaches the GraphService (normally grpc::Server::InProcessChannel).
  HttpGateway(std::shared_ptr<grpc::Channel> channel, Options options);
  ~HttpGateway();

  // Binds and starts serving in a background thread. FAILED_PRECONDITION when the address
  // cannot be bound or the TLS certificate or key cannot be loaded.
  absl::Status Start();
  // Stops accepting and waits for the serving thread.
  void Stop();
  int port() const { return bound_port_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  Options options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int bound_port_ = 0;
};

// The HTTP status for a gRPC status code (grpc-gateway's mapping).
int HttpStatusFor(int grpc_code);

}  // namespace innograph::server
