#include "server/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace innograph::server {
namespace {

std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kJson};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, out);
  out->push_back('"');
}

// A text-format value: bare when it is one plain word, else quoted like a JSON string.
void AppendTextValue(absl::string_view s, std::string* out) {
  bool plain = !s.empty();
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out->append(s.data(), s.size());
  } else {
    AppendJsonString(s, out);
  }
}

}  // namespace

bool ParseLogLevel(absl::string_view s, LogLevel* out) {
  const std::string v = absl::AsciiStrToLower(s);
  if (v == "debug") {
    *out = LogLevel::kDebug;
  } else if (v == "info") {
    *out = LogLevel::kInfo;
  } else if (v == "warn" || v == "warning") {
    *out = LogLevel::kWarn;
  } else if (v == "error") {
    *out = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

bool ParseLogFormat(absl::string_view s, LogFormat* out) {
  const std::string v = absl::AsciiStrToLower(s);
  if (v == "json") {
    *out = LogFormat::kJson;
  } else if (v == "text") {
    *out = LogFormat::kText;
  } else {
    return false;
  }
  return true;
}

void ConfigureLog(LogLevel min_level, LogFormat format) {
  g_min_level.store(min_level, std::memory_order_relaxed);
  g_format.store(format, std::memory_order_relaxed);
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= static_cast<int>(g_min_level.load(std::memory_order_relaxed));
}

void AppendJsonEscaped(absl::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
}

absl::string_view TruncateUtf8(absl::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so that no character is cut in two.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string FormatLogLine(LogFormat format, LogLevel level, absl::string_view ts,
                          absl::string_view msg, std::initializer_list<LogField> fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    line = "{\"ts\":";
    AppendJsonString(ts, &line);
    absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"msg\":");
    AppendJsonString(msg, &line);
    for (const LogField& f : fields) {
      line.push_back(',');
      AppendJsonString(f.key(), &line);
      line.push_back(':');
      if (f.quoted()) {
        AppendJsonString(f.value(), &line);
      } else {
        line.append(f.value());
      }
    }
    line.push_back('}');
  } else {
    absl::StrAppend(&line, ts, " ", absl::AsciiStrToUpper(LevelName(level)), " ", msg);
    for (const LogField& f : fields) {
      absl::StrAppend(&line, " ", f.key(), "=");
      AppendTextValue(f.value(), &line);
    }
  }
  return line;
}

void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line =
      FormatLogLine(g_format.load(std::memory_order_relaxed), level, ts, msg, fields);
  line.push_back('\n');
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace innograph::server
