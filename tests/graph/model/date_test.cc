#include "graph/model/date.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

using ::testing::HasSubstr;

// Days since 1970-01-01 computed by the standard library's calendar, independently of
// Date::FromCivil.
int32_t ChronoDays(int y, unsigned m, unsigned d) {
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  return static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string ChronoFormat(int32_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

struct ParseCase {
  const char* text;
  DateRounding rounding;
  int year;
  unsigned month;
  unsigned day;
};

TEST(Date, ParsesFullAndPartialDatesWithRounding) {
  constexpr DateRounding kStart = DateRounding::kStart;
  constexpr DateRounding kEnd = DateRounding::kEnd;
  const ParseCase cases[] = {
      {"2024", kStart, 2024, 1, 1},
      {"2024", kEnd, 2024, 12, 31},
      {"2024-02", kStart, 2024, 2, 1},
      {"2024-02", kEnd, 2024, 2, 29},  // Leap year.
      {"2023-02", kEnd, 2023, 2, 28},
      {"1900-02", kEnd, 1900, 2, 28},  // Divisible by 100: not leap.
      {"2000-02", kEnd, 2000, 2, 29},  // Divisible by 400: leap.
      {"2021-04", kEnd, 2021, 4, 30},
      {"2021-12", kEnd, 2021, 12, 31},
      {"2021-01", kEnd, 2021, 1, 31},
      {"2024-02-29", kStart, 2024, 2, 29},
      {"2024-02-29", kEnd, 2024, 2, 29},  // A full date ignores the rounding.
      {"2022-07-20", kStart, 2022, 7, 20},
      {"1970-01-01", kStart, 1970, 1, 1},
      {"1969-12-31", kEnd, 1969, 12, 31},
      {"0001", kStart, 1, 1, 1},
      {"0001-01-01", kStart, 1, 1, 1},
      {"9999", kEnd, 9999, 12, 31},
      {"9999-12-31", kStart, 9999, 12, 31},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(testing::Message() << c.text << (c.rounding == kStart ? " start" : " end"));
    absl::StatusOr<Date> date = ParseDate(c.text, c.rounding);
    ASSERT_TRUE(date.ok()) << date.status();
    EXPECT_EQ(date->days, ChronoDays(c.year, c.month, c.day));
    int y;
    unsigned m, d;
    date->ToCivil(&y, &m, &d);
    EXPECT_EQ(y, c.year);
    EXPECT_EQ(m, c.month);
    EXPECT_EQ(d, c.day);
  }
}

TEST(Date, EpochIsDayZero) {
  EXPECT_EQ(ParseDate("1970-01-01", DateRounding::kStart)->days, 0);
  EXPECT_EQ(ParseDate("1969-12-31", DateRounding::kStart)->days, -1);
  EXPECT_EQ(Date::FromCivil(1970, 1, 2).days, 1);
}

TEST(Date, RejectsMalformedAndImpossibleDates) {
  const char* bad[] = {
      "2021-13",    "2021-00",     "2021-02-30",  "2023-02-29",
      "1900-02-29", "2021-04-31",  "2021-01-00",  "2021-01-32",
      "21",         "2021-1-1",    "2021-1",      "abcd",
      "0000",       "0000-01",     "0000-01-01",  "",
      "20210101",   "2021/01/01",  "2021-01-01 ", " 2021",
      "-001",       "+2021",       "２０２１",    "2021-01-0a",
      "12345",      "2021-011-01", "2021-01-011", "2021-01-01T",
      "20a1",
  };
  for (const char* text : bad) {
    for (DateRounding rounding : {DateRounding::kStart, DateRounding::kEnd}) {
      SCOPED_TRACE(testing::Message() << "'" << text << "'");
      absl::StatusOr<Date> date = ParseDate(text, rounding);
      ASSERT_FALSE(date.ok()) << FormatDate(*date);
      EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(date.status().message(), HasSubstr(absl::StrCat("'", text, "'")));
    }
  }
}

TEST(Date, FormatMatchesCalendarAndRoundTripsAcrossWideRange) {
  const int32_t first = ChronoDays(1, 1, 1);
  const int32_t last = ChronoDays(9999, 12, 31);
  // Every day of 1890-2110, and every 7th day over the whole supported range.
  std::vector<int32_t> days;
  for (int32_t d = ChronoDays(1890, 1, 1); d <= ChronoDays(2110, 12, 31); ++d) days.push_back(d);
  for (int32_t d = first; d <= last; d += 7) days.push_back(d);
  days.push_back(last);
  for (int32_t d : days) {
    const std::string text = FormatDate(Date{d});
    ASSERT_EQ(text, ChronoFormat(d)) << "days " << d;
    for (DateRounding rounding : {DateRounding::kStart, DateRounding::kEnd}) {
      absl::StatusOr<Date> parsed = ParseDate(text, rounding);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ASSERT_EQ(parsed->days, d) << text;
    }
  }
}

TEST(Date, FromCivilAndToCivilAreInverse) {
  for (int32_t d = ChronoDays(1, 1, 1); d <= ChronoDays(9999, 12, 31); d += 997) {
    int y;
    unsigned m, day;
    Date{d}.ToCivil(&y, &m, &day);
    EXPECT_EQ(Date::FromCivil(y, m, day).days, d);
  }
}

TEST(Date, OpenEndsFormatAsEmpty) {
  EXPECT_EQ(FormatDate(Date::OpenStart()), "");
  EXPECT_EQ(FormatDate(Date::OpenEnd()), "");
  EXPECT_TRUE(Date::OpenStart().is_open_start());
  EXPECT_TRUE(Date::OpenEnd().is_open_end());
  EXPECT_FALSE(Date{0}.is_open_start());
  EXPECT_FALSE(Date{0}.is_open_end());
}

TEST(Date, OpenEndsOrderBeforeAndAfterEveryDate) {
  const Date earliest = *ParseDate("0001-01-01", DateRounding::kStart);
  const Date latest = *ParseDate("9999-12-31", DateRounding::kStart);
  EXPECT_LT(Date::OpenStart(), earliest);
  EXPECT_LT(latest, Date::OpenEnd());
  EXPECT_LT(earliest, latest);
}

Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

TEST(Interval, DefaultIsOpenAtBothEndsAndContainsEverything) {
  const Interval always;
  EXPECT_TRUE(always.from.is_open_start());
  EXPECT_TRUE(always.to.is_open_end());
  for (const char* d : {"0001-01-01", "1970-01-01", "2024-02-29", "9999-12-31"}) {
    EXPECT_TRUE(always.Contains(D(d))) << d;
  }
}

TEST(Interval, ContainsIsInclusiveAndHonoursOpenEnds) {
  struct Case {
    Interval interval;
    const char* date;
    bool contains;
  };
  const Date open_start = Date::OpenStart();
  const Date open_end = Date::OpenEnd();
  const Case cases[] = {
      {{D("2020-01-01"), D("2020-12-31")}, "2020-01-01", true},
      {{D("2020-01-01"), D("2020-12-31")}, "2020-12-31", true},
      {{D("2020-01-01"), D("2020-12-31")}, "2020-06-15", true},
      {{D("2020-01-01"), D("2020-12-31")}, "2019-12-31", false},
      {{D("2020-01-01"), D("2020-12-31")}, "2021-01-01", false},
      {{D("2020-01-01"), open_end}, "2019-12-31", false},
      {{D("2020-01-01"), open_end}, "2020-01-01", true},
      {{D("2020-01-01"), open_end}, "9999-12-31", true},
      {{open_start, D("2020-12-31")}, "0001-01-01", true},
      {{open_start, D("2020-12-31")}, "2020-12-31", true},
      {{open_start, D("2020-12-31")}, "2021-01-01", false},
      {{D("2022-07-20"), D("2022-07-20")}, "2022-07-20", true},
      {{D("2022-07-20"), D("2022-07-20")}, "2022-07-21", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.interval.Contains(D(c.date)), c.contains)
        << "[" << FormatDate(c.interval.from) << ", " << FormatDate(c.interval.to) << "] "
        << c.date;
  }
}

TEST(Interval, OverlapsIsSymmetricInclusiveAndHonoursOpenEnds) {
  struct Case {
    Interval a;
    Interval b;
    bool overlaps;
  };
  const Date open_start = Date::OpenStart();
  const Date open_end = Date::OpenEnd();
  const Case cases[] = {
      {{D("2020-01-01"), D("2020-12-31")}, {D("2020-12-31"), open_end}, true},  // Touching.
      {{D("2020-01-01"), D("2020-12-31")}, {D("2021-01-01"), open_end}, false},
      {{D("2020-01-01"), D("2020-12-31")}, {D("2020-03-01"), D("2020-04-01")}, true},  // Inside.
      {{D("2020-01-01"), D("2020-12-31")}, {open_start, D("2019-12-31")}, false},
      {{D("2020-01-01"), D("2020-12-31")}, {open_start, D("2020-01-01")}, true},
      {{open_start, D("2019-12-31")}, {D("2020-01-01"), open_end}, false},
      {{open_start, D("2020-01-01")}, {D("2020-01-01"), open_end}, true},
      {{open_start, open_end}, {D("2020-01-01"), D("2020-01-01")}, true},
      {{open_start, open_end}, {open_start, open_end}, true},
      {{D("2001-01-01"), D("2008-12-31")}, {D("2012-01-01"), open_end}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "[" << FormatDate(c.a.from) << ", " << FormatDate(c.a.to) << "] vs ["
                 << FormatDate(c.b.from) << ", " << FormatDate(c.b.to) << "]");
    EXPECT_EQ(c.a.Overlaps(c.b), c.overlaps);
    EXPECT_EQ(c.b.Overlaps(c.a), c.overlaps);
  }
}

}  // namespace
}  // namespace innograph
