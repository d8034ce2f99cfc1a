#include "graph/io/importer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "graph/model/status.h"
#include "graph/model/two_halves.h"

namespace innograph::io {
namespace {

// Asks the kernel to map [data, data + bytes) now, writable (Linux 5.14 and later; elsewhere,
// or on error, the pages are faulted in on first use as usual).
void PrefaultPages(const char* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  const uintptr_t page = 4096;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

// Reads a file in chunks, each next one on a thread of its own while the caller works on the
// one before. Next(carry) returns `carry` (the caller's unfinished tail of the chunk before,
// usually part of a line) followed by the next chunk's bytes; the view stays valid until the
// next call. Two buffers with room in front for the carry: it is copied, the chunk is not.
class ChunkReader {
 public:
  ChunkReader(std::FILE* file, std::string path, size_t chunk)
      : file_(file), path_(std::move(path)), chunk_(chunk) {
    for (std::string& b : bufs_) b.resize(kRoom + chunk_);
    Start(0);
  }
  ~ChunkReader() {
    if (reading_.joinable()) reading_.join();
  }
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // True when Next has returned every byte of the file.
  bool eof() const { return done_; }

  absl::StatusOr<absl::string_view> Next(absl::string_view carry) {
    size_t got = 0;
    const int b = next_;
    if (reading_.joinable()) {
      reading_.join();
      if (!read_status_.ok()) return read_status_;
      got = got_;
      done_ = eof_;
    }
    std::string& buf = bufs_[b];
    absl::string_view out;
    if (carry.size() <= kRoom) {
      char* start = buf.data() + kRoom - carry.size();
      if (!carry.empty()) std::memmove(start, carry.data(), carry.size());
      out = absl::string_view(start, carry.size() + got);
    } else {
      // A line longer than the room in front: both go to a buffer of their own (`carry` may
      // be part of it already).
      std::string joined;
      joined.reserve(carry.size() + got);
      joined.append(carry.data(), carry.size());
      joined.append(buf.data() + kRoom, got);
      long_ = std::move(joined);
      out = long_;
    }
    // The other buffer, whose bytes the caller has done with (`carry` was copied), takes the
    // chunk after this one.
    if (!done_) Start(1 - b);
    return out;
  }

 private:
  static constexpr size_t kRoom = size_t{1} << 20;

  void Start(int b) {
    next_ = b;
    reading_ = std::thread([this, b] {
      got_ = std::fread(bufs_[b].data() + kRoom, 1, chunk_, file_);
      if (got_ < chunk_) {
        eof_ = true;
        if (std::ferror(file_)) {
          read_status_ = absl::DataLossError(absl::StrCat("reading '", path_, "' failed"));
        }
      }
    });
  }

  std::FILE* file_;
  const std::string path_;
  const size_t chunk_;
  std::string bufs_[2];
  std::string long_;
  int next_ = 0;  // The buffer being read into.
  std::thread reading_;
  // Written by the reading thread, read after joining it.
  size_t got_ = 0;
  bool eof_ = false;
  absl::Status read_status_;
  bool done_ = false;  // The caller's view of eof_: set when the last read was joined.
};

}  // namespace

Importer::Importer(GraphStore& store, ImportOptions options)
    : store_(store),
      options_(options),
      bulk_(options.bulk_if_empty && !options.dry_run && store.pristine()) {}

void Importer::Reject(uint32_t file, uint64_t line, std::string message, std::string raw) {
  // The store names items by their place in its batch ("edges[3] (HEADS a -> b): ..."); in an
  // import the row is named by file and line, so keep only the item's description.
  if (absl::StartsWith(message, "nodes[") || absl::StartsWith(message, "edges[")) {
    const size_t space = message.find("] ");
    if (space != std::string::npos) message = message.substr(space + 2);
  }
  ++report_.rows_rejected;
  error_order_.emplace_back(file, line);
  report_.errors.push_back({files_[file], line, std::move(message), std::move(raw)});
  if (!bulk_ && options_.max_errors > 0 && report_.rows_rejected > options_.max_errors &&
      !report_.aborted) {
    report_.aborted = true;
    report_.abort_reason =
        absl::StrCat("more than ", options_.max_errors, " bad rows (--max-errors): stopped");
  }
}

uint64_t Importer::Keep(absl::string_view line) {
  if (!read_back_.empty() && read_back_.back()) {
    return block_offset_ + static_cast<uint64_t>(line.data() - block_base_);
  }
  const uint64_t at = raw_.size();
  raw_.append(line.data(), line.size());
  return at;
}

std::string Importer::RowText(const Row& row, const std::string& raw) const {
  if (!read_back_[row.file]) return raw.substr(row.raw_at, row.raw_size);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(files_[row.file].c_str(), "rb"),
                                                       &std::fclose);
  std::string text(row.raw_size, '\0');
  if (!file || std::fseek(file.get(), static_cast<long>(row.raw_at), SEEK_SET) != 0 ||
      std::fread(text.data(), 1, text.size(), file.get()) != text.size()) {
    return "(the row could not be read back from the file)";
  }
  return text;
}

void Importer::BeginFile(std::string name, ImportFormat format, absl::string_view csv_header,
                         bool read_back) {
  files_.push_back(std::move(name));
  read_back_.push_back(read_back ? 1 : 0);
  format_ = format;
  csv_.reset();
  file_ok_ = true;
  if (format == ImportFormat::kJsonl) return;
  auto parser = CsvParser::Create(
      format == ImportFormat::kCsvNodes ? CsvParser::Table::kNodes : CsvParser::Table::kEdges,
      *store_.schema(), csv_header);
  if (!parser.ok()) {
    file_ok_ = false;
    Reject(static_cast<uint32_t>(files_.size() - 1), 1, std::string(parser.status().message()),
           std::string(csv_header));
    return;
  }
  csv_ = std::move(*parser);
}

absl::StatusOr<JsonlRecord> Importer::ParseLine(absl::string_view line) const {
  return format_ == ImportFormat::kJsonl ? ParseJsonlLine(line, *store_.schema())
                                         : csv_->Parse(line);
}

absl::StatusOr<bool> Importer::AddLine(uint64_t line_no, absl::string_view line) {
  if (files_.empty()) return absl::FailedPreconditionError("import: a line before any file");
  if (read_back_.back()) {
    return absl::FailedPreconditionError("import: a file read back takes AddFileLines only");
  }
  if (!file_ok_ || report_.aborted) return !report_.aborted;
  return AddParsed(line_no, line, ParseLine(line));
}

void Importer::NodesComplete() {
  if (bulk_) nodes_complete_ = true;
}

void Importer::ExpectRows(size_t rows, size_t bytes) {
  // Only the buffered modes keep everything; the others write in chunks.
  if (!bulk_ && (options_.max_errors > 0 || options_.dry_run)) return;
  if (format_ == ImportFormat::kCsvEdges) {
    if (loader_) {
      loader_->Reserve(rows);
    } else if (nodes_complete_) {
      expected_edges_ += rows;
    } else {
      edges_.reserve(edges_.size() + rows);
    }
  }
  if (format_ == ImportFormat::kCsvNodes) nodes_.reserve(nodes_.size() + rows);
  if (format_ != ImportFormat::kJsonl) {
    auto& rows_of = format_ == ImportFormat::kCsvEdges ? edge_rows_ : node_rows_;
    rows_of.reserve(rows_of.size() + rows);
  }
  if (!read_back_.back()) raw_.reserve(raw_.size() + bytes);
}

absl::StatusOr<bool> Importer::AddFileLines(uint64_t first_line_no,
                                            const std::vector<absl::string_view>& lines,
                                            uint64_t offset) {
  if (files_.empty() || !read_back_.back()) {
    return absl::FailedPreconditionError("import: AddFileLines outside a file read back");
  }
  block_base_ = lines.empty() ? nullptr : lines[0].data();
  block_offset_ = offset;
  absl::StatusOr<bool> go_on = AddLines(first_line_no, lines);
  block_base_ = nullptr;
  return go_on;
}

template <typename Good>
void Importer::TallyLines(uint64_t first_line_no, const std::vector<absl::string_view>& lines,
                          const std::vector<absl::Status>& status,
                          const std::vector<uint8_t>& blank, Good&& good) {
  const auto file = static_cast<uint32_t>(files_.size() - 1);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (blank[i] && status[i].ok()) continue;
    ++report_.rows_read;
    if (!status[i].ok()) {
      Reject(file, first_line_no + i, std::string(status[i].message()), std::string(lines[i]));
      continue;
    }
    good(i, file);
  }
}

