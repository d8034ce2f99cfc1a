#include "graph/model/date.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace innograph {
namespace {

// Days from 1970-01-01 to year/month/day; H. Hinnant's civil calendar algorithm.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses exactly `n` ASCII digits.
bool Digits(absl::string_view s, size_t n, int* out) {
  if (s.size() != n) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Date Date::FromCivil(int year, unsigned month, unsigned day) {
  return Date{static_cast<int32_t>(DaysFromCivil(year, month, day))};
}

void Date::ToCivil(int* year, unsigned* month, unsigned* day) const {
  int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (*month <= 2));
}

absl::StatusOr<Date> ParseDate(absl::string_view text, DateRounding rounding) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a date (want YYYY, YYYY-MM or YYYY-MM-DD)"));
  };
  int year = 0, month = 0, day = 0;
  const bool start = rounding == DateRounding::kStart;
  if (text.size() == 4) {
    if (!Digits(text, 4, &year)) return bad();
    month = start ? 1 : 12;
    day = start ? 1 : 31;
  } else if (text.size() == 7 && text[4] == '-') {
    if (!Digits(text.substr(0, 4), 4, &year) || !Digits(text.substr(5, 2), 2, &month)) {
      return bad();
    }
    if (month < 1 || month > 12) return bad();
    day = start ? 1 : static_cast<int>(DaysInMonth(year, month));
  } else if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    if (!Digits(text.substr(0, 4), 4, &year) || !Digits(text.substr(5, 2), 2, &month) ||
        !Digits(text.substr(8, 2), 2, &day)) {
      return bad();
    }
    if (month < 1 || month > 12 || day < 1 ||
        static_cast<unsigned>(day) > DaysInMonth(year, month)) {
      return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a calendar date"));
    }
  } else {
    return bad();
  }
  if (year < 1) return absl::InvalidArgumentError(absl::StrCat("'", text, "': year 0000"));
  return Date::FromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string FormatDate(Date date) {
  if (date.is_open_start() || date.is_open_end()) return "";
  int y;
  unsigned m, d;
  date.ToCivil(&y, &m, &d);
  return absl::StrFormat("%04d-%02u-%02u", y, m, d);
}

}  // namespace innograph
