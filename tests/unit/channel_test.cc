// Channels and typed values (spec sections 1.1-1.5).
#include "sift/ingestion/channel.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace {

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// 1.1 ChannelDataType

struct DataTypeRow {
  ChannelDataType type;
  int wire;
  const char* short_name;
  const char* api_name;
};

// The table of spec 1.1, written out independently of the implementation.
const DataTypeRow kDataTypeTable[] = {
    {ChannelDataType::kDouble, 1, "double", "CHANNEL_DATA_TYPE_DOUBLE"},
    {ChannelDataType::kString, 2, "string", "CHANNEL_DATA_TYPE_STRING"},
    {ChannelDataType::kEnum, 3, "enum", "CHANNEL_DATA_TYPE_ENUM"},
    {ChannelDataType::kBitField, 4, "bit_field", "CHANNEL_DATA_TYPE_BIT_FIELD"},
    {ChannelDataType::kBool, 5, "bool", "CHANNEL_DATA_TYPE_BOOL"},
    {ChannelDataType::kFloat, 6, "float", "CHANNEL_DATA_TYPE_FLOAT"},
    {ChannelDataType::kInt32, 7, "int32", "CHANNEL_DATA_TYPE_INT_32"},
    {ChannelDataType::kUint32, 8, "uint32", "CHANNEL_DATA_TYPE_UINT_32"},
    {ChannelDataType::kInt64, 9, "int64", "CHANNEL_DATA_TYPE_INT_64"},
    {ChannelDataType::kUint64, 10, "uint64", "CHANNEL_DATA_TYPE_UINT_64"},
    {ChannelDataType::kBytes, 11, "bytes", "CHANNEL_DATA_TYPE_BYTES"},
};

TEST(ChannelDataTypeTest, ElevenTypesWithWireNumbers) {
  ASSERT_EQ(std::size(kAllChannelDataTypes), 11u);
  for (std::size_t i = 0; i < std::size(kDataTypeTable); ++i) {
    const DataTypeRow& row = kDataTypeTable[i];
    SCOPED_TRACE(row.short_name);
    EXPECT_EQ(static_cast<int>(row.type), row.wire);
    // kAllChannelDataTypes is in wire order.
    EXPECT_EQ(kAllChannelDataTypes[i], row.type);
  }
  // The surprising part of the numbering.
  EXPECT_EQ(static_cast<int>(ChannelDataType::kUint32), 8);
  EXPECT_EQ(static_cast<int>(ChannelDataType::kInt64), 9);
}

TEST(ChannelDataTypeTest, HumanStrings) {
  for (const DataTypeRow& row : kDataTypeTable) {
    SCOPED_TRACE(row.short_name);
    EXPECT_EQ(as_human_str(row.type), row.short_name);
    EXPECT_EQ(as_human_str(row.type, /*api_format=*/false), row.short_name);
    EXPECT_EQ(as_human_str(row.type, /*api_format=*/true), row.api_name);
  }
}

TEST(ChannelDataTypeTest, FromStrAcceptsBothForms) {
  for (const DataTypeRow& row : kDataTypeTable) {
    SCOPED_TRACE(row.short_name);
    EXPECT_EQ(channel_data_type_from_str(row.short_name), row.type);
    EXPECT_EQ(channel_data_type_from_str(row.api_name), row.type);
  }
}

