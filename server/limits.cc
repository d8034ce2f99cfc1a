#include "server/limits.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "server/metrics.h"

namespace innograph::server {
namespace {

constexpr const char* kRejectionsName = "innograph_limit_rejections_total";
constexpr const char* kRejectionsHelp =
    "Calls refused by a server-wide limit (--max-heavy-queries, --max-query-memory).";

// Bytes per node and per edge of each whole-graph computation: the analytics view (a compact
// adjacency copy of the filtered topology: ids, offsets, targets and weights in both
// directions) plus the algorithm's own arrays, or for Export the nodes and edges with their
// properties and the formatted output.
struct PerItem {
  uint64_t node;
  uint64_t edge;
};
constexpr PerItem kViewBytes = {32, 32};

PerItem WorkBytes(WholeGraphWork work) {
  switch (work) {
    case WholeGraphWork::kDegree:
      return {8, 0};
    case WholeGraphWork::kPageRank:
      return {24, 0};
    case WholeGraphWork::kBetweenness:
      return {64, 8};
    case WholeGraphWork::kCloseness:
      return {16, 0};
    case WholeGraphWork::kComponents:
      return {8, 0};
    case WholeGraphWork::kArticulationPoints:
      return {32, 0};
    case WholeGraphWork::kLouvain:
      return {48, 32};
    case WholeGraphWork::kLabelPropagation:
      return {16, 0};
    case WholeGraphWork::kExport:
      return {480, 224};
  }
  return {0, 0};
}

const char* WorkName(WholeGraphWork work) {
  switch (work) {
    case WholeGraphWork::kDegree:
      return "degree";
    case WholeGraphWork::kPageRank:
      return "pagerank";
    case WholeGraphWork::kBetweenness:
      return "betweenness";
    case WholeGraphWork::kCloseness:
      return "closeness";
    case WholeGraphWork::kComponents:
      return "components";
    case WholeGraphWork::kArticulationPoints:
      return "articulation points";
    case WholeGraphWork::kLouvain:
      return "louvain";
    case WholeGraphWork::kLabelPropagation:
      return "label propagation";
    case WholeGraphWork::kExport:
      return "export";
  }
  return "?";
}

// a * b + c * d, saturating instead of wrapping.
uint64_t SaturatingSum(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  constexpr uint64_t kMax = ~uint64_t{0};
  auto mul = [](uint64_t x, uint64_t y) { return y != 0 && x > kMax / y ? kMax : x * y; };
  const uint64_t left = mul(a, b);
  const uint64_t right = mul(c, d);
  return left > kMax - right ? kMax : left + right;
}

}  // namespace

QueryLimiter::QueryLimiter(LimitOptions options, MetricRegistry* registry)
    : options_(options), heavy_rejected_(nullptr), memory_rejected_(nullptr) {
  if (registry == nullptr) return;
  heavy_rejected_ =
      registry->GetCounter(kRejectionsName, kRejectionsHelp, {{"limit", "max_heavy_queries"}});
  memory_rejected_ =
      registry->GetCounter(kRejectionsName, kRejectionsHelp, {{"limit", "max_query_memory"}});
  registry->SetGaugeFunction(
      "innograph_heavy_queries_running",
      "Heavy calls (multi-hop traversals, paths, analytics, Export) holding a slot of "
      "--max-heavy-queries.",
      {}, [this] { return static_cast<double>(heavy_running()); });
}

QueryLimiter::Slot& QueryLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

QueryLimiter::Slot::~Slot() {
  if (owner_ != nullptr) owner_->Release();
}

absl::StatusOr<QueryLimiter::Slot> QueryLimiter::AcquireHeavy(
    absl::string_view method, std::chrono::system_clock::time_point deadline) {
  const uint32_t max = options_.max_heavy_queries;
  std::unique_lock lock(mu_);
  if (max == 0) {
    running_.fetch_add(1, std::memory_order_relaxed);
    return Slot(this);
  }
  // Wait until the earlier of heavy_wait and the call's deadline (a wait of 0 = no waiting).
  const auto now = std::chrono::system_clock::now();
  const auto until = std::min(deadline, now + options_.heavy_wait);
  const bool got = freed_.wait_until(
      lock, until, [&] { return running_.load(std::memory_order_relaxed) < max; });
  if (!got) {
    lock.unlock();
    if (heavy_rejected_ != nullptr) heavy_rejected_->Add();
    return absl::ResourceExhaustedError(absl::StrCat(
        method, ": the server is running its limit of ", max,
        " heavy queries (--max-heavy-queries; multi-hop traversals, paths, analytics, Export) "
        "and none finished within ",
        options_.heavy_wait.count(), " ms; retry later"));
  }
  running_.fetch_add(1, std::memory_order_relaxed);
  return Slot(this);
}

void QueryLimiter::Release() {
  {
    std::lock_guard lock(mu_);
    running_.fetch_sub(1, std::memory_order_relaxed);
  }
  freed_.notify_one();
}

uint32_t QueryLimiter::heavy_running() const { return running_.load(std::memory_order_relaxed); }

uint64_t QueryLimiter::TraversalBytes(uint64_t visited, uint64_t results) {
  return SaturatingSum(visited, kVisitedBytes, results, kResultBytes);
}

uint64_t QueryLimiter::WholeGraphBytes(WholeGraphWork work, uint64_t nodes, uint64_t edges) {
  const PerItem w = WorkBytes(work);
  const PerItem view = work == WholeGraphWork::kExport ? PerItem{0, 0} : kViewBytes;
  return SaturatingSum(nodes, view.node + w.node, edges, view.edge + w.edge);
}

QueryOptions QueryLimiter::Fit(const QueryOptions& configured) {
  QueryOptions out = configured;
  fitted_visited_ = configured.default_visited;
  fitted_results_ = configured.default_results;
  const uint64_t budget = options_.max_query_memory;
  if (budget == 0 || TraversalBytes(fitted_visited_, fitted_results_) <= budget) return out;
  // Results get at most half the budget, visited nodes the rest; each keeps at least 1.
  const uint64_t results_cap = std::max<uint64_t>(1, budget / 2 / kResultBytes);
  if (fitted_results_ > results_cap) {
    fitted_results_ = static_cast<uint32_t>(results_cap);
    results_lowered_ = true;
  }
  const uint64_t left = budget - std::min(budget, uint64_t{fitted_results_} * kResultBytes);
  const uint64_t visited_cap = std::max<uint64_t>(1, left / kVisitedBytes);
  if (fitted_visited_ > visited_cap) {
    fitted_visited_ = visited_cap;
    visited_lowered_ = true;
  }
  out.default_visited = fitted_visited_;
  out.default_results = fitted_results_;
  return out;
}

absl::Status QueryLimiter::MemoryRefusal(std::string message) {
  if (memory_rejected_ != nullptr) memory_rejected_->Add();
  return absl::ResourceExhaustedError(std::move(message));
}

absl::Status QueryLimiter::CheckTraversal(absl::string_view method, const v1::Limits& requested,
                                          uint64_t graph_nodes) {
  const uint64_t budget = options_.max_query_memory;
  if (budget == 0 || (requested.max_visited() == 0 && requested.max_results() == 0)) {
    return absl::OkStatus();
  }
  const uint64_t asked = requested.max_visited() != 0 ? requested.max_visited() : fitted_visited_;
  const uint64_t visited = std::min(asked, graph_nodes);
  const uint64_t results = requested.max_results() != 0 ? requested.max_results() : fitted_results_;
  const uint64_t estimate = TraversalBytes(visited, results);
  if (estimate <= budget) return absl::OkStatus();
  return MemoryRefusal(absl::StrCat(
      method, ": limits.max_visited ", asked,
      visited < asked ? absl::StrCat(" (at most the graph's ", visited, " nodes)") : "",
      " and limits.max_results ", results, " need an estimated ", estimate, " bytes (",
      kVisitedBytes, " per visited node, ", kResultBytes, " per result), above --max-query-memory ",
      budget, " bytes; ask for smaller limits"));
}

absl::Status QueryLimiter::CheckTruncation(absl::string_view method, const v1::Limits& requested,
                                           bool truncated,
                                           const google::protobuf::RepeatedField<int>& limits_hit) {
  if (!truncated || options_.max_query_memory == 0) return absl::OkStatus();
  bool lowered_hit = false;
  for (int kind : limits_hit) {
    if (kind == v1::LIMIT_KIND_VISITED && visited_lowered_ && requested.max_visited() == 0) {
      lowered_hit = true;
    }
    if (kind == v1::LIMIT_KIND_RESULTS && results_lowered_ && requested.max_results() == 0) {
      lowered_hit = true;
    }
  }
  if (!lowered_hit) return absl::OkStatus();
  const uint64_t visited = requested.max_visited() != 0 ? requested.max_visited() : fitted_visited_;
  const uint64_t results = requested.max_results() != 0 ? requested.max_results() : fitted_results_;
  return MemoryRefusal(absl::StrCat(
      method, ": the query outgrew --max-query-memory ", options_.max_query_memory,
      " bytes: it reached ", visited, " visited nodes or ", results, " results, an estimated ",
      TraversalBytes(visited, results),
      " bytes; narrow it (depth, filters), or set limits.max_visited / limits.max_results for a "
      "truncated answer"));
}

absl::Status QueryLimiter::CheckWholeGraph(absl::string_view method, WholeGraphWork work,
                                           uint64_t nodes, uint64_t edges) {
  const uint64_t budget = options_.max_query_memory;
  if (budget == 0) return absl::OkStatus();
  const uint64_t estimate = WholeGraphBytes(work, nodes, edges);
  if (estimate <= budget) return absl::OkStatus();
  return MemoryRefusal(absl::StrCat(method, ": ", WorkName(work), " over ", nodes, " nodes and ",
                                    edges, " edges needs an estimated ", estimate,
                                    " bytes, above --max-query-memory ", budget, " bytes"));
}

uint64_t QueryLimiter::heavy_rejections() const {
  return heavy_rejected_ != nullptr ? heavy_rejected_->value() : 0;
}

uint64_t QueryLimiter::memory_rejections() const {
  return memory_rejected_ != nullptr ? memory_rejected_->value() : 0;
}

namespace {

// The field of the last "invalid UTF-8" protobuf log line on this thread ("" = none).
thread_local std::string last_bad_utf8_field;

void CapturingLogHandler(google::protobuf::LogLevel level, const char* filename, int line,
                         const std::string& message) {
  static const char* const kLevels[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  const int index = std::clamp(static_cast<int>(level), 0, 3);
  std::fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", kLevels[index], filename, line,
               message.c_str());
  // "String field 'innograph.v1.Node.name' contains invalid UTF-8 data when parsing ..."
  constexpr absl::string_view kPrefix = "String field '";
  const absl::string_view text(message);
  if (text.substr(0, kPrefix.size()) != kPrefix ||
      text.find("invalid UTF-8") == absl::string_view::npos ||
      text.find("when parsing") == absl::string_view::npos) {
    return;
  }
  const size_t end = text.find('\'', kPrefix.size());
  if (end != absl::string_view::npos) {
    last_bad_utf8_field = std::string(text.substr(kPrefix.size(), end - kPrefix.size()));
  }
}

}  // namespace

void InstallParseErrorCapture() { google::protobuf::SetLogHandler(&CapturingLogHandler); }

std::optional<grpc::Status> ParseFailureStatus(const grpc::Status& sent, absl::string_view method) {
  // Handlers never answer INTERNAL without a message; gRPC's parse failure does.
  if (sent.error_code() != grpc::StatusCode::INTERNAL || !sent.error_message().empty()) {
    return std::nullopt;
  }
  std::string field;
  field.swap(last_bad_utf8_field);
  if (!field.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("request: string field ", field,
                                     " holds invalid UTF-8 (strings must be UTF-8); nothing was "
                                     "done"));
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("request: not a valid ", method,
                                   " request message (malformed protobuf bytes, or a string "
                                   "field holding invalid UTF-8); nothing was done"));
}

}  // namespace innograph::server
