#include "server/record_cache.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/query/traversal.h"
#include "gtest/gtest.h"
#include "innograph/v1/graph.pb.h"
#include "server/answer_builder.h"
#include "server/convert.h"

namespace innograph::server {
namespace {

class RecordCacheTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    base_ = absl::StrCat(testing::TempDir(), "innograph_record_cache_test_", info->name(), "_",
                         getpid());
    std::filesystem::remove_all(base_);
    GraphStore::Options options;
    options.sync_writes = false;
    auto s = GraphStore::Open(base_, options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(base_);
  }

  uint64_t PutNode(const std::string& key, const std::string& name,
                   std::vector<std::string> aliases = {}) {
    Node n;
    n.key = key;
    n.kind = store_->schema()->FindKind("Person")->id;
    n.name = name;
    n.aliases = std::move(aliases);
    auto r = store_->UpsertNodes({n});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->ids[0] : 0;
  }
  uint64_t PutEdge(const std::string& from, const std::string& to, double weight) {
    EdgeWrite w;
    w.edge.type = store_->schema()->FindType("COLLABORATES_WITH")->id;
    w.edge.weight = weight;
    w.from_key = from;
    w.to_key = to;
    auto r = store_->UpsertEdges({w});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->ids[0] : 0;
  }
  // What an answer without the cache holds: the records straight from the store.
  v1::Node StoredNode(uint64_t id) {
    v1::Node out;
    auto n = store_->GetNode(NodeId(id));
    if (n.ok() && *n) ToProto(**n, *store_->schema(), &out);
    return out;
  }
  v1::Edge StoredEdge(uint64_t id) {
    v1::Edge out;
    auto e = store_->GetEdge(EdgeId(id));
    if (!e.ok() || !*e) return out;
    auto a = store_->GetNode((*e)->from);
    auto b = store_->GetNode((*e)->to);
    ToProto(**e, *store_->schema(), (*a)->key, (*b)->key, &out);
    return out;
  }
  static v1::Node Decode(const RecordCache::NodeRecord& r) {
    v1::Node n;
    EXPECT_TRUE(n.ParseFromString(r.message));
    return n;
  }

  std::string base_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(RecordCacheTest, ServesTheStoredRecordsAndFollowsCommits) {
  RecordCache cache(*store_, 1 << 20);
  store_->SetCommitListener([&](const ChangeSet& c) { cache.Apply(c); });
  const uint64_t a = PutNode("person/a", "A", {"Alpha"});
  const uint64_t b = PutNode("person/b", "B");
  const uint64_t e = PutEdge("person/a", "person/b", 2);

  auto na = cache.GetNode(static_cast<uint32_t>(a));
  ASSERT_TRUE(na.ok()) << na.status();
  EXPECT_TRUE((*na)->live);
  EXPECT_EQ((*na)->key, "person/a");
  EXPECT_EQ(Decode(**na).SerializeAsString(), StoredNode(a).SerializeAsString());
  auto ne = cache.GetEdge(e);
  ASSERT_TRUE(ne.ok() && *ne);
  v1::Edge edge;
  ASSERT_TRUE(edge.ParseFromString(**ne));
  EXPECT_EQ(edge.from_key(), "person/a");
  EXPECT_EQ(edge.to_key(), "person/b");
  EXPECT_EQ(edge.weight(), 2);
  EXPECT_GT(cache.bytes(), 0u);

  // Both are cached now; commits must replace them.
  PutNode("person/a", "A renamed");
  PutEdge("person/a", "person/b", 5);  // Same (from, type, to, valid_from): an update.
  auto na2 = cache.GetNode(static_cast<uint32_t>(a));
  ASSERT_TRUE(na2.ok());
  EXPECT_EQ(Decode(**na2).name(), "A renamed");
  auto ne2 = cache.GetEdge(e);
  ASSERT_TRUE(ne2.ok() && *ne2);
  ASSERT_TRUE(edge.ParseFromString(**ne2));
  EXPECT_EQ(edge.weight(), 5);

  // Deleting a node deletes its edges: both must disappear from the cache.
  auto d = store_->DeleteNodes({NodeRef{NodeId(b), ""}}, false);
  ASSERT_TRUE(d.ok()) << d.status();
  auto nb = cache.GetNode(static_cast<uint32_t>(b));
  ASSERT_TRUE(nb.ok());
  EXPECT_FALSE((*nb)->live);
  auto ne3 = cache.GetEdge(e);
  ASSERT_TRUE(ne3.ok());
  EXPECT_EQ(*ne3, nullptr);
  store_->SetCommitListener(nullptr);
}

TEST_F(RecordCacheTest, PrefillLoadsEverythingThatFits) {
  std::vector<uint64_t> nodes, edges;
  for (int i = 0; i < 50; ++i) nodes.push_back(PutNode(absl::StrCat("person/", i), "P"));
  for (int i = 1; i < 50; ++i) {
    edges.push_back(PutEdge(absl::StrCat("person/", i - 1), absl::StrCat("person/", i), i));
  }
  RecordCache cache(*store_, 1 << 20);
  std::atomic<bool> stop{false};
  auto added = cache.Prefill(stop);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 99u);
  // The prefilled records are the stored ones.
  for (uint64_t id : nodes) {
    auto n = cache.GetNode(static_cast<uint32_t>(id));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(Decode(**n).SerializeAsString(), StoredNode(id).SerializeAsString());
  }
  for (uint64_t id : edges) {
    auto e = cache.GetEdge(id);
    ASSERT_TRUE(e.ok() && *e);
    EXPECT_EQ(**e, StoredEdge(id).SerializeAsString());
  }

