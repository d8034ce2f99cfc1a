// GraphStore::Check: a store written through the API checks clean; damage made behind the
// store's back (one direction of an edge, an index entry) is reported.

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "graph/store/key_codec.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace innograph {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/check_test_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                        getpid());
    std::filesystem::remove_all(dir_);
    auto store = GraphStore::Open(dir_, GraphStore::Options());
    ASSERT_TRUE(store.ok()) << store.status();
    const Schema& schema = *Schema::Default();
    std::vector<Node> nodes(3);
    for (int i = 0; i < 3; ++i) {
      nodes[i].kind = schema.FindKind(i < 2 ? "Person" : "University")->id;
      nodes[i].key = absl::StrCat(i < 2 ? "person/" : "univ/", i);
      nodes[i].name = absl::StrCat("N", i);
    }
    ASSERT_TRUE((*store)->UpsertNodes(nodes).ok());
    std::vector<EdgeWrite> edges(2);
    edges[0].edge.type = schema.FindType("EMPLOYED_BY")->id;
    edges[0].from_key = "person/0";
    edges[0].to_key = "univ/2";
    edges[1].edge.type = schema.FindType("COLLABORATES_WITH")->id;
    edges[1].from_key = "person/0";
    edges[1].to_key = "person/1";
    edges[1].edge.key = "collab/0-1";
    ASSERT_TRUE((*store)->UpsertEdges(edges).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CheckReport Check() {
    auto store = GraphStore::Open(dir_, GraphStore::Options());
    EXPECT_TRUE(store.ok()) << store.status();
    auto report = (*store)->Check();
    EXPECT_TRUE(report.ok()) << report.status();
    return *report;
  }

  // Deletes one raw key from a column family, behind the store's back.
  void Damage(store_internal::Cf cf, const std::string& key) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : store_internal::kCfNames) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[cf], key).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }

  std::string dir_;
};

TEST_F(CheckTest, StoreWrittenThroughTheApiIsClean) {
  CheckReport r = Check();
  EXPECT_EQ(r.problem_count, 0u);
  EXPECT_EQ(r.nodes, 3u);
  EXPECT_EQ(r.edges, 2u);
}

TEST_F(CheckTest, MissingInEdgeIsReported) {
  // Edge 1: person/0 (1) -EMPLOYED_BY(1)-> univ/2 (3).
  Damage(store_internal::kInEdges, keys::EdgeKey(NodeId(3), TypeId(1), NodeId(1), EdgeId(1)));
  CheckReport r = Check();
  EXPECT_EQ(r.problem_count, 1u);
  EXPECT_THAT(r.problems, Contains(HasSubstr("no in_edges entry")));
}

TEST_F(CheckTest, DanglingIndexEntriesAreReported) {
  Damage(store_internal::kNodes, keys::NodeKey(NodeId(2)));  // person/1 without its record.
  CheckReport r = Check();
  EXPECT_GE(r.problem_count, 2u);
  EXPECT_THAT(r.problems, Contains(HasSubstr("points at missing node 2")));
  EXPECT_THAT(r.problems, Contains(HasSubstr("an endpoint does not exist")));
}

TEST_F(CheckTest, MissingEdgeKeyIsReported) {
  Damage(store_internal::kEdgeKeys, "collab/0-1");
  CheckReport r = Check();
  EXPECT_THAT(r.problems, Contains(HasSubstr("edge_keys entry for 'collab/0-1' missing")));
}

}  // namespace
}  // namespace innograph
