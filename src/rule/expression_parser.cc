// Recursive-descent parser for rule expressions, plus Expression's
// references() and to_string().
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

using internal::to_absl_view;

std::string_view expression_op_symbol(ExpressionOp op) {
  switch (op) {
    case ExpressionOp::kNumber:
    case ExpressionOp::kString:
    case ExpressionOp::kBool:
    case ExpressionOp::kReference:
      return "";
    case ExpressionOp::kNegate:
    case ExpressionOp::kSubtract:
      return "-";
    case ExpressionOp::kNot:
      return "!";
    case ExpressionOp::kAdd:
      return "+";
    case ExpressionOp::kMultiply:
      return "*";
    case ExpressionOp::kDivide:
      return "/";
    case ExpressionOp::kEqual:
      return "==";
    case ExpressionOp::kNotEqual:
      return "!=";
    case ExpressionOp::kLess:
      return "<";
    case ExpressionOp::kLessEqual:
      return "<=";
    case ExpressionOp::kGreater:
      return ">";
    case ExpressionOp::kGreaterEqual:
      return ">=";
    case ExpressionOp::kAnd:
      return "&&";
    case ExpressionOp::kOr:
      return "||";
    case ExpressionOp::kContains:
      return "contains";
    case ExpressionOp::kStartsWith:
      return "startsWith";
    case ExpressionOp::kEndsWith:
      return "endsWith";
  }
  return "";
}

namespace {

enum class TokenKind { kEnd, kNumber, kString, kIdentifier, kReference, kPunct };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // source text of the token
  int column = 1;
  double number = 0.0;
  std::string value;  // unescaped string literal
  int reference = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) { return is_identifier_start(c) || is_digit(c); }

// A character for an error message: printable ASCII as is, others as \xNN.
std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
  return buffer;
}

// Source text of a token for an error message, shortened if long.
std::string describe_text(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 24)) out += describe_char(c);
  if (text.size() > 24) out += "...";
  return out;
}

absl::Status error_at(int column, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", to_absl_view(what)));
}