template <typename T, typename ParseInto>
absl::StatusOr<bool> Importer::ParseInPlace(uint64_t first_line_no,
                                            const std::vector<absl::string_view>& lines,
                                            std::vector<T>* items, std::vector<Row>* rows,
                                            ParseInto parse_into) {
  const size_t n = lines.size();
  const size_t base = items->size();
  if (items->capacity() >= base + n) {
    // The items' memory is touched for the first time here: fault its pages in on both
    // threads instead of one by one while the items are constructed below.
    const char* from = reinterpret_cast<const char*>(items->data() + base);
    const size_t bytes = n * sizeof(T);
    TwoHalves(n, [&](size_t begin, size_t end) {
      PrefaultPages(from + bytes * begin / n, bytes * (end - begin) / n);
    });
  }
  items->resize(base + n);
  std::vector<absl::Status> status(n);
  std::vector<uint8_t> blank(n, 0);
  TwoHalves(n, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      bool b = false;
      status[i] = parse_into(lines[i], &(*items)[base + i], &b);
      blank[i] = b;
    }
  });
  size_t kept = base;
  TallyLines(first_line_no, lines, status, blank, [&](size_t i, uint32_t file) {
    if (kept != base + i) (*items)[kept] = std::move((*items)[base + i]);
    ++kept;
    const absl::string_view line = lines[i];
    rows->push_back(Row{first_line_no + i, Keep(line), static_cast<uint32_t>(line.size()), file});
  });
  items->resize(kept);
  return true;
}

