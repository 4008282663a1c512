// Evaluation of rule expressions over channel values (the emulator's rule
// engine). Semantics are documented in sift/rule/expression.h and
// docs/rules.md: a value that is missing (no sample yet, division by zero)
// makes the comparison it takes part in false.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sift/ingestion/channel.h"
#include "sift/rule/expression.h"

namespace sift {
namespace {

using internal::to_absl_view;

struct Value {
  enum class Kind { kAbsent, kNumber, kString, kBool, kEnum };
  Kind kind = Kind::kAbsent;
  double number = 0.0;     // the number, or an enum's key
  std::string text;        // the string, or an enum's label
  bool has_label = false;  // kEnum: `text` is the key's label
  bool boolean = false;

  static Value of_number(double n) {
    Value v;
    v.kind = Kind::kNumber;
    v.number = n;
    return v;
  }
  static Value of_bool(bool b) {
    Value v;
    v.kind = Kind::kBool;
    v.boolean = b;
    return v;
  }
  static Value of_string(std::string s) {
    Value v;
    v.kind = Kind::kString;
    v.text = std::move(s);
    return v;
  }
};

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kAbsent:
      return "no value";
    case Value::Kind::kNumber:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kEnum:
      return "enum";
  }
  return "";
}

absl::Status error_at(int column, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", to_absl_view(what)));
}

// Applies an ordering operator to the result of a three-way comparison.
bool compare(ExpressionOp op, int order) {
  switch (op) {
    case ExpressionOp::kEqual:
      return order == 0;
    case ExpressionOp::kNotEqual:
      return order != 0;
    case ExpressionOp::kLess:
      return order < 0;
    case ExpressionOp::kLessEqual:
      return order <= 0;
    case ExpressionOp::kGreater:
      return order > 0;
    case ExpressionOp::kGreaterEqual:
      return order >= 0;
    default:
      return false;
  }
}

bool compare_numbers(ExpressionOp op, double a, double b) {
  switch (op) {
    case ExpressionOp::kEqual:
      return a == b;
    case ExpressionOp::kNotEqual:
      return a != b;
    case ExpressionOp::kLess:
      return a < b;
    case ExpressionOp::kLessEqual:
      return a <= b;
    case ExpressionOp::kGreater:
      return a > b;
    case ExpressionOp::kGreaterEqual:
      return a >= b;
    default:
      return false;
  }
}

bool is_equality(ExpressionOp op) {
  return op == ExpressionOp::kEqual || op == ExpressionOp::kNotEqual;
}

class Evaluator {
 public:
  Evaluator(const Expression& expression, const ExpressionValueSource& value_of,
            const std::map<int, ExpressionChannel>& bound)
      : nodes_(expression.nodes()), value_of_(value_of), bound_(bound) {}

  absl::StatusOr<Value> eval(int index) {
    const ExpressionNode& node = nodes_[index];
    switch (node.op) {
      case ExpressionOp::kNumber:
        return Value::of_number(node.number);
      case ExpressionOp::kString:
        return Value::of_string(node.text);
      case ExpressionOp::kBool:
        return Value::of_bool(node.boolean);
      case ExpressionOp::kReference:
        return reference(node);
      case ExpressionOp::kNegate:
      case ExpressionOp::kNot:
        return unary(node);
      case ExpressionOp::kAnd:
      case ExpressionOp::kOr:
        return logical(node);
      default:
        break;
    }
    absl::StatusOr<Value> lhs = eval(node.lhs);
    if (!lhs.ok()) return lhs;
    absl::StatusOr<Value> rhs = eval(node.rhs);
    if (!rhs.ok()) return rhs;
    const bool absent = lhs->kind == Value::Kind::kAbsent || rhs->kind == Value::Kind::kAbsent;
    const std::string symbol(expression_op_symbol(node.op));
    const std::string got = absl::StrCat(to_absl_view(kind_name(lhs->kind)), " and ",
                                         to_absl_view(kind_name(rhs->kind)));
    switch (node.op) {
      case ExpressionOp::kAdd:
      case ExpressionOp::kSubtract:
      case ExpressionOp::kMultiply:
      case ExpressionOp::kDivide:
        if (absent) return Value{};
        if (lhs->kind != Value::Kind::kNumber || rhs->kind != Value::Kind::kNumber) {
          return error_at(node.column,
                          absl::StrCat("arithmetic '", symbol, "' needs numbers, got ", got));
        }
        return arithmetic(node.op, lhs->number, rhs->number);
      case ExpressionOp::kContains:
      case ExpressionOp::kStartsWith:
      case ExpressionOp::kEndsWith:
        if (absent) return Value::of_bool(false);
        if (lhs->kind != Value::Kind::kString || rhs->kind != Value::Kind::kString) {
          return error_at(node.column, absl::StrCat(symbol, "() needs strings, got ", got));
        }
        return Value::of_bool(string_function(node.op, lhs->text, rhs->text));
      default:
        break;
    }
    if (absent) return Value::of_bool(false);
    std::optional<bool> result = comparison(node.op, *lhs, *rhs);
    if (!result) {
      return error_at(node.column, absl::StrCat("cannot compare ", got, " with '", symbol, "'"));
    }
    return Value::of_bool(*result);
  }

