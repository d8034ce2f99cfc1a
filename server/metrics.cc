#include "server/metrics.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "graph/query/traversal.h"
#include "graph/store/store.h"
#include "graph/topology/topology.h"
#include "innograph/v1/graph.pb.h"

namespace innograph::server {
namespace {

constexpr absl::string_view kServicePrefix = "/innograph.v1.GraphService/";

// A sample value: integers without a fraction, others in their shortest exact form.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  char buf[400];
  const auto format = std::fabs(v) < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  if (ec != std::errc()) return absl::StrCat(v);
  return std::string(buf, end);
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void AppendEscaped(absl::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// `{a="x",b="y"}` (with an extra last label when `extra_name` is set); empty without labels.
std::string LabelText(const Labels& labels, absl::string_view extra_name = {},
                      absl::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](absl::string_view name, absl::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, name, "=\"");
    AppendEscaped(value, /*quote=*/true, &out);
    out.push_back('"');
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out.push_back('}');
  return out;
}

// The `limit` label of a LimitKind.
const char* LimitName(LimitKind k) {
  switch (k) {
    case LimitKind::kDepth:
      return "depth";
    case LimitKind::kEdgesPerNode:
      return "edges_per_node";
    case LimitKind::kVisited:
      return "visited";
    case LimitKind::kResults:
      return "results";
    case LimitKind::kDeadline:
      return "deadline";
  }
  return "unknown";
}

}  // namespace

// --- Histogram -------------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // `le` is inclusive: the first bound >= v.
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Take() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

const std::vector<double>& RpcLatencyBounds() {
  static const std::vector<double> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                              1,      2.5,     5,      10};
  return kBounds;
}

// --- MetricRegistry --------------------------------------------------------------------------

MetricRegistry::Family* MetricRegistry::FindOrAddFamily(absl::string_view name,
                                                        absl::string_view help, Type type) {
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    assert(it->second->type == type && "one metric name, one type");
    return it->second;
  }
  families_.push_back(std::make_unique<Family>());
  Family* family = families_.back().get();
  family->name = std::string(name);
  family->help = std::string(help);
  family->type = type;
  by_name_.emplace(family->name, family);
  return family;
}

MetricRegistry::Series* MetricRegistry::FindOrAdd(absl::string_view name, absl::string_view help,
                                                  Type type, const Labels& labels) {
  Family* family = FindOrAddFamily(name, help, type);
  auto at = family->by_labels.find(labels);
  if (at != family->by_labels.end()) return at->second;
  family->series.push_back(std::make_unique<Series>());
  Series* series = family->series.back().get();
  series->labels = labels;
  family->by_labels.emplace(labels, series);
  return series;
}

Counter* MetricRegistry::GetCounter(absl::string_view name, absl::string_view help,
                                    const Labels& labels) {
  std::lock_guard lock(mu_);
  Series* s = FindOrAdd(name, help, Type::kCounter, labels);
  if (!s->counter) s->counter = std::make_unique<Counter>();
  return s->counter.get();
}

Gauge* MetricRegistry::GetGauge(absl::string_view name, absl::string_view help,
                                const Labels& labels) {
  std::lock_guard lock(mu_);
  Series* s = FindOrAdd(name, help, Type::kGauge, labels);
  if (!s->gauge) s->gauge = std::make_unique<Gauge>();
  return s->gauge.get();
}

Histogram* MetricRegistry::GetHistogram(absl::string_view name, absl::string_view help,
                                        const Labels& labels, const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  Series* s = FindOrAdd(name, help, Type::kHistogram, labels);
  if (!s->histogram) s->histogram = std::make_unique<Histogram>(bounds);
  return s->histogram.get();
}

void MetricRegistry::SetGaugeFunction(absl::string_view name, absl::string_view help,
                                      const Labels& labels, std::function<double()> read) {
  std::lock_guard lock(mu_);
  FindOrAdd(name, help, Type::kGauge, labels)->read = std::move(read);
}

void MetricRegistry::DeclareCounter(absl::string_view name, absl::string_view help) {
  std::lock_guard lock(mu_);
  FindOrAddFamily(name, help, Type::kCounter);
}

std::string MetricRegistry::Render() const {
  static const char* kTypeNames[] = {"counter", "gauge", "histogram"};
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& family : families_) {
    const std::string& name = family->name;
    absl::StrAppend(&out, "# HELP ", name, " ");
    AppendEscaped(family->help, /*quote=*/false, &out);
    absl::StrAppend(&out, "\n# TYPE ", name, " ", kTypeNames[static_cast<int>(family->type)], "\n");
    for (const auto& s : family->series) {
      switch (family->type) {
        case Type::kCounter:
          absl::StrAppend(&out, name, LabelText(s->labels), " ", s->counter->value(), "\n");
          break;
        case Type::kGauge: {
          const double v = s->read ? s->read() : s->gauge ? s->gauge->value() : 0;
          absl::StrAppend(&out, name, LabelText(s->labels), " ", FormatValue(v), "\n");
          break;
        }
        case Type::kHistogram: {
          const Histogram::Snapshot snap = s->histogram->Take();
          const std::vector<double>& bounds = s->histogram->bounds();
          for (size_t i = 0; i <= bounds.size(); ++i) {
            const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
            absl::StrAppend(&out, name, "_bucket", LabelText(s->labels, "le", le), " ",
                            snap.cumulative[i], "\n");
          }
          const std::string labels = LabelText(s->labels);
          absl::StrAppend(&out, name, "_sum", labels, " ", FormatValue(snap.sum), "\n");
          absl::StrAppend(&out, name, "_count", labels, " ", snap.cumulative.back(), "\n");
          break;
        }
      }
    }
  }
  return out;
}