absl::StatusOr<bool> Importer::AddLines(uint64_t first_line_no,
                                        const std::vector<absl::string_view>& lines) {
  if (files_.empty()) return absl::FailedPreconditionError("import: a line before any file");
  if (read_back_.back() && block_base_ == nullptr && !lines.empty()) {
    return absl::FailedPreconditionError("import: a file read back takes AddFileLines only");
  }
  if (!file_ok_ || report_.aborted) return !report_.aborted;
  if (bulk_ && nodes_complete_ && format_ == ImportFormat::kCsvEdges) {
    if (!loader_) RETURN_IF_ERROR(StartLoader());
    return PrepareEdgeLines(first_line_no, lines);
  }
  if (bulk_ && format_ == ImportFormat::kCsvEdges) {
    // Everything is buffered for BulkLoad and nothing stops a bulk load early.
    return ParseInPlace(first_line_no, lines, &edges_, &edge_rows_,
                        [&](absl::string_view line, EdgeWrite* out, bool* blank) {
                          return csv_->ParseEdgeInto(line, out, blank);
                        });
  }
  if (bulk_ && !nodes_complete_ && format_ == ImportFormat::kCsvNodes) {
    return ParseInPlace(first_line_no, lines, &nodes_, &node_rows_,
                        [&](absl::string_view line, Node* out, bool* blank) {
                          return csv_->ParseNodeInto(line, out, blank);
                        });
  }
  std::vector<absl::StatusOr<JsonlRecord>> parsed(lines.size());
  // Parsing is the costly part and independent per line.
  TwoHalves(lines.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) parsed[i] = ParseLine(lines[i]);
  });
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSIGN_OR_RETURN(bool go_on, AddParsed(first_line_no + i, lines[i], std::move(parsed[i])));
    if (!go_on) return false;
  }
  return true;
}

absl::Status Importer::StartLoader() {
  std::vector<Node> nodes = std::move(nodes_);
  std::vector<Row> node_rows = std::move(node_rows_);
  nodes_.clear();
  node_rows_.clear();
  loader_nodes_ = nodes.size();
  // Rows refused so far count against max_errors (as in Flush).
  const uint64_t errors = report_.rows_rejected;
  const bool within = errors <= options_.max_errors;
  ASSIGN_OR_RETURN(
      loader_,
      store_.StartBulkLoad(std::move(nodes), within ? options_.max_errors - errors : 0, within));
  for (const ItemError& e : loader_->node_result().node_errors) {
    const Row& row = node_rows[e.index];
    Reject(row.file, row.line, std::string(e.status.message()), RowText(row, raw_));
  }
  loader_->OmitEdgeIds();  // The report counts the edges; it does not list their ids.
  if (expected_edges_ > 0) loader_->Reserve(expected_edges_);
  return absl::OkStatus();
}