  absl::StatusOr<bool> condition(int root) {
    absl::StatusOr<Value> value = eval(root);
    if (!value.ok()) return value.status();
    if (value->kind == Value::Kind::kAbsent) return false;
    if (value->kind != Value::Kind::kBool) {
      return error_at(nodes_[root].start_column,
                      absl::StrCat("the expression must be a boolean condition, but it is a ",
                                   to_absl_view(kind_name(value->kind))));
    }
    return value->boolean;
  }

 private:
  absl::StatusOr<Value> reference(const ExpressionNode& node) {
    std::optional<TypedValue> sample = value_of_ ? value_of_(node.reference) : std::nullopt;
    if (!sample || sample->is_empty()) return Value{};
    switch (sample->kind()) {
      case ValueKind::kDouble:
        return Value::of_number(sample->as_double());
      case ValueKind::kFloat:
        return Value::of_number(sample->as_float());
      case ValueKind::kInt32:
        return Value::of_number(sample->as_int32());
      case ValueKind::kUint32:
        return Value::of_number(sample->as_uint32());
      case ValueKind::kInt64:
        return Value::of_number(static_cast<double>(sample->as_int64()));
      case ValueKind::kUint64:
        return Value::of_number(static_cast<double>(sample->as_uint64()));
      case ValueKind::kString:
        return Value::of_string(std::string(sample->as_bytes()));
      case ValueKind::kBool:
        return Value::of_bool(sample->as_bool());
      case ValueKind::kEnum: {
        Value v;
        v.kind = Value::Kind::kEnum;
        v.number = sample->as_enum();
        const auto found = bound_.find(node.reference);
        if (found != bound_.end()) {
          for (const ChannelEnumType& e : found->second.enum_types) {
            if (e.key == sample->as_enum()) {
              v.text = e.name;
              v.has_label = true;
              break;
            }
          }
        }
        return v;
      }
      case ValueKind::kBitField:
      case ValueKind::kBytes:
      case ValueKind::kEmpty:
        break;
    }
    return error_at(node.column, absl::StrCat("$", node.reference, " has a ",
                                              to_absl_view(as_human_str(*sample->data_type())),
                                              " value, which expressions do not support"));
  }

  absl::StatusOr<Value> unary(const ExpressionNode& node) {
    absl::StatusOr<Value> operand = eval(node.lhs);
    if (!operand.ok()) return operand;
    if (operand->kind == Value::Kind::kAbsent) return Value{};
    if (node.op == ExpressionOp::kNegate && operand->kind == Value::Kind::kNumber) {
      return Value::of_number(-operand->number);
    }
    if (node.op == ExpressionOp::kNot && operand->kind == Value::Kind::kBool) {
      return Value::of_bool(!operand->boolean);
    }
    return error_at(node.column,
                    absl::StrCat("'", to_absl_view(expression_op_symbol(node.op)), "' needs a ",
                                 node.op == ExpressionOp::kNegate ? "number" : "bool", ", got ",
                                 to_absl_view(kind_name(operand->kind))));
  }

  // `&&` and `||` short-circuit; an operand with no value counts as false.
  absl::StatusOr<Value> logical(const ExpressionNode& node) {
    const bool is_and = node.op == ExpressionOp::kAnd;
    absl::StatusOr<bool> lhs = truth(node, node.lhs);
    if (!lhs.ok()) return lhs.status();
    if (*lhs != is_and) return Value::of_bool(*lhs);
    absl::StatusOr<bool> rhs = truth(node, node.rhs);
    if (!rhs.ok()) return rhs.status();
    return Value::of_bool(*rhs);
  }

