#pragma once

// Internals shared by the store's .cc files (store.cc, bulk_load.cc): column families, meta
// keys, status conversion, the search tokens of a node. Not for use outside graph/store.

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "graph/model/entity.h"
#include "graph/model/text.h"
#include "graph/store/key_codec.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace innograph::store_internal {

// Column families, in the order they are opened. Persisted by name.
enum Cf : size_t {
  kDefault = 0,
  kNodes,
  kOutEdges,
  kInEdges,
  kEdgeIds,
  kKeys,
  kEdgeKeys,
  kNames,
  kMeta,
  kChanges,
  kNumCfs,
};

constexpr const char* kCfNames[kNumCfs] = {"default",  "nodes",  "out_edges", "in_edges",
                                           "edge_ids", "keys",   "edge_keys", "names",
                                           "meta",     "changes"};

constexpr char kMetaFormat[] = "format_version";
constexpr char kMetaSchema[] = "schema";
constexpr char kMetaNextNode[] = "next_node_id";
constexpr char kMetaNextEdge[] = "next_edge_id";
constexpr char kMetaNextChange[] = "next_change";  // The change log's next sequence (8, BE).
constexpr char kMetaKindCount[] = "count/kind/";   // + kind id (4, BE) -> count (8, BE)
constexpr char kMetaTypeCount[] = "count/type/";   // + type id (4, BE) -> count (8, BE)

inline std::string CountKey(const char* prefix, uint32_t id) {
  std::string k(prefix);
  keys::PutFixed32BE(&k, id);
  return k;
}

// The single place where RocksDB statuses become absl statuses.
inline absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

inline bool StartsWith(const rocksdb::Slice& s, absl::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

inline absl::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// All search tokens of a node: of its name, aliases and key.
inline std::vector<std::string> NodeTokens(const Node& n) {
  std::set<std::string> all;
  auto add = [&](absl::string_view text) {
    for (std::string& t : IndexTokens(text)) all.insert(std::move(t));
  };
  add(n.name);
  for (const std::string& a : n.aliases) add(a);
  add(n.key);
  return {all.begin(), all.end()};
}

inline std::string NodeLabel(size_t i, const Node& n) {
  return absl::StrCat("nodes[", i, "] (key '", n.key, "'): ");
}

inline absl::Status Prefixed(const absl::Status& s, absl::string_view prefix) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

}  // namespace innograph::store_internal
