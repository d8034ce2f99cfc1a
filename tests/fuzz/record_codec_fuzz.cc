// Fuzz target: the record codecs (graph/store/record_codec.cc). Decoding arbitrary bytes as a
// node, edge or change record never crashes and is DATA_LOSS or a value whose encoding decodes
// to the same encoding; a node, edge and change set built from the input round-trip exactly.

#include <cmath>
#include <cstdint>
#include <string>

#include "graph/store/record_codec.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace innograph;

void ExpectDataLoss(const absl::Status& s) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss, s.ToString());
}

// Arbitrary bytes: a decoded value re-encodes to bytes that decode to the same encoding
// (the first decode may have read a non-canonical varint).
void DecodeArbitrary(absl::string_view bytes) {
  Node node;
  absl::Status s = records::DecodeNode(bytes, &node);
  if (s.ok()) {
    const std::string again = records::EncodeNode(node);
    Node back;
    FUZZ_CHECK(records::DecodeNode(again, &back).ok(), "re-encoded node does not decode");
    FUZZ_CHECK(records::EncodeNode(back) == again, "node encoding not stable");
  } else {
    ExpectDataLoss(s);
  }
  Edge edge;
  s = records::DecodeEdge(bytes, &edge);
  if (s.ok()) {
    const std::string again = records::EncodeEdge(edge);
    Edge back;
    FUZZ_CHECK(records::DecodeEdge(again, &back).ok(), "re-encoded edge does not decode");
    FUZZ_CHECK(records::EncodeEdge(back) == again, "edge encoding not stable");
  } else {
    ExpectDataLoss(s);
  }
  ChangeSet change;
  s = records::DecodeChangeSet(bytes, &change);
  if (s.ok()) {
    const std::string again = records::EncodeChangeSet(change);
    ChangeSet back;
    FUZZ_CHECK(records::DecodeChangeSet(again, &back).ok(), "re-encoded change does not decode");
    FUZZ_CHECK(records::EncodeChangeSet(back) == again, "change encoding not stable");
  } else {
    ExpectDataLoss(s);
  }
}

Value MakeValue(fuzz::Input& in) {
  switch (in.Byte() % 5) {
    case 0:
      return in.Str();
    case 1:
      return static_cast<int64_t>(in.U64());
    case 2:
      return in.Double();
    case 3:
      return in.Bool();
    default:
      return Date{static_cast<int32_t>(in.U32())};
  }
}

PropertyMap MakeProperties(fuzz::Input& in) {
  PropertyMap props;
  for (int n = in.Byte() % 4; n > 0; --n) props[in.Str(16)] = MakeValue(in);
  return props;
}

std::vector<Citation> MakeSources(fuzz::Input& in) {
  std::vector<Citation> sources(in.Byte() % 3);
  for (Citation& c : sources) c = Citation{in.Str(16), in.Str(16)};
  return sources;
}

Node MakeNode(fuzz::Input& in) {
  Node n;
  n.id = NodeId(in.U64());
  n.kind = KindId(in.U32());
  n.key = in.Str();
  n.name = in.Str();
  n.aliases.resize(in.Byte() % 3);
  for (std::string& a : n.aliases) a = in.Str(16);
  n.properties = MakeProperties(in);
  n.sources = MakeSources(in);
  return n;
}

Edge MakeEdge(fuzz::Input& in) {
  Edge e;
  e.id = EdgeId(in.U64());
  e.type = TypeId(in.U32());
  e.from = NodeId(in.U64());
  e.to = NodeId(in.U64());
  e.valid = Interval{Date{static_cast<int32_t>(in.U32())}, Date{static_cast<int32_t>(in.U32())}};
  e.weight = in.Double();
  e.key = in.Str();
  e.properties = MakeProperties(in);
  e.sources = MakeSources(in);
  return e;
}

// Equality with NaN doubles compared by bit pattern (the codec keeps the bits).
bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool SameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* d = std::get_if<double>(&a)) return SameBits(*d, std::get<double>(b));
  return a == b;
}
bool SameProperties(const PropertyMap& a, const PropertyMap& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || !SameValue(i->second, j->second)) return false;
  }
  return true;
}

void RoundTrip(fuzz::Input& in) {
  const Node node = MakeNode(in);
  Node node_back;
  absl::Status s = records::DecodeNode(records::EncodeNode(node), &node_back);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(node_back.key == node.key && node_back.kind == node.kind &&
                 node_back.name == node.name && node_back.aliases == node.aliases &&
                 node_back.sources == node.sources &&
                 SameProperties(node_back.properties, node.properties),
             "node round trip");

  const Edge edge = MakeEdge(in);
  Edge edge_back;
  s = records::DecodeEdge(records::EncodeEdge(edge), &edge_back);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(edge_back.valid == edge.valid && SameBits(edge_back.weight, edge.weight) &&
                 edge_back.key == edge.key && edge_back.sources == edge.sources &&
                 SameProperties(edge_back.properties, edge.properties),
             "edge round trip");

  ChangeSet change;
  change.bulk_load = in.Bool();
  if (change.bulk_load) {
    change.bulk_nodes = in.U64();
    change.bulk_edges = in.U64();
  } else {
    change.nodes_upserted.push_back(node);
    change.nodes_created.push_back(in.Bool());
    change.nodes_deleted.push_back(NodeId(in.U64()));
    change.nodes_deleted_keys.push_back(in.Str());
    change.edges_upserted.push_back(edge);
    change.edges_created.push_back(in.Bool());
    change.edges_deleted.push_back(MakeEdge(in));
  }
  const std::string bytes = records::EncodeChangeSet(change);
  ChangeSet back;
  s = records::DecodeChangeSet(bytes, &back);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(records::EncodeChangeSet(back) == bytes, "change round trip");
  FUZZ_CHECK(back.bulk_load == change.bulk_load && back.bulk_nodes == change.bulk_nodes &&
                 back.bulk_edges == change.bulk_edges &&
                 back.nodes_created == change.nodes_created &&
                 back.nodes_deleted == change.nodes_deleted &&
                 back.nodes_deleted_keys == change.nodes_deleted_keys &&
                 back.edges_created == change.edges_created,
             "change fields");
  for (size_t i = 0; i < back.nodes_upserted.size(); ++i) {
    FUZZ_CHECK(back.nodes_upserted[i].id == change.nodes_upserted[i].id, "node id in change");
  }
  for (size_t i = 0; i < back.edges_upserted.size(); ++i) {
    const Edge& a = back.edges_upserted[i];
    const Edge& b = change.edges_upserted[i];
    FUZZ_CHECK(a.id == b.id && a.type == b.type && a.from == b.from && a.to == b.to,
               "edge ids in change");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DecodeArbitrary(absl::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::Input in(data, size);
  RoundTrip(in);
  return 0;
}