constexpr int kMaxReference = 999999;

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < text_.size() &&
             (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
              text_[pos_] == '\r' || text_[pos_] == '\f' || text_[pos_] == '\v')) {
        ++pos_;
      }
      Token token;
      token.column = static_cast<int>(pos_) + 1;
      if (pos_ >= text_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      const size_t start = pos_;
      const char c = text_[pos_];
      absl::Status status;
      if (is_digit(c)) {
        status = number(token);
      } else if (c == '"' || c == '\'') {
        status = string(token);
      } else if (c == '$') {
        status = reference(token);
      } else if (is_identifier_start(c)) {
        while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
        token.kind = TokenKind::kIdentifier;
      } else {
        status = punct(token);
      }
      if (!status.ok()) return status;
      token.text = text_.substr(start, pos_ - start);
      tokens.push_back(std::move(token));
    }
  }

 private:
  absl::Status number(Token& token) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
      return pos_ > from;
    };
    bool ok = digits();
    if (ok && pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      ok = digits();
    }
    if (ok && pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      ok = digits();
    }
    // `10abc`, `1.x`, `1e`: the malformed part runs to the end of the word.
    if (!ok || (pos_ < text_.size() && (is_identifier_char(text_[pos_]) || text_[pos_] == '.'))) {
      while (pos_ < text_.size() && (is_identifier_char(text_[pos_]) || text_[pos_] == '.')) {
        ++pos_;
      }
      return error_at(token.column,
                      absl::StrCat("malformed number '",
                                   describe_text(text_.substr(start, pos_ - start)), "'"));
    }
    const std::string literal(text_.substr(start, pos_ - start));
    errno = 0;
    const double value = std::strtod(literal.c_str(), nullptr);
    if (std::isinf(value)) {
      return error_at(token.column,
                      absl::StrCat("number '", describe_text(literal), "' is out of range"));
    }
    token.kind = TokenKind::kNumber;
    token.number = value;
    return absl::OkStatus();
  }

  absl::Status string(Token& token) {
    const char quote = text_[pos_];
    ++pos_;
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) return error_at(token.column, "unterminated string");
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c != '\\') {
        value.push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size()) return error_at(token.column, "unterminated string");
      const char e = text_[pos_ + 1];
      switch (e) {
        case '"':
        case '\'':
        case '\\':
          value.push_back(e);
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        default:
          return error_at(static_cast<int>(pos_) + 1,
                          absl::StrCat("unknown escape '\\", describe_char(e), "' in string"));
      }
      pos_ += 2;
    }
    token.kind = TokenKind::kString;
    token.value = std::move(value);
    return absl::OkStatus();
  }

  absl::Status reference(Token& token) {
    const size_t start = pos_;
    ++pos_;
    if (pos_ < text_.size() && is_identifier_start(text_[pos_])) {
      while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
      return error_at(token.column,
                      absl::StrCat("'", describe_text(text_.substr(start, pos_ - start)),
                                   "' is a placeholder that no sub-expression replaced"));
    }
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) {
      return error_at(token.column, "expected a channel reference number after '$'");
    }
    const size_t digits_start = pos_;
    while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
    const std::string_view digits = text_.substr(digits_start, pos_ - digits_start);
    const std::string shown = describe_text(text_.substr(start, pos_ - start));
    if (!std::all_of(digits.begin(), digits.end(), is_digit) ||
        (digits.size() > 1 && digits[0] == '0')) {
      return error_at(token.column, absl::StrCat("malformed channel reference '", shown, "'"));
    }
    if (digits == "0") {
      return error_at(token.column, "channel references start at $1, not $0");
    }
    if (digits.size() > 6) {
      return error_at(token.column, absl::StrCat("channel reference '", shown,
                                                 "' is too large (at most $", kMaxReference, ")"));
    }
    int n = 0;
    for (char d : digits) n = n * 10 + (d - '0');
    token.kind = TokenKind::kReference;
    token.reference = n;
    return absl::OkStatus();
  }

  absl::Status punct(Token& token) {
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "&&", "||"};
    for (std::string_view two : kTwo) {
      if (text_.substr(pos_, 2) == two) {
        pos_ += 2;
        token.kind = TokenKind::kPunct;
        return absl::OkStatus();
      }
    }
    const char c = text_[pos_];
    switch (c) {
      case '<':
      case '>':
      case '!':
      case '+':
      case '-':
      case '*':
      case '/':
      case '(':
      case ')':
      case ',':
      case '.':
        ++pos_;
        token.kind = TokenKind::kPunct;
        return absl::OkStatus();
      case '=':
        return error_at(token.column, "unexpected '=' (did you mean '=='?)");
      case '&':
        return error_at(token.column, "unexpected '&' (did you mean '&&'?)");
      case '|':
        return error_at(token.column, "unexpected '|' (did you mean '||'?)");
      default:
        return error_at(token.column,
                        absl::StrCat("unexpected character '", describe_char(c), "'"));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

class ExpressionParser {
 public:
  ExpressionParser(std::string_view text, std::vector<Token> tokens) : tokens_(std::move(tokens)) {
    result_.source_ = std::string(text);
  }

  absl::StatusOr<Expression> run() {
    if (peek().kind == TokenKind::kEnd) return error_at(peek().column, "expected an expression");
    absl::StatusOr<int> root = parse_or();
    if (!root.ok()) return root.status();
    const Token& next = peek();
    if (next.kind != TokenKind::kEnd) {
      if (is(")")) return error_at(next.column, "unmatched ')'");
      return error_at(next.column, absl::StrCat("unexpected '", describe_text(next.text),
                                                "' after a complete expression"));
    }
    result_.root_ = *root;
    return std::move(result_);
  }

 private:
  using Parse = absl::StatusOr<int>;

  const Token& peek() const { return tokens_[pos_]; }
  bool is(std::string_view punct) const {
    return peek().kind == TokenKind::kPunct && peek().text == punct;
  }
  const Token& advance() {
    previous_ = pos_;
    return tokens_[pos_++];
  }

  absl::Status nested_too_deeply(int column) const {
    return error_at(column, absl::StrCat("expression is nested too deeply (more than ",
                                         kMaxExpressionDepth, " levels)"));
  }

  // Adds a node, enforcing the depth limit on the tree.
  Parse add(ExpressionNode node) {
    int depth = 1;
    if (node.lhs >= 0) depth = std::max(depth, depths_[node.lhs] + 1);
    if (node.rhs >= 0) depth = std::max(depth, depths_[node.rhs] + 1);
    if (depth > kMaxExpressionDepth) return nested_too_deeply(node.column);
    result_.nodes_.push_back(std::move(node));
    depths_.push_back(depth);
    return static_cast<int>(result_.nodes_.size()) - 1;
  }

  Parse binary(ExpressionOp op, int column, int lhs, int rhs) {
    ExpressionNode node;
    node.op = op;
    node.column = column;
    node.start_column = result_.nodes_[lhs].start_column;
    node.lhs = lhs;
    node.rhs = rhs;
    return add(std::move(node));
  }

  // One left-associative precedence level: `next (op next)*`.
  template <typename Next>
  Parse level(const std::vector<std::pair<std::string_view, ExpressionOp>>& ops, Next next) {
    Parse lhs = (this->*next)();
    if (!lhs.ok()) return lhs;
    while (true) {
      const auto found =
          std::find_if(ops.begin(), ops.end(), [&](const auto& entry) { return is(entry.first); });
      if (found == ops.end()) return lhs;
      const int column = advance().column;
      Parse rhs = (this->*next)();
      if (!rhs.ok()) return rhs;
      lhs = binary(found->second, column, *lhs, *rhs);
      if (!lhs.ok()) return lhs;
    }
  }

  Parse parse_or() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"||", ExpressionOp::kOr}};
    return level(kOps, &ExpressionParser::parse_and);
  }
  Parse parse_and() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"&&", ExpressionOp::kAnd}};
    return level(kOps, &ExpressionParser::parse_equality);
  }
  Parse parse_equality() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"==", ExpressionOp::kEqual}, {"!=", ExpressionOp::kNotEqual}};
    return level(kOps, &ExpressionParser::parse_relational);
  }
  Parse parse_relational() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"<", ExpressionOp::kLess},
        {"<=", ExpressionOp::kLessEqual},
        {">", ExpressionOp::kGreater},
        {">=", ExpressionOp::kGreaterEqual}};
    return level(kOps, &ExpressionParser::parse_additive);
  }
  Parse parse_additive() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"+", ExpressionOp::kAdd}, {"-", ExpressionOp::kSubtract}};
    return level(kOps, &ExpressionParser::parse_multiplicative);
  }
  Parse parse_multiplicative() {
    static const std::vector<std::pair<std::string_view, ExpressionOp>> kOps = {
        {"*", ExpressionOp::kMultiply}, {"/", ExpressionOp::kDivide}};
    return level(kOps, &ExpressionParser::parse_unary);
  }

  Parse parse_unary() {
    if (!is("-") && !is("!")) return parse_postfix();
    const Token& op = advance();
    if (++depth_ > kMaxExpressionDepth) return nested_too_deeply(op.column);
    Parse operand = parse_unary();
    --depth_;
    if (!operand.ok()) return operand;
    ExpressionNode node;
    node.op = op.text == "-" ? ExpressionOp::kNegate : ExpressionOp::kNot;
    node.column = op.column;
    node.start_column = op.column;
    node.lhs = *operand;
    return add(std::move(node));
  }

  // A primary followed by receiver-style calls: `$1.contains("a")`.
  Parse parse_postfix() {
    Parse receiver = parse_primary();
    if (!receiver.ok()) return receiver;
    while (is(".")) {
      advance();
      if (peek().kind != TokenKind::kIdentifier) {
        return error_at(peek().column, "expected a function name after '.'");
      }
      const Token& name = advance();
      receiver = parse_call(name, *receiver);
      if (!receiver.ok()) return receiver;
    }
    return receiver;
  }

  static std::optional<ExpressionOp> function_op(std::string_view name) {
    if (name == "contains") return ExpressionOp::kContains;
    if (name == "startsWith") return ExpressionOp::kStartsWith;
    if (name == "endsWith") return ExpressionOp::kEndsWith;
    return std::nullopt;
  }

  // After the function name: `(args)`. `receiver` (or -1) is the first argument.
  Parse parse_call(const Token& name, int receiver) {
    const std::optional<ExpressionOp> op = function_op(name.text);
    if (!op) {
      return error_at(name.column, absl::StrCat("unknown function '", describe_text(name.text),
                                                "' (supported: contains, startsWith, endsWith)"));
    }
    if (!is("(")) {
      return error_at(peek().column,
                      absl::StrCat("expected '(' after '", to_absl_view(name.text), "'"));
    }
    const int open_column = advance().column;
    if (++depth_ > kMaxExpressionDepth) return nested_too_deeply(open_column);
    std::vector<int> args;
    if (receiver >= 0) args.push_back(receiver);
    if (!is(")")) {
      while (true) {
        Parse arg = parse_or();
        if (!arg.ok()) return arg;
        args.push_back(*arg);
        if (!is(",")) break;
        advance();
      }
    }
    if (!is(")")) {
      return error_at(peek().column,
                      absl::StrCat("expected ',' or ')' in the call of '", to_absl_view(name.text),
                                   "' at column ", name.column));
    }
    advance();
    --depth_;
    const int expected = 2 - (receiver >= 0 ? 1 : 0);
    const int given = static_cast<int>(args.size()) - (receiver >= 0 ? 1 : 0);
    if (given != expected) {
      return error_at(name.column,
                      absl::StrCat(to_absl_view(name.text), "() takes ", expected,
                                   expected == 1 ? " argument" : " arguments",
                                   receiver >= 0 ? " after '.'" : "", ", got ", given));
    }
    ExpressionNode node;
    node.op = *op;
    node.column = name.column;
    node.start_column = receiver >= 0 ? result_.nodes_[receiver].start_column : name.column;
    node.lhs = args[0];
    node.rhs = args[1];
    return add(std::move(node));
  }

  Parse parse_primary() {
    const Token& token = peek();
    ExpressionNode node;
    node.column = token.column;
    node.start_column = token.column;
    switch (token.kind) {
      case TokenKind::kNumber:
        node.op = ExpressionOp::kNumber;
        node.number = token.number;
        advance();
        return add(std::move(node));
      case TokenKind::kString:
        node.op = ExpressionOp::kString;
        node.text = token.value;
        advance();
        return add(std::move(node));
      case TokenKind::kReference:
        node.op = ExpressionOp::kReference;
        node.reference = token.reference;
        advance();
        return add(std::move(node));
      case TokenKind::kIdentifier: {
        if (token.text == "true" || token.text == "false") {
          node.op = ExpressionOp::kBool;
          node.boolean = token.text == "true";
          advance();
          return add(std::move(node));
        }
        const Token& name = advance();
        if (is("(")) return parse_call(name, -1);
        if (name.text == "True" || name.text == "False") {
          return error_at(name.column, absl::StrCat("unknown identifier '", to_absl_view(name.text),
                                                    "' (booleans are written true and false)"));
        }
        return error_at(name.column,
                        absl::StrCat("unknown identifier '", describe_text(name.text), "'"));
      }
      case TokenKind::kPunct:
        if (is("(")) {
          const int open_column = advance().column;
          if (++depth_ > kMaxExpressionDepth) return nested_too_deeply(open_column);
          Parse inner = parse_or();
          if (!inner.ok()) return inner;
          if (!is(")")) {
            return error_at(peek().column,
                            absl::StrCat("expected ')' to close '(' at column ", open_column));
          }
          advance();
          --depth_;
          // The parenthesised expression starts at '('.
          result_.nodes_[*inner].start_column = open_column;
          return inner;
        }
        break;
      case TokenKind::kEnd:
        break;
    }
    if (previous_ < 0) return error_at(token.column, "expected an expression");
    return error_at(token.column, absl::StrCat("expected an operand after '",
                                               describe_text(tokens_[previous_].text), "'"));
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int previous_ = -1;
  int depth_ = 0;
  std::vector<int> depths_;
  Expression result_;
};

