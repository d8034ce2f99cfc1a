#include "graph/io/export.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "nlohmann/json.hpp"

namespace innograph::io {
namespace {

using OrderedJson = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Values as text.

std::string FormatDouble(double d) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // Shortest exact round trip.
  return ec == std::errc() ? std::string(buf, ptr) : absl::StrCat(d);
}

std::string ValueText(const Value& v) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return absl::StrCat(i); }
    std::string operator()(double d) const { return FormatDouble(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(Date d) const { return FormatDate(d); }
  };
  return std::visit(Visitor{}, v);
}

OrderedJson ValueJson(const Value& v) {
  struct Visitor {
    OrderedJson operator()(const std::string& s) const { return s; }
    OrderedJson operator()(int64_t i) const { return i; }
    OrderedJson operator()(double d) const { return d; }
    OrderedJson operator()(bool b) const { return b; }
    OrderedJson operator()(Date d) const { return FormatDate(d); }
  };
  return std::visit(Visitor{}, v);
}

std::string DumpJson(const OrderedJson& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, OrderedJson::error_handler_t::strict);
}

// ---------------------------------------------------------------------------------------------
// Escaping.

// XML 1.0 character data: markup characters as entities; in attributes also tab and line
// breaks (else attribute normalisation turns them into spaces); control characters XML cannot
// hold, and U+FFFE/U+FFFF, become U+FFFD.
void AppendXml(absl::string_view s, bool attribute, std::string* out) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    switch (c) {
      case '&':
        out->append("&amp;");
        continue;
      case '<':
        out->append("&lt;");
        continue;
      case '>':
        out->append("&gt;");
        continue;
      case '"':
        out->append(attribute ? "&quot;" : "\"");
        continue;
      case '\t':
        out->append(attribute ? "&#9;" : "\t");
        continue;
      case '\n':
        out->append(attribute ? "&#10;" : "\n");
        continue;
      case '\r':
        out->append("&#13;");
        continue;
      default:
        break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      out->append("\xEF\xBF\xBD");
    } else if (u == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
               (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xBE) {
      out->append("\xEF\xBF\xBD");
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

std::string Xml(absl::string_view s) {
  std::string out;
  AppendXml(s, /*attribute=*/true, &out);
  return out;
}

// A DOT double-quoted string. Graphviz reads backslash sequences in labels (\n, \l, \N, ...), so
// a backslash is doubled; line breaks become \n.
void AppendDot(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        break;
      default:
        out->push_back(c);
    }
  }
  out->push_back('"');
}

// A CSV field (RFC 4180), quoted when it holds a comma, a quote or surrounding spaces.
void AppendCsv(absl::string_view s, std::string* out) {
  const bool quote = s.find_first_of(",\"") != absl::string_view::npos ||
                     (!s.empty() && (absl::ascii_isspace(static_cast<unsigned char>(s.front())) ||
                                     absl::ascii_isspace(static_cast<unsigned char>(s.back()))));
  if (!quote) {
    out->append(s.data(), s.size());
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// An entry of a list cell (aliases, sources): `\`, `|` and `#` escaped with a backslash.
void AppendListEntry(absl::string_view s, std::string* out) {
  for (char c : s) {
    if (c == '\\' || c == '|' || c == '#') out->push_back('\\');
    out->push_back(c);
  }
}

std::string AliasesCell(const std::vector<std::string>& aliases) {
  std::string cell;
  for (size_t i = 0; i < aliases.size(); ++i) {
    if (i > 0) cell.push_back('|');
    AppendListEntry(aliases[i], &cell);
  }
  return cell;
}

std::string SourcesCell(const std::vector<Citation>& sources) {
  std::string cell;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) cell.push_back('|');
    AppendListEntry(sources[i].source, &cell);
    if (!sources[i].locator.empty()) {
      cell.push_back('#');
      AppendListEntry(sources[i].locator, &cell);
    }
  }
  return cell;
}