absl::StatusOr<bool> Importer::PrepareEdgeLines(uint64_t first_line_no,
                                                const std::vector<absl::string_view>& lines) {
  // Each line parsed and its edge prepared on the parsing thread (two for big blocks), into a
  // block per thread; the blocks are appended in order.
  const size_t n = lines.size();
  std::vector<absl::Status> status(n);
  std::vector<uint8_t> blank(n, 0);
  BulkLoader::Block(&blocks)[2] = blocks_;
  const BulkLoader& loader = *loader_;
  auto prepare = [&](size_t begin, size_t end) {
    BulkLoader::Block& block = blocks[begin == 0 ? 0 : 1];
    // A few lines at a time: parsed, their endpoints' lookups prefetched, then prepared (the
    // lookups would wait for memory one by one otherwise).
    constexpr size_t kGroup = 8;
    EdgeWrite rows[kGroup];
    for (size_t g = begin; g < end; g += kGroup) {
      const size_t m = std::min(kGroup, end - g);
      for (size_t k = 0; k < m; ++k) {
        bool b = false;
        status[g + k] = csv_->ParseEdgeInto(lines[g + k], &rows[k], &b);
        blank[g + k] = b;
        if (status[g + k].ok() && !b) loader.Prefetch(rows[k]);
      }
      for (size_t k = 0; k < m; ++k) {
        if (status[g + k].ok() && !blank[g + k]) status[g + k] = loader.Prepare(rows[k], &block);
      }
    }
  };
  TwoHalves(n, prepare);
  const bool keyed = csv_->has_key_column();
  uint64_t index = loader_->size();  // Of the next edge in the load.
  TallyLines(first_line_no, lines, status, blank, [&](size_t i, uint32_t file) {
    if (keyed) {
      const absl::string_view line = lines[i];
      keyed_rows_.emplace_back(
          index, Row{first_line_no + i, Keep(line), static_cast<uint32_t>(line.size()), file});
    }
    ++index;
  });
  loader_->Append(std::span<BulkLoader::Block>(blocks));
  return true;
}

absl::StatusOr<bool> Importer::AddParsed(uint64_t line_no, absl::string_view line,
                                         absl::StatusOr<JsonlRecord> rec) {
  if (report_.aborted) return false;
  const auto file = static_cast<uint32_t>(files_.size() - 1);
  if (rec.ok() && std::holds_alternative<std::monostate>(*rec)) return true;
  if (bulk_ && nodes_complete_ && rec.ok() && std::holds_alternative<Node>(*rec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(files_[file], ":", line_no, ": a node row after the nodes were complete"));
  }
  ++report_.rows_read;
  if (!rec.ok()) {
    Reject(file, line_no, std::string(rec.status().message()), std::string(line));
    return !report_.aborted;
  }
  const Row row{line_no, Keep(line), static_cast<uint32_t>(line.size()), file};
  if (bulk_ && nodes_complete_) {
    // An edge, checked now like those of PrepareEdgeLines.
    if (!loader_) RETURN_IF_ERROR(StartLoader());
    BulkLoader::Block block;
    const absl::Status s = loader_->Prepare(std::get<EdgeWrite>(*rec), &block);
    if (!s.ok()) {
      Reject(file, line_no, std::string(s.message()), std::string(line));
    } else {
      keyed_rows_.emplace_back(loader_->size(), row);
      loader_->Append(block);
    }
    return true;
  }
  if (auto* n = std::get_if<Node>(&*rec)) {
    nodes_.push_back(std::move(*n));
    node_rows_.push_back(row);
  } else {
    edges_.push_back(std::move(std::get<EdgeWrite>(*rec)));
    edge_rows_.push_back(row);
  }
  const bool buffered = options_.max_errors == 0 || options_.dry_run || bulk_;
  const size_t pending = nodes_.size() + edges_.size();
  if (buffered && !bulk_ && pending > options_.max_buffered_rows) {
    report_.aborted = true;
    report_.abort_reason = absl::StrCat(
        "an all-or-nothing import holds at most ", options_.max_buffered_rows,
        " rows: allow errors with --max-errors N (written in atomic chunks) or split the files");
    nodes_.clear();
    edges_.clear();
    raw_.clear();
    return false;
  }
  if (!buffered && pending >= options_.chunk_rows) RETURN_IF_ERROR(Flush(false));
  return !report_.aborted;
}

