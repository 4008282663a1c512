// YAML 1.1 typing of plain scalars (spec 3.1), checked against what PyYAML's
// safe loader (sift_py 0.9.6) produces for the same text.
#include "yaml/scalar.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace yaml_internal {
namespace {

std::string type_of(std::string_view text) {
  return std::string(python_type_name(resolve_plain_scalar(text).type));
}

int64_t int_of(std::string_view text) {
  const ResolvedScalar r = resolve_plain_scalar(text);
  EXPECT_EQ(r.type, NodeType::kInt) << text;
  EXPECT_FALSE(r.int_overflow) << text;
  return r.int_value;
}

double float_of(std::string_view text) {
  const ResolvedScalar r = resolve_plain_scalar(text);
  EXPECT_EQ(r.type, NodeType::kFloat) << text;
  return r.float_value;
}

TEST(YamlScalarTest, Null) {
  for (std::string_view text : {"", "~", "null", "Null", "NULL"}) {
    EXPECT_EQ(type_of(text), "NoneType") << text;
  }
  for (std::string_view text : {"nUll", "~a", "none", "None"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
}

TEST(YamlScalarTest, Bool) {
  for (std::string_view text : {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    const ResolvedScalar r = resolve_plain_scalar(text);
    EXPECT_EQ(r.type, NodeType::kBool) << text;
    EXPECT_TRUE(r.bool_value) << text;
  }
  for (std::string_view text : {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    const ResolvedScalar r = resolve_plain_scalar(text);
    EXPECT_EQ(r.type, NodeType::kBool) << text;
    EXPECT_FALSE(r.bool_value) << text;
  }
  // PyYAML's resolver has no single-letter booleans and no mixed case.
  for (std::string_view text : {"y", "n", "Y", "N", "yEs", "tRUE", "oN"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
}

TEST(YamlScalarTest, Int) {
  EXPECT_EQ(int_of("0"), 0);
  EXPECT_EQ(int_of("-0"), 0);
  EXPECT_EQ(int_of("+1"), 1);
  EXPECT_EQ(int_of("426"), 426);
  EXPECT_EQ(int_of("-426"), -426);
  EXPECT_EQ(int_of("1_000"), 1000);
  EXPECT_EQ(int_of("1__0"), 10);
  EXPECT_EQ(int_of("010"), 8);  // leading 0: octal
  EXPECT_EQ(int_of("0_7"), 7);
  EXPECT_EQ(int_of("00"), 0);
  EXPECT_EQ(int_of("0x10"), 16);
  EXPECT_EQ(int_of("0x1F"), 31);
  EXPECT_EQ(int_of("-0x1F"), -31);
  EXPECT_EQ(int_of("0b101"), 5);
  EXPECT_EQ(int_of("1:30"), 90);  // sexagesimal
  EXPECT_EQ(int_of("-1:30"), -90);
  EXPECT_EQ(int_of("1:3:5"), 3785);
  EXPECT_EQ(int_of("1_0:30"), 630);
  EXPECT_EQ(int_of("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(int_of("-9223372036854775808"), std::numeric_limits<int64_t>::min());
}

TEST(YamlScalarTest, IntLookalikesAreStrings) {
  // 0o is YAML 1.2; 08 is not octal; 0X/0B are upper case; 1:60 is out of
  // range for a sexagesimal digit; 0:30 needs a nonzero head.
  for (std::string_view text :
       {"0o17", "0o7", "08", "0X1F", "0B1", "1:60", "0:30", "_1", "12v", "1e3", "0b", "0x"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
  // PyYAML matches these as ints and then crashes on the empty digits; we
  // keep them strings.
  EXPECT_EQ(type_of("0b_"), "str");
  EXPECT_EQ(type_of("0x_"), "str");
}

TEST(YamlScalarTest, HugeIntsStayInts) {
  for (std::string_view text : {"99999999999999999999999999", "9223372036854775808",
                                "-9223372036854775809", "0x1_0000_0000_0000_0000"}) {
    const ResolvedScalar r = resolve_plain_scalar(text);
    EXPECT_EQ(r.type, NodeType::kInt) << text;
    EXPECT_TRUE(r.int_overflow) << text;
  }
}

TEST(YamlScalarTest, Float) {
  EXPECT_DOUBLE_EQ(float_of("1.0"), 1.0);
  EXPECT_DOUBLE_EQ(float_of("1."), 1.0);
  EXPECT_DOUBLE_EQ(float_of("0."), 0.0);
  EXPECT_DOUBLE_EQ(float_of(".5"), 0.5);
  EXPECT_DOUBLE_EQ(float_of("-1.5"), -1.5);
  EXPECT_DOUBLE_EQ(float_of("1_0.5"), 10.5);
  EXPECT_DOUBLE_EQ(float_of("1._5"), 1.5);
  EXPECT_DOUBLE_EQ(float_of("0.5_"), 0.5);
  EXPECT_DOUBLE_EQ(float_of("1.0e+3"), 1000.0);
  EXPECT_DOUBLE_EQ(float_of("1.0E+3"), 1000.0);
  EXPECT_DOUBLE_EQ(float_of("1.0e-3"), 0.001);
  EXPECT_DOUBLE_EQ(float_of(".5e+3"), 500.0);
  EXPECT_DOUBLE_EQ(float_of("1:30.5"), 90.5);
  EXPECT_DOUBLE_EQ(float_of("-1:30.5"), -90.5);
  EXPECT_DOUBLE_EQ(float_of("190:20:30.15"), 685230.15);
  EXPECT_EQ(float_of(".inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(float_of("+.Inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(float_of("-.INF"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(float_of(".nan")));
  EXPECT_TRUE(std::isnan(float_of(".NaN")));
  EXPECT_TRUE(std::isnan(float_of(".NAN")));
  EXPECT_EQ(float_of("1" + std::string(400, '0') + ".0"), std::numeric_limits<double>::infinity());
}

TEST(YamlScalarTest, FloatLookalikesAreStrings) {
  // The exponent needs a `.` and an explicit sign; PyYAML's `.5` form has no
  // sign, so `-.5` and `+.5` are strings.
  for (std::string_view text : {"1e3", "1e+3", "1.0e3", "1.5e3", "-.5", "+.5", "-.5e+3", ".e+3",
                                "._5", "inf", "nan", ".Nan", "-.nan", "1.0.0"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
}

TEST(YamlScalarTest, Timestamps) {
  EXPECT_EQ(type_of("2024-07-04"), "date");
  EXPECT_EQ(type_of("2024-01-01 10:00:00"), "datetime");
  EXPECT_EQ(type_of("2024-1-1 10:00:00"), "datetime");
  EXPECT_EQ(type_of("2024-01-01T10:00:00Z"), "datetime");
  EXPECT_EQ(type_of("2024-01-01t10:00:00.123 +05:30"), "datetime");
  EXPECT_EQ(type_of("2024-01-01  10:00:00"), "datetime");
  EXPECT_EQ(type_of("2024-07-04T18:09:08.555-07:00"), "datetime");
  for (std::string_view text :
       {"2024-1-1", "2024-01-01T", "2024-01-01 10:00", "24-01-01", "2024-01-01 10:00:00 UTC"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
}

TEST(YamlScalarTest, Strings) {
  for (std::string_view text : {"NostromoLV426", "$1 > 400", "Miles Per Hour", "double", "<<", "=",
                                "CHANNEL_DATA_TYPE_DOUBLE", "12v", "- 1"}) {
    EXPECT_EQ(type_of(text), "str") << text;
  }
}

TEST(YamlScalarTest, TaggedResolversRequireTheirPattern) {
  ResolvedScalar r;
  EXPECT_TRUE(resolve_int("0x10", &r));
  EXPECT_EQ(r.int_value, 16);
  EXPECT_FALSE(resolve_int("two", &r));
  EXPECT_TRUE(resolve_float("2.5", &r));
  EXPECT_FALSE(resolve_float("2", &r));  // a tagged !!float also takes ints (node_test)
  EXPECT_TRUE(resolve_bool("off", &r));
  EXPECT_FALSE(r.bool_value);
  EXPECT_FALSE(resolve_bool("0", &r));
  EXPECT_EQ(resolve_timestamp("2024-07-04"), NodeType::kDate);
  EXPECT_EQ(resolve_timestamp("July 4th"), NodeType::kStr);
}

TEST(YamlScalarTest, PythonTypeNames) {
  EXPECT_EQ(python_type_name(NodeType::kNull), "NoneType");
  EXPECT_EQ(python_type_name(NodeType::kBool), "bool");
  EXPECT_EQ(python_type_name(NodeType::kInt), "int");
  EXPECT_EQ(python_type_name(NodeType::kFloat), "float");
  EXPECT_EQ(python_type_name(NodeType::kStr), "str");
  EXPECT_EQ(python_type_name(NodeType::kDate), "date");
  EXPECT_EQ(python_type_name(NodeType::kDatetime), "datetime");
  EXPECT_EQ(python_type_name(NodeType::kSeq), "list");
  EXPECT_EQ(python_type_name(NodeType::kMap), "dict");
}

}  // namespace
}  // namespace yaml_internal
}  // namespace sift
