#include "client/cli/table.h"

#include <algorithm>
#include <cstdint>

namespace innograph::cli {
namespace {

// Display columns of a UTF-8 string: East Asian wide and fullwidth characters take two. (The
// client depends on the API only, so it carries its own small copy of this rule.)
size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    uint32_t cp = n == 1 ? b : b & (0xFF >> (n + 1));
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += n;
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
                      (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

// Cuts `s` to at most `max` display columns, at a UTF-8 boundary.
std::string Fit(const std::string& s, size_t max) {
  if (DisplayWidth(s) <= max) return s;
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
    std::string next = out + s.substr(i, len);
    if (DisplayWidth(next) + 1 > max) break;
    out = std::move(next);
    i += len;
  }
  return out + "…";
}

}  // namespace

void Table::Print(std::ostream& out, size_t max_cell) const {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(header_);
  for (const auto& r : rows_) cells.push_back(r);
  std::vector<size_t> width(header_.size(), 0);
  for (auto& row : cells) {
    row.resize(header_.size());
    for (size_t c = 0; c < row.size(); ++c) {
      row[c] = Fit(row[c], max_cell);
      width[c] = std::max(width[c], DisplayWidth(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (size_t c = 0; c < row.size(); ++c) {
      text += row[c];
      if (c + 1 < row.size()) text += std::string(width[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(cells[0]);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (size_t r = 1; r < cells.size(); ++r) line(cells[r]);
}

}  // namespace innograph::cli