bool Importer::RefusedForBadRows() {
  if (report_.rows_rejected <= options_.max_errors) return false;
  report_.aborted = true;
  report_.abort_reason =
      options_.max_errors == 0
          ? absl::StrCat(report_.rows_rejected,
                         " bad rows: nothing was written (all or nothing; see --max-errors)")
          : absl::StrCat("more than ", options_.max_errors,
                         " bad rows (--max-errors): nothing was written");
  return true;
}

absl::Status Importer::FinishLoader() {
  std::unique_ptr<BulkLoader> loader = std::move(loader_);
  std::vector<std::pair<uint64_t, Row>> keyed_rows = std::move(keyed_rows_);
  std::string raw = std::move(raw_);
  keyed_rows_.clear();
  raw_.clear();
  const uint64_t errors = report_.rows_rejected;  // Nodes', parsing's and preparing's.
  const bool within = errors <= options_.max_errors;
  const size_t node_errors = loader->node_result().node_errors.size();
  const size_t edge_count = loader->size();
  ASSIGN_OR_RETURN(BatchResult done, loader->Finish(within ? options_.max_errors - errors : 0,
                                                    within, options_.bulk_topology));
  loader.reset();  // Its memory, and the store's write lock.
  for (BulkLoader::Block& b : blocks_) b = BulkLoader::Block();  // Their memory was its.
  for (const ItemError& e : done.edge_errors) {
    auto it = std::lower_bound(keyed_rows.begin(), keyed_rows.end(), e.index,
                               [](const auto& r, uint64_t index) { return r.first < index; });
    if (it == keyed_rows.end() || it->first != e.index) {
      // Not an edge with a key: refusing it breaks the loader's contract.
      return absl::InternalError(
          absl::StrCat("bulk load: edge ", e.index, " refused unexpectedly: ", e.status.message()));
    }
    const Row& row = it->second;
    Reject(row.file, row.line, std::string(e.status.message()), RowText(row, raw));
  }
  if (RefusedForBadRows()) return absl::OkStatus();
  report_.nodes_written += loader_nodes_ - node_errors;
  report_.edges_written += edge_count - done.edge_errors.size();
  return absl::OkStatus();
}

