#include "server/http_gateway.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "httplib.h"
#include "innograph/v1/graph.grpc.pb.h"
#include "server/log.h"
#include "server/metrics.h"

namespace innograph::server {
namespace {

using google::protobuf::Message;

std::string JsonEscape(const std::string& s) {
  std::string out;
  AppendJsonEscaped(s, &out);
  return out;
}

void SendError(httplib::Response& res, int grpc_code, const std::string& message) {
  res.status = HttpStatusFor(grpc_code);
  res.set_content(absl::StrCat("{\"code\":", grpc_code, ",\"status\":\"", StatusCodeName(grpc_code),
                               "\",\"message\":\"", JsonEscape(message), "\"}\n"),
                  "application/json");
}

std::string ToJson(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

// True when host:port can be bound by a socket without SO_REUSEPORT.
bool PortFree(const std::string& host, int port) {
  // Something listening there accepts a connection. (A bind probe would also fail for the
  // closing connections a stopped server leaves behind for a minute.)
  const std::string target = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  addrinfo hints{}, *info = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(target.c_str(), std::to_string(port).c_str(), &hints, &info) != 0) return false;
  bool listening = false;
  int fd = socket(info->ai_family, info->ai_socktype, info->ai_protocol);
  if (fd >= 0) {
    listening = connect(fd, info->ai_addr, info->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(info);
  return !listening;
}

}  // namespace

// One browser's Watch stream: a thread reads the gRPC stream into a queue that the HTTP
// response drains.
class SseFeed {
 public:
  SseFeed(v1::GraphService::Stub& stub, const v1::WatchRequest& req,
          const std::string& authorization) {
    if (!authorization.empty()) ctx_.AddMetadata("authorization", authorization);
    reader_ = stub.Watch(&ctx_, req);
    thread_ = std::thread([this] {
      v1::WatchEvent event;
      while (reader_->Read(&event)) {
        std::string text =
            absl::StrCat("id: ", event.sequence(), "\ndata: ", ToJson(event), "\n\n");
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(text));
        cv_.notify_all();
      }
      grpc::Status s = reader_->Finish();
      std::lock_guard lock(mu_);
      done_ = true;
      status_ = s;
      cv_.notify_all();
    });
  }
  ~SseFeed() {
    Cancel();
    if (thread_.joinable()) thread_.join();
  }
  void Cancel() { ctx_.TryCancel(); }

  // Waits for the stream's first event; false when it ended first (an error).
  bool WaitForFirst() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !queue_.empty() || done_; });
    return !queue_.empty();
  }
  int code() const { return status_.error_code(); }
  std::string message() const { return status_.error_message(); }

  // The next chunk to send: an event, a keep-alive comment after `idle`, or false at the end
  // (after an error event when the stream failed).
  bool Next(std::chrono::seconds idle, std::string* chunk) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, idle, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      *chunk = std::move(queue_.front());
      queue_.pop_front();
      return true;
    }
    if (done_) {
      if (ended_) return false;
      ended_ = true;
      *chunk = absl::StrCat("event: error\ndata: {\"code\":", status_.error_code(),
                            ",\"message\":\"", JsonEscape(status_.error_message()), "\"}\n\n");
      return true;
    }
    *chunk = ": keep-alive\n\n";
    return true;
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool done_ = false;
  bool ended_ = false;
  grpc::Status status_;
};

int HttpStatusFor(int code) {
  switch (code) {
    case 0:
      return 200;
    case 1:
      return 499;
    case 3:
    case 9:
    case 11:
      return 400;
    case 4:
      return 504;
    case 5:
      return 404;
    case 6:
    case 10:
      return 409;
    case 7:
      return 403;
    case 8:
      return 429;
    case 12:
      return 501;
    case 14:
      return 503;
    case 16:
      return 401;
    default:
      return 500;
  }
}

HttpGateway::HttpGateway(std::shared_ptr<grpc::Channel> channel, Options options)
    : channel_(std::move(channel)), options_(std::move(options)) {}

HttpGateway::~HttpGateway() { Stop(); }

