#include "graph/store/store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

KindId Kind(absl::string_view name) { return Schema::Default()->FindKind(name)->id; }
TypeId Type(absl::string_view name) { return Schema::Default()->FindType(name)->id; }

Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

Node MakeNode(absl::string_view kind, std::string key, std::string name,
              std::vector<std::string> aliases = {}) {
  Node n;
  n.kind = Kind(kind);
  n.key = std::move(key);
  n.name = std::move(name);
  n.aliases = std::move(aliases);
  return n;
}

EdgeWrite MakeEdge(absl::string_view type, std::string from_key, std::string to_key,
                   const char* valid_from = nullptr) {
  EdgeWrite w;
  w.edge.type = Type(type);
  w.from_key = std::move(from_key);
  w.to_key = std::move(to_key);
  if (valid_from) w.edge.valid.from = D(valid_from);
  return w;
}

// Each test gets a fresh store in its own temporary directory, removed afterwards.
class StoreTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = absl::StrCat(testing::TempDir(), "innograph_store_test_", info->test_suite_name(), "_",
                        info->name(), "_", getpid());
    std::filesystem::remove_all(dir_);
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  GraphStore::Options StoreOptions() {
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    options.fail_write_for_testing = [this]() -> absl::Status {
      if (fail_writes_ == 0) return absl::OkStatus();
      --fail_writes_;
      return absl::UnavailableError("injected write failure");
    };
    return options;
  }

  // Closes the store (when open) and opens the same directory again.
  void Reopen() {
    store_.reset();
    auto opened = GraphStore::Open(dir_, StoreOptions());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  UpsertResult PutNodes(std::vector<Node> nodes) {
    auto r = store_->UpsertNodes(std::move(nodes));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : UpsertResult{};
  }

  UpsertResult PutEdges(std::vector<EdgeWrite> edges) {
    auto r = store_->UpsertEdges(std::move(edges));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : UpsertResult{};
  }

  // The id of the node with `key`; NodeId() when there is none.
  NodeId Id(absl::string_view key) {
    auto id = store_->FindKey(key);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() && *id ? **id : NodeId();
  }

  std::optional<Node> GetNode(NodeId id) {
    auto n = store_->GetNode(id);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : std::nullopt;
  }

  std::optional<Edge> GetEdge(uint64_t id) {
    auto e = store_->GetEdge(EdgeId(id));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : std::nullopt;
  }

  std::vector<Edge> Scan(NodeId node, EdgeDirection dir) {
    std::vector<Edge> out;
    absl::Status s = store_->ScanEdges(node, dir, "", [&](const Edge& e, absl::string_view) {
      out.push_back(e);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<uint64_t> ScanIds(NodeId node, EdgeDirection dir) {
    std::vector<uint64_t> ids;
    for (const Edge& e : Scan(node, dir)) ids.push_back(e.id.value);
    return ids;
  }

  std::vector<Edge> AllEdges() {
    std::vector<Edge> out;
    absl::Status s = store_->ForEachEdge([&](const Edge& e) {
      out.push_back(e);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<Node> AllNodes() {
    std::vector<Node> out;
    absl::Status s = store_->ForEachNode([&](const Node& n) {
      out.push_back(n);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // Keys of the search hits, in result order.
  std::vector<std::string> SearchKeys(std::string text, std::vector<KindId> kinds = {},
                                      uint32_t offset = 0, uint32_t limit = 20,
                                      bool* more = nullptr) {
    SearchQuery q;
    q.text = std::move(text);
    q.kinds = std::move(kinds);
    q.offset = offset;
    q.limit = limit;
    auto r = store_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> keys;
    if (!r.ok()) return keys;
    for (const Node& n : r->nodes) keys.push_back(n.key);
    if (more) *more = r->more;
    return keys;
  }

  // A few people, organisations and labs.
  void AddNodes() {
    UpsertResult r = PutNodes({
        MakeNode("Person", "person/a", "Alice Zhang"),
        MakeNode("Person", "person/b", "Bob Li"),
        MakeNode("Person", "person/c", "Chen Wei"),
        MakeNode("University", "univ/csu", "中南大学", {"Central South University", "CSU"}),
        MakeNode("Laboratory", "lab/xiangjiang", "湘江实验室", {"Xiangjiang Laboratory"}),
        MakeNode("Laboratory", "lab/yuelu-mountain", "岳麓山实验室", {"Yuelu Mountain Laboratory"}),
        MakeNode("Award", "award/hunan-2021", "湖南省科学技术进步奖", {"Hunan S&T Award 2021"}),
    });
    ASSERT_EQ(r.created, 7u);
  }

  std::string dir_;
  std::unique_ptr<GraphStore> store_;
  int fail_writes_ = 0;  // How many of the next writes fail_write_for_testing refuses.
};

// ---------------------------------------------------------------------------------------------
// Nodes

TEST_F(StoreTest, UpsertNodesThenGetByKeyAndId) {
  Node csu = MakeNode("University", "univ/csu", "中南大学", {"Central South University", "CSU"});
  csu.properties["founded"] = D("2000-04-29");
  csu.properties["abbreviation"] = std::string("CSU");
  csu.sources = {{"source/wikipedia", "list"}};
  Node zou = MakeNode("Person", "person/zou-xuexiao", "邹学校", {"Zou Xuexiao"});
  UpsertResult r = PutNodes({csu, zou});
  EXPECT_EQ(r.created, 2u);
  ASSERT_THAT(r.ids, ElementsAre(1u, 2u));  // Dense, from 1, in input order.

  EXPECT_EQ(Id("univ/csu"), NodeId(1));
  EXPECT_EQ(Id("person/zou-xuexiao"), NodeId(2));
  EXPECT_EQ(Id("univ/none"), NodeId());
  csu.id = NodeId(1);
  zou.id = NodeId(2);
  EXPECT_EQ(GetNode(NodeId(1)), csu);
  EXPECT_EQ(GetNode(NodeId(2)), zou);
  EXPECT_EQ(GetNode(NodeId(3)), std::nullopt);
  EXPECT_THAT(AllNodes(), ElementsAre(csu, zou));

  StoreCounts c = store_->counts();
  EXPECT_EQ(c.nodes, 2u);
  EXPECT_EQ(c.edges, 0u);
  EXPECT_EQ(c.by_kind[Kind("University").value], 1u);
  EXPECT_EQ(c.by_kind[Kind("Person").value], 1u);
  EXPECT_EQ(c.by_kind[Kind("Laboratory").value], 0u);
}

TEST_F(StoreTest, ResolveNamesTheMissingKeyOrId) {
  AddNodes();
  EXPECT_EQ(*store_->Resolve({NodeId(), "univ/csu"}, "from"), Id("univ/csu"));
  EXPECT_EQ(*store_->Resolve({Id("univ/csu"), ""}, "from"), Id("univ/csu"));
  auto missing = store_->Resolve({NodeId(), "univ/nowhere"}, "from");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("'univ/nowhere'"));
  EXPECT_EQ(store_->Resolve({NodeId(999), ""}, "to").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Resolve({NodeId(1), "univ/csu"}, "to").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Resolve({}, "to").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, UpsertIsIdempotentByKey) {
  const Node n = MakeNode("Laboratory", "lab/xiangjiang", "湘江实验室", {"Xiangjiang Laboratory"});
  UpsertResult first = PutNodes({n});
  UpsertResult second = PutNodes({n});
  EXPECT_EQ(first.created, 1u);
  EXPECT_EQ(second.created, 0u);
  EXPECT_EQ(first.ids, second.ids);
  EXPECT_EQ(store_->counts().nodes, 1u);
  EXPECT_EQ(store_->counts().by_kind[Kind("Laboratory").value], 1u);
  EXPECT_EQ(AllNodes().size(), 1u);
  EXPECT_THAT(SearchKeys("xiangjiang"), ElementsAre("lab/xiangjiang"));
}

TEST_F(StoreTest, UpsertReplacesFieldsAndSearchTokens) {
  PutNodes({MakeNode("Laboratory", "lab/x", "潇湘实验室", {"Xiaoxiang Laboratory"})});
  Node renamed = MakeNode("Laboratory", "lab/x", "麓山实验室", {"Lushan Laboratory"});
  renamed.properties["level"] = std::string("node");
  UpsertResult r = PutNodes({renamed});
  EXPECT_EQ(r.created, 0u);
  renamed.id = NodeId(r.ids[0]);
  EXPECT_EQ(GetNode(renamed.id), renamed);
  EXPECT_THAT(SearchKeys("xiaoxiang"), IsEmpty());
  EXPECT_THAT(SearchKeys("潇湘"), IsEmpty());
  EXPECT_THAT(SearchKeys("lushan"), ElementsAre("lab/x"));
  EXPECT_THAT(SearchKeys("麓山"), ElementsAre("lab/x"));
  EXPECT_THAT(SearchKeys("实验室"), ElementsAre("lab/x"));  // Kept token, one hit.
}

TEST_F(StoreTest, KeyGivenTwiceInOneBatchLaterWins) {
  UpsertResult r =
      PutNodes({MakeNode("Person", "person/a", "First name"), MakeNode("Person", "person/b", "Bob"),
                MakeNode("Person", "person/a", "Second name")});
  EXPECT_EQ(r.created, 2u);
  ASSERT_EQ(r.ids.size(), 3u);
  EXPECT_EQ(r.ids[0], r.ids[2]);
  EXPECT_NE(r.ids[0], r.ids[1]);
  EXPECT_EQ(GetNode(NodeId(r.ids[0]))->name, "Second name");
  EXPECT_EQ(store_->counts().nodes, 2u);
}

TEST_F(StoreTest, KindChangeIsRefused) {
  PutNodes({MakeNode("Person", "person/a", "Alice")});
  auto r = store_->UpsertNodes({MakeNode("University", "person/a", "Alice University")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("person/a"));
  EXPECT_THAT(r.status().message(), HasSubstr("'Person'"));
  EXPECT_EQ(GetNode(Id("person/a"))->name, "Alice");
  EXPECT_EQ(GetNode(Id("person/a"))->kind, Kind("Person"));
  EXPECT_EQ(store_->counts().by_kind[Kind("University").value], 0u);
}

TEST_F(StoreTest, InvalidNodeRefusesTheWholeBatch) {
  auto r = store_->UpsertNodes(
      {MakeNode("Person", "person/a", "Alice"), MakeNode("Person", "person/b", "")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("nodes[1]"));
  EXPECT_THAT(r.status().message(), HasSubstr("name: empty"));
  EXPECT_EQ(Id("person/a"), NodeId());
  EXPECT_EQ(store_->counts().nodes, 0u);
  // The refused batch used no ids.
  EXPECT_THAT(PutNodes({MakeNode("Person", "person/c", "Chen")}).ids, ElementsAre(1u));
}

TEST_F(StoreTest, EmptyBatchesAreRefused) {
  EXPECT_EQ(store_->UpsertNodes({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->UpsertEdges({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DeleteNodes({}, false).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DeleteEdges({}, {}, false).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Edges

TEST_F(StoreTest, EdgeDirectionsAgree) {
  AddNodes();
  EdgeWrite employed = MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001");
  employed.edge.valid.to = *ParseDate("2008", DateRounding::kEnd);
  employed.edge.properties["role"] = std::string("professor");
  employed.edge.sources = {{"source/x", "p. 1"}};
  UpsertResult r = PutEdges({
      employed, MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2012"),
      MakeEdge("EMPLOYED_BY", "person/b", "univ/csu"),
      MakeEdge("ADVISED", "person/a", "person/b", "1999"),
      MakeEdge("COLLABORATES_WITH", "person/b", "person/c"),
      MakeEdge("HOSTED_BY", "lab/xiangjiang", "univ/csu"),
      MakeEdge("RECEIVED", "person/c", "award/hunan-2021", "2023-02-24"),
      MakeEdge("ADVISED", "person/c", "person/c"),  // A self-loop.
  });
  EXPECT_EQ(r.created, 8u);
  EXPECT_THAT(r.ids, ElementsAre(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u));

  const std::vector<Edge> all = AllEdges();
  EXPECT_EQ(all.size(), store_->counts().edges);
  EXPECT_EQ(all.size(), 8u);
  std::vector<uint64_t> out_ids, in_ids;
  for (const Node& n : AllNodes()) {
    for (const Edge& e : Scan(n.id, EdgeDirection::kOut)) {
      EXPECT_EQ(e.from, n.id);
      out_ids.push_back(e.id.value);
    }
    for (const Edge& e : Scan(n.id, EdgeDirection::kIn)) {
      EXPECT_EQ(e.to, n.id);
      in_ids.push_back(e.id.value);
    }
  }
  EXPECT_THAT(out_ids, UnorderedElementsAre(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u));
  EXPECT_THAT(in_ids, UnorderedElementsAreArray(out_ids));
  // The same complete edge from every access path.
  for (const Edge& e : all) {
    EXPECT_EQ(GetEdge(e.id.value), e);
    std::vector<Edge> out = Scan(e.from, EdgeDirection::kOut);
    std::vector<Edge> in = Scan(e.to, EdgeDirection::kIn);
    EXPECT_EQ(std::count(out.begin(), out.end(), e), 1);
    EXPECT_EQ(std::count(in.begin(), in.end(), e), 1);
  }
  Edge first = *GetEdge(1);
  EXPECT_EQ(first.from, Id("person/a"));
  EXPECT_EQ(first.to, Id("univ/csu"));
  EXPECT_EQ(first.valid, (Interval{D("2001-01-01"), D("2008-12-31")}));
  EXPECT_EQ(first.properties, employed.edge.properties);
  EXPECT_EQ(first.sources, employed.edge.sources);
  // Scans are in key order: type, then other end, then edge id.
  EXPECT_THAT(ScanIds(Id("univ/csu"), EdgeDirection::kIn), ElementsAre(1u, 2u, 3u, 6u));
  EXPECT_THAT(ScanIds(Id("person/c"), EdgeDirection::kOut), ElementsAre(8u, 7u));
  EXPECT_THAT(ScanIds(Id("person/c"), EdgeDirection::kIn), ElementsAre(8u, 5u));

  StoreCounts c = store_->counts();
  EXPECT_EQ(c.by_type[Type("EMPLOYED_BY").value], 3u);
  EXPECT_EQ(c.by_type[Type("ADVISED").value], 2u);
  EXPECT_EQ(c.by_type[Type("RECEIVED").value], 1u);
}

TEST_F(StoreTest, ScanEdgesResumesAfterRawKey) {
  AddNodes();
  PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001"),
            MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2005"),
            MakeEdge("HEADS", "person/a", "lab/xiangjiang"),
            MakeEdge("ADVISED", "person/a", "person/b"),
            MakeEdge("ADVISED", "person/a", "person/c")});
  const NodeId a = Id("person/a");
  const std::vector<uint64_t> all = ScanIds(a, EdgeDirection::kOut);
  ASSERT_EQ(all.size(), 5u);
  std::vector<uint64_t> paged;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    int taken = 0;
    std::string last;
    ASSERT_TRUE(store_
                    ->ScanEdges(a, EdgeDirection::kOut, after,
                                [&](const Edge& e, absl::string_view raw) {
                                  paged.push_back(e.id.value);
                                  last = std::string(raw);
                                  return ++taken < 2;
                                })
                    .ok());
    if (taken == 0) break;
    after = last;
  }
  EXPECT_EQ(paged, all);
}

TEST_F(StoreTest, NaturalIdentityUpdatesInsteadOfAdding) {
  AddNodes();
  EdgeWrite w = MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001-09");
  UpsertResult first = PutEdges({w});
  w.edge.properties["role"] = std::string("dean");
  w.edge.valid.to = D("2008-06-30");
  UpsertResult again = PutEdges({w});
  EXPECT_EQ(first.created, 1u);
  EXPECT_EQ(again.created, 0u);
  EXPECT_EQ(again.ids, first.ids);
  EXPECT_EQ(store_->counts().edges, 1u);
  Edge stored = *GetEdge(first.ids[0]);
  EXPECT_EQ(stored.properties.at("role"), Value(std::string("dean")));
  EXPECT_EQ(stored.valid.to, D("2008-06-30"));

  // Another start date is another edge ("again from 2012").
  UpsertResult other = PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2012")});
  EXPECT_EQ(other.created, 1u);
  EXPECT_NE(other.ids[0], first.ids[0]);
  EXPECT_EQ(store_->counts().edges, 2u);
  EXPECT_EQ(store_->counts().by_type[Type("EMPLOYED_BY").value], 2u);
  EXPECT_EQ(AllEdges().size(), 2u);

  // An open start is an identity of its own, and is found again too.
  UpsertResult open1 = PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")});
  UpsertResult open2 = PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")});
  EXPECT_EQ(open1.created, 1u);
  EXPECT_EQ(open2.created, 0u);
  EXPECT_EQ(open1.ids, open2.ids);
  EXPECT_EQ(store_->counts().edges, 3u);
}

TEST_F(StoreTest, SameEdgeTwiceInOneBatchIsOneEdge) {
  AddNodes();
  EdgeWrite w = MakeEdge("ADVISED", "person/a", "person/b", "2000");
  EdgeWrite w2 = w;
  w2.edge.weight = 2.5;
  UpsertResult r = PutEdges({w, w2});
  EXPECT_EQ(r.created, 1u);
  ASSERT_EQ(r.ids.size(), 2u);
  EXPECT_EQ(r.ids[0], r.ids[1]);
  EXPECT_EQ(GetEdge(r.ids[0])->weight, 2.5);
  EXPECT_EQ(store_->counts().edges, 1u);
  EXPECT_EQ(AllEdges().size(), 1u);
}

TEST_F(StoreTest, UpsertEdgeById) {
  AddNodes();
  UpsertResult r = PutEdges({MakeEdge("ADVISED", "person/a", "person/b", "2000")});
  EdgeWrite update;  // Endpoints omitted: they are the stored edge's.
  update.edge.id = EdgeId(r.ids[0]);
  update.edge.type = Type("ADVISED");
  update.edge.valid.from = D("2001-03-01");
  update.edge.weight = 3;
  UpsertResult u = PutEdges({update});
  EXPECT_EQ(u.created, 0u);
  EXPECT_EQ(u.ids, r.ids);
  Edge stored = *GetEdge(r.ids[0]);
  EXPECT_EQ(stored.from, Id("person/a"));
  EXPECT_EQ(stored.to, Id("person/b"));
  EXPECT_EQ(stored.valid.from, D("2001-03-01"));
  EXPECT_EQ(stored.weight, 3.0);
  EXPECT_EQ(store_->counts().edges, 1u);
  EXPECT_THAT(Scan(Id("person/b"), EdgeDirection::kIn), ElementsAre(stored));
}

TEST_F(StoreTest, UpsertEdgeByUnknownIdIsNotFound) {
  AddNodes();
  EdgeWrite w = MakeEdge("ADVISED", "person/a", "person/b");
  w.edge.id = EdgeId(42);
  auto r = store_->UpsertEdges({w});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("42"));
  EXPECT_EQ(store_->counts().edges, 0u);
}

TEST_F(StoreTest, ChangingEdgeEndpointsOrTypeIsRefused) {
  AddNodes();
  UpsertResult r = PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001")});
  const Edge before = *GetEdge(r.ids[0]);

  EdgeWrite other_to = MakeEdge("EMPLOYED_BY", "person/a", "lab/xiangjiang", "2001");
  other_to.edge.id = before.id;
  auto moved = store_->UpsertEdges({other_to});
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(moved.status().message(), HasSubstr("cannot change"));

  EdgeWrite other_from = MakeEdge("EMPLOYED_BY", "person/b", "univ/csu", "2001");
  other_from.edge.id = before.id;
  EXPECT_EQ(store_->UpsertEdges({other_from}).status().code(),
            absl::StatusCode::kFailedPrecondition);

  EdgeWrite other_type = MakeEdge("AFFILIATED_WITH", "person/a", "univ/csu", "2001");
  other_type.edge.id = before.id;
  EXPECT_EQ(store_->UpsertEdges({other_type}).status().code(),
            absl::StatusCode::kFailedPrecondition);

  EXPECT_EQ(GetEdge(before.id.value), before);
  EXPECT_EQ(store_->counts().edges, 1u);
  EXPECT_THAT(Scan(Id("lab/xiangjiang"), EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(Scan(Id("person/b"), EdgeDirection::kOut), IsEmpty());
}

TEST_F(StoreTest, EdgeKeyIdentifiesOneEdge) {
  AddNodes();
  EdgeWrite w = MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001");
  w.edge.key = "job/a-csu";
  UpsertResult r = PutEdges({w});
  // Same key, another start date: the keyed edge is updated, not a second edge added.
  EdgeWrite later = MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2002");
  later.edge.key = "job/a-csu";
  UpsertResult u = PutEdges({later});
  EXPECT_EQ(u.created, 0u);
  EXPECT_EQ(u.ids, r.ids);
  EXPECT_EQ(GetEdge(r.ids[0])->valid.from, D("2002-01-01"));
  // The key cannot move to other endpoints.
  EdgeWrite elsewhere = MakeEdge("EMPLOYED_BY", "person/b", "univ/csu", "2002");
  elsewhere.edge.key = "job/a-csu";
  EXPECT_EQ(store_->UpsertEdges({elsewhere}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->counts().edges, 1u);
}

TEST_F(StoreTest, MissingEndpointKeyWritesNothingFromTheBatch) {
  AddNodes();
  PutEdges({MakeEdge("ADVISED", "person/a", "person/b")});
  const StoreCounts before = store_->counts();
  auto r = store_->UpsertEdges({
      MakeEdge("EMPLOYED_BY", "person/a", "univ/csu"),
      MakeEdge("EMPLOYED_BY", "person/b", "univ/csu"),
      MakeEdge("EMPLOYED_BY", "person/c", "univ/nowhere"),
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("'univ/nowhere'"));
  EXPECT_THAT(r.status().message(), HasSubstr("edges[2]"));

  const StoreCounts after = store_->counts();
  EXPECT_EQ(after.edges, before.edges);
  EXPECT_EQ(after.by_type, before.by_type);
  EXPECT_EQ(AllEdges().size(), 1u);
  EXPECT_THAT(Scan(Id("univ/csu"), EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(Scan(Id("person/a"), EdgeDirection::kOut), ElementsAre(*GetEdge(1)));
  EXPECT_EQ(GetEdge(2), std::nullopt);
  // The refused batch used no ids.
  EXPECT_THAT(PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")}).ids, ElementsAre(2u));
}

TEST_F(StoreTest, MissingEndpointIdIsNotFound) {
  AddNodes();
  EdgeWrite w;
  w.edge.type = Type("ADVISED");
  w.edge.from = Id("person/a");
  w.edge.to = NodeId(999);
  auto r = store_->UpsertEdges({w});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("999"));
  EXPECT_EQ(store_->counts().edges, 0u);
}

TEST_F(StoreTest, EdgeEndpointKindsAreChecked) {
  AddNodes();
  auto r = store_->UpsertEdges({MakeEdge("EMPLOYED_BY", "award/hunan-2021", "univ/csu")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("edge type 'EMPLOYED_BY' cannot start at kind "
                                              "'Award'"));
  EdgeWrite point = MakeEdge("RECEIVED", "person/a", "award/hunan-2021", "2023-02-24");
  point.edge.valid.to = D("2023-12-31");
  EXPECT_EQ(store_->UpsertEdges({point}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->counts().edges, 0u);
}

// ---------------------------------------------------------------------------------------------
// Deletes

TEST_F(StoreTest, DeleteNodesCascadesEdges) {
  AddNodes();
  PutEdges({
      MakeEdge("ADVISED", "person/a", "person/b"),              // 1: into b.
      MakeEdge("ADVISED", "person/b", "person/c"),              // 2: out of b.
      MakeEdge("ADVISED", "person/c", "person/a"),              // 3: not b's.
      MakeEdge("ADVISED", "person/b", "person/b"),              // 4: b's self-loop.
      MakeEdge("EMPLOYED_BY", "person/b", "univ/csu"),          // 5: out of b.
      MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001"),  // 6: not b's.
  });
  const NodeId a = Id("person/a"), b = Id("person/b"), c = Id("person/c");
  auto r = store_->DeleteNodes({{NodeId(), "person/b"}}, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->nodes, 1u);
  EXPECT_EQ(r->edges, 4u);

  EXPECT_EQ(GetNode(b), std::nullopt);
  EXPECT_EQ(Id("person/b"), NodeId());
  for (uint64_t gone : {1u, 2u, 4u, 5u}) EXPECT_EQ(GetEdge(gone), std::nullopt) << gone;
  EXPECT_NE(GetEdge(3), std::nullopt);
  EXPECT_NE(GetEdge(6), std::nullopt);
  EXPECT_THAT(Scan(b, EdgeDirection::kOut), IsEmpty());
  EXPECT_THAT(Scan(b, EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(ScanIds(a, EdgeDirection::kOut), ElementsAre(6u));
  EXPECT_THAT(ScanIds(a, EdgeDirection::kIn), ElementsAre(3u));
  EXPECT_THAT(ScanIds(c, EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(ScanIds(Id("univ/csu"), EdgeDirection::kIn), ElementsAre(6u));
  EXPECT_THAT(SearchKeys("bob"), IsEmpty());

  StoreCounts counts = store_->counts();
  EXPECT_EQ(counts.nodes, 6u);
  EXPECT_EQ(counts.by_kind[Kind("Person").value], 2u);
  EXPECT_EQ(counts.edges, 2u);
  EXPECT_EQ(counts.by_type[Type("ADVISED").value], 1u);
  EXPECT_EQ(counts.by_type[Type("EMPLOYED_BY").value], 1u);
  EXPECT_EQ(AllEdges().size(), counts.edges);
  EXPECT_EQ(AllNodes().size(), counts.nodes);
}

TEST_F(StoreTest, DeleteNodesInOneBatchRemovesSharedEdgesOnce) {
  AddNodes();
  PutEdges(
      {MakeEdge("ADVISED", "person/a", "person/b"), MakeEdge("ADVISED", "person/b", "person/a"),
       MakeEdge("ADVISED", "person/a", "person/a"), MakeEdge("ADVISED", "person/c", "person/a")});
  auto r = store_->DeleteNodes({{NodeId(), "person/a"}, {Id("person/b"), ""}}, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->nodes, 2u);
  EXPECT_EQ(r->edges, 4u);
  EXPECT_EQ(store_->counts().edges, 0u);
  EXPECT_EQ(store_->counts().by_type[Type("ADVISED").value], 0u);
  EXPECT_EQ(store_->counts().nodes, 5u);
  EXPECT_THAT(AllEdges(), IsEmpty());
}

TEST_F(StoreTest, DeleteSameNodeTwiceInOneBatchCountsOnce) {
  AddNodes();
  auto r = store_->DeleteNodes({{NodeId(), "person/a"}, {Id("person/a"), ""}}, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->nodes, 1u);
  EXPECT_EQ(store_->counts().nodes, 6u);
  EXPECT_EQ(store_->counts().by_kind[Kind("Person").value], 2u);
}

TEST_F(StoreTest, DeleteNodesAllowMissing) {
  AddNodes();
  const NodeId a = Id("person/a");
  // Without allow_missing a missing node fails the whole batch.
  auto strict = store_->DeleteNodes({{a, ""}, {NodeId(), "person/nobody"}}, false);
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(strict.status().message(), HasSubstr("'person/nobody'"));
  EXPECT_NE(GetNode(a), std::nullopt);
  EXPECT_EQ(store_->DeleteNodes({{NodeId(12345), ""}}, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->counts().nodes, 7u);

  // With allow_missing missing nodes are skipped.
  auto lenient =
      store_->DeleteNodes({{a, ""}, {NodeId(), "person/nobody"}, {NodeId(12345), ""}}, true);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_EQ(lenient->nodes, 1u);
  EXPECT_EQ(GetNode(a), std::nullopt);
  auto nothing = store_->DeleteNodes({{NodeId(), "person/nobody"}}, true);
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_EQ(nothing->nodes, 0u);
  EXPECT_EQ(store_->counts().nodes, 6u);

  // A ref with both or neither of key and id is refused either way.
  EXPECT_EQ(store_->DeleteNodes({{Id("person/b"), "person/b"}}, true).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, DeleteEdgesByIdAndKey) {
  AddNodes();
  EdgeWrite keyed = MakeEdge("ADVISED", "person/a", "person/c");
  keyed.edge.key = "advised/a-c";
  UpsertResult r = PutEdges({MakeEdge("ADVISED", "person/a", "person/b"), keyed,
                             MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")});
  auto d = store_->DeleteEdges({EdgeId(r.ids[0])}, {"advised/a-c"}, false);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->edges, 2u);
  EXPECT_EQ(d->nodes, 0u);
  EXPECT_EQ(GetEdge(r.ids[0]), std::nullopt);
  EXPECT_EQ(GetEdge(r.ids[1]), std::nullopt);
  EXPECT_THAT(ScanIds(Id("person/a"), EdgeDirection::kOut), ElementsAre(r.ids[2]));
  EXPECT_THAT(Scan(Id("person/b"), EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(Scan(Id("person/c"), EdgeDirection::kIn), IsEmpty());
  EXPECT_EQ(store_->counts().edges, 1u);
  EXPECT_EQ(store_->counts().by_type[Type("ADVISED").value], 0u);
  EXPECT_EQ(store_->counts().nodes, 7u);  // Nodes stay.

  // The key is free again: a new edge takes it, with a new id.
  EdgeWrite reuse = MakeEdge("ADVISED", "person/b", "person/c");
  reuse.edge.key = "advised/a-c";
  UpsertResult again = PutEdges({reuse});
  EXPECT_EQ(again.created, 1u);
  EXPECT_GT(again.ids[0], r.ids[2]);
}

TEST_F(StoreTest, DeleteEdgeGivenByIdAndKeyCountsOnce) {
  AddNodes();
  EdgeWrite keyed = MakeEdge("ADVISED", "person/a", "person/c");
  keyed.edge.key = "advised/a-c";
  UpsertResult r = PutEdges({keyed});
  auto d = store_->DeleteEdges({EdgeId(r.ids[0])}, {"advised/a-c"}, false);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->edges, 1u);
  EXPECT_EQ(store_->counts().edges, 0u);
}

TEST_F(StoreTest, DeleteEdgesAllowMissing) {
  AddNodes();
  UpsertResult r = PutEdges({MakeEdge("ADVISED", "person/a", "person/b")});
  auto strict = store_->DeleteEdges({EdgeId(r.ids[0]), EdgeId(77)}, {}, false);
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(strict.status().message(), HasSubstr("77"));
  auto strict_key = store_->DeleteEdges({}, {"no/such-key"}, false);
  EXPECT_EQ(strict_key.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(strict_key.status().message(), HasSubstr("'no/such-key'"));
  EXPECT_NE(GetEdge(r.ids[0]), std::nullopt);
  EXPECT_EQ(store_->counts().edges, 1u);

  auto lenient = store_->DeleteEdges({EdgeId(r.ids[0]), EdgeId(77)}, {"no/such-key"}, true);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_EQ(lenient->edges, 1u);
  EXPECT_EQ(store_->counts().edges, 0u);
  auto nothing = store_->DeleteEdges({EdgeId(r.ids[0])}, {}, true);
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_EQ(nothing->edges, 0u);
}

TEST_F(StoreTest, IdsAreNeverReusedAfterDelete) {
  AddNodes();  // Node ids 1-7.
  UpsertResult e = PutEdges(
      {MakeEdge("ADVISED", "person/a", "person/b"), MakeEdge("ADVISED", "person/b", "person/c")});
  ASSERT_THAT(e.ids, ElementsAre(1u, 2u));
  // Delete the newest node and edge, then add new ones.
  ASSERT_TRUE(store_->DeleteEdges({EdgeId(2)}, {}, false).ok());
  ASSERT_TRUE(store_->DeleteNodes({{NodeId(7), ""}}, false).ok());
  EXPECT_THAT(PutNodes({MakeNode("Person", "person/d", "Dai")}).ids, ElementsAre(8u));
  EXPECT_THAT(PutEdges({MakeEdge("ADVISED", "person/b", "person/c")}).ids, ElementsAre(3u));
  // Re-adding a deleted key gives a new id too.
  EXPECT_THAT(PutNodes({MakeNode("Award", "award/hunan-2021", "Award")}).ids, ElementsAre(9u));

  // The counters survive a reopen, also when the newest ids were deleted.
  ASSERT_TRUE(store_->DeleteNodes({{NodeId(9), ""}, {NodeId(8), ""}}, false).ok());
  ASSERT_TRUE(store_->DeleteEdges({EdgeId(3)}, {}, false).ok());
  Reopen();
  EXPECT_THAT(PutNodes({MakeNode("Person", "person/e", "Ezra")}).ids, ElementsAre(10u));
  EXPECT_THAT(PutEdges({MakeEdge("ADVISED", "person/c", "person/e")}).ids, ElementsAre(4u));
}

// ---------------------------------------------------------------------------------------------
// Durability and failures

TEST_F(StoreTest, ReopenKeepsEverything) {
  AddNodes();
  PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu", "2001"),
            MakeEdge("HOSTED_BY", "lab/xiangjiang", "univ/csu"),
            MakeEdge("ADVISED", "person/a", "person/a")});
  ASSERT_TRUE(store_->DeleteNodes({{NodeId(), "person/c"}}, false).ok());
  const std::vector<Node> nodes = AllNodes();
  const std::vector<Edge> edges = AllEdges();
  const StoreCounts counts = store_->counts();
  const std::vector<uint64_t> csu_in = ScanIds(Id("univ/csu"), EdgeDirection::kIn);

  Reopen();
  EXPECT_EQ(AllNodes(), nodes);
  EXPECT_EQ(AllEdges(), edges);
  const StoreCounts reopened = store_->counts();
  EXPECT_EQ(reopened.nodes, counts.nodes);
  EXPECT_EQ(reopened.edges, counts.edges);
  EXPECT_EQ(reopened.by_kind, counts.by_kind);
  EXPECT_EQ(reopened.by_type, counts.by_type);
  EXPECT_EQ(reopened.nodes, 6u);
  EXPECT_EQ(reopened.edges, 3u);
  for (const Node& n : nodes) {
    EXPECT_EQ(Id(n.key), n.id);
    EXPECT_EQ(GetNode(n.id), n);
  }
  EXPECT_EQ(ScanIds(Id("univ/csu"), EdgeDirection::kIn), csu_in);
  EXPECT_THAT(SearchKeys("xiangjiang"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("chen"), IsEmpty());
  EXPECT_EQ(store_->schema()->json(), Schema::DefaultJson());
  // The id counters continue.
  EXPECT_THAT(PutNodes({MakeNode("Person", "person/z", "Zed")}).ids, ElementsAre(8u));
  EXPECT_THAT(PutEdges({MakeEdge("ADVISED", "person/z", "person/a")}).ids, ElementsAre(4u));
}

TEST_F(StoreTest, ExistingStoreKeepsItsSchema) {
  auto tiny = Schema::FromJson(R"({
    "name": "tiny",
    "node_kinds": [{"id": 1, "name": "Thing"}],
    "edge_types": [{"id": 1, "name": "LINKS", "from": ["Thing"], "to": ["Thing"]}]})");
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  const std::string dir = dir_ + "_tiny";
  std::filesystem::remove_all(dir);
  {
    GraphStore::Options options = StoreOptions();
    options.schema = *tiny;
    auto s = GraphStore::Open(dir, options);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ((*s)->schema()->name(), "tiny");
  }
  {
    auto s = GraphStore::Open(dir, StoreOptions());  // Asks for the default schema.
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ((*s)->schema()->name(), "tiny");
    EXPECT_EQ((*s)->schema()->json(), (*tiny)->json());
  }
  std::filesystem::remove_all(dir);
}

TEST_F(StoreTest, FailedNodeWriteLeavesNothingBehind) {
  AddNodes();
  const StoreCounts before = store_->counts();
  int commits = 0;
  store_->SetCommitListener([&](const ChangeSet&) { ++commits; });

  fail_writes_ = 1;
  auto r = store_->UpsertNodes(
      {MakeNode("Laboratory", "lab/furong", "芙蓉实验室", {"Furong Laboratory"}),
       MakeNode("Person", "person/a", "Alice Renamed")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("injected write failure"));
  EXPECT_EQ(commits, 0);

  EXPECT_EQ(Id("lab/furong"), NodeId());
  EXPECT_EQ(GetNode(NodeId(8)), std::nullopt);
  EXPECT_EQ(GetNode(Id("person/a"))->name, "Alice Zhang");
  EXPECT_THAT(SearchKeys("furong"), IsEmpty());
  EXPECT_THAT(SearchKeys("芙蓉"), IsEmpty());
  EXPECT_THAT(SearchKeys("renamed"), IsEmpty());
  EXPECT_EQ(AllNodes().size(), 7u);
  StoreCounts after = store_->counts();
  EXPECT_EQ(after.nodes, before.nodes);
  EXPECT_EQ(after.by_kind, before.by_kind);

  // The next write works and the ids continue densely.
  UpsertResult ok = PutNodes({MakeNode("Laboratory", "lab/furong", "芙蓉实验室")});
  EXPECT_THAT(ok.ids, ElementsAre(8u));
  EXPECT_EQ(ok.created, 1u);
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(store_->counts().nodes, 8u);
  EXPECT_THAT(SearchKeys("芙蓉"), ElementsAre("lab/furong"));
  Reopen();
  EXPECT_EQ(store_->counts().nodes, 8u);
  EXPECT_THAT(PutNodes({MakeNode("Person", "person/z", "Zed")}).ids, ElementsAre(9u));
}

TEST_F(StoreTest, FailedEdgeWriteLeavesNothingBehind) {
  AddNodes();
  PutEdges({MakeEdge("ADVISED", "person/a", "person/b")});
  const StoreCounts before = store_->counts();

  fail_writes_ = 1;
  EdgeWrite update = MakeEdge("ADVISED", "person/a", "person/b");  // Updates edge 1.
  update.edge.weight = 9;
  auto r = store_->UpsertEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu"),
                                MakeEdge("ADVISED", "person/c", "person/c"), update});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);

  EXPECT_EQ(GetEdge(2), std::nullopt);
  EXPECT_EQ(GetEdge(3), std::nullopt);
  EXPECT_EQ(GetEdge(1)->weight, 1.0);
  EXPECT_THAT(ScanIds(Id("person/a"), EdgeDirection::kOut), ElementsAre(1u));
  EXPECT_THAT(Scan(Id("univ/csu"), EdgeDirection::kIn), IsEmpty());
  EXPECT_THAT(Scan(Id("person/c"), EdgeDirection::kOut), IsEmpty());
  EXPECT_THAT(Scan(Id("person/c"), EdgeDirection::kIn), IsEmpty());
  EXPECT_EQ(AllEdges().size(), 1u);
  EXPECT_EQ(store_->counts().edges, before.edges);
  EXPECT_EQ(store_->counts().by_type, before.by_type);

  UpsertResult ok = PutEdges({MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")});
  EXPECT_THAT(ok.ids, ElementsAre(2u));
  EXPECT_EQ(store_->counts().edges, 2u);
  Reopen();
  EXPECT_EQ(store_->counts().edges, 2u);
  EXPECT_THAT(PutEdges({MakeEdge("ADVISED", "person/c", "person/c")}).ids, ElementsAre(3u));
}

TEST_F(StoreTest, FailedDeleteLeavesEverything) {
  AddNodes();
  PutEdges({MakeEdge("ADVISED", "person/a", "person/b"),
            MakeEdge("EMPLOYED_BY", "person/a", "univ/csu")});
  const std::vector<Edge> edges = AllEdges();
  const StoreCounts before = store_->counts();

  fail_writes_ = 1;
  EXPECT_EQ(store_->DeleteNodes({{NodeId(), "person/a"}}, false).status().code(),
            absl::StatusCode::kUnavailable);
  fail_writes_ = 1;
  EXPECT_EQ(store_->DeleteEdges({EdgeId(1)}, {}, false).status().code(),
            absl::StatusCode::kUnavailable);

  EXPECT_NE(GetNode(Id("person/a")), std::nullopt);
  EXPECT_THAT(SearchKeys("alice"), ElementsAre("person/a"));
  EXPECT_EQ(AllEdges(), edges);
  EXPECT_EQ(ScanIds(Id("person/b"), EdgeDirection::kIn), std::vector<uint64_t>{1u});
  EXPECT_EQ(store_->counts().nodes, before.nodes);
  EXPECT_EQ(store_->counts().edges, before.edges);
  EXPECT_EQ(store_->counts().by_kind, before.by_kind);
  EXPECT_EQ(store_->counts().by_type, before.by_type);

  auto d = store_->DeleteNodes({{NodeId(), "person/a"}}, false);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->edges, 2u);
  EXPECT_EQ(store_->counts().edges, 0u);
}

TEST_F(StoreTest, SecondOpenOfSameDirectoryFails) {
  auto second = GraphStore::Open(dir_, StoreOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr(dir_));
  // The first store is unaffected, and the directory opens again once it is closed.
  PutNodes({MakeNode("Person", "person/a", "Alice")});
  store_.reset();
  auto third = GraphStore::Open(dir_, StoreOptions());
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ((*third)->counts().nodes, 1u);
}

TEST_F(StoreTest, CommitListenerSeesEveryCommittedChange) {
  std::vector<ChangeSet> changes;
  store_->SetCommitListener([&](const ChangeSet& c) { changes.push_back(c); });
  AddNodes();
  PutEdges({MakeEdge("ADVISED", "person/a", "person/b"),
            MakeEdge("EMPLOYED_BY", "person/b", "univ/csu")});
  ASSERT_TRUE(store_->DeleteNodes({{NodeId(), "person/b"}}, false).ok());
  fail_writes_ = 1;
  EXPECT_FALSE(store_->UpsertNodes({MakeNode("Person", "person/x", "X")}).ok());
  store_->SetCommitListener(nullptr);

  ASSERT_EQ(changes.size(), 3u);  // The failed write is not reported.
  EXPECT_EQ(changes[0].nodes_upserted.size(), 7u);
  EXPECT_EQ(changes[0].nodes_upserted[0].id, NodeId(1));
  EXPECT_EQ(changes[0].nodes_upserted[0].key, "person/a");
  ASSERT_EQ(changes[1].edges_upserted.size(), 2u);
  EXPECT_EQ(changes[1].edges_upserted[0].id, EdgeId(1));
  EXPECT_EQ(changes[1].edges_upserted[0].from, Id("person/a"));
  EXPECT_THAT(changes[2].nodes_deleted, ElementsAre(NodeId(2)));
  EXPECT_EQ(changes[2].edges_deleted.size(), 2u);
  EXPECT_LT(changes[0].sequence, changes[1].sequence);
  EXPECT_LT(changes[1].sequence, changes[2].sequence);
  // Change sequences are the change log's: dense from 1, the last one is last_change().
  EXPECT_EQ(changes[0].sequence, 1u);
  EXPECT_EQ(changes[2].sequence, 3u);
  EXPECT_EQ(changes[2].sequence, store_->last_change());
}

TEST_F(StoreTest, ChangeLogReplaysEveryCommitInOrderAfterReopen) {
  ASSERT_TRUE(
      store_
          ->UpsertNodes({MakeNode("Person", "person/a", "A"), MakeNode("Person", "person/b", "B")})
          .ok());
  ASSERT_TRUE(store_->DeleteNodes({NodeRef{NodeId(), "person/b"}}, false).ok());
  Reopen();
  std::vector<uint64_t> seqs;
  std::vector<size_t> upserts, deletes;
  ASSERT_TRUE(store_
                  ->ReadChanges(0, 100,
                                [&](const ChangeSet& c) {
                                  seqs.push_back(c.sequence);
                                  upserts.push_back(c.nodes_upserted.size());
                                  deletes.push_back(c.nodes_deleted.size());
                                  return true;
                                })
                  .ok());
  EXPECT_THAT(seqs, ElementsAre(1u, 2u));
  EXPECT_THAT(upserts, ElementsAre(2u, 0u));
  EXPECT_THAT(deletes, ElementsAre(0u, 1u));
  EXPECT_EQ(store_->last_change(), 2u);
  EXPECT_EQ(store_->first_change(), 1u);
}

TEST_F(StoreTest, ConcurrentWritersGetDenseUniqueIds) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> node_ids(kThreads), edge_ids(kThreads);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      SearchQuery q;
      q.text = "worker";
      EXPECT_TRUE(store_->Search(q).ok());
      (void)store_->counts();
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Node> nodes;
        for (int i = 0; i < kPerBatch; ++i) {
          nodes.push_back(MakeNode("Person", absl::StrCat("person/w", t, "-", b, "-", i),
                                   absl::StrCat("Worker ", t, " ", b, " ", i)));
        }
        auto r = store_->UpsertNodes(nodes);
        ASSERT_TRUE(r.ok()) << r.status();
        node_ids[t].insert(node_ids[t].end(), r->ids.begin(), r->ids.end());
        std::vector<EdgeWrite> edges;
        for (int i = 1; i < kPerBatch; ++i) {
          edges.push_back(MakeEdge("ADVISED", nodes[0].key, nodes[i].key));
        }
        auto e = store_->UpsertEdges(edges);
        ASSERT_TRUE(e.ok()) << e.status();
        edge_ids[t].insert(edge_ids[t].end(), e->ids.begin(), e->ids.end());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  done = true;
  reader.join();

  std::vector<uint64_t> all_nodes, all_edges;
  for (int t = 0; t < kThreads; ++t) {
    all_nodes.insert(all_nodes.end(), node_ids[t].begin(), node_ids[t].end());
    all_edges.insert(all_edges.end(), edge_ids[t].begin(), edge_ids[t].end());
  }
  std::sort(all_nodes.begin(), all_nodes.end());
  std::sort(all_edges.begin(), all_edges.end());
  const size_t n = kThreads * kBatches * kPerBatch;
  const size_t m = kThreads * kBatches * (kPerBatch - 1);
  ASSERT_EQ(all_nodes.size(), n);
  ASSERT_EQ(all_edges.size(), m);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(all_nodes[i], i + 1);
  for (size_t i = 0; i < m; ++i) EXPECT_EQ(all_edges[i], i + 1);
  EXPECT_EQ(store_->counts().nodes, n);
  EXPECT_EQ(store_->counts().edges, m);
  EXPECT_EQ(AllEdges().size(), m);
}

// ---------------------------------------------------------------------------------------------
// Search

TEST_F(StoreTest, SearchFindsEnglishAliasPrefix) {
  AddNodes();
  EXPECT_THAT(SearchKeys("xiang"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("Xiangjiang Laboratory"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("XIANGJIANG"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("central"), ElementsAre("univ/csu"));
  EXPECT_THAT(SearchKeys("south univ"), ElementsAre("univ/csu"));
  EXPECT_THAT(SearchKeys("laboratory"),
              UnorderedElementsAre("lab/xiangjiang", "lab/yuelu-mountain"));
  EXPECT_THAT(SearchKeys("central laboratory"), IsEmpty());  // Every word must match.
  EXPECT_THAT(SearchKeys("iangjiang"), IsEmpty());           // Words match by prefix only.
}

TEST_F(StoreTest, SearchFindsChineseSubstring) {
  AddNodes();
  EXPECT_THAT(SearchKeys("实验室"), UnorderedElementsAre("lab/xiangjiang", "lab/yuelu-mountain"));
  EXPECT_THAT(SearchKeys("岳麓山实验室"), ElementsAre("lab/yuelu-mountain"));
  EXPECT_THAT(SearchKeys("麓山"), ElementsAre("lab/yuelu-mountain"));
  EXPECT_THAT(SearchKeys("湘江"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("南大"), ElementsAre("univ/csu"));
  EXPECT_THAT(SearchKeys("湘江 laboratory"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("北京"), IsEmpty());
}

TEST_F(StoreTest, SearchFindsLongChineseNameByItsFullName) {
  // Company names are often longer than the 8-character CJK index tokens.
  PutNodes({MakeNode("Enterprise", "ent/hunan-aircraft", "湖南飞机起降系统技术研发有限公司"),
            MakeNode("Award", "award/hunan-2021", "湖南省科学技术进步奖")});
  EXPECT_THAT(SearchKeys("湖南飞机起降系统"), ElementsAre("ent/hunan-aircraft"));
  EXPECT_THAT(SearchKeys("技术研发有限公司"), ElementsAre("ent/hunan-aircraft"));
  EXPECT_THAT(SearchKeys("湖南省科学技术进步奖"), ElementsAre("award/hunan-2021"));
  EXPECT_THAT(SearchKeys("湖南飞机起降系统技术研发有限公司"), ElementsAre("ent/hunan-aircraft"));
}

TEST_F(StoreTest, SearchFindsByKey) {
  AddNodes();
  EXPECT_THAT(SearchKeys("lab/xiangjiang"), ElementsAre("lab/xiangjiang"));
  EXPECT_THAT(SearchKeys("univ/csu"), ElementsAre("univ/csu"));
  EXPECT_THAT(SearchKeys("yuelu-mountain"), ElementsAre("lab/yuelu-mountain"));
}

TEST_F(StoreTest, SearchFiltersByKind) {
  AddNodes();
  EXPECT_THAT(SearchKeys("实验室", {Kind("University")}), IsEmpty());
  EXPECT_THAT(SearchKeys("实验室", {Kind("Laboratory")}),
              UnorderedElementsAre("lab/xiangjiang", "lab/yuelu-mountain"));
  EXPECT_THAT(SearchKeys("central", {Kind("University"), Kind("Person")}), ElementsAre("univ/csu"));
  EXPECT_THAT(SearchKeys("central", {Kind("Laboratory")}), IsEmpty());
}

TEST_F(StoreTest, SearchRanksExactMatchFirst) {
  PutNodes({MakeNode("ResearchInstitute", "inst/csu-x", "CSU-X"),
            MakeNode("University", "univ/csu", "中南大学", {"Central South University", "CSU"})});
  // univ/csu has an alias equal to the query; inst/csu-x's name only starts with it.
  EXPECT_THAT(SearchKeys("csu"), ElementsAre("univ/csu", "inst/csu-x"));
}

TEST_F(StoreTest, SearchPages) {
  std::vector<Node> nodes;
  for (int i = 1; i <= 5; ++i) {
    nodes.push_back(MakeNode("Team", absl::StrCat("team/alpha-", i), absl::StrCat("Alpha ", i)));
  }
  PutNodes(nodes);
  bool more = false;
  // Equal scores and name lengths: ordered by id.
  EXPECT_THAT(SearchKeys("alpha", {}, 0, 2, &more), ElementsAre("team/alpha-1", "team/alpha-2"));
  EXPECT_TRUE(more);
  EXPECT_THAT(SearchKeys("alpha", {}, 2, 2, &more), ElementsAre("team/alpha-3", "team/alpha-4"));
  EXPECT_TRUE(more);
  EXPECT_THAT(SearchKeys("alpha", {}, 4, 2, &more), ElementsAre("team/alpha-5"));
  EXPECT_FALSE(more);
  EXPECT_THAT(SearchKeys("alpha", {}, 3, 2, &more), ElementsAre("team/alpha-4", "team/alpha-5"));
  EXPECT_FALSE(more);
  EXPECT_THAT(SearchKeys("alpha", {}, 5, 2, &more), IsEmpty());
  EXPECT_FALSE(more);
  EXPECT_EQ(SearchKeys("alpha", {}, 0, 20, &more).size(), 5u);
  EXPECT_FALSE(more);
}

TEST_F(StoreTest, SearchRefusesQueryWithoutWords) {
  for (const char* text : {"", "   ", "-/.", "（）"}) {
    SearchQuery q;
    q.text = text;
    EXPECT_EQ(store_->Search(q).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace innograph
