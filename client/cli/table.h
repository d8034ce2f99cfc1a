#pragma once

// A plain text table whose columns line up on a terminal, CJK included.

#include <ostream>
#include <string>
#include <vector>

namespace innograph::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  // Writes the header, a rule, and the rows; cells longer than `max_cell` columns are cut
  // with "…".
  void Print(std::ostream& out, size_t max_cell = 48) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace innograph::cli
