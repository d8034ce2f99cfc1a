#include "server/limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server/metrics.h"

namespace innograph::server {
namespace {

using ::testing::HasSubstr;

LimitOptions Options(uint32_t slots, int wait_ms, uint64_t memory) {
  LimitOptions o;
  o.max_heavy_queries = slots;
  o.heavy_wait = std::chrono::milliseconds(wait_ms);
  o.max_query_memory = memory;
  return o;
}

std::chrono::system_clock::time_point Far() {
  return std::chrono::system_clock::now() + std::chrono::hours(1);
}

TEST(QueryLimiter, HeavySlotsAreBoundedAndReleased) {
  MetricRegistry registry;
  QueryLimiter limiter(Options(2, 20, 0), &registry);
  {
    auto a = limiter.AcquireHeavy("Rank", Far());
    auto b = limiter.AcquireHeavy("Rank", Far());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(limiter.heavy_running(), 2u);
    const auto started = std::chrono::steady_clock::now();
    auto c = limiter.AcquireHeavy("Paths", Far());
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(20));
    ASSERT_TRUE(absl::IsResourceExhausted(c.status()));
    EXPECT_THAT(c.status().message(), HasSubstr("Paths"));
    EXPECT_THAT(c.status().message(), HasSubstr("--max-heavy-queries"));
    EXPECT_EQ(limiter.heavy_rejections(), 1u);
  }
  EXPECT_EQ(limiter.heavy_running(), 0u);
  EXPECT_TRUE(limiter.AcquireHeavy("Rank", Far()).ok());
  EXPECT_THAT(registry.Render(),
              HasSubstr("innograph_limit_rejections_total{limit=\"max_heavy_queries\"} 1"));
}

TEST(QueryLimiter, WaiterGetsTheSlotWhenItFrees) {
  QueryLimiter limiter(Options(1, 5000, 0), nullptr);
  auto held = limiter.AcquireHeavy("Rank", Far());
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    QueryLimiter::Slot drop = std::move(*held);
  });
  auto next = limiter.AcquireHeavy("Rank", Far());
  releaser.join();
  EXPECT_TRUE(next.ok());
  EXPECT_EQ(limiter.heavy_running(), 1u);
}

