#pragma once

// Value encodings of the nodes and out_edges column families.
//
// Both start with a format byte (kRecordFormat) and then use LEB128 varints, zig-zag for signed
// integers, length-prefixed byte strings and little-endian IEEE doubles:
//
//   NodeRecord: format(1) kind(varint) key(str) name(str) n_aliases(varint) alias(str)*
//               properties sources
//   EdgeRecord: format(1) valid_from(zigzag) valid_to(zigzag) weight(f64) key(str)
//               properties sources
//   properties: n(varint) { name(str) type(1: ValueType) payload }*
//               payload: string -> str; int -> zigzag; double -> f64; bool -> 1 byte;
//               date -> zigzag days since 1970-01-01
//   sources:    n(varint) { source(str) locator(str) }*
//
// The edge's id, type and endpoints live in its out_edges key, not in the record.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "graph/model/entity.h"
#include "graph/store/store.h"

namespace innograph::records {

inline constexpr uint8_t kRecordFormat = 1;  // Persisted: bump on any layout change.

std::string EncodeNode(const Node& node);
// Fills every field of `node` but `id`. DATA_LOSS when the bytes are not a valid record.
absl::Status DecodeNode(absl::string_view bytes, Node* node);

std::string EncodeEdge(const Edge& edge);
// EncodeEdge appended to *out.
void AppendEdge(const Edge& edge, std::string* out);
// Fills valid, weight, key, properties and sources of `edge`.
absl::Status DecodeEdge(absl::string_view bytes, Edge* edge);
// Only the leading fields of an edge record (validity in days, weight); false when the bytes
// do not start like one.
bool DecodeEdgeLead(absl::string_view bytes, int32_t* valid_from, int32_t* valid_to,
                    double* weight);

// The change log's value (CF changes): format(1) flags(1: bit 0 = bulk load)
//   bulk:  nodes(varint) edges(varint)
//   else:  n(varint) { created(1) id(varint) NodeRecord(str) }  nodes upserted
//          n(varint) { id(varint) key(str) }             nodes deleted
//          n(varint) { created(1) id type from to (varints) EdgeRecord(str) }  edges upserted
//          n(varint) { id type from to (varints) EdgeRecord(str) }             edges deleted
// The sequence number is the key, not part of the value.
std::string EncodeChangeSet(const ChangeSet& c);
absl::Status DecodeChangeSet(absl::string_view bytes, ChangeSet* c);

}  // namespace innograph::records
