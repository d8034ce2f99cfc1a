#include "graph/store/record_codec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace innograph::records {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// One property of every value type, with extreme values.
PropertyMap EveryValueType() {
  return {
      {"s", std::string("湘江实验室 Xiangjiang")},
      {"s_empty", std::string()},
      {"i", int64_t{-42}},
      {"i_zero", int64_t{0}},
      {"i_min", kInt64Min},
      {"i_max", kInt64Max},
      {"d", 3.25},
      {"d_neg_zero", -0.0},
      {"d_tiny", std::numeric_limits<double>::denorm_min()},
      {"d_max", std::numeric_limits<double>::max()},
      {"d_inf", -std::numeric_limits<double>::infinity()},
      {"b_true", true},
      {"b_false", false},
      {"date", Date::FromCivil(2022, 7, 20)},
      {"date_old", Date::FromCivil(1, 1, 1)},
      {"date_open_start", Date::OpenStart()},
      {"date_open_end", Date::OpenEnd()},
  };
}

Node FullNode() {
  Node n;
  n.key = "lab/xiangjiang";
  n.kind = KindId(4);
  n.name = "湘江实验室";
  n.aliases = {"Xiangjiang Laboratory", "", "😀 emoji", std::string(300, 'a')};
  n.properties = EveryValueType();
  n.sources = {{"source/hunan-cppcc", "four major laboratories"}, {"https://example.org", ""}};
  return n;
}

Edge FullEdge() {
  Edge e;
  e.valid = {Date::FromCivil(2001, 1, 1), Date::FromCivil(2008, 12, 31)};
  e.weight = 0.125;
  e.key = "employment/zou/csu/2001";
  e.properties = EveryValueType();
  e.sources = {{"source/a", "p. 3"}};
  return e;
}

std::vector<Node> NodeCases() {
  std::vector<Node> cases;
  Node minimal;  // Every field empty or zero.
  cases.push_back(minimal);
  Node simple;
  simple.key = "person/zou-xuexiao";
  simple.kind = KindId(1);
  simple.name = "邹学校";
  cases.push_back(simple);
  cases.push_back(FullNode());
  Node big_kind = simple;
  big_kind.kind = KindId(std::numeric_limits<uint32_t>::max());
  cases.push_back(big_kind);
  Node long_strings = simple;
  long_strings.name = std::string(70000, 'x');  // Multi-byte length varint.
  long_strings.properties["text"] = std::string(200000, 'y');
  cases.push_back(long_strings);
  return cases;
}

std::vector<Edge> EdgeCases() {
  std::vector<Edge> cases;
  cases.push_back(Edge{});  // Open at both ends, weight 1, no key.
  Edge from_only;
  from_only.valid.from = Date::FromCivil(2023, 2, 24);
  cases.push_back(from_only);
  Edge to_only;
  to_only.valid.to = Date::FromCivil(1969, 12, 31);  // Negative days.
  to_only.weight = 1e300;
  cases.push_back(to_only);
  cases.push_back(FullEdge());
  return cases;
}

TEST(RecordCodec, NodeRoundTrips) {
  for (const Node& want : NodeCases()) {
    SCOPED_TRACE(want.key);
    Node got;
    ASSERT_TRUE(DecodeNode(EncodeNode(want), &got).ok());
    EXPECT_EQ(got, want);
  }
}

TEST(RecordCodec, NodeRecordDoesNotCarryTheId) {
  Node n = FullNode();
  n.id = NodeId(77);
  Node other = n;
  other.id = NodeId(78);
  EXPECT_EQ(EncodeNode(n), EncodeNode(other));
}

TEST(RecordCodec, DecodeNodeReplacesPreviousContents) {
  Node simple = NodeCases()[1];
  Node got = FullNode();
  ASSERT_TRUE(DecodeNode(EncodeNode(simple), &got).ok());
  got.id = simple.id;
  EXPECT_EQ(got, simple);
}

TEST(RecordCodec, EdgeRoundTrips) {
  for (const Edge& want : EdgeCases()) {
    SCOPED_TRACE(want.key);
    Edge got;
    ASSERT_TRUE(DecodeEdge(EncodeEdge(want), &got).ok());
    EXPECT_EQ(got, want);
  }
}

