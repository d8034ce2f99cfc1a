#include "graph/store/key_codec.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/comparator.h"
#include "rocksdb/slice.h"

namespace innograph::keys {
namespace {

// The comparator the store's column families use.
int Bytewise(const std::string& a, const std::string& b) {
  return rocksdb::BytewiseComparator()->Compare(rocksdb::Slice(a), rocksdb::Slice(b));
}

int Sign(int v) { return (v > 0) - (v < 0); }

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kMax32 = std::numeric_limits<uint32_t>::max();

const uint64_t kInteresting64[] = {0,
                                   1,
                                   2,
                                   0x7F,
                                   0x80,
                                   0xFF,
                                   0x100,
                                   0x7FFFFFFF,
                                   0x80000000,
                                   0xFFFFFFFF,
                                   0x100000000,
                                   0x00FF00FF00FF00FF,
                                   0x7FFFFFFFFFFFFFFF,
                                   0x8000000000000000,
                                   0x8000000000000001,
                                   0xFF00000000000000,
                                   kMax64 - 1,
                                   kMax64};

const uint32_t kInteresting32[] = {0,     1,      2,          0x7F,       0x80,       0xFF,
                                   0x100, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, kMax32};

using Tuple = std::tuple<uint64_t, uint32_t, uint64_t, uint64_t>;

// Random tuples drawn so that equal leading fields are common (to exercise the later fields)
// and values with the high bit set are frequent.
class TupleGenerator {
 public:
  explicit TupleGenerator(uint64_t seed) : rng_(seed) {}

  Tuple Next() { return {U64(), U32(), U64(), U64()}; }

