#include "values.h"

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

}  // namespace emulator
}  // namespace sift
