// Type checking of rule expressions against the channels bound to `$N`.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sift/ingestion/channel.h"
#include "sift/rule/expression.h"

namespace sift {
namespace {

using internal::to_absl_view;

// kAny: a channel whose type is not known locally; it fits every operator.
enum class Kind { kNumber, kString, kBool, kEnum, kAny };

struct Type {
  Kind kind = Kind::kNumber;
  int reference = 0;  // for kEnum: the `$N` whose channel it is
};

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kBool:
      return "bool";
    case Kind::kEnum:
      return "enum";
    case Kind::kAny:
      return "unknown";
  }
  return "";
}

absl::Status error_at(int column, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", to_absl_view(what)));
}

std::string format_key(double number) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", number);
  return buffer;
}

// An operand of kind `have` is acceptable where `want` is needed.
bool fits(Kind have, Kind want) { return have == want || have == Kind::kAny; }

class Checker {
 public:
  Checker(const Expression& expression, const std::map<int, ExpressionChannel>& bound)
      : nodes_(expression.nodes()), bound_(bound) {}

  absl::StatusOr<Type> check(int index) {
    const ExpressionNode& node = nodes_[index];
    switch (node.op) {
      case ExpressionOp::kNumber:
        return Type{Kind::kNumber, 0};
      case ExpressionOp::kString:
        return Type{Kind::kString, 0};
      case ExpressionOp::kBool:
        return Type{Kind::kBool, 0};
      case ExpressionOp::kReference:
        return reference(node);
      case ExpressionOp::kNegate:
      case ExpressionOp::kNot: {
        absl::StatusOr<Type> operand = check(node.lhs);
        if (!operand.ok()) return operand;
        const Kind want = node.op == ExpressionOp::kNegate ? Kind::kNumber : Kind::kBool;
        if (!fits(operand->kind, want)) {
          return error_at(node.column,
                          absl::StrCat("'", to_absl_view(expression_op_symbol(node.op)),
                                       "' needs a ", to_absl_view(kind_name(want)), ", got ",
                                       to_absl_view(kind_name(operand->kind))));
        }
        return Type{want, 0};
      }
      default:
        break;
    }
    absl::StatusOr<Type> lhs = check(node.lhs);
    if (!lhs.ok()) return lhs;
    absl::StatusOr<Type> rhs = check(node.rhs);
    if (!rhs.ok()) return rhs;
    const std::string symbol(expression_op_symbol(node.op));
    const std::string got = absl::StrCat(to_absl_view(kind_name(lhs->kind)), " and ",
                                         to_absl_view(kind_name(rhs->kind)));
    switch (node.op) {
      case ExpressionOp::kAdd:
      case ExpressionOp::kSubtract:
      case ExpressionOp::kMultiply:
      case ExpressionOp::kDivide:
        if (!fits(lhs->kind, Kind::kNumber) || !fits(rhs->kind, Kind::kNumber)) {
          return error_at(node.column,
                          absl::StrCat("arithmetic '", symbol, "' needs numbers, got ", got));
        }
        return Type{Kind::kNumber, 0};
      case ExpressionOp::kAnd:
      case ExpressionOp::kOr:
        if (!fits(lhs->kind, Kind::kBool) || !fits(rhs->kind, Kind::kBool)) {
          return error_at(node.column, absl::StrCat("'", symbol, "' needs booleans, got ", got));
        }
        return Type{Kind::kBool, 0};
      case ExpressionOp::kContains:
      case ExpressionOp::kStartsWith:
      case ExpressionOp::kEndsWith:
        if (!fits(lhs->kind, Kind::kString) || !fits(rhs->kind, Kind::kString)) {
          return error_at(node.column, absl::StrCat(symbol, "() needs strings, got ", got));
        }
        return Type{Kind::kBool, 0};
      default:
        break;
    }
    // Comparisons.
    if (lhs->kind == Kind::kAny || rhs->kind == Kind::kAny) return Type{Kind::kBool, 0};
    const bool equality = node.op == ExpressionOp::kEqual || node.op == ExpressionOp::kNotEqual;
    if (lhs->kind == Kind::kEnum || rhs->kind == Kind::kEnum) {
      absl::Status status = enum_comparison(node, *lhs, *rhs, equality);
      if (!status.ok()) return status;
      return Type{Kind::kBool, 0};
    }
    bool ok = lhs->kind == rhs->kind;
    if (ok && lhs->kind == Kind::kBool && !equality) ok = false;
    if (!ok) {
      return error_at(node.column, absl::StrCat("cannot compare ", got, " with '", symbol, "'"));
    }
    return Type{Kind::kBool, 0};
  }

