// Status helpers shared by every sift module (sift_py's `error` module).
#ifndef SIFT_STATUS_H_
#define SIFT_STATUS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SIFT_INTERNAL_CONCAT_IMPL(a, b) a##b
#define SIFT_INTERNAL_CONCAT(a, b) SIFT_INTERNAL_CONCAT_IMPL(a, b)

// Returns `expr` from the enclosing function when it is not OK.
#define SIFT_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status sift_status_ = (expr);        \
    if (!sift_status_.ok()) return sift_status_; \
  } while (false)

// `SIFT_ASSIGN_OR_RETURN(auto x, MakeX());` declares/assigns `x` from a
// StatusOr, or returns its error from the enclosing function.
#define SIFT_ASSIGN_OR_RETURN(lhs, rexpr) \
  SIFT_INTERNAL_ASSIGN_OR_RETURN(SIFT_INTERNAL_CONCAT(sift_statusor_, __LINE__), lhs, rexpr)

#define SIFT_INTERNAL_ASSIGN_OR_RETURN(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = *std::move(statusor)

#endif  // SIFT_STATUS_H_
