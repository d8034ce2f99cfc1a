// Import and Export handlers of GraphServiceImpl.

#include <sstream>

#include "absl/strings/str_cat.h"
#include "graph/io/export.h"
#include "graph/io/importer.h"
#include "graph/model/status.h"
#include "graph/model/text.h"
#include "server/convert.h"
#include "server/graph_service.h"
#include "server/metrics.h"

namespace innograph::server {
namespace {

constexpr size_t kExportChunkBytes = 1 << 20;

io::ImportFormat FromProto(v1::ImportFormat f) {
  switch (f) {
    case v1::IMPORT_FORMAT_CSV_NODES:
      return io::ImportFormat::kCsvNodes;
    case v1::IMPORT_FORMAT_CSV_EDGES:
      return io::ImportFormat::kCsvEdges;
    default:
      return io::ImportFormat::kJsonl;
  }
}

}  // namespace

grpc::Status GraphServiceImpl::Import(grpc::ServerContext* ctx,
                                      grpc::ServerReader<v1::ImportRequest>* reader,
                                      v1::ImportResponse* resp) {
  if (grpc::Status s = Authorize(ctx, Access::kWrite); !s.ok()) return s;
  const auto started = std::chrono::steady_clock::now();
  v1::ImportRequest req;
  io::ImportOptions options;
  // Into an empty store, the whole import is validated in memory and ingested at once, and the
  // topology builds its next state from the load instead of applying every row.
  options.bulk_if_empty = true;
  TopologySink topology_sink = topology_.BulkLoadSink();
  options.bulk_topology = &topology_sink;
  std::unique_ptr<io::Importer> importer;
  bool first = true;
  // A file is begun when its first line arrives (a CSV file's first line is its header).
  std::optional<v1::ImportFile> pending_file;
  uint64_t next_line = 1;
  bool stopped = false;
  while (!stopped && reader->Read(&req)) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import cancelled");
    switch (req.part_case()) {
      case v1::ImportRequest::kOptions:
        if (!first) {
          return ToGrpc(absl::InvalidArgumentError("options: only the first message may set them"));
        }
        options.max_errors = req.options().max_errors();
        options.dry_run = req.options().dry_run();
        break;
      case v1::ImportRequest::kFile:
        if (req.file().name().empty()) {
          return ToGrpc(absl::InvalidArgumentError("file.name: empty"));
        }
        pending_file = req.file();
        next_line = 1;
        break;
      case v1::ImportRequest::kLines: {
        if (!pending_file && !importer) {
          return ToGrpc(absl::InvalidArgumentError("lines: sent before any file message"));
        }
        if (!importer) importer = std::make_unique<io::Importer>(store_, options);
        uint64_t line_no = req.lines().first_line() == 0 ? next_line : req.lines().first_line();
        std::vector<absl::string_view> lines(req.lines().lines().begin(),
                                             req.lines().lines().end());
        size_t skip = 0;
        if (pending_file && !lines.empty()) {
          io::ImportFormat format = FromProto(pending_file->format());
          if (pending_file->format() == v1::IMPORT_FORMAT_UNSPECIFIED) {
            auto detected = io::DetectFormat(pending_file->name(), lines[0]);
            if (!detected.ok()) return ToGrpc(WithContext(detected.status(), "file.format"));
            format = *detected;
          }
          const bool csv = format != io::ImportFormat::kJsonl;
          importer->BeginFile(pending_file->name(), format, csv ? lines[0] : "");
          pending_file.reset();
          skip = csv ? 1 : 0;  // A CSV file's first line is its header.
        }
        std::vector<absl::string_view> rows(lines.begin() + skip, lines.end());
        auto go_on = importer->AddLines(line_no + skip, rows);
        if (!go_on.ok()) return ToGrpc(go_on.status());
        stopped = !*go_on;
        line_no += lines.size();
        next_line = line_no;
        break;
      }
      case v1::ImportRequest::PART_NOT_SET:
        return ToGrpc(absl::InvalidArgumentError("part: empty import message"));
    }
    first = false;
  }
  if (!importer) importer = std::make_unique<io::Importer>(store_, options);
  auto report = importer->Finish();
  if (!report.ok()) return ToGrpc(report.status());
  if (Metrics* m = Metrics::Global()) {
    m->ImportRows(report->nodes_written + report->edges_written, report->rows_rejected);
  }
  resp->set_rows_read(report->rows_read);
  resp->set_nodes_written(report->nodes_written);
  resp->set_edges_written(report->edges_written);
  resp->set_rows_rejected(report->rows_rejected);
  for (const io::RowError& e : report->errors) {
    v1::RowError* out = resp->add_errors();
    out->set_file(e.file);
    out->set_line(e.line);
    // A message may quote a value of the row; keep the answer valid UTF-8.
    std::string message = e.message;
    if (!IsValidUtf8(message)) {
      for (char& c : message) {
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';
      }
    }
    out->set_message(message);
    out->set_raw(e.raw);
  }
  resp->set_aborted(report->aborted);
  resp->set_abort_reason(report->abort_reason);
  resp->set_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return grpc::Status::OK;
}

