#pragma once

// Importer: loads JSON Lines and CSV files into a store, row by row, the same way for the
// Import rpc (rows streamed by a client) and for the offline `innograph-server import`.
//
// Two modes:
//  - all or nothing (max_errors == 0, the default, or dry_run): every row is buffered, then
//    validated and written as ONE atomic batch; if any row is bad, nothing is written and every
//    bad row is reported. Capped at ImportOptions::max_buffered_rows rows.
//  - tolerant (max_errors > 0): rows are written in chunks, each chunk one atomic batch whose
//    bad rows are reported and left out; the import stops cleanly once more than max_errors
//    rows were bad (the chunks before stay written).
// A row is never half-written: a node with its index entries, an edge with both directions.
// Edges may name nodes defined earlier in the import (and, in all-or-nothing mode, anywhere in
// it) or already in the store. Upserts by key: importing the same files twice changes nothing.
//
// Not thread-safe: one Importer per import.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/io/csv.h"
#include "graph/io/jsonl.h"
#include "graph/store/store.h"

namespace innograph::io {

enum class ImportFormat {
  kJsonl,     // docs/data-format.md
  kCsvNodes,  // docs/import.md, nodes table
  kCsvEdges,  // docs/import.md, edges table
};

struct ImportOptions {
  uint32_t max_errors = 0;             // 0: all or nothing.
  bool dry_run = false;                // Validate everything, write nothing.
  size_t chunk_rows = 5000;            // Tolerant mode: rows per atomic batch.
  size_t max_buffered_rows = 2000000;  // All-or-nothing mode cap.
  // Offline imports: when the store has never been written, validate everything in memory and
  // write sorted files that RocksDB ingests atomically (GraphStore::BulkLoad). The rows then
  // are all buffered (no cap), or after NodesComplete the edges are checked and reduced as they
  // are read (BulkLoader); with more than max_errors bad rows nothing is written.
  bool bulk_if_empty = false;
  // With bulk_if_empty: receives the loaded graph when the import was a bulk load that wrote
  // (its `delivered` is then set); see GraphStore::BulkLoad.
  TopologySink* bulk_topology = nullptr;
};

struct RowError {
  std::string file;
  uint64_t line = 0;    // 1-based; 0 for an error about the whole file (its header).
  std::string message;  // Names the field and the value.
  std::string raw;      // The row as read (for the reject file).
};

struct ImportReport {
  uint64_t rows_read = 0;      // Data rows (blank and comment lines excluded).
  uint64_t nodes_written = 0;  // Node rows written (created or updated).
  uint64_t edges_written = 0;
  uint64_t rows_rejected = 0;
  std::vector<RowError> errors;  // Every rejected row, in file order.
  bool aborted = false;          // Nothing more was written after the abort.
  std::string abort_reason;
};

class Importer {
 public:
  Importer(GraphStore& store, ImportOptions options);

  // Starts a file. For CSV, `csv_header` is its first line; a bad header is reported as a row
  // error of line 1 (the file's rows are then skipped). With `read_back`, `name` is the path
  // of a file on disk whose lines all come through AddFileLines: the rows' texts are not kept
  // in memory, a rejected row's text is read back from the file.
  void BeginFile(std::string name, ImportFormat format, absl::string_view csv_header,
                 bool read_back = false);
  // Adds one line of the current file (without its newline). Returns false once the import has
  // stopped (aborted); storage failures are errors.
  absl::StatusOr<bool> AddLine(uint64_t line_no, absl::string_view line);
  // Adds consecutive lines of the current file, the first being line `first_line_no`; big
  // blocks are parsed on two threads. Same result as AddLine for each.
  absl::StatusOr<bool> AddLines(uint64_t first_line_no,
                                const std::vector<absl::string_view>& lines);
  // AddLines for a file begun with read_back: `lines` are views into one buffer, lines[0]
  // starting at byte `offset` of the file.
  absl::StatusOr<bool> AddFileLines(uint64_t first_line_no,
                                    const std::vector<absl::string_view>& lines, uint64_t offset);
  // A hint: about `rows` more rows of the current file, `bytes` long in all, are coming (space
  // is reserved for them when the import buffers its rows).
  void ExpectRows(size_t rows, size_t bytes);
  // Tells a bulk import (bulk_if_empty into an empty store) that no node rows follow: the
  // nodes read so far are then identified at the next edges, whose rows are checked and
  // reduced as they are read (BulkLoader) instead of being buffered whole. A node row after it
  // is an error (FAILED_PRECONDITION). No effect on other imports.
  void NodesComplete();
  // Writes what is pending and returns the report. Call once.
  absl::StatusOr<ImportReport> Finish();