  absl::Status check_root(int root) {
    absl::StatusOr<Type> type = check(root);
    if (!type.ok()) return type.status();
    if (!fits(type->kind, Kind::kBool)) {
      return error_at(nodes_[root].start_column,
                      absl::StrCat("the expression must be a boolean condition, but it is a ",
                                   to_absl_view(kind_name(type->kind))));
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<Type> reference(const ExpressionNode& node) {
    const auto found = bound_.find(node.reference);
    if (found == bound_.end()) {
      return error_at(node.column,
                      absl::StrCat("$", node.reference, " is not bound to a channel reference"));
    }
    if (!found->second.type_known) return Type{Kind::kAny, node.reference};
    const ChannelDataType type = found->second.data_type;
    switch (type) {
      case ChannelDataType::kDouble:
      case ChannelDataType::kFloat:
      case ChannelDataType::kInt32:
      case ChannelDataType::kUint32:
      case ChannelDataType::kInt64:
      case ChannelDataType::kUint64:
        return Type{Kind::kNumber, 0};
      case ChannelDataType::kString:
        return Type{Kind::kString, 0};
      case ChannelDataType::kBool:
        return Type{Kind::kBool, 0};
      case ChannelDataType::kEnum:
        return Type{Kind::kEnum, node.reference};
      case ChannelDataType::kBitField:
      case ChannelDataType::kBytes:
        break;
    }
    return error_at(node.column, absl::StrCat("$", node.reference, " is bound to a ",
                                              to_absl_view(as_human_str(type)),
                                              " channel, which expressions do not support"));
  }

  std::string labels_of(const ExpressionChannel& channel) const {
    std::vector<std::string> labels;
    for (const ChannelEnumType& e : channel.enum_types) labels.push_back(e.name);
    return labels.empty() ? "none" : absl::StrJoin(labels, ", ");
  }

  std::string keys_of(const ExpressionChannel& channel) const {
    std::vector<std::string> keys;
    for (const ChannelEnumType& e : channel.enum_types) keys.push_back(std::to_string(e.key));
    return keys.empty() ? "none" : absl::StrJoin(keys, ", ");
  }

  // An enum operand compares with: another enum (by label), a string (by
  // label; a string literal must be a label), or a number (by key; a number
  // literal must be a key). Ordering (< <= > >=) is by key, numbers only.
  absl::Status enum_comparison(const ExpressionNode& node, const Type& lhs, const Type& rhs,
                               bool equality) {
    const Type& enum_side = lhs.kind == Kind::kEnum ? lhs : rhs;
    const Type& other = lhs.kind == Kind::kEnum ? rhs : lhs;
    const ExpressionNode& other_node = nodes_[lhs.kind == Kind::kEnum ? node.rhs : node.lhs];
    const ExpressionChannel& channel = bound_.at(enum_side.reference);
    const std::string symbol(expression_op_symbol(node.op));
    const std::string got =
        absl::StrCat(to_absl_view(kind_name(lhs.kind)), " and ", to_absl_view(kind_name(rhs.kind)));
    switch (other.kind) {
      case Kind::kEnum:
      case Kind::kString:
        if (!equality) {
          return error_at(node.column,
                          absl::StrCat("cannot compare ", got, " with '", symbol,
                                       "' (enum channels are ordered by key: compare with a "
                                       "number)"));
        }
        if (other_node.op == ExpressionOp::kString) {
          for (const ChannelEnumType& e : channel.enum_types) {
            if (e.name == other_node.text) return absl::OkStatus();
          }
          return error_at(
              other_node.column,
              absl::StrCat("'", other_node.text, "' is not a label of the enum channel bound to $",
                           enum_side.reference, " (labels: ", labels_of(channel), ")"));
        }
        return absl::OkStatus();
      case Kind::kNumber:
        if (other_node.op == ExpressionOp::kNumber) {
          for (const ChannelEnumType& e : channel.enum_types) {
            if (static_cast<double>(e.key) == other_node.number) return absl::OkStatus();
          }
          return error_at(other_node.column,
                          absl::StrCat(format_key(other_node.number),
                                       " is not a key of the enum channel bound to $",
                                       enum_side.reference, " (keys: ", keys_of(channel), ")"));
        }
        return absl::OkStatus();
      case Kind::kBool:
      case Kind::kAny:  // handled before enum comparisons
        break;
    }
    return error_at(node.column, absl::StrCat("cannot compare ", got, " with '", symbol, "'"));
  }

  const std::vector<ExpressionNode>& nodes_;
  const std::map<int, ExpressionChannel>& bound_;
};

}  // namespace

absl::Status check_expression(const Expression& expression,
                              const std::map<int, ExpressionChannel>& bound) {
  if (expression.empty()) return absl::InvalidArgumentError("the expression is empty");
  Checker checker(expression, bound);
  absl::Status status = checker.check_root(expression.root());
  if (!status.ok()) return status;
  const std::vector<int> used = expression.references();
  for (const auto& [reference, channel] : bound) {
    (void)channel;
    if (!std::binary_search(used.begin(), used.end(), reference)) {
      return absl::InvalidArgumentError(absl::StrCat("$", reference, " is bound but not used"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sift
