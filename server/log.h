#pragma once

// Structured logging of the server: one line per event on stderr.
//
//   json (default): {"ts":"2024-05-01T08:30:00.123Z","level":"info","msg":"...","key":value}
//   text:           2024-05-01T08:30:00.123Z INFO ... key=value key="a value"
//
// ts is RFC 3339 in UTC with milliseconds. Fields keep the order given; strings are JSON
// strings (UTF-8 passed through), numbers and booleans are JSON numbers and booleans.
//
// Thread safety: every function may be called concurrently; each line is written whole.
// ConfigureLog is meant for start-up, before the server's threads start.

#include <cmath>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace innograph::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kJson, kText };

// "debug", "info", "warn" (or "warning"), "error"; false for anything else.
bool ParseLogLevel(absl::string_view s, LogLevel* out);
// "json", "text"; false for anything else.
bool ParseLogFormat(absl::string_view s, LogFormat* out);

// Lines below `min_level` are dropped. Default: kInfo, kJson.
void ConfigureLog(LogLevel min_level, LogFormat format);
bool LogEnabled(LogLevel level);

// One key/value of a log line.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value) : key_(key), value_(value) {}
  LogField(absl::string_view key, const char* value) : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), quoted_(false) {}
  template <typename T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
      LogField(absl::string_view key, T value)
      : key_(key), value_(absl::StrCat(value)) {
    if constexpr (std::is_floating_point_v<T>) {
      quoted_ = !std::isfinite(value);  // JSON has no NaN or Infinity.
    } else {
      quoted_ = false;
    }
  }

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  bool quoted() const { return quoted_; }  // A string (else a JSON number or boolean).

 private:
  std::string key_;
  std::string value_;
  bool quoted_ = true;
};

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});
inline void LogDebug(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kDebug, msg, fields);
}
inline void LogInfo(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarn(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, msg, fields);
}
inline void LogError(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

// The line Log would write (without the newline), for tests.
std::string FormatLogLine(LogFormat format, LogLevel level, absl::string_view ts,
                          absl::string_view msg, std::initializer_list<LogField> fields);

// `s` as the body of a JSON string (quotes, backslashes and control characters escaped).
void AppendJsonEscaped(absl::string_view s, std::string* out);

// At most `max_bytes` of `s`, cut at a UTF-8 character boundary.
absl::string_view TruncateUtf8(absl::string_view s, size_t max_bytes);

}  // namespace innograph::server
