#include "graph/model/schema.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/model/status.h"
#include "graph/model/text.h"
#include "nlohmann/json.hpp"

namespace innograph {
namespace {

using Json = nlohmann::json;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("schema: ", what));
}

absl::StatusOr<std::vector<PropertySpec>> ParseProperties(const Json& owner,
                                                          absl::string_view owner_name) {
  std::vector<PropertySpec> out;
  if (!owner.contains("properties")) return out;
  for (const Json& p : owner.at("properties")) {
    PropertySpec spec;
    spec.name = p.at("name").get<std::string>();
    std::string type = p.value("type", "string");
    if (!ParseValueType(type, &spec.type)) {
      return Bad(absl::StrCat(owner_name, ".", spec.name, ": unknown property type '", type, "'"));
    }
    spec.required = p.value("required", false);
    spec.description = p.value("description", "");
    for (const PropertySpec& other : out) {
      if (other.name == spec.name) {
        return Bad(absl::StrCat(owner_name, ": property '", spec.name, "' declared twice"));
      }
    }
    out.push_back(std::move(spec));
  }
  return out;
}

const PropertySpec* FindIn(const std::vector<PropertySpec>& specs, absl::string_view name) {
  for (const PropertySpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool ValidPropertyName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxPropertyNameBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Checks property syntax and declared types. `owner_what` and `owner_name` read like "kind"
// and "Person" (joined only for a message, not for every valid item).
absl::Status ValidateProperties(const PropertyMap& props, const std::vector<PropertySpec>& specs,
                                absl::string_view owner_what, absl::string_view owner_name) {
  if (props.size() > kMaxProperties) {
    return absl::InvalidArgumentError(
        absl::StrCat("properties: ", props.size(), " properties, at most ", kMaxProperties));
  }
  for (const auto& [name, value] : props) {
    if (!ValidPropertyName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("properties: name '", name, "' must be 1-64 ASCII letters, digits or '_'"));
    }
    if (const auto* s = std::get_if<std::string>(&value)) {
      if (s->size() > kMaxStringValueBytes) {
        return absl::InvalidArgumentError(absl::StrCat("properties.", name, ": ", s->size(),
                                                       " bytes, at most ", kMaxStringValueBytes));
      }
      if (!IsValidUtf8(*s)) {
        return absl::InvalidArgumentError(
            absl::StrCat("properties.", name, ": value is not valid UTF-8"));
      }
    }
    if (const auto* d = std::get_if<double>(&value); d && !std::isfinite(*d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("properties.", name, ": value ", *d, " is not finite"));
    }
    const PropertySpec* spec = FindIn(specs, name);
    if (spec && TypeOf(value) != spec->type) {
      return absl::InvalidArgumentError(
          absl::StrCat("properties.", name, ": ", owner_what, " '", owner_name, "' declares it ",
                       ValueTypeName(spec->type), ", got ", ValueTypeName(TypeOf(value)), " '",
                       ValueToString(value), "'"));
    }
  }
  for (const PropertySpec& spec : specs) {
    if (spec.required && !props.contains(spec.name)) {
      return absl::FailedPreconditionError(absl::StrCat("properties.", spec.name, ": required by ",
                                                        owner_what, " '", owner_name,
                                                        "' but missing"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCitations(const std::vector<Citation>& sources) {
  if (sources.size() > kMaxCitations) {
    return absl::InvalidArgumentError(
        absl::StrCat("sources: ", sources.size(), " citations, at most ", kMaxCitations));
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const Citation& c = sources[i];
    if (c.source.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("sources[", i, "].source: empty"));
    }
    if (c.source.size() > kMaxNameBytes || c.locator.size() > kMaxNameBytes ||
        !IsValidUtf8(c.source) || !IsValidUtf8(c.locator)) {
      return absl::InvalidArgumentError(
          absl::StrCat("sources[", i, "]: must be valid UTF-8 of at most 1024 bytes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

const PropertySpec* NodeKindSpec::FindProperty(absl::string_view n) const {
  return FindIn(properties, n);
}
const PropertySpec* EdgeTypeSpec::FindProperty(absl::string_view n) const {
  return FindIn(properties, n);
}
bool EdgeTypeSpec::AllowsFrom(KindId k) const {
  return std::binary_search(from_kinds.begin(), from_kinds.end(), k);
}
bool EdgeTypeSpec::AllowsTo(KindId k) const {
  return std::binary_search(to_kinds.begin(), to_kinds.end(), k);
}

absl::StatusOr<std::shared_ptr<const Schema>> Schema::FromJson(absl::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Bad("not a JSON object");
  std::shared_ptr<Schema> s(new Schema());
  try {
    s->json_ = std::string(text);
    s->name_ = doc.value("name", "");
    s->version_ = doc.value("version", 1u);
    for (const Json& k : doc.at("node_kinds")) {
      NodeKindSpec spec;
      spec.id = KindId(k.at("id").get<uint32_t>());
      spec.name = k.at("name").get<std::string>();
      spec.description = k.value("description", "");
      if (!spec.id.valid() || spec.id.value > 65535) {
        return Bad(absl::StrCat("kind '", spec.name, "': id must be 1-65535"));
      }
      ASSIGN_OR_RETURN(spec.properties, ParseProperties(k, spec.name));
      if (s->kind_by_name_.contains(spec.name)) {
        return Bad(absl::StrCat("kind '", spec.name, "' declared twice"));
      }
      s->max_kind_id_ = std::max(s->max_kind_id_, spec.id.value);
      s->kind_by_name_[spec.name] = s->kinds_.size();
      s->kinds_.push_back(std::move(spec));
    }
    s->kind_by_id_.assign(s->max_kind_id_ + 1, -1);
    for (size_t i = 0; i < s->kinds_.size(); ++i) {
      int& slot = s->kind_by_id_[s->kinds_[i].id.value];
      if (slot != -1) return Bad(absl::StrCat("kind id ", s->kinds_[i].id.value, " used twice"));
      slot = static_cast<int>(i);
    }
    // Groups name sets of kinds, usable in edge types' from/to lists.
    absl::flat_hash_map<std::string, std::vector<std::string>> groups;
    if (doc.contains("groups")) {
      for (const auto& [name, members] : doc.at("groups").items()) {
        groups[name] = members.get<std::vector<std::string>>();
      }
    }
    auto resolve = [&](const Json& names, absl::string_view type,
                       std::vector<KindId>* out) -> absl::Status {
      for (const Json& n : names) {
        std::string name = n.get<std::string>();
        std::vector<std::string> expanded =
            groups.contains(name) ? groups[name] : std::vector<std::string>{name};
        for (const std::string& kind : expanded) {
          auto it = s->kind_by_name_.find(kind);
          if (it == s->kind_by_name_.end()) {
            return Bad(absl::StrCat("edge type '", type, "' names unknown kind '", kind, "'"));
          }
          out->push_back(s->kinds_[it->second].id);
        }
      }
      std::sort(out->begin(), out->end());
      out->erase(std::unique(out->begin(), out->end()), out->end());
      return absl::OkStatus();
    };
    for (const Json& t : doc.at("edge_types")) {
      EdgeTypeSpec spec;
      spec.id = TypeId(t.at("id").get<uint32_t>());
      spec.name = t.at("name").get<std::string>();
      spec.description = t.value("description", "");
      if (!spec.id.valid() || spec.id.value > 65535) {
        return Bad(absl::StrCat("edge type '", spec.name, "': id must be 1-65535"));
      }
      std::string temporal = t.value("temporal", "interval");
      if (temporal == "interval") {
        spec.temporal = Temporal::kInterval;
      } else if (temporal == "point") {
        spec.temporal = Temporal::kPoint;
      } else if (temporal == "none") {
        spec.temporal = Temporal::kNone;
      } else {
        return Bad(absl::StrCat("edge type '", spec.name, "': unknown temporal '", temporal, "'"));
      }
      spec.symmetric = t.value("symmetric", false);
      RETURN_IF_ERROR(resolve(t.at("from"), spec.name, &spec.from_kinds));
      RETURN_IF_ERROR(resolve(t.at("to"), spec.name, &spec.to_kinds));
      ASSIGN_OR_RETURN(spec.properties, ParseProperties(t, spec.name));
      if (s->type_by_name_.contains(spec.name)) {
        return Bad(absl::StrCat("edge type '", spec.name, "' declared twice"));
      }
      s->max_type_id_ = std::max(s->max_type_id_, spec.id.value);
      s->type_by_name_[spec.name] = s->types_.size();
      s->types_.push_back(std::move(spec));
    }
    s->type_by_id_.assign(s->max_type_id_ + 1, -1);
    for (size_t i = 0; i < s->types_.size(); ++i) {
      int& slot = s->type_by_id_[s->types_[i].id.value];
      if (slot != -1) return Bad(absl::StrCat("type id ", s->types_[i].id.value, " used twice"));
      slot = static_cast<int>(i);
    }
  } catch (const Json::exception& e) {
    return Bad(e.what());
  }
  return std::shared_ptr<const Schema>(std::move(s));
}

std::shared_ptr<const Schema> Schema::Default() {
  static const std::shared_ptr<const Schema> schema = [] {
    auto parsed = FromJson(DefaultJson());
    // The embedded schema is part of the build; a parse failure is a programmer error.
    if (!parsed.ok()) std::abort();
    return *parsed;
  }();
  return schema;
}

const NodeKindSpec* Schema::FindKind(absl::string_view n) const {
  auto it = kind_by_name_.find(n);
  return it == kind_by_name_.end() ? nullptr : &kinds_[it->second];
}
const NodeKindSpec* Schema::Kind(KindId id) const {
  if (id.value >= kind_by_id_.size() || kind_by_id_[id.value] < 0) return nullptr;
  return &kinds_[kind_by_id_[id.value]];
}
const EdgeTypeSpec* Schema::FindType(absl::string_view n) const {
  auto it = type_by_name_.find(n);
  return it == type_by_name_.end() ? nullptr : &types_[it->second];
}
const EdgeTypeSpec* Schema::Type(TypeId id) const {
  if (id.value >= type_by_id_.size() || type_by_id_[id.value] < 0) return nullptr;
  return &types_[type_by_id_[id.value]];
}

absl::StatusOr<KindId> Schema::ResolveKind(absl::string_view n, absl::string_view field) const {
  if (const NodeKindSpec* k = FindKind(n)) return k->id;
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown node kind '", n, "'"));
}
absl::StatusOr<TypeId> Schema::ResolveType(absl::string_view n, absl::string_view field) const {
  if (const EdgeTypeSpec* t = FindType(n)) return t->id;
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown edge type '", n, "'"));
}

absl::Status ValidateKey(absl::string_view key, absl::string_view field) {
  if (key.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": empty"));
  if (key.size() > kMaxKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", key.size(), " bytes, at most ", kMaxKeyBytes));
  }
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", IsValidUtf8(key) ? key : "(invalid UTF-8)",
                       "' may only hold ASCII letters, digits and '/-_.:'"));
    }
  }
  return absl::OkStatus();
}

absl::Status Schema::ValidateNode(const Node& node) const {
  RETURN_IF_ERROR(ValidateKey(node.key, "key"));
  const NodeKindSpec* kind = Kind(node.kind);
  if (!kind) {
    return absl::InvalidArgumentError(absl::StrCat("kind: unknown kind id ", node.kind.value));
  }
  if (node.name.empty()) return absl::InvalidArgumentError("name: empty");
  if (node.name.size() > kMaxNameBytes || !IsValidUtf8(node.name)) {
    return absl::InvalidArgumentError("name: must be valid UTF-8 of at most 1024 bytes");
  }
  if (node.aliases.size() > kMaxAliases) {
    return absl::InvalidArgumentError(
        absl::StrCat("aliases: ", node.aliases.size(), " aliases, at most ", kMaxAliases));
  }
  for (size_t i = 0; i < node.aliases.size(); ++i) {
    const std::string& a = node.aliases[i];
    if (a.empty() || a.size() > kMaxNameBytes || !IsValidUtf8(a)) {
      return absl::InvalidArgumentError(
          absl::StrCat("aliases[", i, "]: must be non-empty valid UTF-8 of at most 1024 bytes"));
    }
  }
  RETURN_IF_ERROR(ValidateProperties(node.properties, kind->properties, "kind", kind->name));
  return ValidateCitations(node.sources);
}

absl::Status Schema::ValidateEdge(const Edge& edge, KindId from_kind, KindId to_kind) const {
  const EdgeTypeSpec* type = Type(edge.type);
  if (!type) {
    return absl::InvalidArgumentError(absl::StrCat("type: unknown type id ", edge.type.value));
  }
  auto kind_name = [&](KindId k) {
    const NodeKindSpec* spec = Kind(k);
    return spec ? spec->name : absl::StrCat("#", k.value);
  };
  auto kind_list = [&](const std::vector<KindId>& ks) {
    return absl::StrJoin(ks, ", ", [&](std::string* out, KindId k) { out->append(kind_name(k)); });
  };
  if (!type->AllowsFrom(from_kind)) {
    return absl::FailedPreconditionError(
        absl::StrCat("from: edge type '", type->name, "' cannot start at kind '",
                     kind_name(from_kind), "' (allowed: ", kind_list(type->from_kinds), ")"));
  }
  if (!type->AllowsTo(to_kind)) {
    return absl::FailedPreconditionError(
        absl::StrCat("to: edge type '", type->name, "' cannot end at kind '", kind_name(to_kind),
                     "' (allowed: ", kind_list(type->to_kinds), ")"));
  }
  if (edge.valid.from > edge.valid.to) {
    return absl::InvalidArgumentError(absl::StrCat("valid_from: '", FormatDate(edge.valid.from),
                                                   "' is after valid_to '",
                                                   FormatDate(edge.valid.to), "'"));
  }
  if (type->temporal == Temporal::kPoint && !edge.valid.to.is_open_end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("valid_to: edge type '", type->name,
                     "' is a point in time; give valid_from only (got valid_to '",
                     FormatDate(edge.valid.to), "')"));
  }
  if (!std::isfinite(edge.weight) || edge.weight <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight: ", edge.weight, " must be finite and greater than 0"));
  }
  if (!edge.key.empty()) RETURN_IF_ERROR(ValidateKey(edge.key, "key"));
  RETURN_IF_ERROR(ValidateProperties(edge.properties, type->properties, "edge type", type->name));
  return ValidateCitations(edge.sources);
}

}  // namespace innograph