// ---------------------------------------------------------------------------------------------
// The checked graph: names and endpoint keys resolved once.

struct Prepared {
  std::vector<const std::string*> kind_names;                           // Per node.
  std::vector<const std::string*> type_names;                           // Per edge.
  std::vector<std::pair<const std::string*, const std::string*>> ends;  // Per edge: keys.
  std::vector<std::string> edge_ids;                                    // Per edge.
};

absl::StatusOr<Prepared> Prepare(const GraphData& g, const Schema& schema) {
  Prepared p;
  absl::flat_hash_map<uint64_t, size_t> index;
  index.reserve(g.nodes.size());
  p.kind_names.reserve(g.nodes.size());
  // Edge element ids are "e<edge id>"; a node key of that shape would collide in formats where
  // nodes and edges share one id space, so then the prefix becomes "edge~" ('~' is never in a
  // key).
  bool e_digits_key = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const NodeKindSpec* kind = schema.Kind(n.kind);
    if (kind == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("node '", n.key, "': unknown kind id ", n.kind.value));
    }
    p.kind_names.push_back(&kind->name);
    index.try_emplace(n.id.value, i);
    if (n.key.size() > 1 && n.key[0] == 'e' &&
        n.key.find_first_not_of("0123456789", 1) == std::string::npos) {
      e_digits_key = true;
    }
  }
  const char* edge_prefix = e_digits_key ? "edge~" : "e";
  p.type_names.reserve(g.edges.size());
  p.ends.reserve(g.edges.size());
  p.edge_ids.reserve(g.edges.size());
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    const EdgeTypeSpec* type = schema.Type(e.type);
    if (type == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("edge ", e.id.value, ": unknown type id ", e.type.value));
    }
    auto from = index.find(e.from.value);
    auto to = index.find(e.to.value);
    if (from == index.end() || to == index.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "edge ", e.id.value, " (", type->name, "): its ", from == index.end() ? "from" : "to",
          " node ", from == index.end() ? e.from.value : e.to.value,
          " is not among the exported nodes"));
    }
    p.type_names.push_back(&type->name);
    p.ends.emplace_back(&g.nodes[from->second].key, &g.nodes[to->second].key);
    p.edge_ids.push_back(absl::StrCat(edge_prefix, e.id.valid() ? e.id.value : i + 1));
  }
  return p;
}

// Buffered writes to a stream.
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  std::string& buf() { return buf_; }
  void MaybeFlush() {
    if (buf_.size() >= (size_t{1} << 16)) Flush();
  }
  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  absl::Status Finish() {
    Flush();
    out_.flush();
    if (!out_) return absl::DataLossError("writing the export failed");
    return absl::OkStatus();
  }

 private:
  std::ostream& out_;
  std::string buf_;
};

// Property names in use, sorted.
template <typename T>
std::set<std::string> PropertyNames(const std::vector<T>& items) {
  std::set<std::string> names;
  for (const T& item : items) {
    for (const auto& [name, v] : item.properties) names.insert(name);
  }
  return names;
}

// The attribute name of a property in a format whose own attributes are `reserved`.
std::string AttributeName(const std::string& property,
                          std::initializer_list<absl::string_view> reserved) {
  for (absl::string_view r : reserved) {
    if (property == r) return absl::StrCat("property_", property);
  }
  return property;
}

// ---------------------------------------------------------------------------------------------
// CSV

