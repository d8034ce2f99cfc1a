#pragma once

// The server's metrics, rendered in the Prometheus text exposition format 0.0.4 (GET /metrics on
// the HTTP gateway).
//
// MetricRegistry is a small generic registry: counters, gauges (set, or read at render time)
// and histograms, each series named by a family name and label values. Metrics holds the
// innograph families on top of it and the hooks the services call:
//
//   innograph_rpc_requests_total{method,code}          counter  every GraphService call
//   innograph_rpc_latency_seconds{method}              histogram  (rpc_interceptor.h)
//   innograph_queries_truncated_total{method,limit}    counter  traversal answers cut by a limit
//   innograph_import_rows_total{result}                counter  written | rejected
//   innograph_watch_streams                            gauge    open Watch streams
//   innograph_rocksdb_{sst,memtable,live_data}_bytes   gauge    GraphStore::Figures()
//   innograph_rocksdb_compaction_pending_bytes         gauge
//   innograph_rocksdb_block_cache_hit_ratio            gauge    0 before any block cache lookup
//   innograph_topology_{nodes,edges,bytes}             gauge
//   innograph_uptime_seconds                           gauge
//   innograph_build_info{version}                      gauge    always 1
//
// Thread safety: every method may be called concurrently. Updates of a series are lock-free
// atomics; creating a series and rendering take the registry's mutex.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "innograph/status_name.h"

namespace innograph {
class GraphStore;
class Topology;
struct Truncation;
}  // namespace innograph

namespace innograph::server {

// A count that only goes up.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in buckets by upper bound (inclusive, as Prometheus's `le`), plus their
// sum. The +Inf bucket is implicit.
class Histogram {
 public:
  // `bounds`: ascending, finite.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // Per bound, then +Inf (== count).
    double sum = 0;
  };
  // Cumulative counts from one pass over the buckets: the +Inf bucket always equals the total
  // of the others, even while observations arrive.
  Snapshot Take() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative.
  std::atomic<double> sum_{0};
};

// Label names and values of one series, in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricRegistry {
 public:
  // The series of family `name` with `labels`, created (with the family) on first use. The
  // pointer is valid for the registry's lifetime. `help` is taken from the first call. One name
  // is one type: asking for it with another type is a programmer error.
  Counter* GetCounter(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Gauge* GetGauge(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Histogram* GetHistogram(absl::string_view name, absl::string_view help, const Labels& labels,
                          const std::vector<double>& bounds);
  // A gauge whose value `read` computes at render time (called under the registry's mutex:
  // keep it cheap, and do not call back into the registry). Replaces an earlier function of the
  // same series.
  void SetGaugeFunction(absl::string_view name, absl::string_view help, const Labels& labels,
                        std::function<double()> read);
  // Registers a counter family with no series yet (rendered as its HELP and TYPE lines only).
  void DeclareCounter(absl::string_view name, absl::string_view help);

  // Every family in registration order, each series in creation order: `# HELP`, `# TYPE`,
  // then the samples.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;  // Gauges only; when set, `gauge` is unused.
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<std::unique_ptr<Series>> series;
    std::map<Labels, Series*> by_labels;
  };
  // Require mu_.
  Family* FindOrAddFamily(absl::string_view name, absl::string_view help, Type type);
  Series* FindOrAdd(absl::string_view name, absl::string_view help, Type type,
                    const Labels& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
  std::map<std::string, Family*, std::less<>> by_name_;
};

// The latency buckets of rpcs, in seconds: 100 us to 10 s.
const std::vector<double>& RpcLatencyBounds();

// The innograph metrics.
class Metrics {
 public:
  // Registers the families, with a zero series for every GraphService method (so that rates
  // exist before the first call).
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Reads RocksDB and topology figures at render time. Both must outlive every Render().
  void ObserveStore(const GraphStore& store);
  void ObserveTopology(const Topology& topology);

  // The series of one GraphService method, by its full gRPC name
  // ("/innograph.v1.GraphService/Expand"); nullptr for other services' methods. Valid for the
  // lifetime of Metrics.
  class Rpc {
   public:
    const std::string& method() const { return method_; }  // "Expand"
    // One finished call: its status code (0..16; others count as UNKNOWN) and duration.
    void Finished(int code, double seconds);

   private:
    friend class Metrics;
    Rpc(Metrics* metrics, std::string method);
    Metrics* metrics_;
    std::string method_;
    Histogram* latency_;
    std::array<std::atomic<Counter*>, 17> by_code_{};  // Created on first use.
  };
  Rpc* ForMethod(absl::string_view full_method);

  // A traversal answer of `method` ("Expand") was cut by the limits in `t` (one count per limit
  // hit). Nothing when t is not truncated.
  void QueryTruncated(absl::string_view method, const Truncation& t);
  // The rows of one finished import.
  void ImportRows(uint64_t written, uint64_t rejected);
  // A Watch stream began / ended: call once each per stream.
  void WatchStreamOpened();
  void WatchStreamClosed();

  // The exposition text (Content-Type: kContentType).
  std::string Render() const { return registry_.Render(); }
  MetricRegistry& registry() { return registry_; }

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // The process's Metrics for hooks deep in the services (query and import handlers); nullptr
  // (the default) turns those hooks off. Set before serving, cleared after.
  static Metrics* Global() { return global_.load(std::memory_order_acquire); }
  static void SetGlobal(Metrics* m) { global_.store(m, std::memory_order_release); }

 private:
  static std::atomic<Metrics*> global_;

  MetricRegistry registry_;
  const std::chrono::steady_clock::time_point started_;
  absl::flat_hash_map<std::string, std::unique_ptr<Rpc>> rpcs_;  // Immutable after construction.
  Counter* import_written_;
  Counter* import_rejected_;
  Gauge* watch_streams_;
};

using innograph::StatusCodeName;  // innograph/status_name.h

}  // namespace innograph::server