absl::StatusOr<Expression> parse_expression(std::string_view text) {
  absl::StatusOr<std::vector<Token>> tokens = Lexer(text).run();
  if (!tokens.ok()) return tokens.status();
  return ExpressionParser(text, *std::move(tokens)).run();
}

std::vector<int> Expression::references() const {
  std::vector<int> out;
  for (const ExpressionNode& node : nodes_) {
    if (node.op == ExpressionOp::kReference) out.push_back(node.reference);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Shortest text that reads back as the same double; integers below 1e16
// without an exponent (`400`, not `4e+02`).
std::string format_number(double value) {
  char buffer[40];
  if (value == std::floor(value) && std::fabs(value) < 1e16) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

void append_node(const std::vector<ExpressionNode>& nodes, int index, std::string& out) {
  const ExpressionNode& node = nodes[index];
  switch (node.op) {
    case ExpressionOp::kNumber:
      out += format_number(node.number);
      return;
    case ExpressionOp::kString:
      out += quote(node.text);
      return;
    case ExpressionOp::kBool:
      out += node.boolean ? "true" : "false";
      return;
    case ExpressionOp::kReference:
      out += "$" + std::to_string(node.reference);
      return;
    case ExpressionOp::kNegate:
    case ExpressionOp::kNot:
      out += std::string(expression_op_symbol(node.op));
      append_node(nodes, node.lhs, out);
      return;
    case ExpressionOp::kContains:
    case ExpressionOp::kStartsWith:
    case ExpressionOp::kEndsWith:
      out += std::string(expression_op_symbol(node.op));
      out += "(";
      append_node(nodes, node.lhs, out);
      out += ", ";
      append_node(nodes, node.rhs, out);
      out += ")";
      return;
    default:
      out += "(";
      append_node(nodes, node.lhs, out);
      out += " ";
      out += std::string(expression_op_symbol(node.op));
      out += " ";
      append_node(nodes, node.rhs, out);
      out += ")";
      return;
  }
}

}  // namespace

std::string Expression::to_string() const {
  std::string out;
  if (root_ >= 0) append_node(nodes_, root_, out);
  return out;
}

}  // namespace sift
