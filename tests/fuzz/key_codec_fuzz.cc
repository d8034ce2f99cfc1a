// Fuzz target: the store's key layouts (graph/store/key_codec.cc). Decoding arbitrary bytes
// never crashes; encoding then decoding gives the fields back; the byte order of two keys is the
// numeric order of their fields (what every range scan of the store relies on).

#include <cstdint>
#include <string>
#include <tuple>

#include "graph/store/key_codec.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace innograph;

int Sign(int v) { return (v > 0) - (v < 0); }

void CheckEdgeKeys(fuzz::Input& in) {
  const NodeId self(in.U64()), other(in.U64()), self2(in.U64()), other2(in.U64());
  const TypeId type(in.U32()), type2(in.U32());
  const EdgeId id(in.U64()), id2(in.U64());
  const std::string k = keys::EdgeKey(self, type, other, id);
  FUZZ_CHECK(k.size() == keys::kEdgeKeySize, "edge key size");
  const keys::EdgeKeyParts p = keys::DecodeEdgeKey(k);
  FUZZ_CHECK(p.self == self && p.type == type && p.other == other && p.edge == id,
             "edge key round trip");
  FUZZ_CHECK(k.compare(0, 8, keys::EdgePrefix(self)) == 0, "prefix(self)");
  FUZZ_CHECK(k.compare(0, 12, keys::EdgePrefix(self, type)) == 0, "prefix(self, type)");
  FUZZ_CHECK(k.compare(0, 20, keys::EdgePrefix(self, type, other)) == 0,
             "prefix(self, type, other)");
  const std::string k2 = keys::EdgeKey(self2, type2, other2, id2);
  const auto t1 = std::make_tuple(self.value, type.value, other.value, id.value);
  const auto t2 = std::make_tuple(self2.value, type2.value, other2.value, id2.value);
  const int numeric = t1 < t2 ? -1 : (t2 < t1 ? 1 : 0);
  FUZZ_CHECK(Sign(k.compare(k2)) == numeric, "edge key order differs from field order");

  const std::string v = keys::EdgeIdValue(self, type, other);
  NodeId src, dst;
  TypeId t;
  keys::DecodeEdgeIdValue(v, &src, &t, &dst);
  FUZZ_CHECK(src == self && t == type && dst == other, "edge id value round trip");
}

void CheckScalarKeys(fuzz::Input& in) {
  const uint64_t a = in.U64(), b = in.U64();
  const std::string ka = keys::NodeKey(NodeId(a)), kb = keys::NodeKey(NodeId(b));
  FUZZ_CHECK(keys::DecodeNodeKey(ka) == NodeId(a), "node key round trip");
  FUZZ_CHECK(Sign(ka.compare(kb)) == (a < b ? -1 : (b < a ? 1 : 0)), "node key order");
  FUZZ_CHECK(keys::EdgeIdKey(EdgeId(a)) == ka, "edge id key layout");
  FUZZ_CHECK(keys::DecodeIdValue(keys::IdValue(a)) == a, "id value round trip");
  // Search tokens never contain NUL (text.h); the id follows the token's terminator.
  std::string token = in.Str();
  for (char& c : token) {
    if (c == '\0') c = ' ';
  }
  const std::string name = keys::NameKey(token, NodeId(b));
  FUZZ_CHECK(keys::DecodeNameKey(name) == NodeId(b), "name key round trip");
  FUZZ_CHECK(name.compare(0, token.size() + 1, token + '\0') == 0, "name key prefix");
}

void DecodeArbitrary(absl::string_view bytes) {
  (void)keys::DecodeNodeKey(bytes);
  (void)keys::DecodeNameKey(bytes);
  const uint64_t id = keys::DecodeIdValue(bytes);
  if (bytes.size() != 8) FUZZ_CHECK(id == 0, "id value of the wrong size decoded");
  if (bytes.size() == keys::kEdgeKeySize) {
    const keys::EdgeKeyParts p = keys::DecodeEdgeKey(bytes);
    FUZZ_CHECK(keys::EdgeKey(p.self, p.type, p.other, p.edge) == bytes, "edge key re-encode");
  }
  if (bytes.size() == 20) {
    NodeId src, dst;
    TypeId t;
    keys::DecodeEdgeIdValue(bytes, &src, &t, &dst);
    FUZZ_CHECK(keys::EdgeIdValue(src, t, dst) == bytes, "edge id value re-encode");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DecodeArbitrary(absl::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::Input in(data, size);
  CheckEdgeKeys(in);
  CheckScalarKeys(in);
  return 0;
}