absl::Status Importer::Flush(bool /*final*/) {
  if (loader_) return FinishLoader();
  if (nodes_.empty() && edges_.empty()) return absl::OkStatus();
  const bool buffered = options_.max_errors == 0 || options_.dry_run || bulk_;
  std::vector<Node> nodes = std::move(nodes_);
  std::vector<EdgeWrite> edges = std::move(edges_);
  std::vector<Row> node_rows = std::move(node_rows_);
  std::vector<Row> edge_rows = std::move(edge_rows_);
  std::string raw = std::move(raw_);
  raw_.clear();
  nodes_.clear();
  edges_.clear();
  node_rows_.clear();
  edge_rows_.clear();
  // Errors come back per item; report them in file order.
  auto report = [&](const BatchResult& r) {
    std::vector<std::pair<const Row*, const absl::Status*>> bad;
    for (const ItemError& e : r.node_errors) bad.emplace_back(&node_rows[e.index], &e.status);
    for (const ItemError& e : r.edge_errors) bad.emplace_back(&edge_rows[e.index], &e.status);
    std::sort(bad.begin(), bad.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first->file, a.first->line) < std::tie(b.first->file, b.first->line);
    });
    for (const auto& [row, status] : bad) {
      Reject(row->file, row->line, std::string(status->message()), RowText(*row, raw));
    }
  };
  const size_t node_count = nodes.size(), edge_count = edges.size();
  if (bulk_) {
    // Rows refused while parsing count against max_errors too: the load may only be written
    // when the total stays within it.
    const uint64_t parse_errors = report_.rows_rejected;
    const bool within = parse_errors <= options_.max_errors;
    ASSIGN_OR_RETURN(BatchResult done,
                     store_.BulkLoad(std::move(nodes), std::move(edges),
                                     within ? options_.max_errors - parse_errors : 0, within,
                                     options_.bulk_topology));
    report(done);
    if (RefusedForBadRows()) return absl::OkStatus();
    report_.nodes_written += node_count - done.node_errors.size();
    report_.edges_written += edge_count - done.edge_errors.size();
    return absl::OkStatus();
  }
  if (buffered) {
    absl::Status write_failure;
    if (!options_.dry_run && report_.rows_rejected == 0) {
      // Every row parsed: write them all in one atomic batch. A bad row fails the batch with
      // nothing written; the validation below then reports every bad row.
      absl::StatusOr<BatchResult> done =
          store_.UpsertBatch(nodes, edges, /*skip_invalid=*/false, /*commit=*/true);
      if (done.ok()) {
        report_.nodes_written += node_count;
        report_.edges_written += edge_count;
        return absl::OkStatus();
      }
      write_failure = done.status();
    }
    // Validate everything (the store stages, reports and does not commit).
    ASSIGN_OR_RETURN(BatchResult check,
                     store_.UpsertBatch(std::move(nodes), std::move(edges),
                                        /*skip_invalid=*/true, /*commit=*/false));
    report(check);
    if (report_.rows_rejected > 0) {
      report_.aborted = true;
      report_.abort_reason =
          absl::StrCat(report_.rows_rejected,
                       " bad rows: nothing was written (all or nothing; see --max-errors)");
      return absl::OkStatus();
    }
    if (options_.dry_run) return absl::OkStatus();
    // Every row is valid, so the write failed for another reason (storage).
    return write_failure;
  }
  ASSIGN_OR_RETURN(BatchResult done, store_.UpsertBatch(std::move(nodes), std::move(edges),
                                                        /*skip_invalid=*/true, /*commit=*/true));
  report_.nodes_written += node_count - done.node_errors.size();
  report_.edges_written += edge_count - done.edge_errors.size();
  report(done);
  return absl::OkStatus();
}

absl::StatusOr<ImportReport> Importer::Finish() {
  // All-or-nothing: an abort means nothing is written. Tolerant: the good rows read before the
  // stop are written (in atomic chunks, like all the others).
  const bool tolerant = options_.max_errors > 0 && !options_.dry_run && !bulk_;
  if (!report_.aborted || tolerant) RETURN_IF_ERROR(Flush(true));
  // Parse errors are found as rows arrive, store errors when their chunk is written: sort.
  std::vector<size_t> order(report_.errors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return error_order_[a] < error_order_[b]; });
  std::vector<RowError> sorted;
  for (size_t i : order) sorted.push_back(std::move(report_.errors[i]));
  report_.errors = std::move(sorted);
  return report_;
}