grpc::Status GraphServiceImpl::Export(grpc::ServerContext* ctx, const v1::ExportRequest* req,
                                      grpc::ServerWriter<v1::ExportChunk>* writer) {
  if (grpc::Status s = Authorize(ctx, Access::kRead); !s.ok()) return s;
  io::ExportFormat format;
  switch (req->format()) {
    case v1::EXPORT_FORMAT_CSV:
      format = io::ExportFormat::kCsv;
      break;
    case v1::EXPORT_FORMAT_GRAPHML:
      format = io::ExportFormat::kGraphml;
      break;
    case v1::EXPORT_FORMAT_DOT:
      format = io::ExportFormat::kDot;
      break;
    case v1::EXPORT_FORMAT_GEXF:
      format = io::ExportFormat::kGexf;
      break;
    case v1::EXPORT_FORMAT_CYTOSCAPE_JSON:
      format = io::ExportFormat::kCytoscapeJson;
      break;
    default:
      format = io::ExportFormat::kJsonl;
  }
  io::GraphData data;
  if (!req->has_subgraph()) {
    absl::Status s = store_.ForEachNode([&](const Node& n) {
      data.nodes.push_back(n);
      return !ctx->IsCancelled();
    });
    if (s.ok()) {
      s = store_.ForEachEdge([&](const Edge& e) {
        data.edges.push_back(e);
        return !ctx->IsCancelled();
      });
    }
    if (!s.ok()) return ToGrpc(s);
  } else {
    // The subgraph's node and edge ids, then their full records from the store.
    const v1::SubgraphRequest& sub = req->subgraph();
    auto filter = ParseFilter(sub.filter(), *store_.schema());
    if (!filter.ok()) return ToGrpc(WithContext(filter.status(), "subgraph"));
    auto limits = ParseLimits(sub.limits(), options_, ctx);
    if (!limits.ok()) return ToGrpc(WithContext(limits.status(), "subgraph"));
    std::vector<uint32_t> node_ids;
    std::vector<EdgeId> edge_ids;
    if (sub.has_center()) {
      auto center = ResolveLive(sub.center(), "subgraph.center");
      if (!center.ok()) return ToGrpc(center.status());
      auto radius = CheckRange(sub.radius(), 1, options_.max_depth, "subgraph.radius");
      if (!radius.ok()) return ToGrpc(radius.status());
      Topology::Reader r = topology_.Read();
      SubgraphResult result =
          EgoNetwork(r, *center, *radius, ParseDirection(sub.direction()), *filter, *limits);
      node_ids = result.nodes;
      for (const Step& s : result.edges) edge_ids.emplace_back(s.entry->edge);
    } else {
      std::vector<uint32_t> ids;
      for (int i = 0; i < sub.nodes_size(); ++i) {
        auto id = ResolveLive(sub.nodes(i), absl::StrCat("subgraph.nodes[", i, "]"));
        if (!id.ok()) return ToGrpc(id.status());
        ids.push_back(*id);
      }
      if (ids.empty()) {
        return ToGrpc(absl::InvalidArgumentError("subgraph: set center or nodes"));
      }
      Topology::Reader r = topology_.Read();
      SubgraphResult result = InducedSubgraph(r, ids, *filter, *limits);
      node_ids = result.nodes;
      for (const Step& s : result.edges) edge_ids.emplace_back(s.entry->edge);
    }
    for (uint32_t id : node_ids) {
      auto node = store_.GetNode(NodeId(id));
      if (!node.ok()) return ToGrpc(node.status());
      if (*node) data.nodes.push_back(std::move(**node));
    }
    for (EdgeId id : edge_ids) {
      auto edge = store_.GetEdge(id);
      if (!edge.ok()) return ToGrpc(edge.status());
      if (*edge) data.edges.push_back(std::move(**edge));
    }
  }
  std::ostringstream nodes_out, edges_out;
  absl::Status s = io::Export(data, *store_.schema(), format, nodes_out,
                              format == io::ExportFormat::kCsv ? &edges_out : nullptr);
  if (!s.ok()) return ToGrpc(s);
  auto send = [&](const std::string& file, const std::string& bytes) {
    for (size_t at = 0; at < bytes.size() || at == 0; at += kExportChunkBytes) {
      v1::ExportChunk chunk;
      chunk.set_file(file);
      chunk.set_data(bytes.substr(at, kExportChunkBytes));
      if (!writer->Write(chunk)) return false;
      if (bytes.empty()) break;
    }
    return true;
  };
  if (format == io::ExportFormat::kCsv) {
    if (send("nodes", nodes_out.str())) send("edges", edges_out.str());
  } else {
    send("graph", nodes_out.str());
  }
  return grpc::Status::OK;
}

}  // namespace innograph::server
