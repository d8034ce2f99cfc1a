#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innograph {

// A calendar date (proleptic Gregorian), stored as days since 1970-01-01. The two extreme
// values stand for open interval ends. Persisted as int32: never change the epoch.
struct Date {
  int32_t days = 0;

  static constexpr Date OpenStart() { return Date{std::numeric_limits<int32_t>::min()}; }
  static constexpr Date OpenEnd() { return Date{std::numeric_limits<int32_t>::max()}; }
  bool is_open_start() const { return days == std::numeric_limits<int32_t>::min(); }
  bool is_open_end() const { return days == std::numeric_limits<int32_t>::max(); }
  auto operator<=>(const Date&) const = default;

  static Date FromCivil(int year, unsigned month, unsigned day);
  void ToCivil(int* year, unsigned* month, unsigned* day) const;
};

// How to read a partial date ("2017" or "2017-07").
enum class DateRounding {
  kStart,  // The first day of the period (for starts and as_of).
  kEnd,    // The last day of the period (for ends).
};

// Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (years 1-9999). Returns INVALID_ARGUMENT with a
// message naming the text otherwise; callers prefix the field name.
absl::StatusOr<Date> ParseDate(absl::string_view text, DateRounding rounding);

// "YYYY-MM-DD"; the empty string for an open end.
std::string FormatDate(Date date);

// An inclusive validity interval; open ends are OpenStart()/OpenEnd().
struct Interval {
  Date from = Date::OpenStart();
  Date to = Date::OpenEnd();

  bool Contains(Date d) const { return from <= d && d <= to; }
  bool Overlaps(const Interval& o) const { return from <= o.to && o.from <= to; }
  bool operator==(const Interval&) const = default;
};

}  // namespace innograph
