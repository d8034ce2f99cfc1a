#pragma once

// Server-wide limits that keep one expensive call (or many) from starving or exhausting the
// server (innograph-server --max-heavy-queries, --heavy-query-wait-ms, --max-query-memory; see
// docs/operations.md, "Limits"):
//
// - Heavy-query slots. Multi-hop Expand and ego Subgraph, ShortestPath, Paths, Rank,
//   Components, Communities and Export each hold one of max_heavy_queries slots while they run.
//   When all are taken, a heavy call waits up to heavy_wait (or its own deadline, if earlier)
//   and then fails RESOURCE_EXHAUSTED naming --max-heavy-queries. Light calls (lookups,
//   Neighbors, one-hop Expand, writes) never take a slot, so they never queue behind heavy ones.
// - Per-query memory. A traversal's memory grows with the nodes it visits and the results it
//   returns; its estimate is kVisitedBytes per visited node plus kResultBytes per result. The
//   server's default max_visited / max_results are lowered to fit max_query_memory (Fit), a
//   request whose explicit limits do not fit is refused before it runs (CheckTraversal), and a
//   traversal stopped by a lowered default fails instead of answering truncated
//   (CheckTruncation). Whole-graph analytics (and Export) are estimated from the topology's
//   node and edge counts before they run (CheckWholeGraph). Each refusal is
//   RESOURCE_EXHAUSTED naming --max-query-memory and the estimate.
//
// Refusals are counted in /metrics as innograph_limit_rejections_total{limit}; the slots in use
// are the gauge innograph_heavy_queries_running.
//
// Thread safety: every method may be called concurrently.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "innograph/v1/graph.pb.h"
#include "server/query_params.h"

namespace innograph::server {

class Counter;
class MetricRegistry;

struct LimitOptions {
  uint32_t max_heavy_queries = 8;                 // Concurrent heavy calls; 0 = no limit.
  std::chrono::milliseconds heavy_wait{500};      // How long a heavy call waits for a slot.
  uint64_t max_query_memory = uint64_t{1} << 30;  // Estimated bytes per query; 0 = no limit.
};

// What a whole-graph call computes, for its memory estimate.
enum class WholeGraphWork {
  kDegree,
  kPageRank,
  kBetweenness,
  kCloseness,
  kComponents,
  kArticulationPoints,
  kLouvain,
  kLabelPropagation,
  kExport,
};

class QueryLimiter {
 public:
  // Traversal state and answer per visited node (frontier, seen set, hop and parent entries,
  // the edges read between them) and per result (the answer's node or path message with its
  // properties).
  static constexpr uint64_t kVisitedBytes = 64;
  static constexpr uint64_t kResultBytes = 512;

  // `registry` (may be null) gets the rejection counters and the slots gauge; it must outlive
  // the limiter.
  QueryLimiter(LimitOptions options, MetricRegistry* registry);
  QueryLimiter(const QueryLimiter&) = delete;
  QueryLimiter& operator=(const QueryLimiter&) = delete;

  const LimitOptions& options() const { return options_; }

  // A held heavy-query slot, released when destroyed. An empty Slot (default, or with no slot
  // limit) holds nothing.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();

   private:
    friend class QueryLimiter;
    explicit Slot(QueryLimiter* owner) : owner_(owner) {}
    QueryLimiter* owner_ = nullptr;
  };
  // Takes a slot for heavy call `method`, waiting up to heavy_wait or until `deadline`,
  // whichever comes first. RESOURCE_EXHAUSTED naming --max-heavy-queries when none frees up.
  absl::StatusOr<Slot> AcquireHeavy(absl::string_view method,
                                    std::chrono::system_clock::time_point deadline);
  uint32_t heavy_running() const;

  // The estimated bytes of a traversal that visits `visited` nodes and returns `results`.
  static uint64_t TraversalBytes(uint64_t visited, uint64_t results);
  // The estimated bytes of `work` over a graph of `nodes` nodes and `edges` edges.
  static uint64_t WholeGraphBytes(WholeGraphWork work, uint64_t nodes, uint64_t edges);

  // `configured` with default_visited and default_results lowered so that a query run with the
  // defaults fits max_query_memory. Call once, and build the service with the result.
  QueryOptions Fit(const QueryOptions& configured);

  // Before traversal `method` with request limits `requested`: RESOURCE_EXHAUSTED when the
  // limits it would run with (explicit values, else the fitted defaults) do not fit. Explicit
  // values above the server's caps pass here (the handler refuses them, INVALID_ARGUMENT).
  // A traversal never visits more nodes than the graph holds, so the visited estimate is capped
  // at `graph_nodes` (the live node count).
  absl::Status CheckTraversal(absl::string_view method, const v1::Limits& requested,
                              uint64_t graph_nodes = UINT64_MAX);
  // After traversal `method` answered with `truncated` and `limits_hit`: RESOURCE_EXHAUSTED
  // when a limit it hit is a default that Fit lowered (the request did not set it).
  absl::Status CheckTruncation(absl::string_view method, const v1::Limits& requested,
                               bool truncated,
                               const google::protobuf::RepeatedField<int>& limits_hit);
  // Before whole-graph `work` by `method`: RESOURCE_EXHAUSTED when its estimate does not fit.
  absl::Status CheckWholeGraph(absl::string_view method, WholeGraphWork work, uint64_t nodes,
                               uint64_t edges);

  uint64_t heavy_rejections() const;
  uint64_t memory_rejections() const;

 private:
  void Release();
  absl::Status MemoryRefusal(std::string message);

  const LimitOptions options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::atomic<uint32_t> running_{0};  // Changed under mu_; read anywhere.
  // The fitted defaults, and whether Fit lowered them (set by Fit, before serving).
  uint64_t fitted_visited_ = 0;
  uint32_t fitted_results_ = 0;
  bool visited_lowered_ = false;
  bool results_lowered_ = false;
  Counter* heavy_rejected_;
  Counter* memory_rejected_;
};

// Requests that cannot be parsed. gRPC answers a request message that does not parse (a string
// field holding invalid UTF-8, truncated or malformed bytes) with INTERNAL and no message before
// any handler runs; protobuf names the field only in a log line. InstallParseErrorCapture (call
// once, before serving) routes protobuf's log lines through a handler that still writes them to
// stderr and also remembers, per thread, the last field named as invalid UTF-8.
void InstallParseErrorCapture();
// For a call of `method` ending with `sent`: INVALID_ARGUMENT naming the field (or, when none
// was captured, saying the request is malformed) when `sent` is that parse failure; nullopt
// otherwise. Called on the thread that parsed the request (the interceptor's PRE_SEND_STATUS).
std::optional<grpc::Status> ParseFailureStatus(const grpc::Status& sent, absl::string_view method);

}  // namespace innograph::server
