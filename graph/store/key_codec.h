#pragma once

// Every on-disk key layout of the store, in one place. Integers are big-endian so that the
// byte order of keys equals the numeric order of their fields, and all keys of one node (or one
// node and type) are contiguous.
//
//   CF         key                                               value
//   ---------  ------------------------------------------------  ---------------------------
//   nodes      node_id(8)                                        NodeRecord   (record_codec.h)
//   out_edges  src(8) | type(4) | dst(8) | edge_id(8)            EdgeRecord   (record_codec.h)
//   in_edges   dst(8) | type(4) | src(8) | edge_id(8)            (empty)
//   edge_ids   edge_id(8)                                        src(8) | type(4) | dst(8)
//   keys       external node key (bytes)                         node_id(8)
//   edge_keys  external edge key (bytes)                         edge_id(8)
//   names      search token (UTF-8, no NUL) | 0x00 | node_id(8)  (empty)
//   meta       ASCII name                                        see store.h
//
// An edge lives in out_edges, in_edges and edge_ids (and edge_keys when it has a key); all of
// them are written in the same WriteBatch, so the directions never disagree.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "graph/model/ids.h"

namespace innograph::keys {

inline constexpr size_t kNodeKeySize = 8;
inline constexpr size_t kEdgeKeySize = 28;  // 8 + 4 + 8 + 8.

void PutFixed64BE(std::string* out, uint64_t v);
void PutFixed32BE(std::string* out, uint32_t v);
uint64_t GetFixed64BE(const char* p);
uint32_t GetFixed32BE(const char* p);

std::string NodeKey(NodeId id);
NodeId DecodeNodeKey(absl::string_view key);

// The decoded fields of an out_edges or in_edges key. For in_edges `self` is the destination
// and `other` the source.
struct EdgeKeyParts {
  NodeId self;
  TypeId type;
  NodeId other;
  EdgeId edge;
};

// out_edges: EdgeKey(src, type, dst, id); in_edges: EdgeKey(dst, type, src, id).
std::string EdgeKey(NodeId self, TypeId type, NodeId other, EdgeId id);
// Precondition: key.size() == kEdgeKeySize.
EdgeKeyParts DecodeEdgeKey(absl::string_view key);
// Prefix of all edges of `self` in one direction.
std::string EdgePrefix(NodeId self);
// Prefix of all edges of `self` of one type in one direction.
std::string EdgePrefix(NodeId self, TypeId type);
// Prefix of all edges from self to other of one type (used to find an edge by identity).
std::string EdgePrefix(NodeId self, TypeId type, NodeId other);

std::string EdgeIdKey(EdgeId id);
// edge_ids value: the (src, type, dst) triple.
std::string EdgeIdValue(NodeId src, TypeId type, NodeId dst);
// Precondition: value.size() == 20.
void DecodeEdgeIdValue(absl::string_view value, NodeId* src, TypeId* type, NodeId* dst);

std::string NameKey(absl::string_view token, NodeId id);
// The node id at the end of a names key; 0 when malformed.
NodeId DecodeNameKey(absl::string_view key);

std::string IdValue(uint64_t id);
// 0 when value is not 8 bytes.
uint64_t DecodeIdValue(absl::string_view value);

}  // namespace innograph::keys
