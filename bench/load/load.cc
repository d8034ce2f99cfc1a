// innograph-load: an end-to-end gRPC load generator for innograph-server.
//
//   innograph-load --server HOST:PORT --workload W --clients N --duration SECONDS
//                  [--warmup SECONDS] [--keys FILE] [--seed S] [--token T] [--json]
//                  [--channels C]
//
// Keeps N calls in flight (callback API; N = 1 is a closed loop of one call at a time, i.e.
// latency) for the duration, after a warm-up whose calls are not counted, and prints
// throughput and latency percentiles: a table, or with --json one JSON object per run.
//
// Workloads:
//   neighbors  Neighbors of a random node (both directions, default page size).
//   khop2      Expand depth 2 from a random node, both directions, count_only.
//   khop3      Expand depth 3 from a random node, both directions, count_only.
//   path       ShortestPath between two random nodes, both directions (hops).
//   pagerank   Rank PageRank over the whole graph, top 10.
//   mixed      90% neighbors, 10% UpsertNodes of one Person node: half of them new keys
//              ("load/..."), half re-upserts of a key this run created before. Acknowledged
//              writes (the server's durability settings apply).
//   subgraph   Subgraph (streamed) of radius 2 around a random node.
//
// Node keys: --keys FILE (one key per line; blank lines and lines starting with '#' skipped).
// Without it the keys are read from the server before the run: GetNodes by internal id in
// batches of 10,000 (ids are dense from 1), until every live node of Stats is found.
//
// Latency is measured per call from issue to completion on the client. A call counts when it
// was issued after the warm-up and completed before the end. Calls that fail count as errors
// by status code and are left out of the percentiles. Exit codes: 0 done (even with per-call
// errors; "error_codes" maps status code names such as "UNAVAILABLE" to counts), 1 no
// successful call, 2 usage, 3 cannot connect or read keys.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "innograph/status_name.h"
#include "innograph/v1/graph.grpc.pb.h"

namespace innograph::load {
namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = innograph::v1;

constexpr int kExitNoCalls = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConnect = 3;

enum class Workload { kNeighbors, kKhop2, kKhop3, kPath, kPageRank, kMixed, kSubgraph };

struct WorkloadName {
  const char* name;
  Workload workload;
};
constexpr WorkloadName kWorkloads[] = {
    {"neighbors", Workload::kNeighbors}, {"khop2", Workload::kKhop2},
    {"khop3", Workload::kKhop3},         {"path", Workload::kPath},
    {"pagerank", Workload::kPageRank},   {"mixed", Workload::kMixed},
    {"subgraph", Workload::kSubgraph},
};

struct Flags {
  std::string server;
  std::string workload_name;
  Workload workload = Workload::kNeighbors;
  int clients = 1;
  double duration_s = 0;
  double warmup_s = 0;
  std::string keys_file;
  uint64_t seed = 1;
  std::string token;
  bool json = false;
  int channels = 1;
};

void Usage(const char* why) {
  std::cerr << "innograph-load: " << why << "\n"
            << "usage: innograph-load --server HOST:PORT --workload W --clients N --duration "
               "SECONDS\n"
            << "                      [--warmup SECONDS] [--keys FILE] [--seed S] [--token T] "
               "[--json] [--channels C]\n"
            << "workloads: neighbors khop2 khop3 path pagerank mixed subgraph\n";
}

// Parses the command line; false (after printing why) on a usage error.
bool ParseFlags(int argc, char** argv, Flags* f) {
  bool have_server = false, have_workload = false, have_clients = false, have_duration = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos && arg.compare(0, 2, "--") == 0) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (arg == "--json") {
      f->json = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      Usage("an end-to-end gRPC load generator");
      std::exit(0);
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        Usage(absl::StrCat(arg, " needs a value").c_str());
        return false;
      }
      value = argv[++i];
    }
    auto bad = [&] {
      Usage(absl::StrCat(arg, ": bad value '", value, "'").c_str());
      return false;
    };
    if (arg == "--server") {
      f->server = value;
      have_server = !value.empty();
    } else if (arg == "--workload") {
      f->workload_name = value;
      have_workload = false;
      for (const WorkloadName& w : kWorkloads) {
        if (value == w.name) {
          f->workload = w.workload;
          have_workload = true;
        }
      }
      if (!have_workload) return bad();
    } else if (arg == "--clients") {
      if (!absl::SimpleAtoi(value, &f->clients) || f->clients < 1 || f->clients > 10000) {
        return bad();
      }
      have_clients = true;
    } else if (arg == "--duration") {
      if (!absl::SimpleAtod(value, &f->duration_s) || !(f->duration_s > 0)) return bad();
      have_duration = true;
    } else if (arg == "--warmup") {
      if (!absl::SimpleAtod(value, &f->warmup_s) || !(f->warmup_s >= 0)) return bad();
    } else if (arg == "--keys") {
      f->keys_file = value;
    } else if (arg == "--seed") {
      if (!absl::SimpleAtoi(value, &f->seed)) return bad();
    } else if (arg == "--token") {
      f->token = value;
    } else if (arg == "--channels") {
      if (!absl::SimpleAtoi(value, &f->channels) || f->channels < 1 || f->channels > 1000) {
        return bad();
      }
    } else {
      Usage(absl::StrCat("unknown flag ", arg).c_str());
      return false;
    }
  }
  const char* missing = !have_server     ? "--server is required"
                        : !have_workload ? "--workload is required"
                        : !have_clients  ? "--clients is required"
                        : !have_duration ? "--duration is required"
                                         : nullptr;
  if (missing) {
    Usage(missing);
    return false;
  }
  f->channels = std::min(f->channels, f->clients);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Keys

