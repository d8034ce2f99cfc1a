#pragma once

// The JSON Lines data format (docs/data-format.md): one node or edge per line.

#include <functional>
#include <istream>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graph/model/schema.h"
#include "graph/store/store.h"

namespace innograph::io {

// A parsed line: nothing (blank or comment), a node or an edge.
using JsonlRecord = std::variant<std::monostate, Node, EdgeWrite>;

// Parses one line. INVALID_ARGUMENT names the member and the value: unknown kind or type,
// malformed date, a property of the wrong JSON type for its declared type, ...
absl::StatusOr<JsonlRecord> ParseJsonlLine(absl::string_view line, const Schema& schema);

struct LoadStats {
  size_t nodes = 0;
  size_t edges = 0;
  size_t lines = 0;
};

// Loads a file into the store, in file order, with batches of up to `batch_size` records.
// Stops at the first bad line or refused batch with "path:line: message"; the batches before it
// stay written (each batch is atomic).
// The loop behind LoadJsonlFile and LoadCsvFile: parses each line of `in` with `parse` and
// upserts the records in batches, in file order. `lines_before` lines were already read (a CSV
// header), so messages name the right line.
absl::StatusOr<LoadStats> LoadRecords(
    std::istream& in, const std::string& path, uint64_t lines_before,
    const std::function<absl::StatusOr<JsonlRecord>(absl::string_view)>& parse, GraphStore& store,
    size_t batch_size);

absl::StatusOr<LoadStats> LoadJsonlFile(const std::string& path, GraphStore& store,
                                        size_t batch_size = 1000);

}  // namespace innograph::io