absl::Status CheckCsvText(absl::string_view what, absl::string_view s) {
  if (s.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " holds a line break, which the CSV format cannot hold (export JSON Lines)"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status CheckCsvCommon(absl::string_view owner, const T& item) {
  for (const auto& [name, v] : item.properties) {
    if (const auto* s = std::get_if<std::string>(&v)) {
      RETURN_IF_ERROR(CheckCsvText(absl::StrCat(owner, " property '", name, "'"), *s));
    }
  }
  for (const Citation& c : item.sources) {
    RETURN_IF_ERROR(CheckCsvText(absl::StrCat(owner, " source"), c.source));
    RETURN_IF_ERROR(CheckCsvText(absl::StrCat(owner, " source locator"), c.locator));
  }
  return absl::OkStatus();
}

// The typed property columns of a table: (name, type) pairs in use, sorted.
template <typename T>
std::vector<std::pair<std::string, ValueType>> CsvPropertyColumns(const std::vector<T>& items) {
  std::set<std::pair<std::string, ValueType>> cols;
  for (const T& item : items) {
    for (const auto& [name, v] : item.properties) cols.emplace(name, TypeOf(v));
  }
  return {cols.begin(), cols.end()};
}

void AppendCsvProperties(const std::vector<std::pair<std::string, ValueType>>& cols,
                         const PropertyMap& props, std::string* row) {
  for (const auto& [name, type] : cols) {
    row->push_back(',');
    auto it = props.find(name);
    if (it != props.end() && TypeOf(it->second) == type) AppendCsv(ValueText(it->second), row);
  }
}

void AppendCsvHeader(const std::vector<std::pair<std::string, ValueType>>& cols, std::string* row) {
  for (const auto& [name, type] : cols) {
    row->push_back(',');
    row->append(absl::StrCat(name, ":", ValueTypeName(type)));
  }
  row->push_back('\n');
}

absl::Status ExportCsv(const GraphData& g, const Prepared& p, std::ostream& nodes_out,
                       std::ostream& edges_out) {
  for (const Node& n : g.nodes) {
    const std::string owner = absl::StrCat("node '", n.key, "'");
    RETURN_IF_ERROR(CheckCsvText(absl::StrCat(owner, " name"), n.name));
    for (const std::string& a : n.aliases) {
      RETURN_IF_ERROR(CheckCsvText(absl::StrCat(owner, " alias"), a));
    }
    RETURN_IF_ERROR(CheckCsvCommon(owner, n));
  }
  for (const Edge& e : g.edges)
    RETURN_IF_ERROR(CheckCsvCommon(absl::StrCat("edge ", e.id.value), e));

  Writer nodes(nodes_out);
  const auto node_cols = CsvPropertyColumns(g.nodes);
  nodes.buf().append("key,kind,name,aliases,sources");
  AppendCsvHeader(node_cols, &nodes.buf());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::string& row = nodes.buf();
    AppendCsv(n.key, &row);
    row.push_back(',');
    AppendCsv(*p.kind_names[i], &row);
    row.push_back(',');
    AppendCsv(n.name, &row);
    row.push_back(',');
    AppendCsv(AliasesCell(n.aliases), &row);
    row.push_back(',');
    AppendCsv(SourcesCell(n.sources), &row);
    AppendCsvProperties(node_cols, n.properties, &row);
    row.push_back('\n');
    nodes.MaybeFlush();
  }
  RETURN_IF_ERROR(nodes.Finish());

  Writer edges(edges_out);
  const auto edge_cols = CsvPropertyColumns(g.edges);
  edges.buf().append("from,type,to,valid_from,valid_to,weight,key,sources");
  AppendCsvHeader(edge_cols, &edges.buf());
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    std::string& row = edges.buf();
    AppendCsv(*p.ends[i].first, &row);
    row.push_back(',');
    AppendCsv(*p.type_names[i], &row);
    row.push_back(',');
    AppendCsv(*p.ends[i].second, &row);
    row.push_back(',');
    row.append(FormatDate(e.valid.from));
    row.push_back(',');
    row.append(FormatDate(e.valid.to));
    row.push_back(',');
    row.append(FormatDouble(e.weight));
    row.push_back(',');
    AppendCsv(e.key, &row);
    row.push_back(',');
    AppendCsv(SourcesCell(e.sources), &row);
    AppendCsvProperties(edge_cols, e.properties, &row);
    row.push_back('\n');
    edges.MaybeFlush();
  }
  return edges.Finish();
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

template <typename T>
void AddCommonJson(const T& item, OrderedJson* j) {
  if (!item.properties.empty()) {
    OrderedJson props = OrderedJson::object();
    for (const auto& [name, v] : item.properties) props[name] = ValueJson(v);
    (*j)["properties"] = std::move(props);
  }
  if (!item.sources.empty()) {
    OrderedJson sources = OrderedJson::array();
    for (const Citation& c : item.sources) {
      OrderedJson cj = {{"source", c.source}};
      if (!c.locator.empty()) cj["locator"] = c.locator;
      sources.push_back(std::move(cj));
    }
    (*j)["sources"] = std::move(sources);
  }
}

absl::Status ExportJsonl(const GraphData& g, const Prepared& p, std::ostream& out) {
  Writer w(out);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    OrderedJson j = {{"kind", *p.kind_names[i]}, {"key", n.key}, {"name", n.name}};
    if (!n.aliases.empty()) j["aliases"] = n.aliases;
    AddCommonJson(n, &j);
    w.buf().append(DumpJson(j));
    w.buf().push_back('\n');
    w.MaybeFlush();
  }
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    OrderedJson j = {
        {"type", *p.type_names[i]}, {"from", *p.ends[i].first}, {"to", *p.ends[i].second}};
    if (!e.valid.from.is_open_start()) j["valid_from"] = FormatDate(e.valid.from);
    if (!e.valid.to.is_open_end()) j["valid_to"] = FormatDate(e.valid.to);
    if (e.weight != 1.0) j["weight"] = e.weight;
    if (!e.key.empty()) j["key"] = e.key;
    AddCommonJson(e, &j);
    w.buf().append(DumpJson(j));
    w.buf().push_back('\n');
    w.MaybeFlush();
  }
  return w.Finish();
}

