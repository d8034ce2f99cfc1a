#include "server/metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "graph/query/traversal.h"
#include "gtest/gtest.h"
#include "innograph/v1/graph.pb.h"
#include "server/rpc_interceptor.h"

namespace innograph::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricRegistry, RendersHelpTypeAndSamplesInTextFormat) {
  MetricRegistry r;
  r.GetCounter("x_total", "Things.", {{"a", "1"}})->Add(3);
  r.GetGauge("y", "A level.")->Set(0.25);
  EXPECT_EQ(r.Render(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"1\"} 3\n"
            "# HELP y A level.\n"
            "# TYPE y gauge\n"
            "y 0.25\n");
}

TEST(MetricRegistry, EscapesLabelValuesAndHelp) {
  MetricRegistry r;
  r.GetCounter("c_total", "back\\slash\nnewline \"quoted\"", {{"v", "a\"b\\c\nd"}})->Add();
  const std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("# HELP c_total back\\\\slash\\nnewline \"quoted\"\n"));
  EXPECT_THAT(text, HasSubstr("c_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricRegistry, SameLabelsSameSeries) {
  MetricRegistry r;
  Counter* a = r.GetCounter("c_total", "h", {{"m", "x"}});
  EXPECT_EQ(a, r.GetCounter("c_total", "h", {{"m", "x"}}));
  EXPECT_NE(a, r.GetCounter("c_total", "h", {{"m", "y"}}));
}

TEST(MetricRegistry, GaugeFunctionsAreReadAtRenderTime) {
  MetricRegistry r;
  double v = 1;
  r.SetGaugeFunction("g", "h", {}, [&v] { return v; });
  EXPECT_THAT(r.Render(), HasSubstr("\ng 1\n"));
  v = 2.5;
  EXPECT_THAT(r.Render(), HasSubstr("\ng 2.5\n"));
}

TEST(Histogram, BucketsAreCumulativeWithInclusiveBounds) {
  MetricRegistry r;
  Histogram* h = r.GetHistogram("h_seconds", "h", {{"method", "M"}}, {0.1, 1});
  h->Observe(0.1);  // le is inclusive.
  h->Observe(0.5);
  h->Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP h_seconds h\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{method=\"M\",le=\"0.1\"} 1\n"
            "h_seconds_bucket{method=\"M\",le=\"1\"} 2\n"
            "h_seconds_bucket{method=\"M\",le=\"+Inf\"} 3\n"
            "h_seconds_sum{method=\"M\"} 7.6\n"
            "h_seconds_count{method=\"M\"} 3\n");
}

TEST(Metrics, CountsRpcsByMethodAndCode) {
  Metrics m;
  EXPECT_EQ(m.ForMethod("/grpc.health.v1.Health/Check"), nullptr);
  Metrics::Rpc* expand = m.ForMethod("/innograph.v1.GraphService/Expand");
  ASSERT_NE(expand, nullptr);
  EXPECT_EQ(expand->method(), "Expand");
  expand->Finished(0, 0.001);
  expand->Finished(5, 0.002);
  expand->Finished(99, 0.003);  // Out of range: UNKNOWN.
  const std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("innograph_rpc_requests_total{method=\"Expand\",code=\"OK\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("innograph_rpc_requests_total{method=\"Expand\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("innograph_rpc_requests_total{method=\"Expand\",code=\"UNKNOWN\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("innograph_rpc_latency_seconds_count{method=\"Expand\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("innograph_rpc_requests_total{method=\"Stats\",code=\"OK\"} 0\n"));
}

TEST(Metrics, CountsTruncationsImportsAndWatchStreams) {
  Metrics m;
  Truncation t;
  m.QueryTruncated("Expand", t);  // Not truncated: nothing.
  EXPECT_THAT(m.Render(), Not(HasSubstr("innograph_queries_truncated_total{")));
  t.Hit(LimitKind::kVisited);
  t.Hit(LimitKind::kDeadline);
  m.QueryTruncated("Expand", t);
  m.ImportRows(5, 2);
  m.WatchStreamOpened();
  m.WatchStreamOpened();
  m.WatchStreamClosed();
  const std::string text = m.Render();
  EXPECT_THAT(
      text,
      HasSubstr("innograph_queries_truncated_total{method=\"Expand\",limit=\"visited\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("innograph_queries_truncated_total{method=\"Expand\",limit=\"deadline\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("innograph_import_rows_total{result=\"written\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("innograph_import_rows_total{result=\"rejected\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("innograph_watch_streams 1\n"));
  EXPECT_THAT(text, HasSubstr("innograph_build_info{version=\"" INNOGRAPH_VERSION "\"} 1\n"));
}

TEST(CopyForLog, KeepsSmallMessagesWhole) {
  v1::ExpandRequest req;
  req.add_seeds()->set_key("person/a");
  req.set_depth(2);
  bool trimmed = true;
  auto copy = CopyForLog(req, &trimmed);
  EXPECT_FALSE(trimmed);
  EXPECT_EQ(copy->SerializeAsString(), req.SerializeAsString());
}

TEST(CopyForLog, TrimsLongRepeatedFieldsAndStrings) {
  v1::ExpandRequest req;
  for (int i = 0; i < 1000; ++i) req.add_seeds()->set_key(std::string(2000, 'k'));
  bool trimmed = false;
  auto copy = CopyForLog(req, &trimmed);
  EXPECT_TRUE(trimmed);
  const auto& c = static_cast<const v1::ExpandRequest&>(*copy);
  EXPECT_LT(c.seeds_size(), 100);
  EXPECT_LT(c.seeds(0).key().size(), 2000u);
}

}  // namespace
}  // namespace innograph::server
