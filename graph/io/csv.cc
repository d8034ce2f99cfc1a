#include "graph/io/csv.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "graph/model/status.h"
#include "graph/model/text.h"

namespace innograph::io {
namespace {

// Field views of one line; most files have fewer than 16 columns, so no allocation.
using Fields = absl::InlinedVector<absl::string_view, 16>;  // As in CsvParser::Split.

// The common line: no quote anywhere. Adds its fields (views into `line`) to `out` and returns
// true; *plain_ascii tells whether every byte is ASCII other than NUL (valid UTF-8 as it is).
// Returns false, `out` unchanged, when the line has a quote.
bool SplitUnquoted(absl::string_view line, Fields* out, bool* plain_ascii) {
  const char* const base = line.data();
  const size_t n = line.size(), fields_before = out->size();
  // Fields go to a local batch first: pushing each straight into `out` cost more than the
  // scan (a 16-byte reload of what was just stored, which the store buffer cannot forward).
  constexpr size_t kBatch = 32;
  absl::string_view batch[kBatch];
  size_t in_batch = 0;
  auto add = [&](size_t begin, size_t end) {
    batch[in_batch++] = absl::string_view(base + begin, end - begin);
    if (in_batch == kBatch) {
      out->insert(out->end(), batch, batch + kBatch);
      in_batch = 0;
    }
  };
  size_t field = 0;  // Start of the current field.
  uint32_t high = 0, nul = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: bit masks of the commas, quotes, NULs and high bits.
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) != 0) {
      out->resize(fields_before);
      return false;
    }
    high |= static_cast<uint32_t>(_mm_movemask_epi8(v));
    nul |= static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
    for (auto c = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))); c != 0;
         c &= c - 1) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(c));
      add(field, at);
      field = at + 1;
    }
  }
#endif
  for (; i < n; ++i) {
    const auto ch = static_cast<unsigned char>(base[i]);
    if (ch == '"') {
      out->resize(fields_before);
      return false;
    }
    high |= ch & 0x80;
    nul |= ch == 0;
    if (ch == ',') {
      add(field, i);
      field = i + 1;
    }
  }
  add(field, n);
  out->insert(out->end(), batch, batch + in_batch);
  *plain_ascii = high == 0 && nul == 0;
  return true;
}

// Splits `line` into `out`. Plain and simply quoted fields are views into `line`; a quoted field
// with `""` escapes is unescaped into `scratch`, which is sized once to the line so that earlier
// views stay valid. On error returns the message and sets *bad_field to the field's index.
// *plain_ascii (when given) is set when the whole line is ASCII without NUL, so that its fields
// need no UTF-8 check; false means "not known".
std::string SplitFields(absl::string_view line, Fields* out, std::string* scratch,
                        size_t* bad_field, bool* plain_ascii = nullptr) {
  bool ascii = false;
  if (SplitUnquoted(line, out, &ascii)) {
    if (plain_ascii) *plain_ascii = ascii;
    return "";
  }
  if (plain_ascii) *plain_ascii = false;
  const char* p = line.data();
  const char* const end = p + line.size();
  while (true) {
    if (p < end && *p == '"') {
      const char* q = p + 1;
      const char* close = static_cast<const char*>(std::memchr(q, '"', end - q));
      if (close == nullptr) {
        *bad_field = out->size();
        return "unterminated quoted field";
      }
      if (close + 1 < end && close[1] == '"') {
        // Escaped quotes: unescape into the scratch buffer.
        if (scratch->capacity() < line.size()) scratch->reserve(line.size());
        const size_t start = scratch->size();
        while (true) {
          scratch->append(q, close - q);
          if (close + 1 < end && close[1] == '"') {
            scratch->push_back('"');
            q = close + 2;
            close = static_cast<const char*>(std::memchr(q, '"', end - q));
            if (close == nullptr) {
              *bad_field = out->size();
              return "unterminated quoted field";
            }
            continue;
          }
          break;
        }
        out->push_back(absl::string_view(scratch->data() + start, scratch->size() - start));
      } else {
        out->push_back(absl::string_view(q, close - q));
      }
      p = close + 1;
      if (p == end) return "";
      if (*p != ',') {
        *bad_field = out->size() - 1;
        return absl::StrCat("unexpected text after the closing quote of field ", out->size());
      }
      ++p;
      continue;
    }
    const char* comma = static_cast<const char*>(std::memchr(p, ',', end - p));
    if (comma == nullptr) {
      out->push_back(absl::string_view(p, end - p));
      return "";
    }
    out->push_back(absl::string_view(p, comma - p));
    p = comma + 1;
  }
}

