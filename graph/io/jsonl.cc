#include "graph/io/jsonl.h"

#include <cmath>
#include <fstream>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "nlohmann/json.hpp"

namespace innograph::io {
namespace {

using Json = nlohmann::json;

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::StatusOr<std::string> GetString(const Json& obj, const char* field, bool required) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required) return Bad(field, "missing");
    return std::string();
  }
  if (!it->is_string()) return Bad(field, absl::StrCat("must be a string, got ", it->dump()));
  return it->get<std::string>();
}

// Converts a JSON property value, using the declared type when there is one.
absl::StatusOr<Value> ToValue(const std::string& name, const Json& v, const PropertySpec* spec) {
  std::string field = absl::StrCat("properties.", name);
  if (spec && spec->type == ValueType::kDate) {
    if (!v.is_string()) return Bad(field, absl::StrCat("must be a date string, got ", v.dump()));
    auto d = ParseDate(v.get<std::string>(), DateRounding::kStart);
    if (!d.ok()) return Bad(field, d.status().message());
    return Value(*d);
  }
  if (spec && spec->type == ValueType::kDouble && v.is_number()) return Value(v.get<double>());
  if (v.is_string()) return Value(v.get<std::string>());
  if (v.is_boolean()) return Value(v.get<bool>());
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX) {
      return Bad(field, absl::StrCat(v.dump(), " does not fit a 64-bit integer"));
    }
    return Value(v.get<int64_t>());
  }
  if (v.is_number_float()) return Value(v.get<double>());
  return Bad(field, absl::StrCat("must be a string, number or boolean, got ", v.dump()));
}