TEST(ChannelDataTypeTest, FromStrUnknownIsNullopt) {
  for (const char* text :
       {"dubble", "", "DOUBLE", "Double", "INT32", "Int32", " double", "double ",
        "CHANNEL_DATA_TYPE_", "CHANNEL_DATA_TYPE_double", "CHANNEL_DATA_TYPE_INT32",
        "channel_data_type_double", "CHANNEL_DATA_TYPE_UNSPECIFIED", "int_32", "bitfield"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(channel_data_type_from_str(text), std::nullopt);
  }
}

TEST(ChannelDataTypeTest, FromPbMapsOneToEleven) {
  for (const DataTypeRow& row : kDataTypeTable) {
    SCOPED_TRACE(row.short_name);
    absl::StatusOr<ChannelDataType> type = channel_data_type_from_pb(row.wire);
    ASSERT_TRUE(type.ok()) << type.status();
    EXPECT_EQ(*type, row.type);
  }
}

TEST(ChannelDataTypeTest, FromPbRejectsUnspecifiedAndUnknown) {
  for (int wire : {0, 12, -1, 100}) {
    SCOPED_TRACE(wire);
    absl::StatusOr<ChannelDataType> type = channel_data_type_from_pb(wire);
    ASSERT_FALSE(type.ok());
    EXPECT_EQ(type.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(type.status().message()), HasSubstr("Unknown channel data type"));
    EXPECT_THAT(std::string(type.status().message()), HasSubstr(std::to_string(wire)));
  }
}

// ---------------------------------------------------------------------------
// 1.5 Value helpers

TEST(ValueKindTest, EnumeratorsAreOneofFieldNumbers) {
  EXPECT_EQ(static_cast<int>(ValueKind::kString), 1);
  EXPECT_EQ(static_cast<int>(ValueKind::kDouble), 2);
  EXPECT_EQ(static_cast<int>(ValueKind::kFloat), 3);
  EXPECT_EQ(static_cast<int>(ValueKind::kBool), 4);
  EXPECT_EQ(static_cast<int>(ValueKind::kInt32), 5);
  EXPECT_EQ(static_cast<int>(ValueKind::kUint32), 6);
  EXPECT_EQ(static_cast<int>(ValueKind::kInt64), 7);
  EXPECT_EQ(static_cast<int>(ValueKind::kUint64), 8);
  EXPECT_EQ(static_cast<int>(ValueKind::kBitField), 9);
  EXPECT_EQ(static_cast<int>(ValueKind::kEnum), 10);
  EXPECT_EQ(static_cast<int>(ValueKind::kEmpty), 11);
  EXPECT_EQ(static_cast<int>(ValueKind::kBytes), 12);
}

TEST(TypedValueTest, DefaultIsEmpty) {
  TypedValue value;
  EXPECT_EQ(value.kind(), ValueKind::kEmpty);
  EXPECT_TRUE(value.is_empty());
  EXPECT_EQ(value.data_type(), std::nullopt);
  EXPECT_EQ(value, empty_value());
  EXPECT_TRUE(empty_value().is_empty());
}

TEST(TypedValueTest, HelpersSetOneMember) {
  TypedValue s = string_value("hello");
  EXPECT_EQ(s.kind(), ValueKind::kString);
  EXPECT_EQ(s.as_bytes(), "hello");
  EXPECT_EQ(s.data_type(), ChannelDataType::kString);

  TypedValue d = double_value(3.25);
  EXPECT_EQ(d.kind(), ValueKind::kDouble);
  EXPECT_EQ(d.as_double(), 3.25);
  EXPECT_EQ(d.data_type(), ChannelDataType::kDouble);

  TypedValue f = float_value(1.5f);
  EXPECT_EQ(f.kind(), ValueKind::kFloat);
  EXPECT_EQ(f.as_float(), 1.5f);
  EXPECT_EQ(f.data_type(), ChannelDataType::kFloat);

  TypedValue b = bool_value(true);
  EXPECT_EQ(b.kind(), ValueKind::kBool);
  EXPECT_TRUE(b.as_bool());
  EXPECT_FALSE(bool_value(false).as_bool());
  EXPECT_EQ(b.data_type(), ChannelDataType::kBool);

  TypedValue i32 = int32_value(-7);
  EXPECT_EQ(i32.kind(), ValueKind::kInt32);
  EXPECT_EQ(i32.as_int32(), -7);
  EXPECT_EQ(i32.data_type(), ChannelDataType::kInt32);

  TypedValue u32 = uint32_value(4000000000u);
  EXPECT_EQ(u32.kind(), ValueKind::kUint32);
  EXPECT_EQ(u32.as_uint32(), 4000000000u);
  EXPECT_EQ(u32.data_type(), ChannelDataType::kUint32);

  TypedValue i64 = int64_value(-(int64_t{1} << 40));
  EXPECT_EQ(i64.kind(), ValueKind::kInt64);
  EXPECT_EQ(i64.as_int64(), -(int64_t{1} << 40));
  EXPECT_EQ(i64.data_type(), ChannelDataType::kInt64);

  TypedValue u64 = uint64_value(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(u64.kind(), ValueKind::kUint64);
  EXPECT_EQ(u64.as_uint64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(u64.data_type(), ChannelDataType::kUint64);

  TypedValue bits = bit_field_value(std::string("\x09", 1));
  EXPECT_EQ(bits.kind(), ValueKind::kBitField);
  EXPECT_EQ(bits.as_bytes(), std::string("\x09", 1));
  EXPECT_EQ(bits.data_type(), ChannelDataType::kBitField);

  TypedValue e = enum_value(3);
  EXPECT_EQ(e.kind(), ValueKind::kEnum);
  EXPECT_EQ(e.as_enum(), 3u);
  EXPECT_EQ(e.data_type(), ChannelDataType::kEnum);

  const std::string raw("\x00\xff\x10", 3);
  TypedValue bytes = bytes_value(raw);
  EXPECT_EQ(bytes.kind(), ValueKind::kBytes);
  EXPECT_EQ(bytes.as_bytes(), raw);
  EXPECT_EQ(bytes.data_type(), ChannelDataType::kBytes);
}

TEST(TypedValueTest, WrongAccessorReturnsZero) {
  TypedValue d = double_value(3.25);
  EXPECT_EQ(d.as_float(), 0.0f);
  EXPECT_EQ(d.as_int32(), 0);
  EXPECT_EQ(d.as_int64(), 0);
  EXPECT_EQ(d.as_uint32(), 0u);
  EXPECT_EQ(d.as_uint64(), 0u);
  EXPECT_EQ(d.as_enum(), 0u);
  EXPECT_FALSE(d.as_bool());
  EXPECT_EQ(d.as_bytes(), "");

  // uint32 and enum share storage but not the kind.
  EXPECT_EQ(uint32_value(9).as_enum(), 0u);
  EXPECT_EQ(enum_value(9).as_uint32(), 0u);
  EXPECT_EQ(int64_value(5).as_double(), 0.0);
}

TEST(TypedValueTest, IsDataTypeMatchesExactlyOneType) {
  const std::vector<std::pair<TypedValue, ChannelDataType>> values = {
      {double_value(1), ChannelDataType::kDouble},
      {string_value("x"), ChannelDataType::kString},
      {enum_value(1), ChannelDataType::kEnum},
      {bit_field_value(std::string(1, '\x01')), ChannelDataType::kBitField},
      {bool_value(true), ChannelDataType::kBool},
      {float_value(1), ChannelDataType::kFloat},
      {int32_value(1), ChannelDataType::kInt32},
      {uint32_value(1), ChannelDataType::kUint32},
      {int64_value(1), ChannelDataType::kInt64},
      {uint64_value(1), ChannelDataType::kUint64},
      {bytes_value("x"), ChannelDataType::kBytes},
  };
  for (const auto& [value, expected] : values) {
    SCOPED_TRACE(as_human_str(expected));
    for (ChannelDataType type : kAllChannelDataTypes) {
      EXPECT_EQ(is_data_type(value, type), type == expected) << as_human_str(type);
    }
  }
}

TEST(TypedValueTest, EmptyIsOfNoDataType) {
  for (ChannelDataType type : kAllChannelDataTypes) {
    EXPECT_FALSE(is_data_type(empty_value(), type)) << as_human_str(type);
  }
}

TEST(TypedValueTest, EqualityComparesKindAndValue) {
  EXPECT_EQ(double_value(2.5), double_value(2.5));
  EXPECT_NE(double_value(2.5), double_value(2.25));
  EXPECT_EQ(string_value("a"), string_value("a"));
  EXPECT_NE(string_value("a"), string_value("b"));
  EXPECT_EQ(bool_value(false), bool_value(false));
  EXPECT_NE(bool_value(false), bool_value(true));
  EXPECT_EQ(uint64_value(7), uint64_value(7));
  EXPECT_NE(uint64_value(7), uint64_value(8));
  EXPECT_EQ(empty_value(), TypedValue());

  // Same number, different member: not equal.
  EXPECT_NE(int32_value(5), int64_value(5));
  EXPECT_NE(uint32_value(7), enum_value(7));
  EXPECT_NE(double_value(1.0), float_value(1.0f));
  EXPECT_NE(bool_value(false), empty_value());
  EXPECT_NE(int32_value(0), empty_value());
  // Same bytes, different member: not equal.
  EXPECT_NE(string_value("a"), bytes_value("a"));
  EXPECT_NE(bit_field_value(std::string("a")), bytes_value("a"));

  // Numeric comparison, as protobuf message equality.
  EXPECT_NE(double_value(std::nan("")), double_value(std::nan("")));
  EXPECT_EQ(double_value(0.0), double_value(-0.0));
}

TEST(TypedValueTest, BitFieldFromIntegerIsLeastSignificantByteFirst) {
  EXPECT_EQ(bit_field_value(0b00001001u, 1).as_bytes(), std::string("\x09", 1));
  EXPECT_EQ(bit_field_value(0x0102u, 2).as_bytes(), std::string("\x02\x01", 2));
  EXPECT_EQ(bit_field_value(0x0A0B0C0Du, 4).as_bytes(), std::string("\x0D\x0C\x0B\x0A", 4));
  // Only the low byte_count bytes are packed.
  EXPECT_EQ(bit_field_value(0xABCDu, 1).as_bytes(), std::string("\xCD", 1));
  // High bytes are kept as zero bytes, not dropped.
  EXPECT_EQ(bit_field_value(0x01u, 3).as_bytes(), std::string("\x01\x00\x00", 3));
  EXPECT_EQ(bit_field_value(0x8877665544332211u, 8).as_bytes(),
            std::string("\x11\x22\x33\x44\x55\x66\x77\x88", 8));
  EXPECT_EQ(bit_field_value(0x01u, 3).kind(), ValueKind::kBitField);
}

TEST(TypedValueTest, BitFieldByteCountIsClamped) {
  EXPECT_EQ(bit_field_value(0xFFu, 0).as_bytes(), "");
  EXPECT_EQ(bit_field_value(0xFFu, -3).as_bytes(), "");
  EXPECT_EQ(bit_field_value(0x0102030405060708u, 12).as_bytes().size(), 8u);
}

// ---------------------------------------------------------------------------
// 1.3 Fully qualified names

TEST(ChannelFqnTest, ComponentIsFoldedIntoName) {
  EXPECT_EQ(channel_fqn("velocity"), "velocity");
  EXPECT_EQ(channel_fqn("velocity", std::nullopt), "velocity");
  EXPECT_EQ(channel_fqn("velocity", std::string()), "velocity");
  EXPECT_EQ(channel_fqn("velocity", std::string("mainmotor")), "mainmotor.velocity");
  // Dotted names are kept verbatim.
  EXPECT_EQ(channel_fqn("valve.pressure"), "valve.pressure");
  EXPECT_EQ(channel_fqn("a.b", std::string("c.d")), "c.d.a.b");
}

TEST(ChannelFqnTest, ChannelConfigAndChannelValue) {
  ChannelConfig channel;
  channel.name = "velocity";
  EXPECT_EQ(channel.fqn(), "velocity");
  channel.component = "";
  EXPECT_EQ(channel.fqn(), "velocity");
  channel.component = "mainmotor";
  EXPECT_EQ(channel.fqn(), "mainmotor.velocity");
}

TEST(ChannelConfigTest, DefaultsMatchSiftPy) {
  ChannelConfig channel;
  EXPECT_EQ(channel.data_type, ChannelDataType::kDouble);
  EXPECT_FALSE(channel.component.has_value());
  EXPECT_FALSE(channel.description.has_value());
  EXPECT_FALSE(channel.unit.has_value());
  EXPECT_TRUE(channel.enum_types.empty());
  EXPECT_TRUE(channel.bit_field_elements.empty());
}

TEST(ChannelConfigTest, EqualityComparesEveryField) {
  ChannelConfig base;
  base.name = "gpio";
  base.data_type = ChannelDataType::kBitField;
  base.description = "pins";
  base.unit = "V";
  base.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 1}};
  base.enum_types = {{"off", 0, std::nullopt}};
  EXPECT_EQ(base, base);

  ChannelConfig other = base;
  other.name = "gpio2";
  EXPECT_NE(base, other);
  other = base;
  other.component = "board";
  EXPECT_NE(base, other);
  other = base;
  other.data_type = ChannelDataType::kBytes;
  EXPECT_NE(base, other);
  other = base;
  other.description.reset();
  EXPECT_NE(base, other);
  other = base;
  other.unit = "mV";
  EXPECT_NE(base, other);
  other = base;
  other.bit_field_elements[1].bit_count = 2;
  EXPECT_NE(base, other);
  other = base;
  other.enum_types[0].is_signed = false;
  EXPECT_NE(base, other);
}

// ---------------------------------------------------------------------------
// 1.5 try_value_from, row by row

ChannelConfig make_channel(ChannelDataType type, std::string name = "ch") {
  ChannelConfig channel;
  channel.name = std::move(name);
  channel.data_type = type;
  return channel;
}

// Expects `raw` to convert to `expected` on a channel of `type`.
void expect_converts(ChannelDataType type, const RawValue& raw, const TypedValue& expected) {
  absl::StatusOr<TypedValue> value = make_channel(type).try_value_from(raw);
  ASSERT_TRUE(value.ok()) << as_human_str(type) << ": " << value.status();
  EXPECT_EQ(*value, expected) << as_human_str(type);
  EXPECT_EQ(value->kind(), expected.kind()) << as_human_str(type);
}

// Expects a type-mismatch error naming the raw type, the channel type and name.
void expect_cast_error(ChannelDataType type, const RawValue& raw, const std::string& raw_type) {
  ChannelConfig channel = make_channel(type, "velocity");
  channel.component = "mainmotor";
  absl::StatusOr<TypedValue> value = channel.try_value_from(raw);
  ASSERT_FALSE(value.ok()) << as_human_str(type) << " accepted a " << raw_type;
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(value.status().message());
  EXPECT_THAT(message, HasSubstr("Failed to cast value of type"));
  EXPECT_THAT(message, HasSubstr("'" + raw_type + "'"));
  EXPECT_THAT(message, HasSubstr("'" + std::string(as_human_str(type)) + "'"));
  EXPECT_THAT(message, HasSubstr("'mainmotor.velocity'"));
  EXPECT_EQ(channel.value_from(raw), std::nullopt);
}

// Expects an out-of-range error for an integer channel.
void expect_range_error(ChannelDataType type, const RawValue& raw) {
  absl::StatusOr<TypedValue> value = make_channel(type, "counter").try_value_from(raw);
  ASSERT_FALSE(value.ok()) << as_human_str(type) << " accepted a value of kind "
                           << static_cast<int>(value->kind());
  EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(value.status().message());
  EXPECT_THAT(message, HasSubstr("out of range"));
  EXPECT_THAT(message, HasSubstr("'" + std::string(as_human_str(type)) + "'"));
  EXPECT_THAT(message, HasSubstr("'counter'"));
  EXPECT_EQ(make_channel(type).value_from(raw), std::nullopt);
}

// Row: null/none, any channel -> empty.
TEST(TryValueFromTest, NullIsEmptyForEveryType) {
  for (ChannelDataType type : kAllChannelDataTypes) {
    expect_converts(type, nullptr, empty_value());
  }
}

// Row: boolean, BOOL -> bool.
TEST(TryValueFromTest, BoolIntoBool) {
  expect_converts(ChannelDataType::kBool, true, bool_value(true));
  expect_converts(ChannelDataType::kBool, false, bool_value(false));
}

// Row: a plain integer (or float) for BOOL is an error.
TEST(TryValueFromTest, NumberIntoBoolIsError) {
  expect_cast_error(ChannelDataType::kBool, int64_t{1}, "int");
  expect_cast_error(ChannelDataType::kBool, uint64_t{0}, "int");
  expect_cast_error(ChannelDataType::kBool, 1.0, "float");
  expect_cast_error(ChannelDataType::kBool, std::string("true"), "str");
  expect_cast_error(ChannelDataType::kBool, RawBytes{"\x01"}, "bytes");
}

// Row: integer into INT_32 / INT_64 / UINT_32 / UINT_64 / ENUM.
TEST(TryValueFromTest, IntegersIntoIntegerChannels) {
  expect_converts(ChannelDataType::kInt32, int64_t{-42}, int32_value(-42));
  expect_converts(ChannelDataType::kInt64, int64_t{-42}, int64_value(-42));
  expect_converts(ChannelDataType::kUint32, int64_t{42}, uint32_value(42));
  expect_converts(ChannelDataType::kUint64, int64_t{42}, uint64_value(42));
  expect_converts(ChannelDataType::kEnum, int64_t{2}, enum_value(2));

  expect_converts(ChannelDataType::kInt32, uint64_t{7}, int32_value(7));
  expect_converts(ChannelDataType::kInt64, uint64_t{7}, int64_value(7));
  expect_converts(ChannelDataType::kUint32, uint64_t{7}, uint32_value(7));
  expect_converts(ChannelDataType::kUint64, uint64_t{7}, uint64_value(7));
  expect_converts(ChannelDataType::kEnum, uint64_t{7}, enum_value(7));
}

// Row: booleans count as integers 0/1 for integer and enum channels.
TEST(TryValueFromTest, BoolsAreZeroOrOneForIntegerChannels) {
  expect_converts(ChannelDataType::kInt32, true, int32_value(1));
  expect_converts(ChannelDataType::kInt32, false, int32_value(0));
  expect_converts(ChannelDataType::kInt64, true, int64_value(1));
  expect_converts(ChannelDataType::kUint32, true, uint32_value(1));
  expect_converts(ChannelDataType::kUint64, false, uint64_value(0));
  expect_converts(ChannelDataType::kEnum, true, enum_value(1));
}

// Row: floats are truncated toward zero for integer channels.
TEST(TryValueFromTest, FloatsTruncateTowardZero) {
  expect_converts(ChannelDataType::kInt32, 2.9, int32_value(2));
  expect_converts(ChannelDataType::kInt32, -2.9, int32_value(-2));
  expect_converts(ChannelDataType::kInt64, -7.5, int64_value(-7));
  expect_converts(ChannelDataType::kUint32, 3.99, uint32_value(3));
  expect_converts(ChannelDataType::kUint64, 1e19, uint64_value(10000000000000000000u));
  expect_converts(ChannelDataType::kEnum, 3.7, enum_value(3));
  // -0.5 truncates to 0, which fits an unsigned channel.
  expect_converts(ChannelDataType::kUint32, -0.5, uint32_value(0));
  expect_converts(ChannelDataType::kUint64, -0.999, uint64_value(0));
}

// Row: out-of-range integers are errors.
TEST(TryValueFromTest, Int32Range) {
  expect_converts(ChannelDataType::kInt32, int64_t{2147483647}, int32_value(2147483647));
  expect_converts(ChannelDataType::kInt32, int64_t{-2147483648LL},
                  int32_value(std::numeric_limits<int32_t>::min()));
  expect_range_error(ChannelDataType::kInt32, int64_t{2147483648LL});
  expect_range_error(ChannelDataType::kInt32, int64_t{-2147483649LL});
  expect_range_error(ChannelDataType::kInt32, uint64_t{1} << 63);
  expect_converts(ChannelDataType::kInt32, 2147483647.9, int32_value(2147483647));
  expect_converts(ChannelDataType::kInt32, -2147483648.9,
                  int32_value(std::numeric_limits<int32_t>::min()));
  expect_range_error(ChannelDataType::kInt32, 2147483648.0);
  expect_range_error(ChannelDataType::kInt32, -2147483649.0);
}

TEST(TryValueFromTest, Uint32Range) {
  expect_converts(ChannelDataType::kUint32, int64_t{4294967295LL}, uint32_value(4294967295u));
  expect_converts(ChannelDataType::kUint32, int64_t{0}, uint32_value(0));
  expect_range_error(ChannelDataType::kUint32, int64_t{-1});
  expect_range_error(ChannelDataType::kUint32, int64_t{4294967296LL});
  expect_range_error(ChannelDataType::kUint32, uint64_t{4294967296ULL});
  expect_range_error(ChannelDataType::kUint32, -1.0);
  expect_range_error(ChannelDataType::kUint32, 4294967296.0);
}

TEST(TryValueFromTest, Int64Range) {
  expect_converts(ChannelDataType::kInt64, std::numeric_limits<int64_t>::min(),
                  int64_value(std::numeric_limits<int64_t>::min()));
  expect_converts(ChannelDataType::kInt64, std::numeric_limits<int64_t>::max(),
                  int64_value(std::numeric_limits<int64_t>::max()));
  expect_converts(ChannelDataType::kInt64, uint64_t{9223372036854775807ULL},
                  int64_value(std::numeric_limits<int64_t>::max()));
  expect_range_error(ChannelDataType::kInt64, uint64_t{9223372036854775808ULL});
  // -2^63 is representable as a double and fits; 2^63 does not.
  expect_converts(ChannelDataType::kInt64, -9223372036854775808.0,
                  int64_value(std::numeric_limits<int64_t>::min()));
  expect_range_error(ChannelDataType::kInt64, 9223372036854775808.0);
  expect_range_error(ChannelDataType::kInt64, -1e19);
}

TEST(TryValueFromTest, Uint64Range) {
  expect_converts(ChannelDataType::kUint64, std::numeric_limits<uint64_t>::max(),
                  uint64_value(std::numeric_limits<uint64_t>::max()));
  expect_range_error(ChannelDataType::kUint64, int64_t{-1});
  expect_range_error(ChannelDataType::kUint64, std::numeric_limits<int64_t>::min());
  expect_range_error(ChannelDataType::kUint64, 18446744073709551616.0);  // 2^64
  expect_range_error(ChannelDataType::kUint64, -1.0);
}

TEST(TryValueFromTest, EnumRangeIsUint32) {
  expect_converts(ChannelDataType::kEnum, int64_t{4294967295LL}, enum_value(4294967295u));
  expect_range_error(ChannelDataType::kEnum, int64_t{-1});
  expect_range_error(ChannelDataType::kEnum, int64_t{4294967296LL});
  expect_range_error(ChannelDataType::kEnum, -1.5);
}

TEST(TryValueFromTest, NonFiniteFloatsIntoIntegerChannelsAreErrors) {
  for (ChannelDataType type :
       {ChannelDataType::kInt32, ChannelDataType::kUint32, ChannelDataType::kInt64,
        ChannelDataType::kUint64, ChannelDataType::kEnum}) {
    expect_range_error(type, std::numeric_limits<double>::quiet_NaN());
    expect_range_error(type, std::numeric_limits<double>::infinity());
    expect_range_error(type, -std::numeric_limits<double>::infinity());
  }
}

// Row: integer or float into FLOAT / DOUBLE.
TEST(TryValueFromTest, NumbersIntoFloatAndDouble) {
  expect_converts(ChannelDataType::kDouble, 2.5, double_value(2.5));
  expect_converts(ChannelDataType::kDouble, int64_t{-3}, double_value(-3.0));
  expect_converts(ChannelDataType::kDouble, uint64_t{1} << 60,
                  double_value(static_cast<double>(uint64_t{1} << 60)));
  expect_converts(ChannelDataType::kFloat, 2.5, float_value(2.5f));
  expect_converts(ChannelDataType::kFloat, int64_t{-3}, float_value(-3.0f));
  expect_converts(ChannelDataType::kFloat, uint64_t{16}, float_value(16.0f));
  // Python's bool is an int: float(True) == 1.0.
  expect_converts(ChannelDataType::kDouble, true, double_value(1.0));
  expect_converts(ChannelDataType::kFloat, false, float_value(0.0f));
  // Fractions are kept (no truncation for floating channels).
  expect_converts(ChannelDataType::kDouble, -0.75, double_value(-0.75));
}

TEST(TryValueFromTest, DoubleBeyondFloatRangeBecomesInfinity) {
  absl::StatusOr<TypedValue> value = make_channel(ChannelDataType::kFloat).try_value_from(1e300);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->kind(), ValueKind::kFloat);
  EXPECT_TRUE(std::isinf(value->as_float()));
  EXPECT_GT(value->as_float(), 0.0f);
  value = make_channel(ChannelDataType::kFloat).try_value_from(-1e300);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_TRUE(std::isinf(value->as_float()));
  EXPECT_LT(value->as_float(), 0.0f);
}