absl::StatusOr<ImportFormat> DetectFormat(absl::string_view file_name,
                                          absl::string_view first_line) {
  std::string lower = absl::AsciiStrToLower(file_name);
  if (absl::EndsWith(lower, ".jsonl") || absl::EndsWith(lower, ".ndjson") ||
      absl::EndsWith(lower, ".json")) {
    return ImportFormat::kJsonl;
  }
  if (absl::EndsWith(lower, ".csv")) {
    std::vector<std::string> columns = absl::StrSplit(first_line, ',');
    bool from = false, type = false, to = false;
    for (std::string& c : columns) {
      c = std::string(absl::StripAsciiWhitespace(c));
      if (!c.empty() && c.front() == '"' && c.back() == '"' && c.size() >= 2) {
        c = c.substr(1, c.size() - 2);
      }
      from |= c == "from";
      type |= c == "type";
      to |= c == "to";
    }
    return from && type && to ? ImportFormat::kCsvEdges : ImportFormat::kCsvNodes;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", file_name, "': unknown format (want .jsonl, .ndjson, .json or .csv)"));
}

absl::StatusOr<ImportReport> ImportFiles(GraphStore& store, const std::vector<std::string>& paths,
                                         const ImportOptions& options,
                                         const std::function<void(const ImportReport&)>& progress) {
  Importer importer(store, options);
  // When every nodes file comes before every edges file (CSV only), a bulk import checks the
  // edges as it reads them (Importer::NodesComplete): read each file's first line to know.
  bool nodes_first = options.bulk_if_empty && !options.dry_run;
  {
    bool edges_seen = false;
    for (size_t i = 0; i < paths.size() && nodes_first; ++i) {
      std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(paths[i].c_str(), "rb"),
                                                           &std::fclose);
      std::string first(64 << 10, '\0');
      const size_t got = file ? std::fread(first.data(), 1, first.size(), file.get()) : 0;
      first.resize(got);
      first = first.substr(0, first.find('\n'));
      if (!first.empty() && first.back() == '\r') first.pop_back();
      absl::StatusOr<ImportFormat> format = DetectFormat(paths[i], first);
      if (!file || got == 0 || !format.ok() || *format == ImportFormat::kJsonl ||
          (*format == ImportFormat::kCsvNodes && edges_seen)) {
        nodes_first = false;
      }
      edges_seen |= format.ok() && *format == ImportFormat::kCsvEdges;
    }
  }
  for (const std::string& path : paths) {
    // Read in big chunks; lines are views into the chunk (no string per line).
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
    std::error_code ec;
    const uint64_t file_size = std::filesystem::file_size(path, ec);
    constexpr size_t kChunk = 8 << 20;
    ChunkReader reader(file.get(), path, kChunk);
    absl::string_view data;      // The bytes at hand; data[at] starts a line.
    size_t at = 0;               // Start of the next line in data.
    uint64_t buffer_offset = 0;  // Of data[0] in the file.
    // The next chunk, behind the unread bytes data[at, end).
    auto refill = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(absl::string_view next, reader.Next(data.substr(at)));
      buffer_offset += at;
      data = next;
      at = 0;
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(refill());
    if (data.empty()) {
      importer.BeginFile(path, ImportFormat::kJsonl, "");
      continue;  // An empty file.
    }
    // The first line: the CSV header (or a JSON Lines record).
    size_t newline = data.find('\n');
    while (newline == absl::string_view::npos && !reader.eof()) {
      RETURN_IF_ERROR(refill());
      newline = data.find('\n');
    }
    absl::string_view first = data.substr(0, newline);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    ASSIGN_OR_RETURN(ImportFormat format, DetectFormat(path, first));
    if (nodes_first && format == ImportFormat::kCsvEdges) importer.NodesComplete();
    importer.BeginFile(path, format, format == ImportFormat::kJsonl ? "" : first,
                       /*read_back=*/true);
    uint64_t next_line = 1;
    if (format != ImportFormat::kJsonl) {
      at = newline == absl::string_view::npos ? data.size() : newline + 1;
      next_line = 2;
    }
    if (file_size > at && data.size() > at) {
      // Expect as many rows as the first chunk's average line length says.
      const absl::string_view sample = data.substr(at);
      const size_t sample_lines =
          std::max<size_t>(1, std::count(sample.begin(), sample.end(), '\n'));
      const size_t per_line = std::max<size_t>(1, sample.size() / sample_lines);
      importer.ExpectRows((file_size - at) / per_line + 16, file_size - at);
    }
    // Lines go to the importer in blocks, which it parses in parallel.
    constexpr size_t kBlock = 65536;
    std::vector<absl::string_view> block;
    block.reserve(kBlock);
    bool go_on = true;
    while (go_on) {
      // Complete lines in data[at, end); the last one needs a newline unless at the end.
      block.clear();
      const size_t filled = data.size();
      size_t end = at;
      while (block.size() < kBlock) {
        const char* nl =
            static_cast<const char*>(std::memchr(data.data() + end, '\n', filled - end));
        if (nl == nullptr) {
          if (reader.eof() && end < filled) {
            absl::string_view line = data.substr(end);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            block.push_back(line);
            end = filled;
          }
          break;
        }
        absl::string_view line(data.data() + end, nl - (data.data() + end));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        block.push_back(line);
        end = static_cast<size_t>(nl - data.data()) + 1;
      }
      if (!block.empty()) {
        ASSIGN_OR_RETURN(go_on,
                         importer.AddFileLines(next_line, block,
                                               buffer_offset + (block[0].data() - data.data())));
        next_line += block.size();
        if (progress) progress(importer.progress());
      }
      at = end;
      if (block.size() == kBlock) continue;
      if (reader.eof()) break;
      // The partial line goes in front of the next chunk.
      RETURN_IF_ERROR(refill());
    }
    if (!go_on) break;
  }
  return importer.Finish();
}

}  // namespace innograph::io
