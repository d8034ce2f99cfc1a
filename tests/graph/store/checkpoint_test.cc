// GraphStore::Checkpoint: a consistent copy that opens as a store of its own.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "graph/store/store.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

using ::testing::HasSubstr;

Node Person(int i) {
  Node n;
  n.kind = Schema::Default()->FindKind("Person")->id;
  n.key = absl::StrCat("person/", i);
  n.name = absl::StrCat("Person ", i);
  return n;
}

EdgeWrite Collaboration(int a, int b) {
  EdgeWrite w;
  w.edge.type = Schema::Default()->FindType("COLLABORATES_WITH")->id;
  w.from_key = absl::StrCat("person/", a);
  w.to_key = absl::StrCat("person/", b);
  return w;
}

class CheckpointTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ =
        absl::StrCat(testing::TempDir(), "innograph_checkpoint_test_",
                     testing::UnitTest::GetInstance()->current_test_info()->name(), "_", getpid());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static GraphStore::Options Options() {
    GraphStore::Options options;
    options.sync_writes = false;  // Writes stay in the memtable and WAL: the copy must have them.
    options.block_cache_bytes = size_t{8} << 20;
    return options;
  }

  std::unique_ptr<GraphStore> Open(const std::string& name) {
    auto store = GraphStore::Open(root_ + "/" + name, Options());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static uint64_t CountEdges(const GraphStore& store) {
    uint64_t n = 0;
    EXPECT_TRUE(store
                    .ForEachEdge([&](const Edge&) {
                      ++n;
                      return true;
                    })
                    .ok());
    return n;
  }

  std::string root_;
};

TEST_F(CheckpointTest, CopyHasEveryAcknowledgedWriteAndNothingLater) {
  std::unique_ptr<GraphStore> store = Open("data");
  ASSERT_NE(store, nullptr);
  std::vector<Node> nodes;
  for (int i = 0; i < 100; ++i) nodes.push_back(Person(i));
  ASSERT_TRUE(store->UpsertNodes(nodes).ok());
  std::vector<EdgeWrite> edges;
  for (int i = 1; i < 100; ++i) edges.push_back(Collaboration(0, i));
  ASSERT_TRUE(store->UpsertEdges(edges).ok());

  ASSERT_TRUE(store->Checkpoint(root_ + "/copy").ok());
  // A write after the checkpoint is not in it.
  ASSERT_TRUE(store->UpsertNodes({Person(1000)}).ok());

  std::unique_ptr<GraphStore> copy = Open("copy");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->counts().nodes, 100u);
  EXPECT_EQ(copy->counts().edges, 99u);
  EXPECT_EQ(CountEdges(*copy), 99u);
  auto id = copy->FindKey("person/42");
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->has_value());
  auto later = copy->FindKey("person/1000");
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->has_value());
  // The copy is a store of its own: writable, and its id counters continue.
  auto written = copy->UpsertNodes({Person(2000)});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->ids[0], 101u);
  EXPECT_EQ(store->counts().nodes, 101u);
}

TEST_F(CheckpointTest, RefusesAnExistingDestination) {
  std::unique_ptr<GraphStore> store = Open("data");
  ASSERT_NE(store, nullptr);
  std::filesystem::create_directories(root_ + "/taken");
  absl::Status s = store->Checkpoint(root_ + "/taken");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("already exists"));
}

TEST_F(CheckpointTest, ConsistentWhileWritesContinue) {
  std::unique_ptr<GraphStore> store = Open("data");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertNodes({Person(0)}).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 1; !stop.load() && i < 100000; ++i) {
      // Each call is one batch: a node and its edge, so a consistent copy has as many
      // collaborations as people minus one.
      if (!store->UpsertBatch({Person(i)}, {Collaboration(0, i)}, /*skip_invalid=*/false).ok()) {
        break;
      }
    }
  });
  while (store->counts().nodes < 50) std::this_thread::yield();
  absl::Status s = store->Checkpoint(root_ + "/copy");
  stop = true;
  writer.join();
  ASSERT_TRUE(s.ok()) << s;
  std::unique_ptr<GraphStore> copy = Open("copy");
  ASSERT_NE(copy, nullptr);
  EXPECT_GE(copy->counts().nodes, 50u);
  EXPECT_EQ(copy->counts().edges + 1, copy->counts().nodes);
  EXPECT_EQ(CountEdges(*copy), copy->counts().edges);
}

}  // namespace
}  // namespace innograph