absl::string_view StripLineEnd(absl::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

absl::Status ColumnError(absl::string_view column, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column '", column, "': ", what));
}

bool ValidPropertyName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxPropertyNameBytes) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Splits a list cell at unescaped `sep` into `out`, resolving `\|`, `\#` and `\\`.
// `keep_hash_escape` leaves `\#` escaped (the entries are split again at `#`).
void SplitList(absl::string_view cell, char sep, bool keep_hash_escape,
               std::vector<std::string>* out) {
  std::string cur;
  for (size_t i = 0; i < cell.size(); ++i) {
    const char c = cell[i];
    if (c == '\\' && i + 1 < cell.size()) {
      const char n = cell[i + 1];
      if (n == '|' || n == '\\' || n == '#') {
        if ((n == '#' || n == '\\') && keep_hash_escape) cur.push_back('\\');
        cur.push_back(n);
        ++i;
        continue;
      }
    }
    if (c == sep) {
      out->push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  out->push_back(std::move(cur));
}

absl::Status ParseAliases(absl::string_view column, absl::string_view cell,
                          std::vector<std::string>* aliases) {
  if (cell.empty()) return absl::OkStatus();
  if (cell.find('\\') == absl::string_view::npos) {
    // The common case: no escapes, one allocation per alias.
    size_t start = 0;
    while (true) {
      const size_t bar = cell.find('|', start);
      const absl::string_view a = cell.substr(
          start, bar == absl::string_view::npos ? absl::string_view::npos : bar - start);
      if (a.empty()) return ColumnError(column, absl::StrCat("empty alias in '", cell, "'"));
      aliases->emplace_back(a);
      if (bar == absl::string_view::npos) return absl::OkStatus();
      start = bar + 1;
    }
  }
  SplitList(cell, '|', /*keep_hash_escape=*/false, aliases);
  for (const std::string& a : *aliases) {
    if (a.empty()) return ColumnError(column, absl::StrCat("empty alias in '", cell, "'"));
  }
  return absl::OkStatus();
}

absl::Status ParseSources(absl::string_view column, absl::string_view cell,
                          std::vector<Citation>* sources) {
  if (cell.empty()) return absl::OkStatus();
  std::vector<std::string> entries;
  SplitList(cell, '|', /*keep_hash_escape=*/true, &entries);
  for (const std::string& entry : entries) {
    // Split at the first unescaped '#', then resolve the remaining escapes.
    Citation c;
    std::string* target = &c.source;
    for (size_t i = 0; i < entry.size(); ++i) {
      const char ch = entry[i];
      if (ch == '\\' && i + 1 < entry.size() && (entry[i + 1] == '#' || entry[i + 1] == '\\')) {
        target->push_back(entry[++i]);
      } else if (ch == '#' && target == &c.source) {
        target = &c.locator;
      } else {
        target->push_back(ch);
      }
    }
    if (c.source.empty()) return ColumnError(column, absl::StrCat("empty source in '", cell, "'"));
    sources->push_back(std::move(c));
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ParseDouble(absl::string_view column, absl::string_view cell) {
  double d = 0;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), d);
  if (ec != std::errc() || ptr != cell.data() + cell.size() || !std::isfinite(d)) {
    return ColumnError(column, absl::StrCat("'", cell, "' is not a finite number"));
  }
  return d;
}

absl::StatusOr<Value> ParseValue(absl::string_view column, ValueType type, absl::string_view cell) {
  switch (type) {
    case ValueType::kString:
      return Value(std::string(cell));
    case ValueType::kInt: {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), i);
      if (ec != std::errc() || ptr != cell.data() + cell.size()) {
        return ColumnError(column, absl::StrCat("'", cell, "' is not a 64-bit integer"));
      }
      return Value(i);
    }
    case ValueType::kDouble: {
      ASSIGN_OR_RETURN(double d, ParseDouble(column, cell));
      return Value(d);
    }
    case ValueType::kBool:
      if (cell == "true") return Value(true);
      if (cell == "false") return Value(false);
      return ColumnError(column, absl::StrCat("'", cell, "' is not a bool (want true or false)"));
    case ValueType::kDate: {
      absl::StatusOr<Date> d = ParseDate(cell, DateRounding::kStart);
      if (!d.ok()) return ColumnError(column, d.status().message());
      return Value(*d);
    }
  }
  return ColumnError(column, "unknown type");
}

