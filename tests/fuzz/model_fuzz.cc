// Fuzz target: the text parsers of graph/model: dates (date.cc), value type names (value.cc),
// search tokens and UTF-8 checks (text.cc) and the schema JSON (schema.cc). The whole input is
// given to each; none may crash, and what parses must format back to an equal value.

#include <cstdint>
#include <string>

#include "graph/model/date.h"
#include "graph/model/schema.h"
#include "graph/model/text.h"
#include "graph/model/value.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace innograph;

void CheckDates(absl::string_view text) {
  const absl::StatusOr<Date> start = ParseDate(text, DateRounding::kStart);
  const absl::StatusOr<Date> end = ParseDate(text, DateRounding::kEnd);
  FUZZ_CHECK(start.ok() == end.ok(), "the roundings disagree on validity");
  if (!start.ok()) {
    FUZZ_CHECK(start.status().code() == absl::StatusCode::kInvalidArgument,
               start.status().ToString());
    return;
  }
  FUZZ_CHECK(*start <= *end, "start after end");
  FUZZ_CHECK(!start->is_open_start() && !end->is_open_end(), "a parsed date is an open end");
  int year;
  unsigned month, day;
  start->ToCivil(&year, &month, &day);
  FUZZ_CHECK(year >= 1 && year <= 9999, "year out of range");
  const std::string formatted = FormatDate(*start);
  FUZZ_CHECK(formatted.size() == 10, formatted);
  const absl::StatusOr<Date> again = ParseDate(formatted, DateRounding::kEnd);
  FUZZ_CHECK(again.ok() && *again == *start, "format/parse round trip: " + formatted);
  if (text.size() == 10) FUZZ_CHECK(formatted == text, "full date not canonical");
}

void CheckCivil(fuzz::Input& in) {
  const Date d{static_cast<int32_t>(in.U32())};
  int year;
  unsigned month, day;
  d.ToCivil(&year, &month, &day);
  FUZZ_CHECK(month >= 1 && month <= 12 && day >= 1 && day <= 31, "civil fields");
  FUZZ_CHECK(Date::FromCivil(year, month, day) == d, "civil round trip");
}

void CheckText(absl::string_view text) {
  const bool valid = IsValidUtf8(text);
  const std::string lower = AsciiLower(text);
  FUZZ_CHECK(lower.size() == text.size(), "lower-casing changed the size");
  FUZZ_CHECK(IsValidUtf8(lower) == valid, "lower-casing changed validity");
  (void)DisplayWidth(text);
  if (!valid) return;  // Names and queries are checked for UTF-8 before they are tokenised.
  for (const std::string& token : IndexTokens(text)) {
    FUZZ_CHECK(!token.empty(), "empty index token");
    FUZZ_CHECK(IsValidUtf8(token), "index token not UTF-8");
    FUZZ_CHECK(token.find('\0') == std::string::npos, "NUL in an index token");
  }
  for (const std::string& token : QueryTokens(text)) {
    FUZZ_CHECK(IsValidUtf8(token), "query token not UTF-8");
    const std::string prefix = IndexablePrefix(token);
    FUZZ_CHECK(token.compare(0, prefix.size(), prefix) == 0, "indexable prefix not a prefix");
    FUZZ_CHECK(IsValidUtf8(prefix), "indexable prefix not UTF-8");
  }
}

void CheckValueTypes(absl::string_view text) {
  ValueType t;
  if (ParseValueType(text, &t)) FUZZ_CHECK(ValueTypeName(t) == text, "value type name");
}

void CheckSchema(absl::string_view text) {
  const auto schema = Schema::FromJson(text);
  if (!schema.ok()) {
    FUZZ_CHECK(schema.status().code() == absl::StatusCode::kInvalidArgument,
               schema.status().ToString());
    return;
  }
  // A parsed schema parses again from the JSON it keeps.
  const auto again = Schema::FromJson((*schema)->json());
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK((*again)->kinds().size() == (*schema)->kinds().size(), "kinds after re-parse");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckDates(text);
  CheckValueTypes(text);
  CheckText(text);
  CheckSchema(text);
  fuzz::Input in(data, size);
  CheckCivil(in);
  return 0;
}
