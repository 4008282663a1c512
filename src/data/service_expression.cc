// Checking a calculated channel's expression with the rule expression checker,
// which wants a boolean condition: a calculated channel may be any value.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/data_plan.h"
#include "sift/rule/expression.h"
#include "sift/status.h"

namespace sift {
namespace internal {

absl::Status check_calculated_expression(const std::string& text,
                                         const std::map<int, ExpressionChannel>& bound) {
  SIFT_ASSIGN_OR_RETURN(Expression expression, parse_expression(text));
  const std::vector<int> used = expression.references();
  for (const auto& [reference, channel] : bound) {
    (void)channel;
    if (std::find(used.begin(), used.end(), reference) == used.end()) {
      return absl::InvalidArgumentError(absl::StrCat("$", reference, " is bound but not used"));
    }
  }
  const absl::Status as_condition = check_expression(expression, bound);
  if (as_condition.ok()) return as_condition;
  // `(E) == (E)` is a condition whatever E's type is, and checks exactly when
  // E's operands fit. If it fails, E's own error (same problem, columns of
  // the user's text) is the one to report.
  absl::StatusOr<Expression> compared =
      parse_expression(absl::StrCat("(", text, ") == (", text, ")"));
  if (compared.ok() && check_expression(*compared, bound).ok()) return absl::OkStatus();
  return as_condition;
}

}  // namespace internal
}  // namespace sift
