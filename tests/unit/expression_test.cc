// Rule expressions: parsing, checking and evaluation (sift/rule/expression.h).
#include "sift/rule/expression.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/ingestion/channel.h"

namespace sift {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Canonical form of `text`, or the parse error's message.
std::string canonical(const std::string& text) {
  absl::StatusOr<Expression> parsed = parse_expression(text);
  if (!parsed.ok()) return "error: " + std::string(parsed.status().message());
  return parsed->to_string();
}

// ---------------------------------------------------------------------------
// Parsing

TEST(ExpressionParseTest, SeedExamples) {
  EXPECT_EQ(canonical("$1 > 400"), "($1 > 400)");
  EXPECT_EQ(canonical("0.5 * 10 * $1 * $1 > 470"), "((((0.5 * 10) * $1) * $1) > 470)");
  EXPECT_EQ(canonical("contains($1, \"ERROR\")"), "contains($1, \"ERROR\")");
  EXPECT_EQ(canonical("(1 / 12) * 10 * 2 * 2 * $1"), "(((((1 / 12) * 10) * 2) * 2) * $1)");
}

TEST(ExpressionParseTest, Literals) {
  EXPECT_EQ(canonical("10"), "10");
  EXPECT_EQ(canonical("0.5"), "0.5");
  EXPECT_EQ(canonical("1e3"), "1000");
  EXPECT_EQ(canonical("2.5E-1"), "0.25");
  EXPECT_EQ(canonical("1e+20"), "1e+20");
  EXPECT_EQ(canonical("007"), "7");
  EXPECT_EQ(canonical("0.1"), "0.1");
  EXPECT_EQ(canonical("true"), "true");
  EXPECT_EQ(canonical("false"), "false");
  EXPECT_EQ(canonical("\"a b\""), "\"a b\"");
  EXPECT_EQ(canonical("'single'"), "\"single\"");
  EXPECT_EQ(canonical(R"("q\"uote\\d")"), R"("q\"uote\\d")");
  EXPECT_EQ(canonical(R"('it\'s "x"')"), R"("it's \"x\"")");
  EXPECT_EQ(canonical(R"("tab\tnl\ncr\r")"), R"("tab\tnl\ncr\r")");
  EXPECT_EQ(canonical("$1"), "$1");
  EXPECT_EQ(canonical("$42"), "$42");
  EXPECT_EQ(canonical("$999999"), "$999999");
}

TEST(ExpressionParseTest, StringValueIsUnescaped) {
  absl::StatusOr<Expression> e = parse_expression(R"("a\"b\\c")");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->nodes()[e->root()].text, "a\"b\\c");
}

TEST(ExpressionParseTest, OperatorFamilies) {
  EXPECT_EQ(canonical("$1 + 2 - 3"), "(($1 + 2) - 3)");
  EXPECT_EQ(canonical("$1 * 2 / 3"), "(($1 * 2) / 3)");
  EXPECT_EQ(canonical("-$1"), "-$1");
  EXPECT_EQ(canonical("- -$1"), "--$1");
  EXPECT_EQ(canonical("!!true"), "!!true");
  EXPECT_EQ(canonical("$1==1"), "($1 == 1)");
  EXPECT_EQ(canonical("$1!=1"), "($1 != 1)");
  EXPECT_EQ(canonical("$1<1"), "($1 < 1)");
  EXPECT_EQ(canonical("$1<=1"), "($1 <= 1)");
  EXPECT_EQ(canonical("$1>1"), "($1 > 1)");
  EXPECT_EQ(canonical("$1>=1"), "($1 >= 1)");
  EXPECT_EQ(canonical("$1 && $2"), "($1 && $2)");
  EXPECT_EQ(canonical("$1 || $2"), "($1 || $2)");
  EXPECT_EQ(canonical("!$1"), "!$1");
  EXPECT_EQ(canonical("startsWith($1, 'a')"), "startsWith($1, \"a\")");
  EXPECT_EQ(canonical("endsWith($1, 'a')"), "endsWith($1, \"a\")");
}

TEST(ExpressionParseTest, ReceiverStyleCalls) {
  EXPECT_EQ(canonical("$1.contains(\"ERROR\")"), "contains($1, \"ERROR\")");
  EXPECT_EQ(canonical("$1.startsWith('a') && $2.endsWith('b')"),
            "(startsWith($1, \"a\") && endsWith($2, \"b\"))");
  EXPECT_EQ(canonical("'abc'.contains('b')"), "contains(\"abc\", \"b\")");
}

TEST(ExpressionParseTest, Precedence) {
  // || < && < equality < relational < additive < multiplicative < unary
  EXPECT_EQ(canonical("$1 || $2 && $3"), "($1 || ($2 && $3))");
  EXPECT_EQ(canonical("$1 && $2 || $3"), "(($1 && $2) || $3)");
  EXPECT_EQ(canonical("$1 == 1 && $2 != 2"), "(($1 == 1) && ($2 != 2))");
  EXPECT_EQ(canonical("$1 < 2 == true"), "(($1 < 2) == true)");
  EXPECT_EQ(canonical("$1 + 1 > $2 * 2"), "(($1 + 1) > ($2 * 2))");
  EXPECT_EQ(canonical("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(canonical("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(canonical("-$1 * 2"), "(-$1 * 2)");
  EXPECT_EQ(canonical("-($1 * 2)"), "-($1 * 2)");
  EXPECT_EQ(canonical("!$1 && $2"), "(!$1 && $2)");
  EXPECT_EQ(canonical("!($1 && $2)"), "!($1 && $2)");
  EXPECT_EQ(canonical("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(canonical("8 / 4 / 2"), "((8 / 4) / 2)");
  EXPECT_EQ(canonical("$1 > 0 && $1 < 10 || $2 == 'x' && !contains($3, 'y')"),
            "((($1 > 0) && ($1 < 10)) || (($2 == \"x\") && !contains($3, \"y\")))");
}

TEST(ExpressionParseTest, Whitespace) { EXPECT_EQ(canonical("  $1\t>\n400  "), "($1 > 400)"); }

TEST(ExpressionParseTest, CanonicalFormIsAFixedPoint) {
  for (const char* text :
       {"$1 > 400", "0.5 * 10 * $1 * $1 > 470", "contains($1, \"ERROR\")",
        "-(-1) < --2 || !(!true)", "'a\\\\b\\\"c' == $2", "1e-300 * 0.1 > 1.7976931348623157e308",
        "$1 / 3 == 0.3333333333333333", "$1.endsWith('x') != false"}) {
    const std::string once = canonical(text);
    ASSERT_EQ(once.rfind("error", 0), std::string::npos) << text << ": " << once;
    EXPECT_EQ(canonical(once), once) << text;
  }
}

TEST(ExpressionParseTest, References) {
  absl::StatusOr<Expression> e = parse_expression("$3 > $1 && $1 < 10 || $12 == 'a'");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(e->references(), ElementsAre(1, 3, 12));
  absl::StatusOr<Expression> none = parse_expression("1 < 2");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->references(), IsEmpty());
}

TEST(ExpressionParseTest, ColumnsOfNodes) {
  absl::StatusOr<Expression> e = parse_expression("  ($1 + 2) > 400");
  ASSERT_TRUE(e.ok()) << e.status();
  const ExpressionNode& root = e->nodes()[e->root()];
  EXPECT_EQ(root.op, ExpressionOp::kGreater);
  EXPECT_EQ(root.column, 12);
  EXPECT_EQ(root.start_column, 3);
  EXPECT_EQ(e->source(), "  ($1 + 2) > 400");
}

TEST(ExpressionParseTest, ValueSemantics) {
  absl::StatusOr<Expression> e = parse_expression("$1 > 400");
  ASSERT_TRUE(e.ok());
  Expression copy = *e;
  Expression moved = std::move(*e);
  EXPECT_EQ(copy.to_string(), "($1 > 400)");
  EXPECT_EQ(moved.to_string(), "($1 > 400)");
  EXPECT_TRUE(Expression().empty());
  EXPECT_EQ(Expression().to_string(), "");
}

TEST(ExpressionParseTest, DeepButAllowedNesting) {
  const std::string text = std::string(150, '(') + "$1" + std::string(150, ')') + " > 1";
  EXPECT_EQ(canonical(text), "($1 > 1)");
}

struct BadExpression {
  std::string text;
  std::string error;
};

std::vector<BadExpression> bad_expressions() {
  std::vector<BadExpression> rows = {
      {"", "column 1: expected an expression"},
      {"   ", "column 4: expected an expression"},
      {"$1 >", "column 5: expected an operand after '>'"},
      {"$1 > )", "column 6: expected an operand after '>'"},
      {"$1 >= >= 3", "column 7: expected an operand after '>='"},
      {"$1 > 4 &&", "column 10: expected an operand after '&&'"},
      {"!", "column 2: expected an operand after '!'"},
      {"()", "column 2: expected an operand after '('"},
      {"* 3", "column 1: expected an expression"},
      {".5 > $1", "column 1: expected an expression"},
      {"($1 > 4", "column 8: expected ')' to close '(' at column 1"},
      {"((1 + 2) * 3", "column 13: expected ')' to close '(' at column 1"},
      {"(1 2)", "column 4: expected ')' to close '(' at column 1"},
      {"$1 > 4)", "column 7: unmatched ')'"},
      {"$1 > 4 5", "column 8: unexpected '5' after a complete expression"},
      {"$1 > 4 (", "column 8: unexpected '(' after a complete expression"},
      {"$1 $2", "column 4: unexpected '$2' after a complete expression"},
      {"contains($1, \"ERR)", "column 14: unterminated string"},
      {"'abc", "column 1: unterminated string"},
      {"\"abc\\", "column 1: unterminated string"},
      {"\"a\\q\" == $1", "column 3: unknown escape '\\q' in string"},
      {"foo($1)", "column 1: unknown function 'foo' (supported: contains, startsWith, endsWith)"},
      {"$1.size() > 3",
       "column 4: unknown function 'size' (supported: contains, startsWith, "
       "endsWith)"},
      {"contains($1)", "column 1: contains() takes 2 arguments, got 1"},
      {"contains()", "column 1: contains() takes 2 arguments, got 0"},
      {"startsWith($1, 'a', 'b')", "column 1: startsWith() takes 2 arguments, got 3"},
      {"$1.contains(\"a\", \"b\")", "column 4: contains() takes 1 argument after '.', got 2"},
      {"contains($1 \"a\")",
       "column 13: expected ',' or ')' in the call of 'contains' at column 1"},
      {"contains($1, )", "column 14: expected an operand after ','"},
      {"$1.", "column 4: expected a function name after '.'"},
      {"$1.contains", "column 12: expected '(' after 'contains'"},
      {"$1 = 4", "column 4: unexpected '=' (did you mean '=='?)"},
      {"$1 & $2", "column 4: unexpected '&' (did you mean '&&'?)"},
      {"$1 | $2", "column 4: unexpected '|' (did you mean '||'?)"},
      {"$1 # 2", "column 4: unexpected character '#'"},
      {"$1 > \x01", "column 6: unexpected character '\\x01'"},
      {"$mass > 4", "column 1: '$mass' is a placeholder that no sub-expression replaced"},
      {"$ > 4", "column 1: expected a channel reference number after '$'"},
      {"$0 > 4", "column 1: channel references start at $1, not $0"},
      {"$01 > 4", "column 1: malformed channel reference '$01'"},
      {"$1a > 4", "column 1: malformed channel reference '$1a'"},
      {"$1234567 > 4", "column 1: channel reference '$1234567' is too large (at most $999999)"},
      {"$1 > 1e", "column 6: malformed number '1e'"},
      {"$1 > 1.x", "column 6: malformed number '1.x'"},
      {"$1 > 1.", "column 6: malformed number '1.'"},
      {"$1 > 10abc", "column 6: malformed number '10abc'"},
      {"$1 > 1e999", "column 6: number '1e999' is out of range"},
      {"$1 == True", "column 7: unknown identifier 'True' (booleans are written true and false)"},
      {"$1 > limit", "column 6: unknown identifier 'limit'"},
      {"contains > 1", "column 1: unknown identifier 'contains'"},
      {std::string(201, '(') + "1" + std::string(201, ')'),
       "column 201: expression is nested too deeply (more than 200 levels)"},
      {std::string(300, '-') + "1",
       "column 201: expression is nested too deeply (more than 200 levels)"},
  };
  // A flat chain: the 200th '+' (column 400) makes the tree 201 levels deep.
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += "+1";
  rows.push_back({chain, "column 400: expression is nested too deeply (more than 200 levels)"});
  return rows;
}

TEST(ExpressionParseTest, BadExpressionsHaveExactErrors) {
  const std::vector<BadExpression> rows = bad_expressions();
  ASSERT_GE(rows.size(), 30u);
  for (const BadExpression& row : rows) {
    absl::StatusOr<Expression> parsed = parse_expression(row.text);
    ASSERT_FALSE(parsed.ok()) << row.text << " parsed as " << parsed->to_string();
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << row.text;
    EXPECT_EQ(parsed.status().message(), row.error) << row.text;
  }
}

// ---------------------------------------------------------------------------
// Checking

ExpressionChannel channel_of(ChannelDataType type) {
  ExpressionChannel channel;
  channel.data_type = type;
  return channel;
}

ExpressionChannel state_channel() {
  ExpressionChannel channel = channel_of(ChannelDataType::kEnum);
  channel.enum_types = {{"Stopped", 0, std::nullopt}, {"Running", 1, std::nullopt}};
  return channel;
}

// $1 double, $2 string, $3 enum (Stopped=0, Running=1), $4 bool,
// $5 bit field, $6 int32, $7 uint64.
const std::map<int, ExpressionChannel>& all_channels() {
  static const auto* channels =
      new std::map<int, ExpressionChannel>{{1, channel_of(ChannelDataType::kDouble)},
                                           {2, channel_of(ChannelDataType::kString)},
                                           {3, state_channel()},
                                           {4, channel_of(ChannelDataType::kBool)},
                                           {5, channel_of(ChannelDataType::kBitField)},
                                           {6, channel_of(ChannelDataType::kInt32)},
                                           {7, channel_of(ChannelDataType::kUint64)}};
  return *channels;
}

// Checks `text` against the channels of all_channels() it uses; "ok" or the
// error message.
std::string check(const std::string& text) {
  absl::StatusOr<Expression> parsed = parse_expression(text);
  if (!parsed.ok()) return "parse error: " + std::string(parsed.status().message());
  std::map<int, ExpressionChannel> bound;
  for (int reference : parsed->references()) {
    const auto found = all_channels().find(reference);
    if (found != all_channels().end()) bound.insert(*found);
  }
  absl::Status status = check_expression(*parsed, bound);
  return status.ok() ? "ok" : std::string(status.message());
}

TEST(ExpressionCheckTest, ValidExpressions) {
  for (const char* text : {
           "$1 > 400",
           "0.5 * 10 * $1 * $1 > 470",
           "contains($2, \"ERROR\")",
           "$2.startsWith('WARN') || endsWith($2, '!')",
           "$3 == \"Stopped\"",
           "\"Running\" != $3",
           "$3 == 1",
           "$3 >= 0",
           "$3 == $3",
           "$3 == $2",
           "$4",
           "$4 == true",
           "!$4 && $1 < 3",
           "$6 > $1 && $7 <= $6 + 1",
           "$2 < 'm'",
           "-$1 > -4",
           "true",
       }) {
    EXPECT_EQ(check(text), "ok") << text;
  }
}

TEST(ExpressionCheckTest, UnboundReference) {
  absl::StatusOr<Expression> e = parse_expression("$1 > 400 && $2 == 'x'");
  ASSERT_TRUE(e.ok());
  absl::Status status = check_expression(*e, {{1, channel_of(ChannelDataType::kDouble)}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "column 13: $2 is not bound to a channel reference");
}

TEST(ExpressionCheckTest, UnusedBinding) {
  absl::StatusOr<Expression> e = parse_expression("$1 > 400");
  ASSERT_TRUE(e.ok());
  absl::Status status = check_expression(
      *e, {{1, channel_of(ChannelDataType::kDouble)}, {2, channel_of(ChannelDataType::kString)}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "$2 is bound but not used");
}

TEST(ExpressionCheckTest, EmptyExpression) {
  EXPECT_EQ(check_expression(Expression(), {}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ExpressionCheckTest, TypeErrors) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"$2 > 5", "column 4: cannot compare string and number with '>'"},
      {"$2 == 5", "column 4: cannot compare string and number with '=='"},
      {"5 != $2", "column 3: cannot compare number and string with '!='"},
      {"$2 + 1 > 3", "column 4: arithmetic '+' needs numbers, got string and number"},
      {"$2 * $2 == 'x'", "column 4: arithmetic '*' needs numbers, got string and string"},
      {"$3 - 1 > 0", "column 4: arithmetic '-' needs numbers, got enum and number"},
      {"$3 == \"Foo\"",
       "column 7: 'Foo' is not a label of the enum channel bound to $3 (labels: Stopped, Running)"},
      {"'Foo' == $3",
       "column 1: 'Foo' is not a label of the enum channel bound to $3 (labels: Stopped, Running)"},
      {"$3 == 7", "column 7: 7 is not a key of the enum channel bound to $3 (keys: 0, 1)"},
      {"$3 < 'Running'",
       "column 4: cannot compare enum and string with '<' (enum channels are ordered by key: "
       "compare with a number)"},
      {"$3 == true", "column 4: cannot compare enum and bool with '=='"},
      {"$1 && true", "column 4: '&&' needs booleans, got number and bool"},
      {"$4 || 'x'", "column 4: '||' needs booleans, got bool and string"},
      {"contains($1, \"a\")", "column 1: contains() needs strings, got number and string"},
      {"$2.endsWith(1)", "column 4: endsWith() needs strings, got string and number"},
      {"startsWith($3, 'S')", "column 1: startsWith() needs strings, got enum and string"},
      {"$1 + 1", "column 1: the expression must be a boolean condition, but it is a number"},
      {"  ($2)", "column 3: the expression must be a boolean condition, but it is a string"},
      {"$5 == 1", "column 1: $5 is bound to a bit_field channel, which expressions do not support"},
      {"-$2 > 1", "column 1: '-' needs a number, got string"},
      {"!$1", "column 1: '!' needs a bool, got number"},
      {"$4 < true", "column 4: cannot compare bool and bool with '<'"},
      {"$4 == 1", "column 4: cannot compare bool and number with '=='"},
      {"$1 > 4 && $2 > 4", "column 14: cannot compare string and number with '>'"},
  };
  for (const auto& [text, error] : rows) EXPECT_EQ(check(text), error) << text;
}

// $8 bound to a channel whose type is not known locally (type_known false).
std::string check_with_unknown(const std::string& text) {
  absl::StatusOr<Expression> parsed = parse_expression(text);
  if (!parsed.ok()) return "parse error: " + std::string(parsed.status().message());
  std::map<int, ExpressionChannel> bound;
  for (int reference : parsed->references()) {
    const auto found = all_channels().find(reference);
    if (found != all_channels().end()) bound.insert(*found);
  }
  ExpressionChannel unknown;
  unknown.data_type = ChannelDataType::kBitField;  // ignored while the type is unknown
  unknown.type_known = false;
  bound.emplace(8, unknown);
  absl::Status status = check_expression(*parsed, bound);
  return status.ok() ? "ok" : std::string(status.message());
}

TEST(ExpressionCheckTest, UnknownChannelTypeFitsEveryOperator) {
  for (const char* text : {
           "$8",
           "!$8",
           "$8 > 400",
           "$8 == \"Running\"",
           "-$8 + $1 * $8 > 3",
           "contains($8, \"ERROR\") && $8.startsWith('x')",
           "$8 && $4",
           "$8 == $3",
           "$3 == $8",
           "$8 < $2",
           "$8 == true",
       }) {
    EXPECT_EQ(check_with_unknown(text), "ok") << text;
  }
}

TEST(ExpressionCheckTest, UnknownChannelTypeStillChecksTheOtherOperand) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"$8 + \"a\" > 0", "column 4: arithmetic '+' needs numbers, got unknown and string"},
      {"$8 && 1", "column 4: '&&' needs booleans, got unknown and number"},
      {"contains($8, 1)", "column 1: contains() needs strings, got unknown and number"},
      {"$8 + 1", "column 1: the expression must be a boolean condition, but it is a number"},
      {"$8 > 1 && $9 > 1", "column 11: $9 is not bound to a channel reference"},
      {"$3 == \"Foo\" && $8",
       "column 7: 'Foo' is not a label of the enum channel bound to $3 (labels: Stopped, Running)"},
  };
  for (const auto& [text, error] : rows) EXPECT_EQ(check_with_unknown(text), error) << text;

  // A binding of unknown type must still be used.
  absl::StatusOr<Expression> e = parse_expression("$1 > 400");
  ASSERT_TRUE(e.ok());
  ExpressionChannel unknown;
  unknown.type_known = false;
  EXPECT_EQ(
      check_expression(*e, {{1, channel_of(ChannelDataType::kDouble)}, {2, unknown}}).message(),
      "$2 is bound but not used");
}

// ---------------------------------------------------------------------------
// Evaluation

using Values = std::map<int, TypedValue>;

// Evaluates `text` with `values` over all_channels(); "true", "false" or the
// error message.
std::string eval(const std::string& text, const Values& values) {
  absl::StatusOr<Expression> parsed = parse_expression(text);
  if (!parsed.ok()) return "parse error: " + std::string(parsed.status().message());
  absl::StatusOr<bool> result = evaluate(
      *parsed,
      [&](int reference) -> std::optional<TypedValue> {
        const auto found = values.find(reference);
        if (found == values.end()) return std::nullopt;
        return found->second;
      },
      all_channels());
  if (!result.ok()) return std::string(result.status().message());
  return *result ? "true" : "false";
}

struct EvalRow {
  std::string text;
  Values values;
  std::string expected;
};

void expect_rows(const std::vector<EvalRow>& rows) {
  for (const EvalRow& row : rows) EXPECT_EQ(eval(row.text, row.values), row.expected) << row.text;
}

TEST(ExpressionEvalTest, SeedExamples) {
  expect_rows({
      {"$1 > 400", {{1, double_value(327)}}, "false"},
      {"$1 > 400", {{1, double_value(405)}}, "true"},
      {"$1 > 400", {{1, double_value(400)}}, "false"},
      {"0.5 * 10 * $1 * $1 > 470", {{1, double_value(9)}}, "false"},  // 405
      {"0.5 * 10 * $1 * $1 > 470", {{1, double_value(10)}}, "true"},  // 500
      {"contains($2, \"ERROR\")", {{2, string_value("an ERROR here")}}, "true"},
      {"contains($2, \"ERROR\")", {{2, string_value("all good")}}, "false"},
  });
}

TEST(ExpressionEvalTest, Comparisons) {
  const Values five = {{1, double_value(5)}};
  expect_rows({
      {"$1 == 5", five, "true"},
      {"$1 == 6", five, "false"},
      {"$1 != 5", five, "false"},
      {"$1 != 6", five, "true"},
      {"$1 < 5", five, "false"},
      {"$1 < 6", five, "true"},
      {"$1 <= 5", five, "true"},
      {"$1 <= 4", five, "false"},
      {"$1 > 4", five, "true"},
      {"$1 > 5", five, "false"},
      {"$1 >= 5", five, "true"},
      {"$1 >= 6", five, "false"},
      {"$2 == 'a'", {{2, string_value("a")}}, "true"},
      {"$2 != 'a'", {{2, string_value("a")}}, "false"},
      {"$2 < 'b'", {{2, string_value("a")}}, "true"},
      {"$2 >= 'b'", {{2, string_value("a")}}, "false"},
      {"$4 == true", {{4, bool_value(true)}}, "true"},
      {"$4 != true", {{4, bool_value(true)}}, "false"},
      {"$4 == false", {{4, bool_value(true)}}, "false"},
  });
}

TEST(ExpressionEvalTest, NumericTypesInteroperate) {
  expect_rows({
      {"$6 == 3", {{6, int32_value(3)}}, "true"},
      {"$6 < -2", {{6, int32_value(-3)}}, "true"},
      {"$7 > 4000000000", {{7, uint64_value(5000000000ULL)}}, "true"},
      {"$6 * 2 == $1", {{6, int32_value(3)}, {1, double_value(6)}}, "true"},
      {"$1 > 1.5", {{1, float_value(1.75f)}}, "true"},
      {"$1 == 7", {{1, int64_value(7)}}, "true"},
      {"$1 == 8", {{1, uint32_value(8)}}, "true"},
  });
}

TEST(ExpressionEvalTest, Arithmetic) {
  const Values six = {{1, double_value(6)}};
  expect_rows({
      {"$1 + 1 == 7", six, "true"},
      {"$1 - 1 == 5", six, "true"},
      {"$1 * 2 == 12", six, "true"},
      {"$1 / 4 == 1.5", six, "true"},
      {"-$1 == -6", six, "true"},
      {"1 - 2 - 3 == -4", six, "true"},
      {"2 + 3 * 4 == 14", six, "true"},
      {"(2 + 3) * 4 == 20", six, "true"},
      {"$1 > 0", six, "true"},
  });
}

TEST(ExpressionEvalTest, DivisionByZeroMakesTheComparisonFalse) {
  const Values zero = {{1, double_value(0)}};
  expect_rows({
      {"1 / $1 > 0", zero, "false"},
      {"1 / $1 <= 0", zero, "false"},
      {"1 / $1 == 1 / $1", zero, "false"},
      {"1 / $1 != 3", zero, "false"},
      {"!(1 / $1 > 0)", zero, "true"},
      {"1 / $1 > 0 || $1 == 0", zero, "true"},
  });
}

TEST(ExpressionEvalTest, Logical) {
  for (bool a : {false, true}) {
    for (bool b : {false, true}) {
      const Values values = {{4, bool_value(a)}, {1, double_value(b ? 1 : 0)}};
      const std::string name = std::string(a ? "T" : "F") + (b ? "T" : "F");
      EXPECT_EQ(eval("$4 && $1 == 1", values), (a && b) ? "true" : "false") << name;
      EXPECT_EQ(eval("$4 || $1 == 1", values), (a || b) ? "true" : "false") << name;
      EXPECT_EQ(eval("!$4", values), !a ? "true" : "false") << name;
      EXPECT_EQ(eval("!($4 && $1 == 1)", values), !(a && b) ? "true" : "false") << name;
    }
  }
  EXPECT_EQ(eval("true || false && false", {}), "true");
  EXPECT_EQ(eval("(true || false) && false", {}), "false");
}

TEST(ExpressionEvalTest, EnumsCompareByLabelOrKey) {
  const Values running = {{3, enum_value(1)}};
  const Values unknown_key = {{3, enum_value(9)}};
  expect_rows({
      {"$3 == \"Running\"", running, "true"},
      {"$3 == \"Stopped\"", running, "false"},
      {"$3 != \"Stopped\"", running, "true"},
      {"'Running' == $3", running, "true"},
      {"$3 == 1", running, "true"},
      {"$3 > 0", running, "true"},
      {"0 < $3", running, "true"},
      {"$3 == $2", {{3, enum_value(0)}, {2, string_value("Stopped")}}, "true"},
      {"$3 == 'Running'", unknown_key, "false"},
      {"$3 != 'Running'", unknown_key, "true"},
      {"$3 == 9", unknown_key, "true"},
  });
}

TEST(ExpressionEvalTest, StringFunctions) {
  const Values log = {{2, string_value("WARN: disk full!")}};
  expect_rows({
      {"contains($2, 'disk')", log, "true"},
      {"contains($2, 'cpu')", log, "false"},
      {"contains($2, '')", log, "true"},
      {"startsWith($2, 'WARN')", log, "true"},
      {"startsWith($2, 'ERR')", log, "false"},
      {"endsWith($2, 'full!')", log, "true"},
      {"endsWith($2, 'WARN')", log, "false"},
      {"$2.startsWith('WARN: disk full!!')", log, "false"},
      {"$2.endsWith('x WARN: disk full!')", log, "false"},
      {"$2.contains('disk') && !$2.contains('cpu')", log, "true"},
  });
}

TEST(ExpressionEvalTest, MissingValuesMakeComparisonsFalse) {
  const Values none;
  expect_rows({
      {"$1 > 400", none, "false"},
      {"$1 <= 400", none, "false"},
      {"$1 == 400", none, "false"},
      {"$1 != 400", none, "false"},
      {"$1 * 2 + 1 > 0", none, "false"},
      {"-$1 < 0", none, "false"},
      {"contains($2, 'a')", none, "false"},
      {"$3 == 'Running'", none, "false"},
      {"$4", none, "false"},
      {"!$4", none, "false"},
      {"$4 || $1 > 3", none, "false"},
      {"!($1 > 400)", none, "true"},
      {"$1 > 400 || $6 == 1", {{6, int32_value(1)}}, "true"},
      {"$1 > 400", {{1, TypedValue()}}, "false"},  // an empty value is no value
  });
}

TEST(ExpressionEvalTest, UncheckedTypeErrorsAreReported) {
  expect_rows({
      {"$2 > 5", {{2, string_value("a")}}, "column 4: cannot compare string and number with '>'"},
      {"$2 + 1 > 5",
       {{2, string_value("a")}},
       "column 4: arithmetic '+' needs numbers, got string and number"},
      {"$1 + 1",
       {{1, double_value(1)}},
       "column 1: the expression must be a boolean condition, but it is a number"},
      {"$5 == 1",
       {{5, bit_field_value("\x01")}},
       "column 1: $5 has a bit_field value, which expressions do not support"},
  });
}

TEST(ExpressionEvalTest, EvaluateValue) {
  absl::StatusOr<Expression> e = parse_expression("0.5 * 10 * $1 * $1");
  ASSERT_TRUE(e.ok());
  auto value_of = [](int) -> std::optional<TypedValue> { return double_value(10); };
  absl::StatusOr<ExpressionValue> value = evaluate_value(*e, value_of, all_channels());
  ASSERT_TRUE(value.ok()) << value.status();
  ASSERT_TRUE(std::holds_alternative<double>(value->value));
  EXPECT_EQ(std::get<double>(value->value), 500.0);

  absl::StatusOr<Expression> state = parse_expression("$3");
  ASSERT_TRUE(state.ok());
  auto running = [](int) -> std::optional<TypedValue> { return enum_value(1); };
  value = evaluate_value(*state, running, all_channels());
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(std::get<std::string>(value->value), "Running");

  auto nothing = [](int) -> std::optional<TypedValue> { return std::nullopt; };
  value = evaluate_value(*state, nothing, all_channels());
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value->is_absent());
}

}  // namespace
}  // namespace sift