// The column's name is only joined into a message for a bad key.
bool PlainKey(absl::string_view cell) {
  if (cell.empty() || cell.size() > kMaxKeyBytes) return false;
  for (char c : cell) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
          c == '-' || c == '_' || c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

absl::Status CheckKey(absl::string_view column, absl::string_view cell) {
  if (PlainKey(cell)) return absl::OkStatus();
  return ValidateKey(cell, absl::StrCat("column '", column, "'"));
}

}  // namespace

std::vector<std::string> SplitCsvLine(absl::string_view line, absl::Status* status) {
  Fields fields;
  std::string scratch;
  size_t bad = 0;
  std::string error = SplitFields(line, &fields, &scratch, &bad);
  *status = error.empty() ? absl::OkStatus() : absl::InvalidArgumentError(error);
  return std::vector<std::string>(fields.begin(), fields.end());
}

absl::StatusOr<std::unique_ptr<CsvParser>> CsvParser::Create(Table table, const Schema& schema,
                                                             absl::string_view header_line) {
  header_line = StripLineEnd(header_line);
  if (header_line.substr(0, 3) == "\xEF\xBB\xBF") header_line.remove_prefix(3);
  absl::Status split_status;
  std::vector<std::string> cells = SplitCsvLine(header_line, &split_status);
  if (!split_status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("header: ", split_status.message()));
  }
  std::unique_ptr<CsvParser> p(new CsvParser(table, schema));
  const bool nodes = table == Table::kNodes;
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < cells.size(); ++i) {
    Column col;
    col.header = std::string(absl::StripAsciiWhitespace(cells[i]));
    if (col.header.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: column ", i + 1, " has no name"));
    }
    if (!IsValidUtf8(col.header)) {
      return absl::InvalidArgumentError(absl::StrCat("header: column ", i + 1, ": invalid UTF-8"));
    }
    if (!seen.insert(col.header).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("header: duplicate column '", col.header, "'"));
    }
    const int index = static_cast<int>(i);
    struct Fixed {
      const char* name;
      int* slot;
    };
    const Fixed node_fixed[] = {{"key", &p->key_},
                                {"kind", &p->kind_},
                                {"name", &p->name_},
                                {"aliases", &p->aliases_},
                                {"sources", &p->sources_}};
    const Fixed edge_fixed[] = {{"from", &p->from_},
                                {"type", &p->type_},
                                {"to", &p->to_},
                                {"valid_from", &p->valid_from_},
                                {"valid_to", &p->valid_to_},
                                {"weight", &p->weight_},
                                {"key", &p->key_},
                                {"sources", &p->sources_}};
    bool fixed = false;
    for (const Fixed& f :
         nodes ? absl::MakeConstSpan(node_fixed) : absl::MakeConstSpan(edge_fixed)) {
      if (col.header == f.name) {
        *f.slot = index;
        fixed = true;
        break;
      }
    }
    if (!fixed) {
      absl::string_view name = col.header;
      const size_t colon = name.find(':');
      if (colon != absl::string_view::npos) {
        absl::string_view type_name = absl::StripAsciiWhitespace(name.substr(colon + 1));
        name = absl::StripAsciiWhitespace(name.substr(0, colon));
        if (!ParseValueType(type_name, &col.type)) {
          return ColumnError(col.header,
                             absl::StrCat("unknown type '", type_name,
                                          "' (want string, int, double, bool or date)"));
        }
      }
      if (!ValidPropertyName(name)) {
        return ColumnError(col.header, "a property name must be 1-64 ASCII letters, digits or '_'");
      }
      col.property = std::string(name);
      if (nodes) {
        col.declared.assign(schema.max_kind_id() + 1, 0);
        for (const NodeKindSpec& k : schema.kinds()) {
          if (const PropertySpec* s = k.FindProperty(col.property)) {
            col.declared[k.id.value] = static_cast<uint8_t>(s->type);
          }
        }
      } else {
        col.declared.assign(schema.max_type_id() + 1, 0);
        for (const EdgeTypeSpec& t : schema.types()) {
          if (const PropertySpec* s = t.FindProperty(col.property)) {
            col.declared[t.id.value] = static_cast<uint8_t>(s->type);
          }
        }
      }
      p->property_columns_.push_back(i);
    }
    p->columns_.push_back(std::move(col));
  }
  const std::pair<const char*, int> required_nodes[] = {
      {"key", p->key_}, {"kind", p->kind_}, {"name", p->name_}};
  const std::pair<const char*, int> required_edges[] = {
      {"from", p->from_}, {"type", p->type_}, {"to", p->to_}};
  for (const auto& [name, slot] :
       nodes ? absl::MakeConstSpan(required_nodes) : absl::MakeConstSpan(required_edges)) {
    if (slot < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("header: required column '", name, "' is missing"));
    }
  }
  return p;
}

