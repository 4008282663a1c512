// Sift's rule expression language, as sift_py configs write it
// (`$1 > 400`, `0.5 * 10 * $1 * $1 > 470`, `contains($1, "ERROR")`):
// parsing, type checking against the channels bound to `$1`, `$2`, ... and
// evaluation over channel values. Pure logic: no protobuf, gRPC or YAML.
// The language is described in docs/rules.md ("Expression language").
#ifndef SIFT_RULE_EXPRESSION_H_
#define SIFT_RULE_EXPRESSION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/ingestion/channel.h"

namespace sift {

// Deepest nesting an expression may have (parentheses, unary operators and
// operator chains all count); deeper input is an INVALID_ARGUMENT.
inline constexpr int kMaxExpressionDepth = 200;

// What a node of an expression is.
enum class ExpressionOp : uint8_t {
  // Leaves.
  kNumber,     // `number`
  kString,     // `text`
  kBool,       // `boolean`
  kReference,  // `$reference`
  // Unary operators (operand in `lhs`).
  kNegate,  // -x
  kNot,     // !x
  // Binary operators (`lhs`, `rhs`).
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  // String functions (`lhs` = the string searched, `rhs` = the argument).
  kContains,    // contains(s, t), s.contains(t)
  kStartsWith,  // startsWith(s, t), s.startsWith(t)
  kEndsWith,    // endsWith(s, t), s.endsWith(t)
};

// The operator's spelling (`>=`, `&&`, `-`) or the function's name
// (`contains`); empty for leaves.
std::string_view expression_op_symbol(ExpressionOp op);

// One node of an expression tree. Children are indices into
// Expression::nodes(); -1 when absent.
struct ExpressionNode {
  ExpressionOp op = ExpressionOp::kNumber;
  // 1-based column (in bytes) of the node's token: the operator, the literal,
  // the `$N` reference or the function name.
  int column = 1;
  // 1-based column where the node's text starts (its leftmost token).
  int start_column = 1;
  double number = 0.0;
  bool boolean = false;
  int reference = 0;
  std::string text;  // the (unescaped) value of a string literal
  int lhs = -1;
  int rhs = -1;
};

// A parsed expression: a value type (copyable, movable) holding the tree as
// a vector of nodes. Built by parse_expression(); a default-constructed
// Expression is empty (no nodes) and is rejected by check/evaluate.
class Expression {
 public:
  Expression() = default;

  bool empty() const { return nodes_.empty(); }
  const std::vector<ExpressionNode>& nodes() const { return nodes_; }
  // Index of the root node; -1 when empty.
  int root() const { return root_; }
  // The text the expression was parsed from.
  const std::string& source() const { return source_; }

  // The N of every `$N` used, sorted and distinct.
  std::vector<int> references() const;

  // Canonical text: every binary operation parenthesised (`($1 > 400)`),
  // numbers in shortest round-trip form (`1e3` -> `1000`), strings
  // double-quoted with `\"`, `\\`, `\n`, `\r`, `\t` escaped, receiver-style
  // calls written as functions (`$1.contains("a")` -> `contains($1, "a")`).
  // Parsing the result yields the same canonical text.
  std::string to_string() const;

 private:
  friend class ExpressionParser;
  std::vector<ExpressionNode> nodes_;
  int root_ = -1;
  std::string source_;
};

// Parses `text`. Errors are INVALID_ARGUMENT with a message
// `column N: <what>` (N is the 1-based byte column into `text`), e.g.
// `column 5: expected an operand after '>'`.
absl::StatusOr<Expression> parse_expression(std::string_view text);

// The channel bound to one `$N` of a rule, as far as expressions care.
struct ExpressionChannel {
  ChannelDataType data_type = ChannelDataType::kDouble;
  std::vector<ChannelEnumType> enum_types;
  std::vector<ChannelBitFieldElement> bit_field_elements;
  // False for a channel whose definition is not known locally (a rule may
  // watch channels that another config registers on the same asset).
  // check_expression() then lets `$N` fit any operator and ignores the other
  // fields, so only parsing and binding are checked for it.
  bool type_known = true;
};

// Checks `expression` against the channels bound to its references (key N
// for `$N`): every `$N` used is bound, every binding is used, operand types
// fit their operators (numbers for arithmetic, booleans for `&&`/`||`/`!`,
// strings for the string functions, comparable types for comparisons), enum
// labels and keys compared with an enum channel exist in its enum types, and
// the whole expression is a boolean condition. A channel with `type_known`
// false fits wherever its operand is used (`$1 + "a"` is still an error: the
// string does not fit). Bit-field and bytes channels are not supported in
// expressions yet (an error). The first problem is returned as
// INVALID_ARGUMENT `column N: <what>` (unused bindings have no column:
// `$N is bound but not used`).
absl::Status check_expression(const Expression& expression,
                              const std::map<int, ExpressionChannel>& bound);

// The value of an expression or sub-expression during evaluation. Enum values
// are represented by their label (or their key, as a number, when the channel
// has no label for it); `std::monostate` means "no value" (a channel with no
// sample yet, or a division by zero).
struct ExpressionValue {
  std::variant<std::monostate, double, std::string, bool> value;

  bool is_absent() const { return std::holds_alternative<std::monostate>(value); }
};

// Supplies the latest value of `$reference`; nullopt (or an empty TypedValue)
// when the channel has no value yet.
using ExpressionValueSource = std::function<std::optional<TypedValue>(int reference)>;

// Evaluates a (checked) expression as a rule condition.
//   - Numeric channel values (double, float, int32/64, uint32/64) compare as
//     double; enum values compare with strings by label (via the channel's enum
//     types in `bound`) and with numbers by key.
//   - A reference with no value yet has no value; arithmetic on no value has no
//     value, and a comparison or string function with an operand that has no
//     value is false (so `$1 != 5` is false until $1 has a value). A boolean
//     channel with no value is false where a condition is needed.
//   - Division by zero has no value, so the comparison it is part of is false.
// Type errors that check_expression() would have reported, and bit-field or
// bytes values, are INVALID_ARGUMENT.
absl::StatusOr<bool> evaluate(const Expression& expression, const ExpressionValueSource& value_of,
                              const std::map<int, ExpressionChannel>& bound);

// Evaluates `expression` to its value (of any type); see evaluate().
absl::StatusOr<ExpressionValue> evaluate_value(const Expression& expression,
                                               const ExpressionValueSource& value_of,
                                               const std::map<int, ExpressionChannel>& bound);

}  // namespace sift

#endif  // SIFT_RULE_EXPRESSION_H_