  const ImportReport& progress() const { return report_; }

 private:
  struct Row {
    uint64_t line;
    uint64_t raw_at;  // The row's text: raw_[raw_at, raw_at + raw_size), or the file's bytes
                      // there when the file is read back.
    uint32_t raw_size;
    uint32_t file;  // Index into files_.
  };

  absl::StatusOr<JsonlRecord> ParseLine(absl::string_view line) const;
  absl::StatusOr<bool> AddParsed(uint64_t line_no, absl::string_view line,
                                 absl::StatusOr<JsonlRecord> rec);
  void Reject(uint32_t file, uint64_t line, std::string message, std::string raw);
  // Keeps a line of the current file's block for a Row; returns its raw_at.
  uint64_t Keep(absl::string_view line);
  // The text of a row kept before `raw` was taken from raw_ (see Flush).
  std::string RowText(const Row& row, const std::string& raw) const;
  absl::Status Flush(bool final);
  // After NodesComplete: starts the bulk load with the nodes read (reporting their errors).
  absl::Status StartLoader();
  // After a block of lines was parsed on the worker threads (status and blank by line): counts
  // each row that is not blank, reports the bad ones and calls good(i, file) for the others, in
  // order.
  template <typename Good>
  void TallyLines(uint64_t first_line_no, const std::vector<absl::string_view>& lines,
                  const std::vector<absl::Status>& status, const std::vector<uint8_t>& blank,
                  Good&& good);
  // AddLines for a CSV file of a bulk load that is buffered whole (nodes, or edges before the
  // nodes are complete): each line parsed straight into its place in `items` (two threads for
  // big blocks), then the blank and bad ones taken out.
  template <typename T, typename ParseInto>
  absl::StatusOr<bool> ParseInPlace(uint64_t first_line_no,
                                    const std::vector<absl::string_view>& lines,
                                    std::vector<T>* items, std::vector<Row>* rows,
                                    ParseInto parse_into);
  // AddLines for an edges file once the loader runs.
  absl::StatusOr<bool> PrepareEdgeLines(uint64_t first_line_no,
                                        const std::vector<absl::string_view>& lines);
  // Flush of a load whose edges went to the loader.
  absl::Status FinishLoader();
  // After a bulk load: with more bad rows than max_errors (nothing was written), marks the
  // import aborted and returns true.
  bool RefusedForBadRows();

  GraphStore& store_;
  const ImportOptions options_;
  std::vector<std::string> files_;
  std::vector<uint8_t> read_back_;  // Parallel to files_.
  // The block of lines being added by AddFileLines: its first byte and that byte's offset.
  const char* block_base_ = nullptr;
  uint64_t block_offset_ = 0;
  ImportFormat format_ = ImportFormat::kJsonl;
  std::unique_ptr<CsvParser> csv_;
  bool file_ok_ = false;
  std::vector<Node> nodes_;
  std::vector<EdgeWrite> edges_;
  std::vector<Row> node_rows_, edge_rows_;
  std::string raw_;  // Texts of the pending rows, back to back (one allocation, not one a row).
  ImportReport report_;
  bool bulk_ = false;                   // Loading into an empty store with BulkLoad.
  bool nodes_complete_ = false;         // NodesComplete() was called.
  std::unique_ptr<BulkLoader> loader_;  // The bulk load of a NodesComplete import.
  BulkLoader::Block blocks_[2];         // Its edges being prepared, one block per thread.
  // The rows of its edges that have a key, by their index in the load: only such an edge can
  // be refused when the load is finished (it would move another edge or take its key).
  std::vector<std::pair<uint64_t, Row>> keyed_rows_;
  size_t loader_nodes_ = 0;    // The node rows it started with.
  size_t expected_edges_ = 0;  // ExpectRows of edges before the loader started.
  std::vector<std::pair<uint32_t, uint64_t>> error_order_;  // (file, line) of each error.
};

// Reads the format from a file name: *.jsonl / *.ndjson / *.json -> JSON Lines; *.csv ->
// nodes or edges by its header (an edges file has from,type,to columns). INVALID_ARGUMENT
// otherwise.
absl::StatusOr<ImportFormat> DetectFormat(absl::string_view file_name,
                                          absl::string_view first_line);

// Imports files from disk (the offline path): each file read in blocks of lines. `progress`
// (may be empty) is called after each block.
absl::StatusOr<ImportReport> ImportFiles(GraphStore& store, const std::vector<std::string>& paths,
                                         const ImportOptions& options,
                                         const std::function<void(const ImportReport&)>& progress);

}  // namespace innograph::io