TEST(RecordCodec, DecodeEdgeKeepsIdTypeAndEndpoints) {
  Edge got;
  got.id = EdgeId(9);
  got.type = TypeId(3);
  got.from = NodeId(1);
  got.to = NodeId(2);
  got.properties["stale"] = true;
  Edge want = FullEdge();
  ASSERT_TRUE(DecodeEdge(EncodeEdge(want), &got).ok());
  want.id = EdgeId(9);
  want.type = TypeId(3);
  want.from = NodeId(1);
  want.to = NodeId(2);
  EXPECT_EQ(got, want);
}

TEST(RecordCodec, NanDoubleKeepsItsBits) {
  Edge e;
  e.weight = std::numeric_limits<double>::quiet_NaN();
  e.properties["x"] = std::numeric_limits<double>::quiet_NaN();
  Edge got;
  ASSERT_TRUE(DecodeEdge(EncodeEdge(e), &got).ok());
  EXPECT_TRUE(std::isnan(got.weight));
  EXPECT_TRUE(std::isnan(std::get<double>(got.properties.at("x"))));
}

TEST(RecordCodec, EncodingIsCanonical) {
  // Properties are a sorted map, so insertion order cannot change the bytes.
  Node a = NodeCases()[1];
  Node b = a;
  a.properties["alpha"] = int64_t{1};
  a.properties["beta"] = int64_t{2};
  b.properties["beta"] = int64_t{2};
  b.properties["alpha"] = int64_t{1};
  EXPECT_EQ(EncodeNode(a), EncodeNode(b));
}

TEST(RecordCodec, EveryTruncatedNodeIsDataLoss) {
  for (const Node& n : NodeCases()) {
    const std::string bytes = EncodeNode(n);
    // Every prefix for short records; for the long ones, the first and last 300 lengths.
    for (size_t len = 0; len < bytes.size(); ++len) {
      if (len > 300 && len + 300 < bytes.size()) continue;
      Node got;
      absl::Status s = DecodeNode(absl::string_view(bytes).substr(0, len), &got);
      ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss)
          << "length " << len << " of " << bytes.size();
    }
  }
}

TEST(RecordCodec, EveryTruncatedEdgeIsDataLoss) {
  for (const Edge& e : EdgeCases()) {
    const std::string bytes = EncodeEdge(e);
    for (size_t len = 0; len < bytes.size(); ++len) {
      Edge got;
      absl::Status s = DecodeEdge(absl::string_view(bytes).substr(0, len), &got);
      ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << "length " << len;
    }
  }
}

