#pragma once

// Status helpers shared by every module. Debian's Abseil (20220623) ships StatusOr but no
// status macros, so they are defined once here.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define INNOGRAPH_CONCAT_INNER_(a, b) a##b
#define INNOGRAPH_CONCAT_(a, b) INNOGRAPH_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status innograph_status_ = (expr);             \
    if (!innograph_status_.ok()) return innograph_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, F())`: evaluates F() (an absl::StatusOr<T>), returns its status when
// not OK, else moves the value into the declaration `lhs`.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(INNOGRAPH_CONCAT_(innograph_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()