// ---------------------------------------------------------------------------------------------
// GraphML

void AppendGraphmlData(absl::string_view key, absl::string_view value, std::string* out) {
  absl::StrAppend(out, "      <data key=\"", key, "\">");
  AppendXml(value, /*attribute=*/false, out);
  out->append("</data>\n");
}

absl::Status ExportGraphml(const GraphData& g, const Prepared& p, std::ostream& out) {
  Writer w(out);
  std::string& b = w.buf();
  b.append(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
      "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
      "    xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
      "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
      "  <key id=\"n_kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"n_name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"n_label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
      "  <key id=\"n_key\" for=\"node\" attr.name=\"key\" attr.type=\"string\"/>\n"
      "  <key id=\"e_type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n"
      "  <key id=\"e_label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n"
      "  <key id=\"e_key\" for=\"edge\" attr.name=\"key\" attr.type=\"string\"/>\n"
      "  <key id=\"e_valid_from\" for=\"edge\" attr.name=\"valid_from\" attr.type=\"string\"/>\n"
      "  <key id=\"e_valid_to\" for=\"edge\" attr.name=\"valid_to\" attr.type=\"string\"/>\n"
      "  <key id=\"e_weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
  const std::set<std::string> node_props = PropertyNames(g.nodes);
  const std::set<std::string> edge_props = PropertyNames(g.edges);
  for (const std::string& name : node_props) {
    absl::StrAppend(&b, "  <key id=\"np_", name, "\" for=\"node\" attr.name=\"",
                    AttributeName(name, {"kind", "name", "label", "key"}),
                    "\" attr.type=\"string\"/>\n");
  }
  for (const std::string& name : edge_props) {
    absl::StrAppend(
        &b, "  <key id=\"ep_", name, "\" for=\"edge\" attr.name=\"",
        AttributeName(name, {"type", "label", "key", "valid_from", "valid_to", "weight"}),
        "\" attr.type=\"string\"/>\n");
  }
  b.append("  <graph id=\"innograph\" edgedefault=\"directed\">\n");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::string& row = w.buf();
    absl::StrAppend(&row, "    <node id=\"", Xml(n.key), "\">\n");
    AppendGraphmlData("n_kind", *p.kind_names[i], &row);
    AppendGraphmlData("n_name", n.name, &row);
    AppendGraphmlData("n_label", n.name, &row);
    AppendGraphmlData("n_key", n.key, &row);
    for (const auto& [name, v] : n.properties) {
      AppendGraphmlData(absl::StrCat("np_", name), ValueText(v), &row);
    }
    row.append("    </node>\n");
    w.MaybeFlush();
  }
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    std::string& row = w.buf();
    absl::StrAppend(&row, "    <edge id=\"", p.edge_ids[i], "\" source=\"", Xml(*p.ends[i].first),
                    "\" target=\"", Xml(*p.ends[i].second), "\">\n");
    AppendGraphmlData("e_type", *p.type_names[i], &row);
    AppendGraphmlData("e_label", *p.type_names[i], &row);
    if (!e.key.empty()) AppendGraphmlData("e_key", e.key, &row);
    if (!e.valid.from.is_open_start()) {
      AppendGraphmlData("e_valid_from", FormatDate(e.valid.from), &row);
    }
    if (!e.valid.to.is_open_end()) AppendGraphmlData("e_valid_to", FormatDate(e.valid.to), &row);
    AppendGraphmlData("e_weight", FormatDouble(e.weight), &row);
    for (const auto& [name, v] : e.properties) {
      AppendGraphmlData(absl::StrCat("ep_", name), ValueText(v), &row);
    }
    row.append("    </edge>\n");
    w.MaybeFlush();
  }
  w.buf().append("  </graph>\n</graphml>\n");
  return w.Finish();
}

