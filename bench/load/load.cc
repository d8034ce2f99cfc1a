// innograph-load: an end-to-end gRPC load generator for innograph-server.
//
//   innograph-load --server HOST:PORT --workload W --clients N --duration SECONDS
//                  [--warmup SECONDS] [--keys FILE] [--seed S] [--token T] [--json]
//                  [--channels C] [--threads T]
//
// Keeps N calls in flight (N = 1 is a closed loop of one call at a time, i.e. latency) for the
// duration, after a warm-up whose calls are not counted, and prints throughput and latency
// percentiles: a table, or with --json one JSON object per run.
//
// The calls use gRPC's asynchronous completion-queue API from T client threads (default: one
// per core, at most N), each with its own queue and its share of the N calls: a thread issues a
// call, polls the connection for the answer itself and issues the next call, so no call waits
// for a hand-over between client threads (gRPC's callback API would add one per call). The
// generator then costs the shared machine as little as possible.
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
//   schema     GetSchema: a small answer built from memory, served by the sync thread pool
//              (unlike neighbors and health), for comparing the serving models.
//   health     The gRPC health check (grpc.health.v1.Health/Check, every service): no graph
//              work at all, so it measures the transport floor of the same server, to be read
//              next to the other workloads.
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
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
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

enum class Workload {
  kNeighbors,
  kKhop2,
  kKhop3,
  kPath,
  kPageRank,
  kMixed,
  kSubgraph,
  kSchema,
  kHealth
};

struct WorkloadName {
  const char* name;
  Workload workload;
};
constexpr WorkloadName kWorkloads[] = {
    {"neighbors", Workload::kNeighbors}, {"khop2", Workload::kKhop2},
    {"khop3", Workload::kKhop3},         {"path", Workload::kPath},
    {"pagerank", Workload::kPageRank},   {"mixed", Workload::kMixed},
    {"subgraph", Workload::kSubgraph},   {"schema", Workload::kSchema},
    {"health", Workload::kHealth},
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
  int threads = 0;  // 0 = one per core, at most `clients`.
};

