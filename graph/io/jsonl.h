#pragma once

// The JSON Lines data format (docs/data-format.md): one node or edge per line.

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
absl::StatusOr<LoadStats> LoadJsonlFile(const std::string& path, GraphStore& store,
                                        size_t batch_size = 1000);

}  // namespace innograph::io
