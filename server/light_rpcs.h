#pragma once

// LightRpcs: serves the light rpcs of GraphServiceImpl (GetNodes, GetEdges, Neighbors: bounded
// by their batch and page sizes, answered from memory) and the health check (HealthService
// Check) with gRPC's asynchronous completion-queue API, on threads of their own.
//
// The threads share one completion queue (ServerBuilder::AddCompletionQueue) and wait in
// CompletionQueue::Next, which polls the connections on the waiting thread: the thread that
// reads a request runs its handler and starts sending the answer, with no hand-over to another
// thread. With Debian's gRPC 1.51 both other models hand every call over: the sync API from its
// poller to a worker thread, the callback API to a "nexting" thread that runs the callbacks
// (docs/BENCHMARKS.md, "Light rpcs: serving model and per-call cost", has the measurements). One
// shared queue rather than one per thread: gRPC's poller (epoll1, one for the process) may be any
// waiting thread, and with a queue per thread the poller would often find the call queued for
// another thread and wake it. Every other rpc stays on the sync API's thread pool, so nothing heavy
// runs on these threads.
//
// The queue keeps one pending request per light method and thread, renewed as each call
// arrives. The methods are raw (the request and the answer are byte buffers) and the request is
// parsed here: one that does not parse is answered INVALID_ARGUMENT naming the field (limits.h
// ParseFailureStatus), as every other rpc is, where gRPC's own parsing would answer a bare INTERNAL
// and skip the interceptors. The rest is the same for every rpc: interceptors (metrics, audit,
// slow-query log), access control in the handlers, deadlines, message sizes, TLS.
//
// Life cycle: construct before ServerBuilder::BuildAndStart, Start() after it. Stop() after the
// server's Shutdown returned (Shutdown lets the calls in flight finish, which needs the
// threads): it shuts the queues down and joins the threads. The object must outlive the
// grpc::Server (its queues do).
//
// Thread safety: Start and Stop from one thread; the handlers run concurrently.

#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/server_builder.h"
#include "server/graph_service.h"
#include "server/health_service.h"

namespace innograph::server {

// True for the methods LightRpcs serves ("GetNodes", "GetEdges", "Neighbors"): their received
// message, as interceptors see it, is a grpc::ByteBuffer, not the request message.
bool IsLightMethod(absl::string_view method);

class LightRpcs {
 public:
  // `threads` >= 1 threads sharing one queue; `service` and `health` must be registered with
  // `builder` and outlive this object.
  LightRpcs(GraphServiceImpl& service, HealthService& health, grpc::ServerBuilder& builder,
            int threads);
  ~LightRpcs();
  LightRpcs(const LightRpcs&) = delete;
  LightRpcs& operator=(const LightRpcs&) = delete;

  void Start();
  void Stop();

 private:
  struct Call;
  void Loop(grpc::ServerCompletionQueue* cq);
  void Await(int method, grpc::ServerCompletionQueue* cq);
  void Handle(Call* call);

  GraphServiceImpl& service_;
  HealthService& health_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  const int threads_wanted_;
  bool stopped_ = false;
};

}  // namespace innograph::server