TEST(RecordCodec, TrailingBytesAreDataLoss) {
  Node n;
  EXPECT_EQ(DecodeNode(EncodeNode(FullNode()) + "x", &n).code(), absl::StatusCode::kDataLoss);
  Edge e;
  EXPECT_EQ(DecodeEdge(EncodeEdge(FullEdge()) + '\0', &e).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodec, WrongFormatByteIsDataLoss) {
  for (uint8_t format : {uint8_t{0}, uint8_t{2}, uint8_t{0x81}, uint8_t{0xFF}}) {
    std::string node = EncodeNode(FullNode());
    node[0] = static_cast<char>(format);
    Node n;
    EXPECT_EQ(DecodeNode(node, &n).code(), absl::StatusCode::kDataLoss) << int{format};
    std::string edge = EncodeEdge(FullEdge());
    edge[0] = static_cast<char>(format);
    Edge e;
    EXPECT_EQ(DecodeEdge(edge, &e).code(), absl::StatusCode::kDataLoss) << int{format};
  }
}

// A hand-built edge record: format, from, to, weight, empty key, then `props` and no sources.
std::string EdgeRecordWithProperties(const std::string& props) {
  std::string r;
  r.push_back(static_cast<char>(kRecordFormat));
  r.push_back('\x01');  // valid_from: zig-zag for -1.
  r.push_back('\x02');  // valid_to: zig-zag for 1.
  r.append(8, '\0');    // weight 0.0.
  r.push_back('\0');    // key: empty.
  r += props;           // properties.
  r.push_back('\0');    // sources: none.
  return r;
}

TEST(RecordCodec, HandBuiltRecordDecodes) {
  Edge e;
  ASSERT_TRUE(DecodeEdge(EdgeRecordWithProperties(std::string("\x01\x01p\x04\x01", 5)), &e).ok());
  EXPECT_EQ(e.valid.from, Date{-1});
  EXPECT_EQ(e.valid.to, Date{1});
  EXPECT_EQ(e.properties.at("p"), Value(true));
}

TEST(RecordCodec, CorruptPayloadsAreDataLoss) {
  struct Case {
    const char* what;
    std::string props;
  };
  const Case cases[] = {
      {"value type 0", std::string("\x01\x01p\x00\x00", 5)},
      {"value type 6", std::string("\x01\x01p\x06\x00", 5)},
      {"value type 0xFF", std::string("\x01\x01p\xFF\x00", 5)},
      {"bool byte 2", std::string("\x01\x01p\x04\x02", 5)},
      {"date beyond int32", std::string("\x01\x01p\x05\x80\x80\x80\x80\x20", 9)},
      {"property count beyond the record", std::string("\x7F", 1)},
      {"huge property count", std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", 10)},
      {"name length beyond the record", std::string("\x01\x7Fp\x04\x01", 5)},
      {"string length beyond the record", std::string("\x01\x01p\x01\x50xx", 7)},
      {"varint longer than 10 bytes", std::string(12, '\xFF')},
  };
  for (const Case& c : cases) {
    Edge e;
    EXPECT_EQ(DecodeEdge(EdgeRecordWithProperties(c.props), &e).code(), absl::StatusCode::kDataLoss)
        << c.what;
  }
}

TEST(RecordCodec, KindBeyondUint32IsDataLoss) {
  std::string r;
  r.push_back(static_cast<char>(kRecordFormat));
  r += std::string("\x80\x80\x80\x80\x10", 5);  // 2^32.
  r += std::string("\x00\x00\x00\x00\x00", 5);  // key, name, aliases, properties, sources.
  Node n;
  EXPECT_EQ(DecodeNode(r, &n).code(), absl::StatusCode::kDataLoss);
  r[1] = r[2] = r[3] = r[4] = '\xFF';  // 28 one bits ...
  r[5] = '\x0F';                       // ... and 4 more: 2^32 - 1, the largest kind.
  ASSERT_TRUE(DecodeNode(r, &n).ok());
  EXPECT_EQ(n.kind.value, std::numeric_limits<uint32_t>::max());
}

TEST(RecordCodec, ValidFromBeyondInt32IsDataLoss) {
  std::string r;
  r.push_back(static_cast<char>(kRecordFormat));
  r += std::string("\x80\x80\x80\x80\x20", 5);  // zig-zag 2^33 -> 2^32.
  r.push_back('\0');
  r.append(8, '\0');
  r += std::string("\x00\x00\x00", 3);
  Edge e;
  EXPECT_EQ(DecodeEdge(r, &e).code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodec, FlippedBytesNeverCrash) {
  const std::string node = EncodeNode(FullNode());
  const std::string edge = EncodeEdge(FullEdge());
  for (const std::string* bytes : {&node, &edge}) {
    for (size_t i = 0; i < bytes->size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        std::string corrupt = *bytes;
        corrupt[i] = static_cast<char>(corrupt[i] ^ mask);
        Node n;
        Edge e;
        absl::Status s = bytes == &node ? DecodeNode(corrupt, &n) : DecodeEdge(corrupt, &e);
        EXPECT_TRUE(s.ok() || s.code() == absl::StatusCode::kDataLoss) << s;
      }
    }
  }
}

TEST(RecordCodec, RandomBytesNeverCrash) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (!bytes.empty() && rng() % 2) bytes[0] = static_cast<char>(kRecordFormat);
    Node n;
    Edge e;
    absl::Status ns = DecodeNode(bytes, &n);
    absl::Status es = DecodeEdge(bytes, &e);
    ASSERT_TRUE(ns.ok() || ns.code() == absl::StatusCode::kDataLoss) << ns;
    ASSERT_TRUE(es.ok() || es.code() == absl::StatusCode::kDataLoss) << es;
  }
}

}  // namespace
}  // namespace innograph::records
