#pragma once

// The schema as data: node kinds, edge types, which kinds an edge type may connect, and typed
// properties. It is parsed from JSON (the default ships embedded, see default_schema.json),
// persisted in the store's meta column family, and enforced on every write.
//
// Thread safety: a Schema is immutable after construction; share it freely across threads.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "graph/model/entity.h"
#include "graph/model/ids.h"
#include "graph/model/value.h"

namespace innograph {

struct PropertySpec {
  std::string name;
  ValueType type = ValueType::kString;
  bool required = false;
  std::string description;
};

// How an edge type relates to time. Persisted (in the schema JSON by name).
enum class Temporal {
  kInterval,  // valid_from/valid_to.
  kPoint,     // valid_from only: true from that date on.
  kNone,      // Timeless.
};

struct NodeKindSpec {
  KindId id;
  std::string name;
  std::string description;
  std::vector<PropertySpec> properties;

  const PropertySpec* FindProperty(absl::string_view name) const;
};

struct EdgeTypeSpec {
  TypeId id;
  std::string name;
  std::string description;
  std::vector<KindId> from_kinds;  // Sorted.
  std::vector<KindId> to_kinds;    // Sorted.
  Temporal temporal = Temporal::kInterval;
  bool symmetric = false;
  std::vector<PropertySpec> properties;

  const PropertySpec* FindProperty(absl::string_view name) const;
  bool AllowsFrom(KindId k) const;
  bool AllowsTo(KindId k) const;
};

class Schema {
 public:
  // Parses the schema JSON format (see default_schema.json). INVALID_ARGUMENT names the problem:
  // duplicate ids or names, unknown kinds in an edge type, unknown property types.
  static absl::StatusOr<std::shared_ptr<const Schema>> FromJson(absl::string_view json);

  // The default innovation-system schema compiled into the binary.
  static std::shared_ptr<const Schema> Default();
  static absl::string_view DefaultJson();

  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }
  // The JSON text this schema was parsed from (what the store persists).
  const std::string& json() const { return json_; }

  const std::vector<NodeKindSpec>& kinds() const { return kinds_; }
  const std::vector<EdgeTypeSpec>& types() const { return types_; }

  // nullptr when unknown.
  const NodeKindSpec* FindKind(absl::string_view name) const;
  const NodeKindSpec* Kind(KindId id) const;
  const EdgeTypeSpec* FindType(absl::string_view name) const;
  const EdgeTypeSpec* Type(TypeId id) const;

  // Largest kind/type id in use (ids are small and dense enough to index arrays).
  uint32_t max_kind_id() const { return max_kind_id_; }
  uint32_t max_type_id() const { return max_type_id_; }

  // Name lookups that fail with INVALID_ARGUMENT "unknown <field> 'X'".
  absl::StatusOr<KindId> ResolveKind(absl::string_view name, absl::string_view field) const;
  absl::StatusOr<TypeId> ResolveType(absl::string_view name, absl::string_view field) const;

  // Checks a node's own fields against the schema and the store's syntax rules: key syntax,
  // non-empty valid UTF-8 name and aliases, property names, declared property types (wrong type:
  // INVALID_ARGUMENT) and required properties (FAILED_PRECONDITION), citations.
  absl::Status ValidateNode(const Node& node) const;

  // Checks an edge against its type: endpoint kinds (FAILED_PRECONDITION), temporal rules,
  // interval order, weight, properties, citations.
  absl::Status ValidateEdge(const Edge& edge, KindId from_kind, KindId to_kind) const;

 private:
  Schema() = default;

  std::string name_;
  uint32_t version_ = 0;
  std::string json_;
  std::vector<NodeKindSpec> kinds_;
  std::vector<EdgeTypeSpec> types_;
  absl::flat_hash_map<std::string, size_t> kind_by_name_;
  absl::flat_hash_map<std::string, size_t> type_by_name_;
  std::vector<int> kind_by_id_;  // id -> index into kinds_, -1 when unused.
  std::vector<int> type_by_id_;
  uint32_t max_kind_id_ = 0;
  uint32_t max_type_id_ = 0;
};

// Syntax rules shared by validation and the API layer.
inline constexpr size_t kMaxKeyBytes = 256;
inline constexpr size_t kMaxNameBytes = 1024;
inline constexpr size_t kMaxAliases = 64;
inline constexpr size_t kMaxProperties = 256;
inline constexpr size_t kMaxPropertyNameBytes = 64;
inline constexpr size_t kMaxStringValueBytes = 64 * 1024;
inline constexpr size_t kMaxCitations = 64;

// OK when `key` is 1-256 bytes of ASCII letters, digits and "/-_.:"; else INVALID_ARGUMENT.
absl::Status ValidateKey(absl::string_view key, absl::string_view field);

}  // namespace innograph