 private:
  uint64_t U64() {
    switch (rng_() % 4) {
      case 0:
        return kInteresting64[rng_() % std::size(kInteresting64)];
      case 1:
        return rng_() % 4;  // Small: many ties.
      case 2:
        return rng_() | 0x8000000000000000;  // High bit set.
      default:
        return rng_();
    }
  }
  uint32_t U32() {
    switch (rng_() % 3) {
      case 0:
        return kInteresting32[rng_() % std::size(kInteresting32)];
      case 1:
        return static_cast<uint32_t>(rng_() % 3);
      default:
        return static_cast<uint32_t>(rng_());
    }
  }
  std::mt19937_64 rng_;
};

std::string KeyOf(const Tuple& t) {
  return EdgeKey(NodeId(std::get<0>(t)), TypeId(std::get<1>(t)), NodeId(std::get<2>(t)),
                 EdgeId(std::get<3>(t)));
}

TEST(KeyCodec, FixedIntegersAreBigEndian) {
  std::string s;
  PutFixed64BE(&s, 0x0102030405060708);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  s.clear();
  PutFixed32BE(&s, 0xA1B2C3D4);
  EXPECT_EQ(s, std::string("\xA1\xB2\xC3\xD4", 4));
}

TEST(KeyCodec, FixedIntegersRoundTrip) {
  for (uint64_t v : kInteresting64) {
    std::string s;
    PutFixed64BE(&s, v);
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(GetFixed64BE(s.data()), v);
  }
  for (uint32_t v : kInteresting32) {
    std::string s;
    PutFixed32BE(&s, v);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(GetFixed32BE(s.data()), v);
  }
}

TEST(KeyCodec, NodeKeyRoundTrips) {
  for (uint64_t v : kInteresting64) {
    const std::string k = NodeKey(NodeId(v));
    ASSERT_EQ(k.size(), kNodeKeySize);
    EXPECT_EQ(DecodeNodeKey(k), NodeId(v));
  }
}

TEST(KeyCodec, NodeKeyOfWrongSizeDecodesToNoNode) {
  EXPECT_EQ(DecodeNodeKey(""), NodeId());
  EXPECT_EQ(DecodeNodeKey("1234567"), NodeId());
  EXPECT_EQ(DecodeNodeKey("123456789"), NodeId());
}

TEST(KeyCodec, NodeKeyOrderEqualsIdOrder) {
  for (uint64_t a : kInteresting64) {
    for (uint64_t b : kInteresting64) {
      EXPECT_EQ(Sign(Bytewise(NodeKey(NodeId(a)), NodeKey(NodeId(b)))), (a > b) - (a < b))
          << a << " vs " << b;
    }
  }
}

TEST(KeyCodec, EdgeKeyRoundTrips) {
  TupleGenerator gen(1);
  for (int i = 0; i < 2000; ++i) {
    const Tuple t = gen.Next();
    const std::string k = KeyOf(t);
    ASSERT_EQ(k.size(), kEdgeKeySize);
    const EdgeKeyParts parts = DecodeEdgeKey(k);
    EXPECT_EQ(parts.self.value, std::get<0>(t));
    EXPECT_EQ(parts.type.value, std::get<1>(t));
    EXPECT_EQ(parts.other.value, std::get<2>(t));
    EXPECT_EQ(parts.edge.value, std::get<3>(t));
  }
}

TEST(KeyCodec, EdgeKeyByteOrderEqualsTupleOrder) {
  TupleGenerator gen(20240224);
  std::vector<Tuple> tuples;
  for (int i = 0; i < 4000; ++i) tuples.push_back(gen.Next());
  // Pairwise on random pairs ...
  std::mt19937_64 pick(7);
  for (int i = 0; i < 50000; ++i) {
    const Tuple& a = tuples[pick() % tuples.size()];
    const Tuple& b = tuples[pick() % tuples.size()];
    const int want = (a > b) - (a < b);
    ASSERT_EQ(Sign(Bytewise(KeyOf(a), KeyOf(b))), want)
        << std::get<0>(a) << "," << std::get<1>(a) << "," << std::get<2>(a) << "," << std::get<3>(a)
        << " vs " << std::get<0>(b) << "," << std::get<1>(b) << "," << std::get<2>(b) << ","
        << std::get<3>(b);
  }
  // ... and as a whole: sorting the keys bytewise sorts the tuples.
  std::vector<std::string> sorted_keys;
  for (const Tuple& t : tuples) sorted_keys.push_back(KeyOf(t));
  std::sort(sorted_keys.begin(), sorted_keys.end(),
            [](const std::string& a, const std::string& b) { return Bytewise(a, b) < 0; });
  std::sort(tuples.begin(), tuples.end());
  ASSERT_EQ(sorted_keys.size(), tuples.size());
  for (size_t i = 0; i < tuples.size(); ++i) ASSERT_EQ(sorted_keys[i], KeyOf(tuples[i])) << i;
}

TEST(KeyCodec, EdgeKeyOrderOnExtremeValues) {
  // Every combination of extreme values against every other.
  std::vector<Tuple> tuples;
  for (uint64_t self : {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{1} << 63, kMax64}) {
    for (uint32_t type : {0u, 1u, 0x80u, 0x80000000u, kMax32}) {
      for (uint64_t other : {uint64_t{0}, uint64_t{0xFF}, uint64_t{1} << 63, kMax64}) {
        for (uint64_t edge : {uint64_t{0}, uint64_t{1} << 63, kMax64}) {
          tuples.emplace_back(self, type, other, edge);
        }
      }
    }
  }
  for (const Tuple& a : tuples) {
    for (const Tuple& b : tuples) {
      ASSERT_EQ(Sign(Bytewise(KeyOf(a), KeyOf(b))), (a > b) - (a < b));
    }
  }
}

TEST(KeyCodec, OutEdgesOfOneNodeAreContiguous) {
  TupleGenerator gen(99);
  std::vector<std::string> all;
  std::vector<uint64_t> selves;
  for (int i = 0; i < 3000; ++i) {
    Tuple t = gen.Next();
    all.push_back(KeyOf(t));
    selves.push_back(std::get<0>(t));
  }
  std::sort(all.begin(), all.end(),
            [](const std::string& a, const std::string& b) { return Bytewise(a, b) < 0; });
  std::sort(selves.begin(), selves.end());
  selves.erase(std::unique(selves.begin(), selves.end()), selves.end());
  for (uint64_t self : selves) {
    const std::string prefix = EdgePrefix(NodeId(self));
    ASSERT_EQ(prefix.size(), 8u);
    // The keys under the prefix form one run, and they are exactly the keys of `self`.
    auto first = std::find_if(all.begin(), all.end(),
                              [&](const std::string& k) { return k.rfind(prefix, 0) == 0; });
    ASSERT_NE(first, all.end());
    auto last = std::find_if(first, all.end(),
                             [&](const std::string& k) { return k.rfind(prefix, 0) != 0; });
    for (auto it = all.begin(); it != all.end(); ++it) {
      const bool in_run = it >= first && it < last;
      EXPECT_EQ(DecodeEdgeKey(*it).self.value == self, in_run);
    }
    // A seek to the prefix lands on the first key of the run.
    auto seek = std::lower_bound(
        all.begin(), all.end(), prefix,
        [](const std::string& k, const std::string& p) { return Bytewise(k, p) < 0; });
    EXPECT_EQ(seek, first);
  }
}

TEST(KeyCodec, EdgesOfOneNodeAndTypeAreContiguous) {
  std::vector<std::string> all;
  for (uint64_t self : {uint64_t{1}, uint64_t{2}, uint64_t{1} << 63}) {
    for (uint32_t type : {1u, 2u, 0x80000000u}) {
      for (uint64_t other : {uint64_t{1}, uint64_t{3}, kMax64}) {
        for (uint64_t edge : {uint64_t{5}, uint64_t{1} << 40}) {
          all.push_back(EdgeKey(NodeId(self), TypeId(type), NodeId(other), EdgeId(edge)));
        }
      }
    }
  }
  std::sort(all.begin(), all.end(),
            [](const std::string& a, const std::string& b) { return Bytewise(a, b) < 0; });
  for (const std::string& prefix :
       {EdgePrefix(NodeId(2), TypeId(0x80000000)), EdgePrefix(NodeId(1), TypeId(1)),
        EdgePrefix(NodeId(2), TypeId(2), NodeId(kMax64)),
        EdgePrefix(NodeId(uint64_t{1} << 63), TypeId(1), NodeId(3))}) {
    std::vector<size_t> positions;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].rfind(prefix, 0) == 0) positions.push_back(i);
    }
    ASSERT_FALSE(positions.empty());
    EXPECT_EQ(positions.back() - positions.front() + 1, positions.size());
  }
  EXPECT_EQ(EdgePrefix(NodeId(1), TypeId(1)).size(), 12u);
  EXPECT_EQ(EdgePrefix(NodeId(1), TypeId(1), NodeId(1)).size(), 20u);
}