std::vector<std::string> CsvParser::columns() const {
  std::vector<std::string> out;
  out.reserve(columns_.size());
  for (const Column& c : columns_) out.push_back(c.header);
  return out;
}

absl::Status CsvParser::Split(absl::string_view line, Fields* fields, std::string* scratch,
                              bool* blank) const {
  line = StripLineEnd(line);
  *blank = absl::StripAsciiWhitespace(line).empty();
  if (*blank) return absl::OkStatus();
  size_t bad = 0;
  bool ascii = false;
  if (std::string error = SplitFields(line, fields, scratch, &bad, &ascii); !error.empty()) {
    if (bad < columns_.size()) return ColumnError(columns_[bad].header, error);
    return absl::InvalidArgumentError(error);
  }
  if (fields->size() != columns_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("wrong number of columns: ", fields->size(),
                                                   ", header has ", columns_.size()));
  }
  if (ascii) return absl::OkStatus();
  for (size_t i = 0; i < fields->size(); ++i) {
    if (!IsValidUtf8((*fields)[i])) return ColumnError(columns_[i].header, "invalid UTF-8");
  }
  return absl::OkStatus();
}

absl::StatusOr<JsonlRecord> CsvParser::Parse(absl::string_view line) const {
  Fields fields;
  std::string scratch;
  bool blank = false;
  RETURN_IF_ERROR(Split(line, &fields, &scratch, &blank));
  if (blank) return JsonlRecord();
  if (table_ == Table::kNodes) {
    Node n;
    RETURN_IF_ERROR(ParseNode(fields.data(), &n));
    return JsonlRecord(std::move(n));
  }
  EdgeWrite w;
  RETURN_IF_ERROR(ParseEdge(fields.data(), &w));
  return JsonlRecord(std::move(w));
}

absl::Status CsvParser::ParseEdgeInto(absl::string_view line, EdgeWrite* out, bool* blank) const {
  *out = EdgeWrite();
  if (table_ != Table::kEdges) {
    return absl::FailedPreconditionError("ParseEdgeInto: not an edges file");
  }
  Fields fields;
  std::string scratch;
  RETURN_IF_ERROR(Split(line, &fields, &scratch, blank));
  if (*blank) return absl::OkStatus();
  return ParseEdge(fields.data(), out);
}

absl::Status CsvParser::ParseNodeInto(absl::string_view line, Node* out, bool* blank) const {
  *out = Node();
  if (table_ != Table::kNodes) {
    return absl::FailedPreconditionError("ParseNodeInto: not a nodes file");
  }
  Fields fields;
  std::string scratch;
  RETURN_IF_ERROR(Split(line, &fields, &scratch, blank));
  if (*blank) return absl::OkStatus();
  return ParseNode(fields.data(), out);
}