// ---------------------------------------------------------------------------------------------
// DOT

// `name=value`; the name unquoted when it is a plain identifier (all built-in names and most
// property names), which every DOT reader accepts.
void AppendDotAttr(absl::string_view name, absl::string_view value, bool first, std::string* out) {
  if (!first) out->append(", ");
  const bool plain = !name.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(name[0])) &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
                     });
  if (plain) {
    out->append(name.data(), name.size());
  } else {
    AppendDot(name, out);
  }
  out->push_back('=');
  AppendDot(value, out);
}

absl::Status ExportDot(const GraphData& g, const Prepared& p, std::ostream& out) {
  Writer w(out);
  w.buf().append("digraph \"innograph\" {\n");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::string& row = w.buf();
    row.append("  ");
    AppendDot(n.key, &row);
    row.append(" [");
    AppendDotAttr("label", n.name, true, &row);
    AppendDotAttr("kind", *p.kind_names[i], false, &row);
    for (const auto& [name, v] : n.properties) {
      AppendDotAttr(AttributeName(name, {"label", "kind"}), ValueText(v), false, &row);
    }
    row.append("];\n");
    w.MaybeFlush();
  }
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    std::string& row = w.buf();
    row.append("  ");
    AppendDot(*p.ends[i].first, &row);
    row.append(" -> ");
    AppendDot(*p.ends[i].second, &row);
    row.append(" [");
    AppendDotAttr("label", *p.type_names[i], true, &row);
    if (!e.key.empty()) AppendDotAttr("key", e.key, false, &row);
    if (!e.valid.from.is_open_start()) {
      AppendDotAttr("valid_from", FormatDate(e.valid.from), false, &row);
    }
    if (!e.valid.to.is_open_end()) AppendDotAttr("valid_to", FormatDate(e.valid.to), false, &row);
    // Gephi's DOT importer and Graphviz both read `weight` (dot wants integers and truncates
    // fractions for its layout).
    AppendDotAttr("weight", FormatDouble(e.weight), false, &row);
    for (const auto& [name, v] : e.properties) {
      AppendDotAttr(AttributeName(name, {"label", "key", "valid_from", "valid_to", "weight"}),
                    ValueText(v), false, &row);
    }
    row.append("];\n");
    w.MaybeFlush();
  }
  w.buf().append("}\n");
  return w.Finish();
}