absl::Status HttpGateway::Start() {
  if (options_.tls_cert_file.empty() != options_.tls_key_file.empty()) {
    return absl::FailedPreconditionError("HTTPS needs both a certificate and a key");
  }
  if (!options_.tls_cert_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                    options_.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::FailedPreconditionError(absl::StrCat("cannot load the TLS certificate '",
                                                        options_.tls_cert_file, "' or key '",
                                                        options_.tls_key_file, "' for HTTPS"));
    }
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& svr = *server_;
  svr.set_payload_max_length(options_.max_body_bytes);
  // Each open change feed (/api/v1/watch) holds a worker: keep enough of them.
  svr.new_task_queue = [] { return new httplib::ThreadPool(64); };
  svr.set_read_timeout(options_.request_timeout_seconds, 0);
  svr.set_write_timeout(options_.request_timeout_seconds, 0);

  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "innograph.v1.GraphService");
  auto generic = std::make_shared<grpc::GenericStub>(channel_);
  auto typed = std::shared_ptr<v1::GraphService::Stub>(v1::GraphService::NewStub(channel_));
  const int timeout = options_.request_timeout_seconds;

  svr.Post(R"(/api/v1/([A-Za-z]+))", [service, generic, typed, timeout](const httplib::Request& req,
                                                                        httplib::Response& res) {
    const std::string name = req.matches[1];
    const google::protobuf::MethodDescriptor* method = service->FindMethodByName(name);
    if (!method) {
      SendError(res, 5, absl::StrCat("no method '", name, "' in innograph.v1.GraphService"));
      return;
    }
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->input_type());
    std::unique_ptr<Message> request(prototype->New());
    if (!req.body.empty()) {
      auto parsed = google::protobuf::util::JsonStringToMessage(req.body, request.get());
      if (!parsed.ok()) {
        SendError(res, 3, absl::StrCat("request body: ", parsed.message().as_string()));
        return;
      }
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout));
    if (std::string auth = req.get_header_value("Authorization"); !auth.empty()) {
      ctx.AddMetadata("authorization", auth);
    }
    if (method->server_streaming()) {
      // The one streaming method: collect its chunks.
      if (name != "Subgraph") {
        SendError(res, 12, absl::StrCat(name, " streams without end; use gRPC"));
        return;
      }
      auto reader = typed->Subgraph(&ctx, static_cast<const v1::SubgraphRequest&>(*request));
      std::string body = "{\"chunks\":[";
      v1::SubgraphChunk chunk;
      for (bool first = true; reader->Read(&chunk); first = false) {
        if (!first) body += ",";
        body += ToJson(chunk);
      }
      grpc::Status s = reader->Finish();
      if (!s.ok()) return SendError(res, s.error_code(), s.error_message());
      res.set_content(body + "]}\n", "application/json");
      return;
    }
    std::string bytes;
    request->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1), out;
    std::promise<grpc::Status> done;
    generic->UnaryCall(&ctx, absl::StrCat("/innograph.v1.GraphService/", name), {}, &in, &out,
                       [&done](grpc::Status s) { done.set_value(std::move(s)); });
    grpc::Status s = done.get_future().get();
    if (!s.ok()) return SendError(res, s.error_code(), s.error_message());
    std::vector<grpc::Slice> slices;
    (void)out.Dump(&slices);
    std::string answer;
    for (const grpc::Slice& sl : slices) {
      answer.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    const Message* out_proto =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type());
    std::unique_ptr<Message> response(out_proto->New());
    if (!response->ParseFromString(answer)) {
      return SendError(res, 13, "could not decode the service's answer");
    }
    res.set_content(ToJson(*response) + "\n", "application/json");
  });

  // The change feed for browsers: Server-Sent Events, one WatchEvent (JSON) per event, the
  // sequence as the event id (so EventSource resumes with Last-Event-ID), a comment line every
  // 15 s while idle (which also notices a browser that has gone).
  svr.Get("/api/v1/watch", [typed](const httplib::Request& req, httplib::Response& res) {
    v1::WatchRequest watch;
    std::string after = req.get_header_value("Last-Event-ID");
    if (after.empty()) after = req.get_param_value("start_after");
    if (!after.empty()) {
      uint64_t seq;
      if (!absl::SimpleAtoi(after, &seq)) {
        return SendError(res, 3, absl::StrCat("start_after: '", after, "' is not a sequence"));
      }
      watch.set_start_after(seq);
    }
    for (absl::string_view k :
         absl::StrSplit(req.get_param_value("node_kinds"), ',', absl::SkipEmpty())) {
      watch.add_node_kinds(std::string(k));
    }
    for (absl::string_view t :
         absl::StrSplit(req.get_param_value("edge_types"), ',', absl::SkipEmpty())) {
      watch.add_edge_types(std::string(t));
    }
    auto feed = std::make_shared<SseFeed>(*typed, watch, req.get_header_value("Authorization"));
    // Refuse bad requests with a status rather than an empty stream.
    if (!feed->WaitForFirst()) return SendError(res, feed->code(), feed->message());
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [feed](size_t, httplib::DataSink& sink) {
          std::string chunk;
          if (!feed->Next(std::chrono::seconds(15), &chunk)) {
            sink.done();
            return true;
          }
          return sink.write(chunk.data(), chunk.size());
        },
        [feed](bool) { feed->Cancel(); });
  });

  svr.Get("/healthz", [typed, internal = options_.internal_authorization](const httplib::Request&,
                                                                          httplib::Response& res) {
    grpc::ClientContext ctx;
    if (!internal.empty()) ctx.AddMetadata("authorization", internal);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::StatsResponse stats;
    grpc::Status s = typed->Stats(&ctx, v1::StatsRequest(), &stats);
    if (!s.ok()) return SendError(res, s.error_code(), s.error_message());
    res.set_content("ok\n", "text/plain");
  });

  if (options_.metrics) {
    svr.Get("/metrics", [metrics = options_.metrics, authorize = options_.authorize_metrics](
                            const httplib::Request& req, httplib::Response& res) {
      if (authorize) {
        if (int code = authorize(req.get_header_value("Authorization")); code != 0) {
          return SendError(res, code,
                           code == 16 ? "send `Authorization: Bearer <token>`"
                                      : "this token may not read /metrics");
        }
      }
      res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
  }

  if (!options_.web_root.empty() && !svr.set_mount_point("/", options_.web_root)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--web-root '", options_.web_root, "' is not a readable directory"));
  }
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      SendError(res, 5, absl::StrCat("no resource at ", req.path));
    } else if (res.status == 413) {
      SendError(res, 8, "request body too large");
    }
  });

  // The HTTP library sets SO_REUSEPORT, which would let a second server share the port
  // silently; probe first so that a port in use is an error.
  if (options_.port != 0 && !PortFree(options_.host, options_.port)) {
    return absl::FailedPreconditionError(absl::StrCat("cannot listen on ", options_.host, ":",
                                                      options_.port, " for HTTP: address in use"));
  }
  bound_port_ = options_.port == 0
                    ? svr.bind_to_any_port(options_.host)
                    : (svr.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (bound_port_ <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port, " for HTTP"));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace innograph::server
