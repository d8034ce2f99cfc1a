#include "server/light_rpcs.h"

#include <string>

#include "google/protobuf/arena.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "server/limits.h"

namespace innograph::server {
namespace {

// The GraphService methods first (IsLightMethod), then the health check.
enum Method : int { kGetNodes, kGetEdges, kNeighbors, kCheck, kMethodCount };
constexpr const char* kMethodNames[kMethodCount] = {"GetNodes", "GetEdges", "Neighbors", "Check"};
constexpr int kGraphMethods = kCheck;

// Request and answer of one call live on an arena whose first block is on the handling
// thread's stack: building an answer of many nodes is pointer bumps, not a malloc per string.
constexpr size_t kArenaBlockBytes = 8192;

template <typename Service, typename Req, typename Resp>
grpc::Status Serve(Service& service,
                   grpc::Status (Service::*handler)(grpc::ServerContextBase*, const Req*, Resp*),
                   const char* method, grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                   grpc::ByteBuffer* answer) {
  alignas(8) char block[kArenaBlockBytes];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = sizeof(block);
  google::protobuf::Arena arena(options);
  Req* req = google::protobuf::Arena::CreateMessage<Req>(&arena);
  // No buffer at all is an empty message (every field at its default).
  if (request->Valid()) {
    grpc::ProtoBufferReader reader(request);
    if (!reader.status().ok() || !req->ParseFromZeroCopyStream(&reader)) {
      // The parse failure of the protobuf log line captured on this thread, named as on every
      // other rpc.
      return *ParseFailureStatus(grpc::Status(grpc::StatusCode::INTERNAL, ""), method);
    }
  }
  Resp* resp = google::protobuf::Arena::CreateMessage<Resp>(&arena);
  grpc::Status status = (service.*handler)(ctx, req, resp);
  if (!status.ok()) return status;
  bool own_buffer = false;
  return grpc::SerializationTraits<Resp>::Serialize(*resp, answer, &own_buffer);
}

}  // namespace

bool IsLightMethod(absl::string_view method) {
  for (int m = 0; m < kGraphMethods; ++m) {
    if (method == kMethodNames[m]) return true;
  }
  return false;
}

struct LightRpcs::Call {
  explicit Call(int m) : method(m), writer(&ctx) {}
  const int method;
  grpc::ServerContext ctx;
  grpc::ByteBuffer request;
  grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> writer;
  bool answered = false;  // The next event is the end of the answer.
};

LightRpcs::LightRpcs(GraphServiceImpl& service, HealthService& health, grpc::ServerBuilder& builder,
                     int threads)
    : service_(service), health_(health), threads_wanted_(threads) {
  queues_.push_back(builder.AddCompletionQueue());
}

LightRpcs::~LightRpcs() { Stop(); }

void LightRpcs::Start() {
  for (auto& cq : queues_) {
    // One pending request per method and thread, so that as many calls can start at once.
    for (int i = 0; i < threads_wanted_; ++i) {
      for (int m = 0; m < kMethodCount; ++m) Await(m, cq.get());
    }
    for (int i = 0; i < threads_wanted_; ++i) {
      threads_.emplace_back([this, q = cq.get()] { Loop(q); });
    }
  }
}

void LightRpcs::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& cq : queues_) cq->Shutdown();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void LightRpcs::Await(int method, grpc::ServerCompletionQueue* cq) {
  Call* call = new Call(method);
  switch (method) {
    case kGetNodes:
      service_.RequestGetNodes(&call->ctx, &call->request, &call->writer, cq, cq, call);
      break;
    case kGetEdges:
      service_.RequestGetEdges(&call->ctx, &call->request, &call->writer, cq, cq, call);
      break;
    case kNeighbors:
      service_.RequestNeighbors(&call->ctx, &call->request, &call->writer, cq, cq, call);
      break;
    case kCheck:
      health_.RequestCheck(&call->ctx, &call->request, &call->writer, cq, cq, call);
      break;
  }
}

void LightRpcs::Loop(grpc::ServerCompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
    Call* call = static_cast<Call*>(tag);
    // The answer went out (or the call broke off), or the server is shutting down and the
    // pending request will never be matched.
    if (call->answered || !ok) {
      delete call;
      continue;
    }
    // A new call: the next one of this method may arrive while this one runs.
    Await(call->method, cq);
    Handle(call);
  }
}

void LightRpcs::Handle(Call* call) {
  grpc::ByteBuffer answer;
  grpc::Status status;
  const char* name = kMethodNames[call->method];
  switch (call->method) {
    case kGetNodes:
      status =
          Serve(service_, &GraphServiceImpl::GetNodes, name, &call->ctx, &call->request, &answer);
      break;
    case kGetEdges:
      status =
          Serve(service_, &GraphServiceImpl::GetEdges, name, &call->ctx, &call->request, &answer);
      break;
    case kNeighbors:
      status =
          Serve(service_, &GraphServiceImpl::Neighbors, name, &call->ctx, &call->request, &answer);
      break;
    case kCheck:
      status = Serve(health_, &HealthService::Check, name, &call->ctx, &call->request, &answer);
      break;
  }
  call->request.Clear();
  call->answered = true;
  if (status.ok()) {
    call->writer.Finish(answer, status, call);
  } else {
    call->writer.FinishWithError(status, call);
  }
}

}  // namespace innograph::server
