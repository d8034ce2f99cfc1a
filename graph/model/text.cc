#include "graph/model/text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"

namespace innograph {
namespace {

// Decodes one code point at s[i], advancing i. Assumes valid UTF-8.
uint32_t Decode(absl::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  if (b0 < 0x80) {
    *i += 1;
    return b0;
  }
  int n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  uint32_t cp = b0 & (0xFF >> (n + 1));
  for (int k = 1; k < n && *i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  }
  *i += n;
  return cp;
}

bool IsCjk(uint32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
         (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

bool IsWide(uint32_t cp) {
  return IsCjk(cp) || (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
         (cp >= 0x3000 && cp <= 0x303F);
}

// A letter or digit for word splitting: ASCII alphanumerics and any non-ASCII code point that
// is not CJK and not common punctuation.
bool IsWordChar(uint32_t cp) {
  if (cp < 0x80) return absl::ascii_isalnum(static_cast<unsigned char>(cp));
  if (cp >= 0x2000 && cp <= 0x206F) return false;  // General punctuation.
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation.
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // Fullwidth punctuation.
  return !IsCjk(cp);
}

enum class Run { kNone, kWord, kCjk };

// Splits text into runs of word characters and runs of CJK characters (as code point offsets).
template <typename F>
void ForEachRun(absl::string_view text, F&& f) {
  size_t i = 0, start = 0;
  Run run = Run::kNone;
  // Byte offsets of the code points of the current run (most runs are short).
  absl::InlinedVector<size_t, 32> offsets;
  while (i <= text.size()) {
    Run kind = Run::kNone;
    size_t at = i;
    if (i < text.size()) {
      uint32_t cp = Decode(text, &i);
      kind = IsCjk(cp) ? Run::kCjk : IsWordChar(cp) ? Run::kWord : Run::kNone;
    } else {
      ++i;
    }
    if (kind != run) {
      if (run != Run::kNone) f(run, text.substr(start, at - start), offsets);
      start = at;
      offsets.clear();
      run = kind;
    }
    if (kind != Run::kNone) offsets.push_back(at - start);
  }
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // ASCII without NUL, eight bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      constexpr uint64_t kLow = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
      if ((w & kHigh) != 0 || ((w - kLow) & ~w & kHigh) != 0) break;
      i += 8;
    }
    if (i == s.size()) break;
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 == 0) return false;
    int n;
    uint32_t cp;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if ((b0 & 0xE0) == 0xC0) {
      n = 2;
      cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      n = 3;
      cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      n = 4;
      cp = b0 & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range code points.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string AsciiLower(absl::string_view s) { return absl::AsciiStrToLower(s); }

void ForEachIndexToken(absl::string_view text, std::string* scratch,
                       absl::FunctionRef<void(absl::string_view)> f) {
  constexpr size_t kMaxCjkSuffix = 8;  // Keep in step with IndexablePrefix.
  // ASCII lower-casing: the text itself when it has no upper-case letter.
  auto lower = [&](absl::string_view part) {
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    if (std::none_of(part.begin(), part.end(), upper)) return part;
    scratch->assign(part.data(), part.size());
    for (char& c : *scratch) c = absl::ascii_tolower(static_cast<unsigned char>(c));
    return absl::string_view(*scratch);
  };
  int words = 0;
  ForEachRun(text, [&](Run run, absl::string_view part, const auto& offsets) {
    ++words;
    if (run == Run::kWord) {
      f(lower(part));
      return;
    }
    for (size_t k = 0; k < offsets.size(); ++k) {
      size_t end_cp = std::min(offsets.size(), k + kMaxCjkSuffix);
      size_t end = end_cp == offsets.size() ? part.size() : offsets[end_cp];
      f(part.substr(offsets[k], end - offsets[k]));
    }
  });
  if (words > 1) f(lower(text));
}

std::vector<std::string> IndexTokens(absl::string_view text) {
  std::vector<std::string> tokens;
  std::string scratch;
  ForEachIndexToken(text, &scratch, [&](absl::string_view t) { tokens.emplace_back(t); });
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

std::string IndexablePrefix(absl::string_view token) {
  constexpr size_t kMaxCjkSuffix = 8;
  size_t i = 0, n = 0;
  while (i < token.size()) {
    size_t at = i;
    if (!IsCjk(Decode(token, &i))) return std::string(token);
    if (++n > kMaxCjkSuffix) return std::string(token.substr(0, at));
  }
  return std::string(token);
}

std::vector<std::string> QueryTokens(absl::string_view query) {
  std::vector<std::string> tokens;
  ForEachRun(query,
             [&](Run, absl::string_view part, const auto&) { tokens.push_back(AsciiLower(part)); });
  return tokens;
}

size_t DisplayWidth(absl::string_view s) {
  size_t width = 0, i = 0;
  while (i < s.size()) width += IsWide(Decode(s, &i)) ? 2 : 1;
  return width;
}

}  // namespace innograph