// ---------------------------------------------------------------------------------------------
// GEXF 1.2

void AppendGexfValue(absl::string_view id, absl::string_view value, std::string* out) {
  absl::StrAppend(out, "          <attvalue for=\"", id, "\" value=\"", Xml(value), "\"/>\n");
}

absl::Status ExportGexf(const GraphData& g, const Prepared& p, std::ostream& out) {
  Writer w(out);
  std::string& b = w.buf();
  b.append(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<gexf xmlns=\"http://www.gexf.net/1.2draft\"\n"
      "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
      "    xsi:schemaLocation=\"http://www.gexf.net/1.2draft "
      "http://www.gexf.net/1.2draft/gexf.xsd\" version=\"1.2\">\n"
      "  <meta>\n    <creator>innograph</creator>\n  </meta>\n"
      "  <graph mode=\"static\" defaultedgetype=\"directed\">\n"
      "    <attributes class=\"node\" mode=\"static\">\n"
      "      <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n"
      "      <attribute id=\"key\" title=\"key\" type=\"string\"/>\n");
  const std::set<std::string> node_props = PropertyNames(g.nodes);
  const std::set<std::string> edge_props = PropertyNames(g.edges);
  for (const std::string& name : node_props) {
    absl::StrAppend(&b, "      <attribute id=\"p_", name, "\" title=\"",
                    AttributeName(name, {"kind", "key", "label"}), "\" type=\"string\"/>\n");
  }
  b.append(
      "    </attributes>\n"
      "    <attributes class=\"edge\" mode=\"static\">\n"
      "      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n"
      "      <attribute id=\"key\" title=\"key\" type=\"string\"/>\n"
      "      <attribute id=\"valid_from\" title=\"valid_from\" type=\"string\"/>\n"
      "      <attribute id=\"valid_to\" title=\"valid_to\" type=\"string\"/>\n");
  for (const std::string& name : edge_props) {
    absl::StrAppend(
        &b, "      <attribute id=\"p_", name, "\" title=\"",
        AttributeName(name, {"type", "key", "valid_from", "valid_to", "label", "weight"}),
        "\" type=\"string\"/>\n");
  }
  b.append("    </attributes>\n    <nodes>\n");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::string& row = w.buf();
    absl::StrAppend(&row, "      <node id=\"", Xml(n.key), "\" label=\"", Xml(n.name),
                    "\">\n        <attvalues>\n");
    AppendGexfValue("kind", *p.kind_names[i], &row);
    AppendGexfValue("key", n.key, &row);
    for (const auto& [name, v] : n.properties) {
      AppendGexfValue(absl::StrCat("p_", name), ValueText(v), &row);
    }
    row.append("        </attvalues>\n      </node>\n");
    w.MaybeFlush();
  }
  w.buf().append("    </nodes>\n    <edges>\n");
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    std::string& row = w.buf();
    absl::StrAppend(&row, "      <edge id=\"", p.edge_ids[i], "\" source=\"", Xml(*p.ends[i].first),
                    "\" target=\"", Xml(*p.ends[i].second), "\" label=\"", Xml(*p.type_names[i]),
                    "\" weight=\"", FormatDouble(e.weight), "\">\n        <attvalues>\n");
    AppendGexfValue("type", *p.type_names[i], &row);
    if (!e.key.empty()) AppendGexfValue("key", e.key, &row);
    if (!e.valid.from.is_open_start())
      AppendGexfValue("valid_from", FormatDate(e.valid.from), &row);
    if (!e.valid.to.is_open_end()) AppendGexfValue("valid_to", FormatDate(e.valid.to), &row);
    for (const auto& [name, v] : e.properties) {
      AppendGexfValue(absl::StrCat("p_", name), ValueText(v), &row);
    }
    row.append("        </attvalues>\n      </edge>\n");
    w.MaybeFlush();
  }
  w.buf().append("    </edges>\n  </graph>\n</gexf>\n");
  return w.Finish();
}