TEST(KeyCodec, EdgePrefixesArePrefixesOfTheEdgeKey) {
  const NodeId self(0x8000000000000042);
  const TypeId type(0xFFFFFFFE);
  const NodeId other(7);
  const std::string key = EdgeKey(self, type, other, EdgeId(kMax64));
  EXPECT_EQ(key.rfind(EdgePrefix(self), 0), 0u);
  EXPECT_EQ(key.rfind(EdgePrefix(self, type), 0), 0u);
  EXPECT_EQ(key.rfind(EdgePrefix(self, type, other), 0), 0u);
  EXPECT_NE(key.rfind(EdgePrefix(self, TypeId(0xFFFFFFFF)), 0), 0u);
}

TEST(KeyCodec, EdgeIdKeyAndValueRoundTrip) {
  TupleGenerator gen(5);
  for (int i = 0; i < 1000; ++i) {
    const Tuple t = gen.Next();
    const std::string k = EdgeIdKey(EdgeId(std::get<3>(t)));
    ASSERT_EQ(k.size(), 8u);
    EXPECT_EQ(GetFixed64BE(k.data()), std::get<3>(t));
    const std::string v =
        EdgeIdValue(NodeId(std::get<0>(t)), TypeId(std::get<1>(t)), NodeId(std::get<2>(t)));
    ASSERT_EQ(v.size(), 20u);
    NodeId src, dst;
    TypeId type;
    DecodeEdgeIdValue(v, &src, &type, &dst);
    EXPECT_EQ(src.value, std::get<0>(t));
    EXPECT_EQ(type.value, std::get<1>(t));
    EXPECT_EQ(dst.value, std::get<2>(t));
  }
}

TEST(KeyCodec, NameKeyRoundTrips) {
  for (const char* token : {"", "csu", "实验室", "central south university"}) {
    for (uint64_t id : kInteresting64) {
      const std::string k = NameKey(token, NodeId(id));
      EXPECT_EQ(k.size(), std::string(token).size() + 9);
      EXPECT_EQ(k.rfind(token, 0), 0u);
      EXPECT_EQ(DecodeNameKey(k), NodeId(id)) << token << " " << id;
    }
  }
}

TEST(KeyCodec, NameKeyOfIdWithZeroBytesDecodes) {
  // The separator is found by position, not by searching for a NUL.
  EXPECT_EQ(DecodeNameKey(NameKey("a", NodeId(0x0100000000000000))), NodeId(0x0100000000000000));
  EXPECT_EQ(DecodeNameKey(NameKey("a", NodeId(0x0000000000000100))), NodeId(0x100));
}

TEST(KeyCodec, MalformedNameKeyDecodesToNoNode) {
  EXPECT_EQ(DecodeNameKey(""), NodeId());
  EXPECT_EQ(DecodeNameKey(std::string(8, '\x01')), NodeId());  // Too short.
  std::string no_separator = "csux";                           // The byte before the id is not NUL.
  PutFixed64BE(&no_separator, 5);
  EXPECT_EQ(DecodeNameKey(no_separator), NodeId());
}

TEST(KeyCodec, NameKeysOfOneTokenSortByIdAndBeforeLongerTokens) {
  EXPECT_LT(Bytewise(NameKey("lab", NodeId(1)), NameKey("lab", NodeId(2))), 0);
  EXPECT_LT(Bytewise(NameKey("lab", NodeId(255)), NameKey("lab", NodeId(256))), 0);
  EXPECT_LT(Bytewise(NameKey("lab", NodeId(kMax64)), NameKey("laba", NodeId(0))), 0);
  EXPECT_LT(Bytewise(NameKey("lab", NodeId(kMax64)), NameKey("lab ", NodeId(0))), 0);
}

TEST(KeyCodec, IdValueRoundTrips) {
  for (uint64_t v : kInteresting64) {
    const std::string s = IdValue(v);
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(DecodeIdValue(s), v);
  }
  EXPECT_EQ(DecodeIdValue(""), 0u);
  EXPECT_EQ(DecodeIdValue("1234567"), 0u);
  EXPECT_EQ(DecodeIdValue("123456789"), 0u);
}

}  // namespace
}  // namespace innograph::keys