// Row: string into STRING; bytes into BYTES.
TEST(TryValueFromTest, TextAndBytes) {
  expect_converts(ChannelDataType::kString, std::string("ERROR"), string_value("ERROR"));
  expect_converts(ChannelDataType::kString, std::string(), string_value(""));
  const std::string raw("\x00\x01\xfe", 3);
  expect_converts(ChannelDataType::kBytes, RawBytes{raw}, bytes_value(raw));
}

// Row: anything else is an error naming the raw type and the channel type.
TEST(TryValueFromTest, MismatchesAreErrors) {
  // A number for STRING.
  expect_cast_error(ChannelDataType::kString, int64_t{3}, "int");
  expect_cast_error(ChannelDataType::kString, uint64_t{3}, "int");
  expect_cast_error(ChannelDataType::kString, 3.5, "float");
  expect_cast_error(ChannelDataType::kString, true, "bool");
  expect_cast_error(ChannelDataType::kString, RawBytes{"abc"}, "bytes");
  // A string for DOUBLE and the other numeric types.
  for (ChannelDataType type :
       {ChannelDataType::kDouble, ChannelDataType::kFloat, ChannelDataType::kInt32,
        ChannelDataType::kUint32, ChannelDataType::kInt64, ChannelDataType::kUint64,
        ChannelDataType::kEnum}) {
    expect_cast_error(type, std::string("3.5"), "str");
    expect_cast_error(type, RawBytes{"\x01"}, "bytes");
  }
  // Text is not bytes.
  expect_cast_error(ChannelDataType::kBytes, std::string("abc"), "str");
  expect_cast_error(ChannelDataType::kBytes, int64_t{1}, "int");
  expect_cast_error(ChannelDataType::kBytes, 1.0, "float");
}