// ---------------------------------------------------------------------------------------------
// Cytoscape.js JSON

absl::Status ExportCytoscape(const GraphData& g, const Prepared& p, std::ostream& out) {
  Writer w(out);
  w.buf().append("{\"elements\":{\"nodes\":[");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    OrderedJson data = {
        {"id", n.key}, {"key", n.key}, {"kind", *p.kind_names[i]}, {"name", n.name}};
    for (const auto& [name, v] : n.properties) {
      data[AttributeName(name, {"id", "key", "kind", "name"})] = ValueJson(v);
    }
    if (i > 0) w.buf().push_back(',');
    w.buf().append("\n{\"data\":");
    w.buf().append(DumpJson(data));
    w.buf().push_back('}');
    w.MaybeFlush();
  }
  w.buf().append("\n],\"edges\":[");
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    OrderedJson data = {{"id", p.edge_ids[i]},
                        {"source", *p.ends[i].first},
                        {"target", *p.ends[i].second},
                        {"type", *p.type_names[i]},
                        {"valid_from", FormatDate(e.valid.from)},
                        {"valid_to", FormatDate(e.valid.to)},
                        {"weight", e.weight}};
    if (!e.key.empty()) data["key"] = e.key;
    for (const auto& [name, v] : e.properties) {
      data[AttributeName(name, {"id", "source", "target", "type", "valid_from", "valid_to",
                                "weight", "key"})] = ValueJson(v);
    }
    if (i > 0) w.buf().push_back(',');
    w.buf().append("\n{\"data\":");
    w.buf().append(DumpJson(data));
    w.buf().push_back('}');
    w.MaybeFlush();
  }
  w.buf().append("\n]}}\n");
  return w.Finish();
}

}  // namespace

const char* ExportFormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::kCsv:
      return "csv";
    case ExportFormat::kJsonl:
      return "jsonl";
    case ExportFormat::kGraphml:
      return "graphml";
    case ExportFormat::kDot:
      return "dot";
    case ExportFormat::kGexf:
      return "gexf";
    case ExportFormat::kCytoscapeJson:
      return "cytoscape";
  }
  return "unknown";
}

bool ParseExportFormat(absl::string_view name, ExportFormat* out) {
  for (ExportFormat f : {ExportFormat::kCsv, ExportFormat::kJsonl, ExportFormat::kGraphml,
                         ExportFormat::kDot, ExportFormat::kGexf, ExportFormat::kCytoscapeJson}) {
    if (name == ExportFormatName(f)) {
      *out = f;
      return true;
    }
  }
  return false;
}

absl::Status Export(const GraphData& g, const Schema& schema, ExportFormat f, std::ostream& out,
                    std::ostream* edges_out) {
  if (f == ExportFormat::kCsv && edges_out == nullptr) {
    return absl::InvalidArgumentError("CSV export needs a second stream for the edges file");
  }
  ASSIGN_OR_RETURN(const Prepared p, Prepare(g, schema));
  try {
    switch (f) {
      case ExportFormat::kCsv:
        return ExportCsv(g, p, out, *edges_out);
      case ExportFormat::kJsonl:
        return ExportJsonl(g, p, out);
      case ExportFormat::kGraphml:
        return ExportGraphml(g, p, out);
      case ExportFormat::kDot:
        return ExportDot(g, p, out);
      case ExportFormat::kGexf:
        return ExportGexf(g, p, out);
      case ExportFormat::kCytoscapeJson:
        return ExportCytoscape(g, p, out);
    }
  } catch (const nlohmann::json::exception& e) {
    // Only invalid UTF-8 can make a dump throw; the store never holds any.
    return absl::InvalidArgumentError(absl::StrCat("export: ", e.what()));
  }
  return absl::InvalidArgumentError("unknown export format");
}

}  // namespace innograph::io
