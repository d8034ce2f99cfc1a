#pragma once

// Command-line arguments of the innograph CLI: positional words and --flags, in any order.
// `--name value` and `--name=value` are both accepted; boolean flags take no value; a flag may
// repeat. `--` ends flag parsing.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace innograph::cli {

class Args {
 public:
  // `booleans` are the flags that take no value.
  static absl::StatusOr<Args> Parse(int argc, char** argv, const std::set<std::string>& booleans);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return flags_.contains(flag); }
  // The last value of a flag, or `fallback`.
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  // Every value of a repeated flag, in order.
  std::vector<std::string> GetAll(const std::string& flag) const;
  // Flags that were given but are not in `known` (for "unknown flag" errors).
  std::vector<std::string> Unknown(const std::set<std::string>& known) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> flags_;
};

}  // namespace innograph::cli