TEST(QueryLimiter, AnEarlierCallDeadlineCutsTheWait) {
  QueryLimiter limiter(Options(1, 60000, 0), nullptr);
  auto held = limiter.AcquireHeavy("Rank", Far());
  const auto started = std::chrono::steady_clock::now();
  auto late = limiter.AcquireHeavy(
      "Rank", std::chrono::system_clock::now() + std::chrono::milliseconds(30));
  EXPECT_TRUE(absl::IsResourceExhausted(late.status()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(QueryLimiter, NoSlotLimitNeverRefuses) {
  QueryLimiter limiter(Options(0, 0, 0), nullptr);
  std::vector<QueryLimiter::Slot> slots;
  for (int i = 0; i < 100; ++i) {
    auto s = limiter.AcquireHeavy("Rank", Far());
    ASSERT_TRUE(s.ok());
    slots.push_back(std::move(*s));
  }
  EXPECT_EQ(limiter.heavy_running(), 100u);
}

TEST(QueryLimiter, FitLowersDefaultsToTheBudget) {
  QueryOptions configured;
  configured.default_visited = 1000000;
  configured.default_results = 10000;
  QueryLimiter roomy(Options(0, 0, uint64_t{1} << 30), nullptr);
  QueryOptions same = roomy.Fit(configured);
  EXPECT_EQ(same.default_visited, 1000000u);
  EXPECT_EQ(same.default_results, 10000u);

  const uint64_t budget = 2000000;
  QueryLimiter tight(Options(0, 0, budget), nullptr);
  QueryOptions fitted = tight.Fit(configured);
  EXPECT_EQ(fitted.default_results, budget / 2 / QueryLimiter::kResultBytes);
  EXPECT_LE(QueryLimiter::TraversalBytes(fitted.default_visited, fitted.default_results), budget);
  EXPECT_GT(QueryLimiter::TraversalBytes(fitted.default_visited + 1, fitted.default_results),
            budget);
  EXPECT_EQ(fitted.max_visited, configured.max_visited);  // Caps unchanged.
}

TEST(QueryLimiter, TraversalChecks) {
  MetricRegistry registry;
  QueryLimiter limiter(Options(0, 0, 2000000), &registry);
  QueryOptions configured;
  limiter.Fit(configured);
  v1::Limits none;
  EXPECT_TRUE(limiter.CheckTraversal("Expand", none).ok());
  v1::Limits small;
  small.set_max_visited(1000);
  small.set_max_results(100);
  EXPECT_TRUE(limiter.CheckTraversal("Expand", small).ok());
  v1::Limits big;
  big.set_max_visited(1000000);
  absl::Status s = limiter.CheckTraversal("Expand", big);
  ASSERT_TRUE(absl::IsResourceExhausted(s));
  EXPECT_THAT(s.message(), HasSubstr("limits.max_visited 1000000"));
  EXPECT_THAT(s.message(), HasSubstr("--max-query-memory 2000000"));
  EXPECT_THAT(s.message(), HasSubstr("estimated"));
  // The same request on a graph of 10,000 nodes can visit at most those: it fits.
  EXPECT_TRUE(limiter.CheckTraversal("Expand", big, 10000).ok());
  // On a graph of 100,000 nodes it does not.
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.CheckTraversal("Expand", big, 100000)));

  google::protobuf::RepeatedField<int> hit;
  hit.Add(v1::LIMIT_KIND_VISITED);
  // The lowered default was hit: refused. The request's own limit was hit: a truncated answer.
  EXPECT_TRUE(absl::IsResourceExhausted(limiter.CheckTruncation("Expand", none, true, hit)));
  EXPECT_TRUE(limiter.CheckTruncation("Expand", small, true, hit).ok());
  EXPECT_TRUE(limiter.CheckTruncation("Expand", none, false, {}).ok());
  google::protobuf::RepeatedField<int> depth;
  depth.Add(v1::LIMIT_KIND_DEPTH);
  EXPECT_TRUE(limiter.CheckTruncation("Expand", none, true, depth).ok());
  EXPECT_EQ(limiter.memory_rejections(), 3u);
}

TEST(QueryLimiter, DefaultsThatFitAreNeverRefusedAfterTheFact) {
  QueryLimiter limiter(Options(0, 0, uint64_t{1} << 30), nullptr);
  limiter.Fit(QueryOptions());
  google::protobuf::RepeatedField<int> hit;
  hit.Add(v1::LIMIT_KIND_VISITED);
  hit.Add(v1::LIMIT_KIND_RESULTS);
  EXPECT_TRUE(limiter.CheckTruncation("Expand", v1::Limits(), true, hit).ok());
}

TEST(QueryLimiter, WholeGraphEstimates) {
  QueryLimiter limiter(Options(0, 0, 10000000), nullptr);
  EXPECT_TRUE(limiter.CheckWholeGraph("Rank", WholeGraphWork::kPageRank, 1000, 10000).ok());
  absl::Status s = limiter.CheckWholeGraph("Rank", WholeGraphWork::kPageRank, 100000, 1000000);
  ASSERT_TRUE(absl::IsResourceExhausted(s));
  EXPECT_THAT(s.message(), HasSubstr("pagerank over 100000 nodes and 1000000 edges"));
  EXPECT_LT(QueryLimiter::WholeGraphBytes(WholeGraphWork::kDegree, 1000, 1000),
            QueryLimiter::WholeGraphBytes(WholeGraphWork::kLouvain, 1000, 1000));
  // No overflow on absurd sizes.
  EXPECT_EQ(QueryLimiter::WholeGraphBytes(WholeGraphWork::kExport, ~uint64_t{0}, 1), ~uint64_t{0});
  QueryLimiter off(Options(0, 0, 0), nullptr);
  EXPECT_TRUE(off.CheckWholeGraph("Rank", WholeGraphWork::kBetweenness, 1u << 30, 1u << 31).ok());
}

TEST(ParseFailureStatus, OnlyBareInternalIsRewritten) {
  EXPECT_FALSE(ParseFailureStatus(grpc::Status::OK, "Stats").has_value());
  EXPECT_FALSE(
      ParseFailureStatus(grpc::Status(grpc::StatusCode::INTERNAL, "disk"), "Stats").has_value());
  auto fixed = ParseFailureStatus(grpc::Status(grpc::StatusCode::INTERNAL, ""), "UpsertNodes");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(fixed->error_message(), HasSubstr("UpsertNodes"));
}

}  // namespace
}  // namespace innograph::server