bool ReadKeysFile(const std::string& path, std::vector<std::string>* keys) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "innograph-load: --keys '" << path << "': cannot read it\n";
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    keys->push_back(line);
  }
  if (keys->empty()) {
    std::cerr << "innograph-load: --keys '" << path << "' has no keys\n";
    return false;
  }
  return true;
}

void SetToken(grpc::ClientContext* ctx, const std::string& token) {
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
}

// Reads the keys of every live node by id (Stats says how many there are).
bool FetchKeys(v1::GraphService::Stub& stub, const std::string& token,
               std::vector<std::string>* keys) {
  v1::StatsResponse stats;
  {
    grpc::ClientContext ctx;
    SetToken(&ctx, token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status s = stub.Stats(&ctx, v1::StatsRequest(), &stats);
    if (!s.ok()) {
      std::cerr << "innograph-load: Stats: " << s.error_message() << " (code " << s.error_code()
                << ")\n";
      return false;
    }
  }
  constexpr uint64_t kBatch = 10000;
  constexpr int kMaxEmptyBatches = 100;
  int empty_batches = 0;
  for (uint64_t first = 1; keys->size() < stats.nodes() && empty_batches < kMaxEmptyBatches;
       first += kBatch) {
    v1::GetNodesRequest req;
    req.set_allow_missing(true);
    for (uint64_t id = first; id < first + kBatch; ++id) req.add_nodes()->set_id(id);
    v1::GetNodesResponse resp;
    grpc::ClientContext ctx;
    SetToken(&ctx, token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::Status s = stub.GetNodes(&ctx, req, &resp);
    if (!s.ok()) {
      std::cerr << "innograph-load: GetNodes: " << s.error_message() << " (code " << s.error_code()
                << ")\n";
      return false;
    }
    empty_batches = resp.nodes_size() == 0 ? empty_batches + 1 : 0;
    for (const v1::Node& n : resp.nodes()) keys->push_back(n.key());
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The run

// Runs closures on one thread: where a call would otherwise be issued from inside a callback
// that itself ran inline in the issuing call, deep recursion is cut here.
class Deferred {
 public:
  Deferred() : thread_([this] { Loop(); }) {}
  ~Deferred() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

thread_local int issue_depth = 0;

struct Run;

// One client: issues its next call when the previous one completes. Its fields are touched by
// one call at a time, so they need no lock.
class Slot {
 public:
  Slot(Run* run, v1::GraphService::Stub* stub, uint64_t seed, int index)
      : run_(run), stub_(stub), rng_(seed), index_(index) {}
  void Issue();

  std::vector<uint32_t> latencies_ns;  // Counted successful calls (capped at ~4.29 s each).
  std::map<int, uint64_t> errors;      // Counted failed calls by status code.
  double latency_sum_ns = 0;

 private:
  class SubgraphReader;
  void Done(const grpc::Status& status);
  const std::string& RandomKey();
  void IssueUpsert();

  Run* run_;
  v1::GraphService::Stub* stub_;
  std::mt19937_64 rng_;
  const int index_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  Clock::time_point started_;
  uint64_t created_ = 0;  // mixed: keys this slot created.

  v1::NeighborsRequest neighbors_req_;
  v1::NeighborsResponse neighbors_resp_;
  v1::ExpandRequest expand_req_;
  v1::ExpandResponse expand_resp_;
  v1::ShortestPathRequest path_req_;
  v1::PathsResponse path_resp_;
  v1::RankRequest rank_req_;
  v1::RankResponse rank_resp_;
  v1::UpsertNodesRequest upsert_req_;
  v1::UpsertNodesResponse upsert_resp_;
  v1::SubgraphRequest subgraph_req_;
};

struct Run {
  Flags flags;
  std::vector<std::string> keys;
  std::string run_tag;  // mixed: distinguishes this run's new keys.
  Clock::time_point measure_from;
  Clock::time_point end;
  Deferred deferred;
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;

  void SlotFinished() {
    std::lock_guard<std::mutex> lock(mu);
    if (--active == 0) cv.notify_all();
  }
};

// Reads a Subgraph stream to its end.
class Slot::SubgraphReader final : public grpc::ClientReadReactor<v1::SubgraphChunk> {
 public:
  explicit SubgraphReader(Slot* slot) : slot_(slot) {
    slot_->stub_->async()->Subgraph(slot_->ctx_.get(), &slot_->subgraph_req_, this);
    StartRead(&chunk_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&chunk_);
  }
  void OnDone(const grpc::Status& status) override {
    Slot* slot = slot_;
    delete this;
    slot->Done(status);
  }

 private:
  Slot* slot_;
  v1::SubgraphChunk chunk_;
};

const std::string& Slot::RandomKey() {
  const std::vector<std::string>& keys = run_->keys;
  return keys[static_cast<size_t>((static_cast<unsigned __int128>(rng_()) * keys.size()) >> 64)];
}

void Slot::IssueUpsert() {
  upsert_req_.Clear();
  v1::Node* node = upsert_req_.add_nodes();
  uint64_t n;
  if (created_ > 0 && (rng_() & 1)) {
    n = rng_() % created_;
  } else {
    n = created_++;
  }
  node->set_key(absl::StrCat("load/", run_->run_tag, "-", index_, "-", n));
  node->set_kind("Person");
  node->set_name(absl::StrCat("Load ", run_->run_tag, " ", index_, " ", n));
  stub_->async()->UpsertNodes(ctx_.get(), &upsert_req_, &upsert_resp_,
                              [this](grpc::Status s) { Done(s); });
}

void Slot::Issue() {
  ctx_ = std::make_unique<grpc::ClientContext>();
  SetToken(ctx_.get(), run_->flags.token);
  ctx_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  started_ = Clock::now();
  Workload w = run_->flags.workload;
  if (w == Workload::kMixed) w = rng_() % 10 == 0 ? Workload::kMixed : Workload::kNeighbors;
  switch (w) {
    case Workload::kNeighbors:
      neighbors_req_.mutable_node()->set_key(RandomKey());
      stub_->async()->Neighbors(ctx_.get(), &neighbors_req_, &neighbors_resp_,
                                [this](grpc::Status s) { Done(s); });
      break;
    case Workload::kKhop2:
    case Workload::kKhop3:
      expand_req_.clear_seeds();
      expand_req_.add_seeds()->set_key(RandomKey());
      expand_req_.set_direction(v1::DIRECTION_BOTH);
      expand_req_.set_depth(w == Workload::kKhop2 ? 2 : 3);
      expand_req_.set_count_only(true);
      stub_->async()->Expand(ctx_.get(), &expand_req_, &expand_resp_,
                             [this](grpc::Status s) { Done(s); });
      break;
    case Workload::kPath:
      path_req_.mutable_from()->set_key(RandomKey());
      path_req_.mutable_to()->set_key(RandomKey());
      path_req_.set_direction(v1::DIRECTION_BOTH);
      stub_->async()->ShortestPath(ctx_.get(), &path_req_, &path_resp_,
                                   [this](grpc::Status s) { Done(s); });
      break;
    case Workload::kPageRank:
      rank_req_.set_measure(v1::MEASURE_PAGERANK);
      rank_req_.set_top_k(10);
      stub_->async()->Rank(ctx_.get(), &rank_req_, &rank_resp_,
                           [this](grpc::Status s) { Done(s); });
      break;
    case Workload::kMixed:
      IssueUpsert();
      break;
    case Workload::kSubgraph:
      subgraph_req_.mutable_center()->set_key(RandomKey());
      subgraph_req_.set_radius(2);
      new SubgraphReader(this);
      break;
  }
}

void Slot::Done(const grpc::Status& status) {
  const Clock::time_point now = Clock::now();
  if (started_ >= run_->measure_from && now <= run_->end) {
    if (status.ok()) {
      const int64_t ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count();
      latencies_ns.push_back(static_cast<uint32_t>(std::min<int64_t>(ns, UINT32_MAX)));
      latency_sum_ns += static_cast<double>(ns);
    } else {
      ++errors[status.error_code()];
    }
  }
  if (now >= run_->end) {
    run_->SlotFinished();
    return;
  }
  if (issue_depth >= 32) {
    run_->deferred.Post([this] { Issue(); });
    return;
  }
  ++issue_depth;
  Issue();
  --issue_depth;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  Run run;
  if (!ParseFlags(argc, argv, &run.flags)) return kExitUsage;
  const Flags& f = run.flags;

  // One stub per channel; each channel its own connection.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::GraphService::Stub>> stubs;
  for (int c = 0; c < f.channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("innograph.load.channel", c);  // Distinct arguments: no shared subchannel.
    args.SetMaxReceiveMessageSize(-1);
    channels.push_back(
        grpc::CreateCustomChannel(f.server, grpc::InsecureChannelCredentials(), args));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(5))) {
      std::cerr << "innograph-load: cannot connect to " << f.server << "\n";
      return kExitConnect;
    }
    stubs.push_back(v1::GraphService::NewStub(channels.back()));
  }

  if (f.workload != Workload::kPageRank) {
    const bool ok = f.keys_file.empty() ? FetchKeys(*stubs[0], f.token, &run.keys)
                                        : ReadKeysFile(f.keys_file, &run.keys);
    if (!ok) return kExitConnect;
    if (run.keys.empty()) {
      std::cerr << "innograph-load: the server has no nodes\n";
      return kExitConnect;
    }
  }
  run.run_tag = absl::StrCat(f.seed, "-",
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());

  std::vector<std::unique_ptr<Slot>> slots;
  for (int i = 0; i < f.clients; ++i) {
    slots.push_back(std::make_unique<Slot>(&run, stubs[i % stubs.size()].get(),
                                           f.seed * 1000003 + static_cast<uint64_t>(i), i));
  }
  const Clock::time_point start = Clock::now();
  run.measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(f.warmup_s));
  run.end = run.measure_from + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(f.duration_s));
  run.active = f.clients;
  for (auto& slot : slots) slot->Issue();
  {
    std::unique_lock<std::mutex> lock(run.mu);
    run.cv.wait(lock, [&] { return run.active == 0; });
  }

  std::vector<uint32_t> all;
  std::map<int, uint64_t> errors;
  double sum_ns = 0;
  uint64_t error_count = 0;
  for (auto& slot : slots) {
    all.insert(all.end(), slot->latencies_ns.begin(), slot->latencies_ns.end());
    sum_ns += slot->latency_sum_ns;
    for (const auto& [code, n] : slot->errors) {
      errors[code] += n;
      error_count += n;
    }
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) -> double {
    if (all.empty()) return 0;
    size_t i = static_cast<size_t>(p * static_cast<double>(all.size() - 1) + 0.5);
    return all[std::min(i, all.size() - 1)] / 1000.0;
  };
  const uint64_t calls = all.size() + error_count;
  const double throughput = static_cast<double>(all.size()) / f.duration_s;
  const double mean_us = all.empty() ? 0 : sum_ns / static_cast<double>(all.size()) / 1000.0;
  const double max_us = all.empty() ? 0 : all.back() / 1000.0;

  if (f.json) {
    std::string codes;
    for (const auto& [code, n] : errors) {
      if (!codes.empty()) codes += ",";
      absl::StrAppend(&codes, "\"", StatusCodeName(code), "\":", n);
    }
    std::cout << absl::StrFormat(
                     "{\"workload\":\"%s\",\"clients\":%d,\"duration_s\":%.3f,\"calls\":%d,"
                     "\"errors\":%d,\"error_codes\":{%s},\"throughput_per_s\":%.1f,"
                     "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,"
                     "\"mean_us\":%.1f}",
                     JsonEscape(f.workload_name), f.clients, f.duration_s, calls, error_count,
                     codes, throughput, pct(0.50), pct(0.90), pct(0.99), max_us, mean_us)
              << std::endl;
  } else {
    std::cout << absl::StrFormat("%-10s %7s %9s %9s %7s %12s %9s %9s %9s %9s %9s\n", "workload",
                                 "clients", "duration", "calls", "errors", "calls/s", "p50_us",
                                 "p90_us", "p99_us", "max_us", "mean_us")
              << absl::StrFormat("%-10s %7d %8.1fs %9d %7d %12.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
                                 f.workload_name, f.clients, f.duration_s, calls, error_count,
                                 throughput, pct(0.50), pct(0.90), pct(0.99), max_us, mean_us);
    for (const auto& [code, n] : errors) {
      std::cout << "  " << StatusCodeName(code) << ": " << n << "\n";
    }
    std::cout << std::flush;
  }
  return all.empty() ? kExitNoCalls : 0;
}

}  // namespace
}  // namespace innograph::load

int main(int argc, char** argv) { return innograph::load::Main(argc, argv); }