  // A small budget: prefill stops when full and the cache stays within it.
  RecordCache small(*store_, 2048);
  auto some = small.Prefill(stop);
  ASSERT_TRUE(some.ok());
  EXPECT_GT(*some, 0u);
  EXPECT_LT(*some, 99u);
  EXPECT_LE(small.bytes(), 2048u);
  for (uint64_t id : edges) ASSERT_TRUE(small.GetEdge(id).ok());
  EXPECT_LE(small.bytes(), 2048u);
}

TEST_F(RecordCacheTest, NoBudgetReadsThroughAndKeepsNothing) {
  const uint64_t a = PutNode("person/a", "A");
  RecordCache cache(*store_, 0);
  auto n = cache.GetNode(static_cast<uint32_t>(a));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->key, "person/a");
  EXPECT_EQ(cache.bytes(), 0u);
  // No listener: a store write is still seen, since nothing was kept.
  PutNode("person/a", "A2");
  n = cache.GetNode(static_cast<uint32_t>(a));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Decode(**n).name(), "A2");
  auto missing = cache.GetNode(12345);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE((*missing)->live);
}

TEST_F(RecordCacheTest, AppendNeighborEncodesTheSameMessageAsBuildingIt) {
  const uint64_t a = PutNode("person/a", "A", {"Alpha", "Al"});
  const uint64_t b = PutNode("person/b", "B");
  const uint64_t e = PutEdge("person/a", "person/b", 3);
  RecordCache cache(*store_, 1 << 20);
  store_->SetCommitListener([&](const ChangeSet& c) { cache.Apply(c); });
  AnswerBuilder answers(cache);
  for (bool outgoing : {true, false}) {
    std::string bytes;
    auto live =
        answers.AppendNeighbor(e, static_cast<uint32_t>(outgoing ? b : a), outgoing, &bytes);
    ASSERT_TRUE(live.ok()) << live.status();
    EXPECT_TRUE(*live);
    v1::Neighbor got;
    ASSERT_TRUE(got.ParseFromString(bytes));
    v1::Neighbor want;
    *want.mutable_edge() = StoredEdge(e);
    *want.mutable_node() = StoredNode(outgoing ? b : a);
    want.set_direction(outgoing ? v1::DIRECTION_OUT : v1::DIRECTION_IN);
    EXPECT_EQ(got.SerializeAsString(), want.SerializeAsString()) << got.DebugString();
  }
  // A deleted edge appends nothing.
  auto d = store_->DeleteEdges({EdgeId(e)}, {}, false);
  ASSERT_TRUE(d.ok()) << d.status();
  std::string bytes;
  auto live = answers.AppendNeighbor(e, static_cast<uint32_t>(b), true, &bytes);
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(*live);
  EXPECT_TRUE(bytes.empty());
  store_->SetCommitListener(nullptr);
}

}  // namespace
}  // namespace innograph::server