void Usage(const char* why) {
  std::cerr << "innograph-load: " << why << "\n"
            << "usage: innograph-load --server HOST:PORT --workload W --clients N --duration "
               "SECONDS\n"
            << "                      [--warmup SECONDS] [--keys FILE] [--seed S] [--token T] "
               "[--json] [--channels C]\n"
            << "                      [--threads T]\n"
            << "workloads: neighbors khop2 khop3 path pagerank mixed subgraph schema health\n";
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
    } else if (arg == "--threads") {
      if (!absl::SimpleAtoi(value, &f->threads) || f->threads < 1 || f->threads > 1000) {
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
  if (f->threads == 0) {
    f->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  f->threads = std::min(f->threads, f->clients);
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

// The run's shared, read-only state.
struct Run {
  Flags flags;
  std::vector<std::string> keys;
  std::string run_tag;  // mixed: distinguishes this run's new keys.
  Clock::time_point measure_from;
  Clock::time_point end;
};

// One client: issues its next call when the previous one completes. A slot belongs to one
// thread (the one draining its completion queue), so its fields need no lock.
class Slot {
 public:
  Slot(Run* run, v1::GraphService::Stub* stub, grpc::GenericStub* generic,
       grpc::CompletionQueue* cq, uint64_t seed, int index)
      : run_(run), stub_(stub), generic_(generic), cq_(cq), rng_(seed), index_(index) {}

  // Starts the next call.
  void Issue();
  // Takes one completion of this slot's call (`ok` as the queue reported it). False when the
  // slot has finished: the run is over and it issued no further call.
  bool OnEvent(bool ok);

  std::vector<uint32_t> latencies_ns;  // Counted successful calls (capped at ~4.29 s each).
  std::map<int, uint64_t> errors;      // Counted failed calls by status code.
  double latency_sum_ns = 0;

 private:
  // Where a streamed call (Subgraph) stands.
  enum class Stream { kNone, kStarting, kReading, kFinishing };

  // Records the call that ended with `status`; then the next call, or false when the run is over.
  bool Done(const grpc::Status& status);
  const std::string& RandomKey();
  void IssueUpsert();
  template <typename Reader, typename Resp>
  void Finish(Reader& reader, Resp* resp) {
    reader->StartCall();
    reader->Finish(resp, &status_, this);
  }

  Run* run_;
  v1::GraphService::Stub* stub_;
  grpc::GenericStub* generic_;
  grpc::CompletionQueue* cq_;
  std::mt19937_64 rng_;
  const int index_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  Clock::time_point started_;
  grpc::Status status_;
  Stream stream_ = Stream::kNone;
  uint64_t created_ = 0;  // mixed: keys this slot created.

  v1::NeighborsRequest neighbors_req_;
  v1::NeighborsResponse neighbors_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::NeighborsResponse>> neighbors_call_;
  v1::ExpandRequest expand_req_;
  v1::ExpandResponse expand_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ExpandResponse>> expand_call_;
  v1::ShortestPathRequest path_req_;
  v1::PathsResponse path_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::PathsResponse>> path_call_;
  v1::RankRequest rank_req_;
  v1::RankResponse rank_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::RankResponse>> rank_call_;
  v1::UpsertNodesRequest upsert_req_;
  v1::UpsertNodesResponse upsert_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::UpsertNodesResponse>> upsert_call_;
  v1::SubgraphRequest subgraph_req_;
  v1::SubgraphChunk subgraph_chunk_;
  std::unique_ptr<grpc::ClientAsyncReader<v1::SubgraphChunk>> subgraph_call_;
  v1::GetSchemaRequest schema_req_;
  v1::GetSchemaResponse schema_resp_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetSchemaResponse>> schema_call_;
  grpc::ByteBuffer health_req_;
  grpc::ByteBuffer health_resp_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> health_call_;
};

// grpc.health.v1.HealthCheckResponse{status: SERVING}, encoded.
constexpr unsigned char kHealthServing[] = {0x08, 0x01};

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
  upsert_call_ = stub_->PrepareAsyncUpsertNodes(ctx_.get(), upsert_req_, cq_);
  Finish(upsert_call_, &upsert_resp_);
}

void Slot::Issue() {
  // The previous call's reader lives in its call's memory: it goes before the context does.
  neighbors_call_.reset();
  expand_call_.reset();
  path_call_.reset();
  rank_call_.reset();
  upsert_call_.reset();
  subgraph_call_.reset();
  schema_call_.reset();
  health_call_.reset();
  ctx_ = std::make_unique<grpc::ClientContext>();
  SetToken(ctx_.get(), run_->flags.token);
  ctx_->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  started_ = Clock::now();
  Workload w = run_->flags.workload;
  if (w == Workload::kMixed) w = rng_() % 10 == 0 ? Workload::kMixed : Workload::kNeighbors;
  switch (w) {
    case Workload::kNeighbors:
      neighbors_req_.mutable_node()->set_key(RandomKey());
      neighbors_call_ = stub_->PrepareAsyncNeighbors(ctx_.get(), neighbors_req_, cq_);
      Finish(neighbors_call_, &neighbors_resp_);
      break;
    case Workload::kKhop2:
    case Workload::kKhop3:
      expand_req_.clear_seeds();
      expand_req_.add_seeds()->set_key(RandomKey());
      expand_req_.set_direction(v1::DIRECTION_BOTH);
      expand_req_.set_depth(w == Workload::kKhop2 ? 2 : 3);
      expand_req_.set_count_only(true);
      expand_call_ = stub_->PrepareAsyncExpand(ctx_.get(), expand_req_, cq_);
      Finish(expand_call_, &expand_resp_);
      break;
    case Workload::kPath:
      path_req_.mutable_from()->set_key(RandomKey());
      path_req_.mutable_to()->set_key(RandomKey());
      path_req_.set_direction(v1::DIRECTION_BOTH);
      path_call_ = stub_->PrepareAsyncShortestPath(ctx_.get(), path_req_, cq_);
      Finish(path_call_, &path_resp_);
      break;
    case Workload::kPageRank:
      rank_req_.set_measure(v1::MEASURE_PAGERANK);
      rank_req_.set_top_k(10);
      rank_call_ = stub_->PrepareAsyncRank(ctx_.get(), rank_req_, cq_);
      Finish(rank_call_, &rank_resp_);
      break;
    case Workload::kMixed:
      IssueUpsert();
      break;
    case Workload::kSubgraph:
      subgraph_req_.mutable_center()->set_key(RandomKey());
      subgraph_req_.set_radius(2);
      subgraph_call_ = stub_->PrepareAsyncSubgraph(ctx_.get(), subgraph_req_, cq_);
      stream_ = Stream::kStarting;
      subgraph_call_->StartCall(this);
      break;
    case Workload::kSchema:
      schema_call_ = stub_->PrepareAsyncGetSchema(ctx_.get(), schema_req_, cq_);
      Finish(schema_call_, &schema_resp_);
      break;
    case Workload::kHealth: {
      // HealthCheckRequest{service: ""} encodes as no bytes.
      grpc::Slice empty;
      health_req_ = grpc::ByteBuffer(&empty, 1);
      health_call_ =
          generic_->PrepareUnaryCall(ctx_.get(), "/grpc.health.v1.Health/Check", health_req_, cq_);
      Finish(health_call_, &health_resp_);
      break;
    }
  }
}

bool Slot::OnEvent(bool ok) {
  switch (stream_) {
    case Stream::kNone:
      break;
    case Stream::kStarting:
    case Stream::kReading:
      if (ok) {
        stream_ = Stream::kReading;
        subgraph_call_->Read(&subgraph_chunk_, this);
      } else {
        stream_ = Stream::kFinishing;
        subgraph_call_->Finish(&status_, this);
      }
      return true;
    case Stream::kFinishing:
      stream_ = Stream::kNone;
      break;
  }
  if (status_.ok() && run_->flags.workload == Workload::kHealth) {
    std::vector<grpc::Slice> slices;
    std::string got;
    if (health_resp_.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices)
        got.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (got != std::string(std::begin(kHealthServing), std::end(kHealthServing))) {
      status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "health: not SERVING");
    }
  }
  return Done(status_);
}

bool Slot::Done(const grpc::Status& status) {
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
  if (now >= run_->end) return false;
  Issue();
  return true;
}

// One client thread: starts its slots' calls and takes their completions from its own queue.
// Next polls the connection on this thread, so a call is issued, completed and followed by the
// next one without handing anything to another thread.
void ClientThread(const std::vector<Slot*>& slots, grpc::CompletionQueue* cq) {
  size_t active = slots.size();
  for (Slot* slot : slots) slot->Issue();
  void* tag = nullptr;
  bool ok = false;
  while (active > 0 && cq->Next(&tag, &ok)) {
    if (!static_cast<Slot*>(tag)->OnEvent(ok)) --active;
  }
  cq->Shutdown();
  while (cq->Next(&tag, &ok)) {
  }
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
  std::vector<std::unique_ptr<grpc::GenericStub>> generic_stubs;
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
    generic_stubs.push_back(std::make_unique<grpc::GenericStub>(channels.back()));
  }

  if (f.workload != Workload::kPageRank && f.workload != Workload::kHealth &&
      f.workload != Workload::kSchema) {
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

  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues;
  for (int t = 0; t < f.threads; ++t) queues.push_back(std::make_unique<grpc::CompletionQueue>());
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<std::vector<Slot*>> by_thread(f.threads);
  for (int i = 0; i < f.clients; ++i) {
    const size_t c = i % stubs.size();
    slots.push_back(std::make_unique<Slot>(&run, stubs[c].get(), generic_stubs[c].get(),
                                           queues[i % f.threads].get(),
                                           f.seed * 1000003 + static_cast<uint64_t>(i), i));
    by_thread[i % f.threads].push_back(slots.back().get());
  }
  const Clock::time_point start = Clock::now();
  run.measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(f.warmup_s));
  run.end = run.measure_from + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(f.duration_s));
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < f.threads; ++t) {
      threads.emplace_back(ClientThread, std::cref(by_thread[t]), queues[t].get());
    }
    for (std::thread& t : threads) t.join();
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