template <typename Spec>
absl::Status GetCommon(const Json& obj, const Spec& spec, PropertyMap* props,
                       std::vector<Citation>* sources) {
  if (auto it = obj.find("properties"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("properties", "must be an object");
    for (const auto& [name, v] : it->items()) {
      ASSIGN_OR_RETURN(Value value, ToValue(name, v, spec.FindProperty(name)));
      (*props)[name] = std::move(value);
    }
  }
  if (auto it = obj.find("sources"); it != obj.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("sources", "must be an array");
    for (const Json& c : *it) {
      if (!c.is_object()) return Bad("sources", "each citation must be an object");
      Citation citation;
      ASSIGN_OR_RETURN(citation.source, GetString(c, "source", true));
      ASSIGN_OR_RETURN(citation.locator, GetString(c, "locator", false));
      sources->push_back(std::move(citation));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Node> ParseNode(const Json& obj, const Schema& schema) {
  Node n;
  ASSIGN_OR_RETURN(std::string kind, GetString(obj, "kind", true));
  ASSIGN_OR_RETURN(n.kind, schema.ResolveKind(kind, "kind"));
  ASSIGN_OR_RETURN(n.key, GetString(obj, "key", true));
  ASSIGN_OR_RETURN(n.name, GetString(obj, "name", true));
  if (auto it = obj.find("aliases"); it != obj.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("aliases", "must be an array of strings");
    for (const Json& a : *it) {
      if (!a.is_string()) return Bad("aliases", absl::StrCat("not a string: ", a.dump()));
      n.aliases.push_back(a.get<std::string>());
    }
  }
  RETURN_IF_ERROR(GetCommon(obj, *schema.Kind(n.kind), &n.properties, &n.sources));
  return n;
}

absl::StatusOr<EdgeWrite> ParseEdge(const Json& obj, const Schema& schema) {
  EdgeWrite w;
  Edge& e = w.edge;
  ASSIGN_OR_RETURN(std::string type, GetString(obj, "type", true));
  ASSIGN_OR_RETURN(e.type, schema.ResolveType(type, "type"));
  ASSIGN_OR_RETURN(w.from_key, GetString(obj, "from", true));
  ASSIGN_OR_RETURN(w.to_key, GetString(obj, "to", true));
  ASSIGN_OR_RETURN(std::string from, GetString(obj, "valid_from", false));
  ASSIGN_OR_RETURN(std::string to, GetString(obj, "valid_to", false));
  if (!from.empty()) {
    auto d = ParseDate(from, DateRounding::kStart);
    if (!d.ok()) return Bad("valid_from", d.status().message());
    e.valid.from = *d;
  }
  if (!to.empty()) {
    auto d = ParseDate(to, DateRounding::kEnd);
    if (!d.ok()) return Bad("valid_to", d.status().message());
    e.valid.to = *d;
  }
  if (auto it = obj.find("weight"); it != obj.end() && !it->is_null()) {
    if (!it->is_number()) return Bad("weight", absl::StrCat("must be a number, got ", it->dump()));
    e.weight = it->get<double>();
  }
  ASSIGN_OR_RETURN(e.key, GetString(obj, "key", false));
  RETURN_IF_ERROR(GetCommon(obj, *schema.Type(e.type), &e.properties, &e.sources));
  return w;
}

// Records nested deeper than this are refused before parsing: error messages print values, and
// printing a value (like any recursive walk of it) must not exhaust the stack.
constexpr int kMaxJsonDepth = 64;

bool NestedTooDeep(absl::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<JsonlRecord> ParseJsonlLine(absl::string_view line, const Schema& schema) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(line);
  if (trimmed.empty() || absl::StartsWith(trimmed, "//")) return JsonlRecord();
  if (NestedTooDeep(trimmed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON nested deeper than ", kMaxJsonDepth, " levels"));
  }
  Json obj = Json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!obj.is_object()) return absl::InvalidArgumentError("a record must be a JSON object");
  const bool is_node = obj.contains("kind");
  const bool is_edge = obj.contains("type");
  if (is_node == is_edge) {
    return absl::InvalidArgumentError(
        "a record needs exactly one of 'kind' (a node) and 'type' (an edge)");
  }
  try {
    if (is_node) {
      ASSIGN_OR_RETURN(Node n, ParseNode(obj, schema));
      return JsonlRecord(std::move(n));
    }
    ASSIGN_OR_RETURN(EdgeWrite w, ParseEdge(obj, schema));
    return JsonlRecord(std::move(w));
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
}

absl::StatusOr<LoadStats> LoadRecords(
    std::istream& in, const std::string& path, uint64_t lines_before,
    const std::function<absl::StatusOr<JsonlRecord>(absl::string_view)>& parse, GraphStore& store,
    size_t batch_size) {
  LoadStats stats;
  stats.lines = lines_before;
  std::vector<Node> nodes;
  std::vector<EdgeWrite> edges;
  size_t batch_first_line = 0;
  auto flush = [&]() -> absl::Status {
    absl::Status s;
    if (!nodes.empty()) {
      auto r = store.UpsertNodes(std::move(nodes));
      s = r.status();
      stats.nodes += r.ok() ? r->ids.size() : 0;
    } else if (!edges.empty()) {
      auto r = store.UpsertEdges(std::move(edges));
      s = r.status();
      stats.edges += r.ok() ? r->ids.size() : 0;
    }
    nodes.clear();
    edges.clear();
    if (!s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat(path, ": batch from line ", batch_first_line, ": ", s.message()));
    }
    return absl::OkStatus();
  };
  std::string line;
  while (std::getline(in, line)) {
    ++stats.lines;
    auto rec = parse(line);
    if (!rec.ok()) {
      return absl::Status(rec.status().code(),
                          absl::StrCat(path, ":", stats.lines, ": ", rec.status().message()));
    }
    if (auto* n = std::get_if<Node>(&*rec)) {
      if (!edges.empty() || nodes.size() >= batch_size) RETURN_IF_ERROR(flush());
      if (nodes.empty()) batch_first_line = stats.lines;
      nodes.push_back(std::move(*n));
    } else if (auto* e = std::get_if<EdgeWrite>(&*rec)) {
      if (!nodes.empty() || edges.size() >= batch_size) RETURN_IF_ERROR(flush());
      if (edges.empty()) batch_first_line = stats.lines;
      edges.push_back(std::move(*e));
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("reading '", path, "' failed"));
  RETURN_IF_ERROR(flush());
  return stats;
}

absl::StatusOr<LoadStats> LoadJsonlFile(const std::string& path, GraphStore& store,
                                        size_t batch_size) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  const Schema& schema = *store.schema();
  return LoadRecords(
      in, path, 0, [&](absl::string_view line) { return ParseJsonlLine(line, schema); }, store,
      batch_size);
}

}  // namespace innograph::io
