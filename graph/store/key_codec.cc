#include "graph/store/key_codec.h"

namespace innograph::keys {

void PutFixed64BE(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutFixed32BE(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t GetFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint32_t GetFixed32BE(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string NodeKey(NodeId id) {
  std::string k;
  PutFixed64BE(&k, id.value);
  return k;
}

NodeId DecodeNodeKey(absl::string_view key) {
  return key.size() == kNodeKeySize ? NodeId(GetFixed64BE(key.data())) : NodeId();
}

std::string EdgeKey(NodeId self, TypeId type, NodeId other, EdgeId id) {
  std::string k;
  k.reserve(kEdgeKeySize);
  PutFixed64BE(&k, self.value);
  PutFixed32BE(&k, type.value);
  PutFixed64BE(&k, other.value);
  PutFixed64BE(&k, id.value);
  return k;
}

EdgeKeyParts DecodeEdgeKey(absl::string_view key) {
  const char* p = key.data();
  return EdgeKeyParts{NodeId(GetFixed64BE(p)), TypeId(GetFixed32BE(p + 8)),
                      NodeId(GetFixed64BE(p + 12)), EdgeId(GetFixed64BE(p + 20))};
}

std::string EdgePrefix(NodeId self) { return NodeKey(self); }

std::string EdgePrefix(NodeId self, TypeId type) {
  std::string k = NodeKey(self);
  PutFixed32BE(&k, type.value);
  return k;
}

std::string EdgePrefix(NodeId self, TypeId type, NodeId other) {
  std::string k = EdgePrefix(self, type);
  PutFixed64BE(&k, other.value);
  return k;
}

std::string EdgeIdKey(EdgeId id) {
  std::string k;
  PutFixed64BE(&k, id.value);
  return k;
}

std::string EdgeIdValue(NodeId src, TypeId type, NodeId dst) {
  std::string v;
  PutFixed64BE(&v, src.value);
  PutFixed32BE(&v, type.value);
  PutFixed64BE(&v, dst.value);
  return v;
}

void DecodeEdgeIdValue(absl::string_view value, NodeId* src, TypeId* type, NodeId* dst) {
  *src = NodeId(GetFixed64BE(value.data()));
  *type = TypeId(GetFixed32BE(value.data() + 8));
  *dst = NodeId(GetFixed64BE(value.data() + 12));
}

std::string NameKey(absl::string_view token, NodeId id) {
  std::string k(token);
  k.push_back('\0');
  PutFixed64BE(&k, id.value);
  return k;
}

NodeId DecodeNameKey(absl::string_view key) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return NodeId();
  return NodeId(GetFixed64BE(key.data() + key.size() - 8));
}

std::string IdValue(uint64_t id) {
  std::string v;
  PutFixed64BE(&v, id);
  return v;
}

uint64_t DecodeIdValue(absl::string_view value) {
  return value.size() == 8 ? GetFixed64BE(value.data()) : 0;
}

}  // namespace innograph::keys