// --- Metrics ---------------------------------------------------------------------------------

std::atomic<Metrics*> Metrics::global_{nullptr};

namespace {
constexpr const char* kRequests = "innograph_rpc_requests_total";
constexpr const char* kRequestsHelp = "GraphService calls finished, by method and status code.";
constexpr const char* kLatency = "innograph_rpc_latency_seconds";
constexpr const char* kLatencyHelp =
    "Time from a GraphService call's arrival to its status, by method.";
constexpr const char* kTruncated = "innograph_queries_truncated_total";
constexpr const char* kTruncatedHelp =
    "Traversal answers cut short, by method and the limit that was hit.";
}  // namespace

Metrics::Rpc::Rpc(Metrics* metrics, std::string method)
    : metrics_(metrics), method_(std::move(method)) {
  MetricRegistry& r = metrics_->registry_;
  latency_ = r.GetHistogram(kLatency, kLatencyHelp, {{"method", method_}}, RpcLatencyBounds());
  by_code_[0].store(r.GetCounter(kRequests, kRequestsHelp, {{"method", method_}, {"code", "OK"}}),
                    std::memory_order_release);
}

void Metrics::Rpc::Finished(int code, double seconds) {
  if (code < 0 || code > 16) code = 2;  // UNKNOWN
  Counter* c = by_code_[code].load(std::memory_order_acquire);
  if (c == nullptr) {
    // Two threads may both look it up: the registry returns the same series to both.
    c = metrics_->registry_.GetCounter(kRequests, kRequestsHelp,
                                       {{"method", method_}, {"code", StatusCodeName(code)}});
    by_code_[code].store(c, std::memory_order_release);
  }
  c->Add();
  latency_->Observe(seconds);
}

Metrics::Metrics() : started_(std::chrono::steady_clock::now()) {
  const google::protobuf::ServiceDescriptor* service =
      v1::StatsRequest::descriptor()->file()->FindServiceByName("GraphService");
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    const std::string& name = service->method(i)->name();
    rpcs_.emplace(absl::StrCat(kServicePrefix, name),
                  std::unique_ptr<Rpc>(new Rpc(this, std::string(name))));
  }
  registry_.DeclareCounter(kTruncated, kTruncatedHelp);
  import_written_ =
      registry_.GetCounter("innograph_import_rows_total",
                           "Rows of Import calls, written or rejected.", {{"result", "written"}});
  import_rejected_ =
      registry_.GetCounter("innograph_import_rows_total", "", {{"result", "rejected"}});
  watch_streams_ = registry_.GetGauge("innograph_watch_streams", "Open Watch streams.");
  registry_.SetGaugeFunction(
      "innograph_uptime_seconds", "Seconds since the server started.", {}, [started = started_] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      });
  registry_
      .GetGauge("innograph_build_info", "The server's version; the value is always 1.",
                {{"version", INNOGRAPH_VERSION}})
      ->Set(1);
}

void Metrics::ObserveStore(const GraphStore& store) {
  const GraphStore* s = &store;
  registry_.SetGaugeFunction("innograph_rocksdb_sst_bytes",
                             "Bytes of live SST files, all column families.", {},
                             [s] { return static_cast<double>(s->Figures().sst_bytes); });
  registry_.SetGaugeFunction("innograph_rocksdb_memtable_bytes",
                             "Bytes of active and immutable memtables, all column families.", {},
                             [s] { return static_cast<double>(s->Figures().memtable_bytes); });
  registry_.SetGaugeFunction("innograph_rocksdb_live_data_bytes",
                             "RocksDB's estimate of the bytes of live data.", {},
                             [s] { return static_cast<double>(s->Figures().live_data_bytes); });
  registry_.SetGaugeFunction("innograph_rocksdb_compaction_pending_bytes",
                             "RocksDB's estimate of the bytes compaction has to rewrite.", {}, [s] {
                               return static_cast<double>(s->Figures().compaction_pending_bytes);
                             });
  registry_.SetGaugeFunction(
      "innograph_rocksdb_block_cache_hit_ratio",
      "Block cache hits / (hits + misses) since the store opened; 0 before any lookup.", {},
      [s] { return s->Figures().block_cache_hit_ratio; });
}

void Metrics::ObserveTopology(const Topology& topology) {
  const Topology* t = &topology;
  registry_.SetGaugeFunction("innograph_topology_nodes", "Live nodes in the in-memory topology.",
                             {}, [t] { return static_cast<double>(t->num_nodes()); });
  registry_.SetGaugeFunction("innograph_topology_edges", "Live edges in the in-memory topology.",
                             {}, [t] { return static_cast<double>(t->num_edges()); });
  registry_.SetGaugeFunction("innograph_topology_bytes",
                             "Bytes held by the in-memory topology's adjacency.", {},
                             [t] { return static_cast<double>(t->memory_bytes()); });
}

Metrics::Rpc* Metrics::ForMethod(absl::string_view full_method) {
  auto it = rpcs_.find(full_method);
  return it == rpcs_.end() ? nullptr : it->second.get();
}

void Metrics::QueryTruncated(absl::string_view method, const Truncation& t) {
  if (!t.truncated && t.hit.empty()) return;
  for (LimitKind k : t.hit) {
    registry_
        .GetCounter(kTruncated, kTruncatedHelp,
                    {{"method", std::string(method)}, {"limit", LimitName(k)}})
        ->Add();
  }
}

void Metrics::ImportRows(uint64_t written, uint64_t rejected) {
  import_written_->Add(written);
  import_rejected_->Add(rejected);
}

void Metrics::WatchStreamOpened() { watch_streams_->Add(1); }
void Metrics::WatchStreamClosed() { watch_streams_->Add(-1); }

}  // namespace innograph::server
