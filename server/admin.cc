#include "server/admin.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/convert.h"
#include "server/log.h"

namespace innograph::server {

namespace fs = std::filesystem;

ServedGraphService::ServedGraphService(GraphStore& store, Topology& topology,
                                       const QueryOptions& options, QueryLimiter& limiter,
                                       std::string data_dir, RecordCache* records)
    : GraphServiceImpl(store, topology, limiter.Fit(options), records),
      store_(store),
      topology_(topology),
      limiter_(limiter),
      data_dir_(std::move(data_dir)) {}

// --- limits -----------------------------------------------------------------------------------

template <typename Body>
grpc::Status ServedGraphService::Heavy(grpc::ServerContext* ctx, absl::string_view method,
                                       Body body) {
  if (grpc::Status s = AuthorizeCall(ctx, Access::kRead); !s.ok()) return s;
  auto slot = limiter_.AcquireHeavy(method, ctx->deadline());
  if (!slot.ok()) return ToGrpc(slot.status());
  return body();
}

template <typename Resp, typename Run>
grpc::Status ServedGraphService::Traversal(absl::string_view method, const v1::Limits& limits,
                                           Resp* resp, Run run) {
  if (absl::Status s = limiter_.CheckTraversal(method, limits, topology_.num_nodes()); !s.ok())
    return ToGrpc(s);
  grpc::Status s = run();
  if (!s.ok()) return s;
  if (absl::Status m =
          limiter_.CheckTruncation(method, limits, resp->truncated(), resp->limits_hit());
      !m.ok()) {
    resp->Clear();
    return ToGrpc(m);
  }
  return s;
}

grpc::Status ServedGraphService::WholeGraph(absl::string_view method, WholeGraphWork work) {
  return ToGrpc(
      limiter_.CheckWholeGraph(method, work, topology_.num_nodes(), topology_.num_edges()));
}

grpc::Status ServedGraphService::Expand(grpc::ServerContext* ctx, const v1::ExpandRequest* req,
                                        v1::ExpandResponse* resp) {
  auto run = [&] {
    return Traversal("Expand", req->limits(), resp,
                     [&] { return GraphServiceImpl::Expand(ctx, req, resp); });
  };
  // One hop is a light call (as Neighbors); more are heavy.
  if (req->depth() <= 1) {
    if (grpc::Status s = AuthorizeCall(ctx, Access::kRead); !s.ok()) return s;
    return run();
  }
  return Heavy(ctx, "Expand", run);
}

grpc::Status ServedGraphService::ShortestPath(grpc::ServerContext* ctx,
                                              const v1::ShortestPathRequest* req,
                                              v1::PathsResponse* resp) {
  return Heavy(ctx, "ShortestPath", [&] {
    return Traversal("ShortestPath", req->limits(), resp,
                     [&] { return GraphServiceImpl::ShortestPath(ctx, req, resp); });
  });
}

grpc::Status ServedGraphService::Paths(grpc::ServerContext* ctx, const v1::PathsRequest* req,
                                       v1::PathsResponse* resp) {
  return Heavy(ctx, "Paths", [&] {
    return Traversal("Paths", req->limits(), resp,
                     [&] { return GraphServiceImpl::Paths(ctx, req, resp); });
  });
}

grpc::Status ServedGraphService::Subgraph(grpc::ServerContext* ctx, const v1::SubgraphRequest* req,
                                          grpc::ServerWriter<v1::SubgraphChunk>* writer) {
  // Streamed: the chunks leave as they are made, so only the request's limits are checked
  // (a lowered default shows as the last chunk's truncation).
  auto run = [&] {
    if (absl::Status s = limiter_.CheckTraversal("Subgraph", req->limits(), topology_.num_nodes());
        !s.ok()) {
      return ToGrpc(s);
    }
    return GraphServiceImpl::Subgraph(ctx, req, writer);
  };
  // An induced subgraph or a one-hop ego network is light; a larger ball is heavy.
  if (!req->has_center() || req->radius() <= 1) {
    if (grpc::Status s = AuthorizeCall(ctx, Access::kRead); !s.ok()) return s;
    return run();
  }
  return Heavy(ctx, "Subgraph", run);
}

grpc::Status ServedGraphService::CommonNeighbors(grpc::ServerContext* ctx,
                                                 const v1::CommonNeighborsRequest* req,
                                                 v1::CommonNeighborsResponse* resp) {
  if (grpc::Status s = AuthorizeCall(ctx, Access::kRead); !s.ok()) return s;
  return Traversal("CommonNeighbors", req->limits(), resp,
                   [&] { return GraphServiceImpl::CommonNeighbors(ctx, req, resp); });
}

grpc::Status ServedGraphService::Similar(grpc::ServerContext* ctx, const v1::SimilarRequest* req,
                                         v1::SimilarResponse* resp) {
  if (grpc::Status s = AuthorizeCall(ctx, Access::kRead); !s.ok()) return s;
  return Traversal("Similar", req->limits(), resp,
                   [&] { return GraphServiceImpl::Similar(ctx, req, resp); });
}

grpc::Status ServedGraphService::Rank(grpc::ServerContext* ctx, const v1::RankRequest* req,
                                      v1::RankResponse* resp) {
  return Heavy(ctx, "Rank", [&] {
    WholeGraphWork work = WholeGraphWork::kDegree;
    switch (req->measure()) {
      case v1::MEASURE_PAGERANK:
        work = WholeGraphWork::kPageRank;
        break;
      case v1::MEASURE_BETWEENNESS:
        work = WholeGraphWork::kBetweenness;
        break;
      case v1::MEASURE_CLOSENESS:
        work = WholeGraphWork::kCloseness;
        break;
      default:
        break;
    }
    if (grpc::Status s = WholeGraph("Rank", work); !s.ok()) return s;
    return GraphServiceImpl::Rank(ctx, req, resp);
  });
}

grpc::Status ServedGraphService::Components(grpc::ServerContext* ctx,
                                            const v1::ComponentsRequest* req,
                                            v1::ComponentsResponse* resp) {
  return Heavy(ctx, "Components", [&] {
    const WholeGraphWork work = req->articulation_points() ? WholeGraphWork::kArticulationPoints
                                                           : WholeGraphWork::kComponents;
    if (grpc::Status s = WholeGraph("Components", work); !s.ok()) return s;
    return GraphServiceImpl::Components(ctx, req, resp);
  });
}

grpc::Status ServedGraphService::Communities(grpc::ServerContext* ctx,
                                             const v1::CommunitiesRequest* req,
                                             v1::CommunitiesResponse* resp) {
  return Heavy(ctx, "Communities", [&] {
    const WholeGraphWork work = req->algorithm() == v1::COMMUNITY_ALGORITHM_LABEL_PROPAGATION
                                    ? WholeGraphWork::kLabelPropagation
                                    : WholeGraphWork::kLouvain;
    if (grpc::Status s = WholeGraph("Communities", work); !s.ok()) return s;
    return GraphServiceImpl::Communities(ctx, req, resp);
  });
}

grpc::Status ServedGraphService::Export(grpc::ServerContext* ctx, const v1::ExportRequest* req,
                                        grpc::ServerWriter<v1::ExportChunk>* writer) {
  return Heavy(ctx, "Export", [&] {
    if (req->has_subgraph()) {
      if (absl::Status s =
              limiter_.CheckTraversal("Export", req->subgraph().limits(), topology_.num_nodes());
          !s.ok()) {
        return ToGrpc(s);
      }
    } else if (grpc::Status s = WholeGraph("Export", WholeGraphWork::kExport); !s.ok()) {
      return s;
    }
    return GraphServiceImpl::Export(ctx, req, writer);
  });
}

// --- Backup -----------------------------------------------------------------------------------

namespace {

// True when `path` is `dir` or inside it (both absolute and normalised).
bool IsWithin(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

// The normal form of an absolute path, symlinks of its existing part resolved, without a
// trailing separator.
fs::path Canonical(const fs::path& p) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(p, ec);
  if (ec) out = p.lexically_normal();
  if (out.filename().empty() && out.has_parent_path() && out != out.root_path()) {
    out = out.parent_path();
  }
  return out;
}

}  // namespace

grpc::Status ServedGraphService::Backup(grpc::ServerContext* ctx, const v1::BackupRequest* req,
                                        v1::BackupResponse* resp) {
  if (grpc::Status s = AuthorizeCall(ctx, Access::kAdmin); !s.ok()) return s;
  auto invalid = [](std::string message) {
    return ToGrpc(absl::InvalidArgumentError(std::move(message)));
  };
  const std::string& raw = req->dir();
  if (raw.empty()) {
    return invalid("dir: empty; give an absolute directory on the server's machine");
  }
  if (raw.find('\0') != std::string::npos) return invalid("dir: contains a NUL byte");
  const fs::path given(raw);
  if (!given.is_absolute()) {
    return invalid(absl::StrCat("dir: '", raw,
                                "' is not an absolute path (it names a directory on the "
                                "server's machine)"));
  }
  const fs::path dest = Canonical(given);
  std::error_code ec;
  const fs::path data = Canonical(fs::absolute(data_dir_, ec));
  if (IsWithin(dest, data)) {
    return invalid(
        absl::StrCat("dir: '", raw, "' is inside the data directory '", data.string(), "'"));
  }
  if (dest == dest.root_path() || !fs::is_directory(dest.parent_path(), ec)) {
    return ToGrpc(absl::FailedPreconditionError(
        absl::StrCat("dir: '", raw, "': the parent directory '", dest.parent_path().string(),
                     "' does not exist on the server")));
  }

  std::lock_guard lock(backup_mu_);
  const fs::file_status st = fs::symlink_status(dest, ec);
  bool was_empty_dir = false;
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return invalid(absl::StrCat("dir: '", raw, "' exists and is not a directory"));
    }
    if (!fs::is_empty(dest, ec) || ec) {
      return invalid(
          absl::StrCat("dir: '", raw, "' is not empty; give a new or an empty directory"));
    }
    // The checkpoint creates its directory itself.
    if (!fs::remove(dest, ec)) {
      return ToGrpc(absl::InternalError(
          absl::StrCat("dir: '", raw, "': cannot replace the empty directory: ", ec.message())));
    }
    was_empty_dir = true;
  }
  const auto started = std::chrono::steady_clock::now();
  const StoreCounts counts = store_.counts();
  if (absl::Status s = store_.Checkpoint(dest.string()); !s.ok()) {
    fs::remove_all(dest, ec);
    if (was_empty_dir) fs::create_directory(dest, ec);
    LogError("backup failed", {{"dir", dest.string()}, {"error", s.message()}});
    return ToGrpc(absl::InternalError(absl::StrCat("backup to '", raw, "': ", s.message())));
  }
  uint64_t files = 0, bytes = 0;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dest, ec)) {
    if (!e.is_regular_file()) continue;
    ++files;
    bytes += e.file_size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  resp->set_dir(dest.string());
  resp->set_files(files);
  resp->set_bytes(bytes);
  resp->set_nodes(counts.nodes);
  resp->set_edges(counts.edges);
  resp->set_seconds(seconds);
  LogInfo("backup written", {{"dir", dest.string()},
                             {"files", files},
                             {"bytes", bytes},
                             {"nodes", counts.nodes},
                             {"edges", counts.edges},
                             {"seconds", seconds}});
  return grpc::Status::OK;
}

}  // namespace innograph::server