  absl::StatusOr<bool> truth(const ExpressionNode& op, int index) {
    absl::StatusOr<Value> value = eval(index);
    if (!value.ok()) return value.status();
    if (value->kind == Value::Kind::kAbsent) return false;
    if (value->kind != Value::Kind::kBool) {
      return error_at(op.column,
                      absl::StrCat("'", to_absl_view(expression_op_symbol(op.op)),
                                   "' needs booleans, got ", to_absl_view(kind_name(value->kind))));
    }
    return value->boolean;
  }

  static Value arithmetic(ExpressionOp op, double a, double b) {
    switch (op) {
      case ExpressionOp::kAdd:
        return Value::of_number(a + b);
      case ExpressionOp::kSubtract:
        return Value::of_number(a - b);
      case ExpressionOp::kMultiply:
        return Value::of_number(a * b);
      default:
        if (b == 0.0) return Value{};  // division by zero: no value
        return Value::of_number(a / b);
    }
  }

  static bool string_function(ExpressionOp op, const std::string& s, const std::string& t) {
    switch (op) {
      case ExpressionOp::kContains:
        return s.find(t) != std::string::npos;
      case ExpressionOp::kStartsWith:
        return s.size() >= t.size() && s.compare(0, t.size(), t) == 0;
      default:
        return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
    }
  }

  // nullopt when the operand types cannot be compared with `op`.
  static std::optional<bool> comparison(ExpressionOp op, const Value& a, const Value& b) {
    using Kind = Value::Kind;
    if (a.kind == Kind::kNumber && b.kind == Kind::kNumber) {
      return compare_numbers(op, a.number, b.number);
    }
    if (a.kind == Kind::kString && b.kind == Kind::kString) {
      return compare(op, a.text.compare(b.text));
    }
    if (a.kind == Kind::kBool && b.kind == Kind::kBool) {
      if (!is_equality(op)) return std::nullopt;
      return compare(op, a.boolean == b.boolean ? 0 : 1);
    }
    if (a.kind != Kind::kEnum && b.kind != Kind::kEnum) return std::nullopt;
    // An enum on at least one side.
    const Value& e = a.kind == Kind::kEnum ? a : b;
    const Value& other = a.kind == Kind::kEnum ? b : a;
    const bool swapped = a.kind != Kind::kEnum;
    if (other.kind == Kind::kNumber || (other.kind == Kind::kEnum && !is_equality(op))) {
      return swapped ? compare_numbers(op, other.number, e.number)
                     : compare_numbers(op, e.number, other.number);
    }
    if (!is_equality(op)) return std::nullopt;
    if (other.kind == Kind::kEnum) {
      if (e.has_label && other.has_label) return compare(op, e.text == other.text ? 0 : 1);
      return compare_numbers(op, e.number, other.number);
    }
    if (other.kind == Kind::kString) {
      // A key without a label equals no string.
      return compare(op, e.has_label && e.text == other.text ? 0 : 1);
    }
    return std::nullopt;
  }

  const std::vector<ExpressionNode>& nodes_;
  const ExpressionValueSource& value_of_;
  const std::map<int, ExpressionChannel>& bound_;
};

}  // namespace

absl::StatusOr<bool> evaluate(const Expression& expression, const ExpressionValueSource& value_of,
                              const std::map<int, ExpressionChannel>& bound) {
  if (expression.empty()) return absl::InvalidArgumentError("the expression is empty");
  return Evaluator(expression, value_of, bound).condition(expression.root());
}

absl::StatusOr<ExpressionValue> evaluate_value(const Expression& expression,
                                               const ExpressionValueSource& value_of,
                                               const std::map<int, ExpressionChannel>& bound) {
  if (expression.empty()) return absl::InvalidArgumentError("the expression is empty");
  absl::StatusOr<Value> value = Evaluator(expression, value_of, bound).eval(expression.root());
  if (!value.ok()) return value.status();
  ExpressionValue out;
  switch (value->kind) {
    case Value::Kind::kAbsent:
      break;
    case Value::Kind::kNumber:
      out.value = value->number;
      break;
    case Value::Kind::kString:
      out.value = std::move(value->text);
      break;
    case Value::Kind::kBool:
      out.value = value->boolean;
      break;
    case Value::Kind::kEnum:
      if (value->has_label) {
        out.value = std::move(value->text);
      } else {
        out.value = value->number;
      }
      break;
  }
  return out;
}

}  // namespace sift
