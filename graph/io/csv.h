#pragma once

// CSV import (docs/import.md): a nodes file and an edges file, each a header line and one record
// per line, RFC 4180 quoting.
//
// Nodes file columns: `key,kind,name` (required), `aliases` (`a|b`), `sources`
// (`source#locator|source2`), and property columns `name` or `name:type` (type string, int,
// double, bool or date). Edges file columns: `from,type,to` (required),
// `valid_from,valid_to,weight,key,sources`, and property columns. Column order is free.
//
// Property typing: when the row's kind (or edge type) declares the property, the declared type
// wins; otherwise the header's `:type`, else string. An empty cell means "property absent".
// A typed header is always a property, so `name:string` in a nodes file is a property called
// `name`, not the node's name. In `aliases` and `sources`, `\|`, `\#` and `\\` stand for `|`, `#`
// and `\`; a backslash before any other character is kept as it is.
//
// Quoting: a field may be enclosed in double quotes, `""` inside stands for `"`; a quoted field
// may not span lines. A `"` inside an unquoted field is kept as it is. One trailing `\r` (CRLF
// files) and a UTF-8 byte-order mark before the header are ignored.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graph/io/jsonl.h"
#include "graph/model/schema.h"
#include "graph/store/store.h"

namespace innograph::io {

// Splits one CSV line into its unquoted fields. On a malformed line ("unterminated quoted
// field", text after a closing quote) sets *status to INVALID_ARGUMENT and returns the fields
// read so far; else sets it to OK. An empty line is one empty field.
std::vector<std::string> SplitCsvLine(absl::string_view line, absl::Status* status);

// Parses the lines of one CSV file. Thread safety: immutable after Create; Parse may be called
// concurrently. The schema must outlive the parser.
class CsvParser {
 public:
  enum class Table { kNodes, kEdges };

  // Reads the header line. INVALID_ARGUMENT names the column: a missing required column, a
  // duplicate column, an empty column name, an unknown `:type`, a malformed property name.
  static absl::StatusOr<std::unique_ptr<CsvParser>> Create(Table table, const Schema& schema,
                                                           absl::string_view header_line);

  // Parses one data line: std::monostate for a blank line, else a Node (nodes file) or an
  // EdgeWrite with endpoints by key (edges file). Checks syntax, kinds, types, dates, numbers and
  // UTF-8; the store checks the rest (endpoint kinds, key existence). INVALID_ARGUMENT names the
  // column and the value: "column 'founded': '2021-13' is not a date ...", "wrong number of
  // columns: 5, header has 6", "column 'name': invalid UTF-8".
  absl::StatusOr<JsonlRecord> Parse(absl::string_view line) const;
  // The same for an edges (nodes) file, into `*out` (reset first): the import's fast path,
  // without the record variant. Sets *blank for a blank line (then `*out` is left default).
  absl::Status ParseEdgeInto(absl::string_view line, EdgeWrite* out, bool* blank) const;
  absl::Status ParseNodeInto(absl::string_view line, Node* out, bool* blank) const;

  Table table() const { return table_; }
  // Whether the file has a key column (an edges file whose rows may carry edge keys).
  bool has_key_column() const { return key_ >= 0; }
  // The header cells, trimmed, in file order.
  std::vector<std::string> columns() const;

 private:
  struct Column {
    std::string header;  // As written (trimmed), for messages.
    // Property columns only: the property name, the header's type (string when untyped), and
    // the declared type by kind id (nodes) or type id (edges), 0 when not declared.
    std::string property;
    ValueType type = ValueType::kString;
    std::vector<uint8_t> declared;
  };

  CsvParser(Table table, const Schema& schema) : table_(table), schema_(&schema) {}

  // Splits a line into `fields` (views into the line or `scratch`) and checks the count and
  // UTF-8; *blank for a blank line.
  absl::Status Split(absl::string_view line, absl::InlinedVector<absl::string_view, 16>* fields,
                     std::string* scratch, bool* blank) const;
  absl::Status ParseNode(const absl::string_view* fields, Node* out) const;
  absl::Status ParseEdge(const absl::string_view* fields, EdgeWrite* w) const;
  absl::Status ParseProperties(const absl::string_view* fields, uint32_t owner_id,
                               PropertyMap* props) const;

  Table table_;
  const Schema* schema_;
  std::vector<Column> columns_;
  std::vector<size_t> property_columns_;  // Indexes into columns_.
  // Index of each fixed column, or -1 when absent.
  int key_ = -1, kind_ = -1, name_ = -1, aliases_ = -1, sources_ = -1;
  int from_ = -1, type_ = -1, to_ = -1, valid_from_ = -1, valid_to_ = -1, weight_ = -1;
};

// Loads a nodes or edges CSV file (its first line is the header) into the store, in file order,
// in batches of up to `batch_size` records. Stops at the first bad line or refused batch with
// "path:line: message"; the batches before it stay written. Load the nodes file first.
absl::StatusOr<LoadStats> LoadCsvFile(const std::string& path, CsvParser::Table table,
                                      GraphStore& store, size_t batch_size = 1000);

}  // namespace innograph::io
