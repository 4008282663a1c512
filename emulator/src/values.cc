#include "values.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {

std::string data_type_name(int data_type) {
  absl::StatusOr<ChannelDataType> type = channel_data_type_from_pb(data_type);
  if (!type.ok()) return absl::StrCat("unspecified (", data_type, ")");
  const std::string_view name = as_human_str(*type);
  return std::string(name);
}

std::string value_kind_name(const WireValue& value) {
  switch (value.type_case()) {
    case WireValue::kString:
      return "string";
    case WireValue::kDouble:
      return "double";
    case WireValue::kFloat:
      return "float";
    case WireValue::kBool:
      return "bool";
    case WireValue::kInt32:
      return "int32";
    case WireValue::kUint32:
      return "uint32";
    case WireValue::kInt64:
      return "int64";
    case WireValue::kUint64:
      return "uint64";
    case WireValue::kBitField:
      return "bit_field";
    case WireValue::kEnum:
      return "enum";
    case WireValue::kEmpty:
      return "empty";
    case WireValue::kBytes:
      return "bytes";
    case WireValue::TYPE_NOT_SET:
      break;
  }
  return "nothing";
}

bool value_matches(const WireValue& value, int data_type) {
  switch (value.type_case()) {
    case WireValue::kDouble:
      return data_type == static_cast<int>(ChannelDataType::kDouble);
    case WireValue::kString:
      return data_type == static_cast<int>(ChannelDataType::kString);
    case WireValue::kEnum:
      return data_type == static_cast<int>(ChannelDataType::kEnum);
    case WireValue::kBitField:
      return data_type == static_cast<int>(ChannelDataType::kBitField);
    case WireValue::kBool:
      return data_type == static_cast<int>(ChannelDataType::kBool);
    case WireValue::kFloat:
      return data_type == static_cast<int>(ChannelDataType::kFloat);
    case WireValue::kInt32:
      return data_type == static_cast<int>(ChannelDataType::kInt32);
    case WireValue::kUint32:
      return data_type == static_cast<int>(ChannelDataType::kUint32);
    case WireValue::kInt64:
      return data_type == static_cast<int>(ChannelDataType::kInt64);
    case WireValue::kUint64:
      return data_type == static_cast<int>(ChannelDataType::kUint64);
    case WireValue::kBytes:
      return data_type == static_cast<int>(ChannelDataType::kBytes);
    case WireValue::kEmpty:
    case WireValue::TYPE_NOT_SET:
      break;
  }
  return false;
}

TypedValue to_typed_value(const WireValue& value) {
  switch (value.type_case()) {
    case WireValue::kString:
      return string_value(value.string());
    case WireValue::kDouble:
      return double_value(value.double_());
    case WireValue::kFloat:
      return float_value(value.float_());
    case WireValue::kBool:
      return bool_value(value.bool_());
    case WireValue::kInt32:
      return int32_value(value.int32());
    case WireValue::kUint32:
      return uint32_value(value.uint32());
    case WireValue::kInt64:
      return int64_value(value.int64());
    case WireValue::kUint64:
      return uint64_value(value.uint64());
    case WireValue::kBitField:
      return bit_field_value(value.bit_field());
    case WireValue::kEnum:
      return enum_value(value.enum_());
    case WireValue::kBytes:
      return bytes_value(value.bytes());
    case WireValue::kEmpty:
    case WireValue::TYPE_NOT_SET:
      break;
  }
  return empty_value();
}

void set_proto_time(google::protobuf::Timestamp* ts, std::int64_t nanos) {
  std::int64_t seconds = nanos / 1000000000;
  std::int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int>(rest));
}

google::protobuf::Timestamp proto_time(std::int64_t nanos) {
  google::protobuf::Timestamp ts;
  set_proto_time(&ts, nanos);
  return ts;
}

std::uint32_t element_bits(std::string_view packed, std::int32_t index, std::uint32_t count) {
  std::uint32_t out = 0;
  for (std::uint32_t b = 0; b < count && b < 32; ++b) {
    const std::int64_t bit = static_cast<std::int64_t>(index) + b;
    if (bit < 0) continue;
    const std::size_t byte = static_cast<std::size_t>(bit / 8);
    if (byte >= packed.size()) break;
    if ((static_cast<unsigned char>(packed[byte]) >> (bit % 8)) & 1u) out |= 1u << b;
  }
  return out;
}

bool parse_placeholder(const std::string& key, int* n) {
  if (key.size() < 2 || key.size() > 7 || key[0] != '$' || key[1] == '0') return false;
  for (std::size_t i = 1; i < key.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(key[i]))) return false;
  }
  return absl::SimpleAtoi(absl::string_view(key).substr(1), n);
}

ExpressionChannel expression_channel(const ::sift::channels::v3::Channel& channel) {
  ExpressionChannel out;
  out.data_type = static_cast<ChannelDataType>(channel.data_type());
  for (const auto& e : channel.enum_types()) {
    out.enum_types.push_back(ChannelEnumType{e.name(), e.key(), e.is_signed()});
  }
  for (const auto& b : channel.bit_field_elements()) {
    out.bit_field_elements.push_back(ChannelBitFieldElement{b.name(), b.index(), b.bit_count()});
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
