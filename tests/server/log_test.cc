#include "server/log.h"

#include "gtest/gtest.h"

namespace innograph::server {
namespace {

constexpr const char* kTs = "2024-05-01T08:30:00.123Z";

TEST(LogLine, JsonHasTsLevelMsgThenFieldsInOrder) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kWarn, kTs, "slow query",
                          {{"method", "Expand"}, {"ms", 12.5}, {"n", 3}, {"ok", true}}),
            "{\"ts\":\"2024-05-01T08:30:00.123Z\",\"level\":\"warn\",\"msg\":\"slow query\","
            "\"method\":\"Expand\",\"ms\":12.5,\"n\":3,\"ok\":true}");
}

TEST(LogLine, JsonEscapesStrings) {
  EXPECT_EQ(
      FormatLogLine(LogFormat::kJson, LogLevel::kInfo, kTs, "a \"b\"\n\\",
                    {{"k", std::string("\x01 湖南")}}),
      "{\"ts\":\"2024-05-01T08:30:00.123Z\",\"level\":\"info\",\"msg\":\"a \\\"b\\\"\\n\\\\\","
      "\"k\":\"\\u0001 湖南\"}");
}

TEST(LogLine, NonFiniteNumbersAreStrings) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, LogLevel::kInfo, kTs, "m", {{"x", 1.0 / 0.0}}),
            "{\"ts\":\"2024-05-01T08:30:00.123Z\",\"level\":\"info\",\"msg\":\"m\",\"x\":\"inf\"}");
}

TEST(LogLine, TextQuotesOnlyValuesThatNeedIt) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, LogLevel::kError, kTs, "cannot listen",
                          {{"address", "127.0.0.1:1"}, {"why", "in use"}}),
            "2024-05-01T08:30:00.123Z ERROR cannot listen address=127.0.0.1:1 why=\"in use\"");
}

TEST(LogFlags, ParseLevelsAndFormats) {
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("WARN", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
  LogFormat format;
  EXPECT_TRUE(ParseLogFormat("text", &format));
  EXPECT_EQ(format, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml", &format));
}

TEST(TruncateUtf8, NeverCutsACharacterInTwo) {
  const std::string s = "ab湖南";  // 2 + 3 + 3 bytes.
  EXPECT_EQ(TruncateUtf8(s, 100), s);
  EXPECT_EQ(TruncateUtf8(s, 5), "ab湖");
  EXPECT_EQ(TruncateUtf8(s, 4), "ab");
  EXPECT_EQ(TruncateUtf8(s, 2), "ab");
}

}  // namespace
}  // namespace innograph::server