absl::Status CsvParser::ParseNode(const absl::string_view* fields, Node* out) const {
  Node& n = *out;
  const absl::string_view key = fields[key_];
  RETURN_IF_ERROR(CheckKey(columns_[key_].header, key));
  n.key = std::string(key);
  const absl::string_view kind = fields[kind_];
  const NodeKindSpec* spec = schema_->FindKind(kind);
  if (spec == nullptr) {
    return ColumnError(columns_[kind_].header, absl::StrCat("unknown node kind '", kind, "'"));
  }
  n.kind = spec->id;
  if (fields[name_].empty()) return ColumnError(columns_[name_].header, "empty");
  n.name = std::string(fields[name_]);
  if (aliases_ >= 0) {
    RETURN_IF_ERROR(ParseAliases(columns_[aliases_].header, fields[aliases_], &n.aliases));
  }
  if (sources_ >= 0) {
    RETURN_IF_ERROR(ParseSources(columns_[sources_].header, fields[sources_], &n.sources));
  }
  RETURN_IF_ERROR(ParseProperties(fields, n.kind.value, &n.properties));
  return absl::OkStatus();
}

absl::Status CsvParser::ParseEdge(const absl::string_view* fields, EdgeWrite* out) const {
  EdgeWrite& w = *out;
  Edge& e = w.edge;
  const absl::string_view type = fields[type_];
  const EdgeTypeSpec* spec = schema_->FindType(type);
  if (spec == nullptr) {
    return ColumnError(columns_[type_].header, absl::StrCat("unknown edge type '", type, "'"));
  }
  e.type = spec->id;
  RETURN_IF_ERROR(CheckKey(columns_[from_].header, fields[from_]));
  RETURN_IF_ERROR(CheckKey(columns_[to_].header, fields[to_]));
  w.from_key = std::string(fields[from_]);
  w.to_key = std::string(fields[to_]);
  if (valid_from_ >= 0 && !fields[valid_from_].empty()) {
    absl::StatusOr<Date> d = ParseDate(fields[valid_from_], DateRounding::kStart);
    if (!d.ok()) return ColumnError(columns_[valid_from_].header, d.status().message());
    e.valid.from = *d;
  }
  if (valid_to_ >= 0 && !fields[valid_to_].empty()) {
    absl::StatusOr<Date> d = ParseDate(fields[valid_to_], DateRounding::kEnd);
    if (!d.ok()) return ColumnError(columns_[valid_to_].header, d.status().message());
    e.valid.to = *d;
  }
  if (weight_ >= 0 && !fields[weight_].empty()) {
    ASSIGN_OR_RETURN(e.weight, ParseDouble(columns_[weight_].header, fields[weight_]));
    if (e.weight <= 0) {
      return ColumnError(columns_[weight_].header,
                         absl::StrCat("'", fields[weight_], "' must be greater than 0"));
    }
  }
  if (key_ >= 0 && !fields[key_].empty()) {
    RETURN_IF_ERROR(CheckKey(columns_[key_].header, fields[key_]));
    e.key = std::string(fields[key_]);
  }
  if (sources_ >= 0) {
    RETURN_IF_ERROR(ParseSources(columns_[sources_].header, fields[sources_], &e.sources));
  }
  return ParseProperties(fields, e.type.value, &e.properties);
}

absl::Status CsvParser::ParseProperties(const absl::string_view* fields, uint32_t owner_id,
                                        PropertyMap* props) const {
  for (size_t i : property_columns_) {
    const absl::string_view cell = fields[i];
    if (cell.empty()) continue;
    const Column& col = columns_[i];
    const uint8_t declared = owner_id < col.declared.size() ? col.declared[owner_id] : 0;
    const ValueType type = declared != 0 ? static_cast<ValueType>(declared) : col.type;
    ASSIGN_OR_RETURN(Value v, ParseValue(col.header, type, cell));
    auto [it, inserted] = props->try_emplace(col.property, std::move(v));
    if (!inserted) {
      return ColumnError(col.header, absl::StrCat("property '", col.property,
                                                  "' is also given in another column"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadStats> LoadCsvFile(const std::string& path, CsvParser::Table table,
                                      GraphStore& store, size_t batch_size) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  std::string line;
  if (!std::getline(in, line)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty file, want a header line"));
  }
  absl::StatusOr<std::unique_ptr<CsvParser>> parser =
      CsvParser::Create(table, *store.schema(), line);
  if (!parser.ok()) {
    return absl::Status(parser.status().code(),
                        absl::StrCat(path, ":1: ", parser.status().message()));
  }
  const CsvParser& csv = **parser;
  return LoadRecords(
      in, path, 1, [&](absl::string_view row) { return csv.Parse(row); }, store, batch_size);
}

}  // namespace innograph::io