// Quirk: BIT_FIELD channels accept nothing but null.
TEST(TryValueFromTest, BitFieldIsAlwaysAnError) {
  expect_cast_error(ChannelDataType::kBitField, RawBytes{std::string("\x09", 1)}, "bytes");
  expect_cast_error(ChannelDataType::kBitField, int64_t{9}, "int");
  expect_cast_error(ChannelDataType::kBitField, uint64_t{9}, "int");
  expect_cast_error(ChannelDataType::kBitField, 9.0, "float");
  expect_cast_error(ChannelDataType::kBitField, true, "bool");
  expect_cast_error(ChannelDataType::kBitField, std::string("9"), "str");
}

TEST(TryValueFromTest, ErrorMessageShape) {
  ChannelConfig channel = make_channel(ChannelDataType::kDouble, "thruster.temperature");
  absl::StatusOr<TypedValue> value = channel.try_value_from(std::string("hot"));
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(),
            "Failed to cast value of type 'str' to channel 'thruster.temperature' of data type "
            "'double'");
  value = make_channel(ChannelDataType::kUint32, "count").try_value_from(int64_t{-1});
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(),
            "Value -1 of type 'int' is out of range for channel 'count' of data type 'uint32'");
}

TEST(ValueFromTest, ReturnsValueOrNullopt) {
  ChannelConfig channel = make_channel(ChannelDataType::kInt32);
  EXPECT_EQ(channel.value_from(int64_t{5}), int32_value(5));
  EXPECT_EQ(channel.value_from(nullptr), empty_value());
  EXPECT_EQ(channel.value_from(std::string("5")), std::nullopt);
  EXPECT_EQ(channel.value_from(int64_t{1} << 40), std::nullopt);
}

// ---------------------------------------------------------------------------
// 1.4 Enum types and bit-field elements

TEST(ChannelEnumTypeTest, Equality) {
  ChannelEnumType a{"on", 1, std::nullopt};
  EXPECT_EQ(a, (ChannelEnumType{"on", 1, std::nullopt}));
  EXPECT_NE(a, (ChannelEnumType{"off", 1, std::nullopt}));
  EXPECT_NE(a, (ChannelEnumType{"on", 2, std::nullopt}));
  EXPECT_NE(a, (ChannelEnumType{"on", 1, false}));
}

TEST(ChannelBitFieldElementTest, Equality) {
  ChannelBitFieldElement a{"12v", 0, 4};
  EXPECT_EQ(a, (ChannelBitFieldElement{"12v", 0, 4}));
  EXPECT_NE(a, (ChannelBitFieldElement{"5v", 0, 4}));
  EXPECT_NE(a, (ChannelBitFieldElement{"12v", 1, 4}));
  EXPECT_NE(a, (ChannelBitFieldElement{"12v", 0, 3}));
}

}  // namespace
}  // namespace sift
