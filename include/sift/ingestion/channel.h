// Channels and their values: sift_py's `sift_py.ingestion.channel`.
#ifndef SIFT_INGESTION_CHANNEL_H_
#define SIFT_INGESTION_CHANNEL_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace sift {
namespace internal {

// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so std::string_view must be converted for StrCat & co.
inline absl::string_view to_absl_view(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace internal

// The value type of a channel. Enumerator values are the wire numbers of
// `sift.common.type.v1.ChannelDataType` (note UINT_32 = 8 and INT_64 = 9).
enum class ChannelDataType : int {
  kDouble = 1,
  kString = 2,
  kEnum = 3,
  kBitField = 4,
  kBool = 5,
  kFloat = 6,
  kInt32 = 7,
  kUint32 = 8,
  kInt64 = 9,
  kUint64 = 10,
  kBytes = 11,
};

// All eleven types, in wire order.
inline constexpr ChannelDataType kAllChannelDataTypes[] = {
    ChannelDataType::kDouble,   ChannelDataType::kString, ChannelDataType::kEnum,
    ChannelDataType::kBitField, ChannelDataType::kBool,   ChannelDataType::kFloat,
    ChannelDataType::kInt32,    ChannelDataType::kUint32, ChannelDataType::kInt64,
    ChannelDataType::kUint64,   ChannelDataType::kBytes};

// Maps a wire number (1..11) to the type; 0 and unknown numbers are
// INVALID_ARGUMENT ("Unknown channel data type").
inline absl::StatusOr<ChannelDataType> channel_data_type_from_pb(int wire_number) {
  if (wire_number >= static_cast<int>(ChannelDataType::kDouble) &&
      wire_number <= static_cast<int>(ChannelDataType::kBytes)) {
    return static_cast<ChannelDataType>(wire_number);
  }
  return absl::InvalidArgumentError(absl::StrCat("Unknown channel data type '", wire_number, "'."));
}

// The short name (`int32`) or, with `api_format`, the API name
// (`CHANNEL_DATA_TYPE_INT_32`).
inline std::string_view as_human_str(ChannelDataType type, bool api_format = false) {
  switch (type) {
    case ChannelDataType::kDouble:
      return api_format ? "CHANNEL_DATA_TYPE_DOUBLE" : "double";
    case ChannelDataType::kString:
      return api_format ? "CHANNEL_DATA_TYPE_STRING" : "string";
    case ChannelDataType::kEnum:
      return api_format ? "CHANNEL_DATA_TYPE_ENUM" : "enum";
    case ChannelDataType::kBitField:
      return api_format ? "CHANNEL_DATA_TYPE_BIT_FIELD" : "bit_field";
    case ChannelDataType::kBool:
      return api_format ? "CHANNEL_DATA_TYPE_BOOL" : "bool";
    case ChannelDataType::kFloat:
      return api_format ? "CHANNEL_DATA_TYPE_FLOAT" : "float";
    case ChannelDataType::kInt32:
      return api_format ? "CHANNEL_DATA_TYPE_INT_32" : "int32";
    case ChannelDataType::kUint32:
      return api_format ? "CHANNEL_DATA_TYPE_UINT_32" : "uint32";
    case ChannelDataType::kInt64:
      return api_format ? "CHANNEL_DATA_TYPE_INT_64" : "int64";
    case ChannelDataType::kUint64:
      return api_format ? "CHANNEL_DATA_TYPE_UINT_64" : "uint64";
    case ChannelDataType::kBytes:
      return api_format ? "CHANNEL_DATA_TYPE_BYTES" : "bytes";
  }
  // Only reachable through a cast of an out-of-range integer.
  return api_format ? "CHANNEL_DATA_TYPE_UNSPECIFIED" : "unspecified";
}

// `CHANNEL_DATA_TYPE_*` strings are matched against the API names, anything
// else against the short names (`double`, `bit_field`, ...). Case-sensitive;
// nullopt when unknown.
inline std::optional<ChannelDataType> channel_data_type_from_str(std::string_view text) {
  constexpr std::string_view kApiPrefix = "CHANNEL_DATA_TYPE_";
  const bool api_format = text.substr(0, kApiPrefix.size()) == kApiPrefix;
  for (ChannelDataType type : kAllChannelDataTypes) {
    if (as_human_str(type, api_format) == text) return type;
  }
  return std::nullopt;
}

// One label of an enum channel. `is_signed` unset is sent as false.
struct ChannelEnumType {
  std::string name;
  uint32_t key = 0;
  std::optional<bool> is_signed;

  friend bool operator==(const ChannelEnumType& a, const ChannelEnumType& b) {
    return a.name == b.name && a.key == b.key && a.is_signed == b.is_signed;
  }
  friend bool operator!=(const ChannelEnumType& a, const ChannelEnumType& b) { return !(a == b); }
};

// One element of a bit-field channel: `bit_count` bits starting at bit `index`.
struct ChannelBitFieldElement {
  std::string name;
  int32_t index = 0;
  uint32_t bit_count = 0;

  friend bool operator==(const ChannelBitFieldElement& a, const ChannelBitFieldElement& b) {
    return a.name == b.name && a.index == b.index && a.bit_count == b.bit_count;
  }
  friend bool operator!=(const ChannelBitFieldElement& a, const ChannelBitFieldElement& b) {
    return !(a == b);
  }
};

// Which member of the wire `IngestWithConfigDataChannelValue.type` oneof a
// value sets; enumerator values are the oneof field numbers.
enum class ValueKind : uint8_t {
  kString = 1,
  kDouble = 2,
  kFloat = 3,
  kBool = 4,
  kInt32 = 5,
  kUint32 = 6,
  kInt64 = 7,
  kUint64 = 8,
  kBitField = 9,
  kEnum = 10,
  kEmpty = 11,
  kBytes = 12,
};

// One typed sample of one channel (the wire `IngestWithConfigDataChannelValue`
// without protobuf). Build it with the helpers below (`double_value(3.0)`).
// A default-constructed value is `empty`: "no new sample at this timestamp".
class TypedValue {
 public:
  TypedValue() = default;

  ValueKind kind() const { return kind_; }
  bool is_empty() const { return kind_ == ValueKind::kEmpty; }
  // The data type this value is for; nullopt for `empty`.
  std::optional<ChannelDataType> data_type() const {
    switch (kind_) {
      case ValueKind::kString:
        return ChannelDataType::kString;
      case ValueKind::kDouble:
        return ChannelDataType::kDouble;
      case ValueKind::kFloat:
        return ChannelDataType::kFloat;
      case ValueKind::kBool:
        return ChannelDataType::kBool;
      case ValueKind::kInt32:
        return ChannelDataType::kInt32;
      case ValueKind::kUint32:
        return ChannelDataType::kUint32;
      case ValueKind::kInt64:
        return ChannelDataType::kInt64;
      case ValueKind::kUint64:
        return ChannelDataType::kUint64;
      case ValueKind::kBitField:
        return ChannelDataType::kBitField;
      case ValueKind::kEnum:
        return ChannelDataType::kEnum;
      case ValueKind::kBytes:
        return ChannelDataType::kBytes;
      case ValueKind::kEmpty:
        break;
    }
    return std::nullopt;
  }

  // Accessors return the stored member; calling the wrong one returns a
  // zero value (never UB), so check kind() first.
  double as_double() const { return kind_ == ValueKind::kDouble ? scalar_.d : 0.0; }
  float as_float() const { return kind_ == ValueKind::kFloat ? scalar_.f : 0.0f; }
  bool as_bool() const { return kind_ == ValueKind::kBool && scalar_.b; }
  int32_t as_int32() const { return kind_ == ValueKind::kInt32 ? scalar_.i32 : 0; }
  uint32_t as_uint32() const { return kind_ == ValueKind::kUint32 ? scalar_.u32 : 0; }
  int64_t as_int64() const { return kind_ == ValueKind::kInt64 ? scalar_.i64 : 0; }
  uint64_t as_uint64() const { return kind_ == ValueKind::kUint64 ? scalar_.u64 : 0; }
  uint32_t as_enum() const { return kind_ == ValueKind::kEnum ? scalar_.u32 : 0; }
  // Text of a string value, or the raw bytes of a bytes / bit-field value.
  std::string_view as_bytes() const { return bytes_; }

  // Same member set with the same value. Floating-point members compare as
  // numbers (as protobuf message equality does): NaN != NaN, -0.0 == 0.0.
  friend bool operator==(const TypedValue& a, const TypedValue& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
      case ValueKind::kString:
      case ValueKind::kBitField:
      case ValueKind::kBytes:
        return a.bytes_ == b.bytes_;
      case ValueKind::kDouble:
        return a.scalar_.d == b.scalar_.d;
      case ValueKind::kFloat:
        return a.scalar_.f == b.scalar_.f;
      case ValueKind::kBool:
        return a.scalar_.b == b.scalar_.b;
      case ValueKind::kInt32:
        return a.scalar_.i32 == b.scalar_.i32;
      case ValueKind::kUint32:
      case ValueKind::kEnum:
        return a.scalar_.u32 == b.scalar_.u32;
      case ValueKind::kInt64:
        return a.scalar_.i64 == b.scalar_.i64;
      case ValueKind::kUint64:
        return a.scalar_.u64 == b.scalar_.u64;
      case ValueKind::kEmpty:
        return true;
    }
    return false;
  }
  friend bool operator!=(const TypedValue& a, const TypedValue& b) { return !(a == b); }

 private:
  friend TypedValue string_value(std::string value);
  friend TypedValue double_value(double value);
  friend TypedValue float_value(float value);
  friend TypedValue bool_value(bool value);
  friend TypedValue int32_value(int32_t value);
  friend TypedValue uint32_value(uint32_t value);
  friend TypedValue int64_value(int64_t value);
  friend TypedValue uint64_value(uint64_t value);
  friend TypedValue bit_field_value(std::string packed);
  friend TypedValue enum_value(uint32_t key);
  friend TypedValue bytes_value(std::string bytes);

  union Scalar {
    double d;
    float f;
    bool b;
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
  };

  ValueKind kind_ = ValueKind::kEmpty;
  Scalar scalar_{0.0};
  std::string bytes_;
};

inline TypedValue string_value(std::string value) {
  TypedValue v;
  v.kind_ = ValueKind::kString;
  v.bytes_ = std::move(value);
  return v;
}

inline TypedValue double_value(double value) {
  TypedValue v;
  v.kind_ = ValueKind::kDouble;
  v.scalar_.d = value;
  return v;
}

inline TypedValue float_value(float value) {
  TypedValue v;
  v.kind_ = ValueKind::kFloat;
  v.scalar_.f = value;
  return v;
}

inline TypedValue bool_value(bool value) {
  TypedValue v;
  v.kind_ = ValueKind::kBool;
  v.scalar_.b = value;
  return v;
}

inline TypedValue int32_value(int32_t value) {
  TypedValue v;
  v.kind_ = ValueKind::kInt32;
  v.scalar_.i32 = value;
  return v;
}

inline TypedValue uint32_value(uint32_t value) {
  TypedValue v;
  v.kind_ = ValueKind::kUint32;
  v.scalar_.u32 = value;
  return v;
}

inline TypedValue int64_value(int64_t value) {
  TypedValue v;
  v.kind_ = ValueKind::kInt64;
  v.scalar_.i64 = value;
  return v;
}

inline TypedValue uint64_value(uint64_t value) {
  TypedValue v;
  v.kind_ = ValueKind::kUint64;
  v.scalar_.u64 = value;
  return v;
}

// The packed bytes of a bit field, first byte = bits 0..7 (least significant
// byte first for fields wider than 8 bits). The client never interprets them.
inline TypedValue bit_field_value(std::string packed) {
  TypedValue v;
  v.kind_ = ValueKind::kBitField;
  v.bytes_ = std::move(packed);
  return v;
}

// Convenience: packs the low `byte_count` bytes of `bits`, least significant first.
// `byte_count` is clamped to 0..8.
inline TypedValue bit_field_value(uint64_t bits, int byte_count) {
  if (byte_count < 0) byte_count = 0;
  if (byte_count > 8) byte_count = 8;
  std::string packed(static_cast<std::size_t>(byte_count), '\0');
  for (int i = 0; i < byte_count; ++i) {
    packed[static_cast<std::size_t>(i)] = static_cast<char>((bits >> (8 * i)) & 0xFFu);
  }
  return bit_field_value(std::move(packed));
}

inline TypedValue enum_value(uint32_t key) {
  TypedValue v;
  v.kind_ = ValueKind::kEnum;
  v.scalar_.u32 = key;
  return v;
}

inline TypedValue bytes_value(std::string bytes) {
  TypedValue v;
  v.kind_ = ValueKind::kBytes;
  v.bytes_ = std::move(bytes);
  return v;
}

inline TypedValue empty_value() { return TypedValue(); }

// True iff `value` sets the oneof member that corresponds to `type`; an
// `empty` value is of no type.
inline bool is_data_type(const TypedValue& value, ChannelDataType type) {
  return value.data_type() == type;
}

// Raw bytes for RawValue (so a byte string is not taken for text).
struct RawBytes {
  std::string data;
  friend bool operator==(const RawBytes& a, const RawBytes& b) { return a.data == b.data; }
};

// A loosely-typed scalar, as a dynamically typed caller (a decoded JSON or
// YAML document, a script binding) holds it. See ChannelConfig::try_value_from.
using RawValue =
    std::variant<std::nullptr_t, bool, int64_t, uint64_t, double, std::string, RawBytes>;

// `component.name`, or `name` when the component is absent or empty.
inline std::string channel_fqn(std::string_view name,
                               const std::optional<std::string>& component = std::nullopt) {
  if (!component.has_value() || component->empty()) return std::string(name);
  return absl::StrCat(*component, ".", internal::to_absl_view(name));
}

namespace internal {

// Python's name for the type of a raw value (`int`, `float`, `str`, ...), as
// sift_py's error messages print it.
inline std::string_view raw_value_type_name(const RawValue& raw) {
  switch (raw.index()) {
    case 0:
      return "NoneType";
    case 1:
      return "bool";
    case 2:
    case 3:
      return "int";
    case 4:
      return "float";
    case 5:
      return "str";
    default:
      return "bytes";
  }
}

// Converts a raw number (bool as 0/1, integer, or float truncated toward
// zero) to the integer type T. nullopt when the value is not a number, is not
// finite, or is out of T's range; `*is_number` tells the two cases apart.
template <typename T>
std::optional<T> raw_to_integer(const RawValue& raw, bool* is_number) {
  static_assert(std::is_integral_v<T>, "integer channels only");
  using Limits = std::numeric_limits<T>;
  *is_number = true;
  if (const bool* b = std::get_if<bool>(&raw)) return static_cast<T>(*b ? 1 : 0);
  if (const int64_t* i = std::get_if<int64_t>(&raw)) {
    if constexpr (std::is_signed_v<T>) {
      if (*i < static_cast<int64_t>(Limits::min()) || *i > static_cast<int64_t>(Limits::max())) {
        return std::nullopt;
      }
    } else {
      if (*i < 0 || static_cast<uint64_t>(*i) > static_cast<uint64_t>(Limits::max())) {
        return std::nullopt;
      }
    }
    return static_cast<T>(*i);
  }
  if (const uint64_t* u = std::get_if<uint64_t>(&raw)) {
    if (*u > static_cast<uint64_t>(Limits::max())) return std::nullopt;
    return static_cast<T>(*u);
  }
  if (const double* d = std::get_if<double>(&raw)) {
    if (!std::isfinite(*d)) return std::nullopt;
    const double truncated = std::trunc(*d);
    // 2^digits is exactly representable and is one past the largest value
    // (signed: -2^digits is the smallest).
    const double upper = std::ldexp(1.0, Limits::digits);
    const double lower = std::is_signed_v<T> ? -upper : 0.0;
    if (!(truncated >= lower && truncated < upper)) return std::nullopt;
    return static_cast<T>(truncated);
  }
  *is_number = false;
  return std::nullopt;
}

// A raw number as a double (bools as 0/1); nullopt when not a number.
inline std::optional<double> raw_to_double(const RawValue& raw) {
  if (const bool* b = std::get_if<bool>(&raw)) return *b ? 1.0 : 0.0;
  if (const int64_t* i = std::get_if<int64_t>(&raw)) return static_cast<double>(*i);
  if (const uint64_t* u = std::get_if<uint64_t>(&raw)) return static_cast<double>(*u);
  if (const double* d = std::get_if<double>(&raw)) return *d;
  return std::nullopt;
}

// A raw number as a float (bools as 0/1); finite doubles beyond float's range
// become +/-infinity rather than relying on an out-of-range conversion.
inline std::optional<float> raw_to_float(const RawValue& raw) {
  if (const int64_t* i = std::get_if<int64_t>(&raw)) return static_cast<float>(*i);
  if (const uint64_t* u = std::get_if<uint64_t>(&raw)) return static_cast<float>(*u);
  std::optional<double> d = raw_to_double(raw);
  if (!d.has_value()) return std::nullopt;
  if (std::isfinite(*d) && std::fabs(*d) > static_cast<double>(std::numeric_limits<float>::max())) {
    return *d > 0 ? std::numeric_limits<float>::infinity()
                  : -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(*d);
}

inline std::string raw_value_text(const RawValue& raw) {
  if (const bool* b = std::get_if<bool>(&raw)) return *b ? "True" : "False";
  if (const int64_t* i = std::get_if<int64_t>(&raw)) return absl::StrCat(*i);
  if (const uint64_t* u = std::get_if<uint64_t>(&raw)) return absl::StrCat(*u);
  if (const double* d = std::get_if<double>(&raw)) return absl::StrCat(*d);
  return "";
}

}  // namespace internal

// A channel of a flow. `component` is deprecated (sift_py folds it into the
// name): it is kept here for source compatibility and contributes to fqn().
struct ChannelConfig {
  std::string name;
  std::optional<std::string> component;
  ChannelDataType data_type = ChannelDataType::kDouble;
  std::optional<std::string> description;
  std::optional<std::string> unit;
  std::vector<ChannelEnumType> enum_types;
  std::vector<ChannelBitFieldElement> bit_field_elements;

  // The fully qualified name: `component.name` or `name`. Names may contain
  // dots; nothing ever splits them.
  std::string fqn() const { return channel_fqn(name, component); }

  // Converts a loose scalar into a typed value for this channel, as sift_py's
  // `try_value_from`: null -> empty; integers (and bools as 0/1) into integer
  // and enum channels with range checks, floats truncated toward zero; numbers
  // into float/double; text into string; RawBytes into bytes. Anything else
  // (including any value for a bit field) is INVALID_ARGUMENT naming both
  // types and the channel.
  //
  // Errors: "Failed to cast value of type 'str' to channel 'NAME' of data type
  // 'double'" (type mismatch) or "Value 300 of type 'int' is out of range for
  // channel 'NAME' of data type 'int32'" (integers that do not fit, and NaN or
  // infinite floats for integer channels). Bools count as the numbers 0/1 for
  // every numeric channel (Python's bool is an int); only a bool converts into
  // a bool channel.
  absl::StatusOr<TypedValue> try_value_from(const RawValue& raw) const {
    if (std::holds_alternative<std::nullptr_t>(raw)) return empty_value();
    bool is_number = false;
    switch (data_type) {
      case ChannelDataType::kBool:
        if (const bool* b = std::get_if<bool>(&raw)) return bool_value(*b);
        break;
      case ChannelDataType::kInt32:
        if (auto v = internal::raw_to_integer<int32_t>(raw, &is_number)) return int32_value(*v);
        break;
      case ChannelDataType::kUint32:
        if (auto v = internal::raw_to_integer<uint32_t>(raw, &is_number)) return uint32_value(*v);
        break;
      case ChannelDataType::kInt64:
        if (auto v = internal::raw_to_integer<int64_t>(raw, &is_number)) return int64_value(*v);
        break;
      case ChannelDataType::kUint64:
        if (auto v = internal::raw_to_integer<uint64_t>(raw, &is_number)) return uint64_value(*v);
        break;
      case ChannelDataType::kEnum:
        if (auto v = internal::raw_to_integer<uint32_t>(raw, &is_number)) return enum_value(*v);
        break;
      case ChannelDataType::kFloat:
        if (auto v = internal::raw_to_float(raw)) return float_value(*v);
        break;
      case ChannelDataType::kDouble:
        if (auto v = internal::raw_to_double(raw)) return double_value(*v);
        break;
      case ChannelDataType::kString:
        if (const std::string* text = std::get_if<std::string>(&raw)) return string_value(*text);
        break;
      case ChannelDataType::kBytes:
        if (const RawBytes* bytes = std::get_if<RawBytes>(&raw)) return bytes_value(bytes->data);
        break;
      case ChannelDataType::kBitField:
        // sift_py offers no conversion into a bit field, not even from bytes.
        break;
    }
    if (is_number) {
      return absl::InvalidArgumentError(
          absl::StrCat("Value ", internal::raw_value_text(raw), " of type '",
                       internal::to_absl_view(internal::raw_value_type_name(raw)),
                       "' is out of range for channel '", fqn(), "' of data type '",
                       internal::to_absl_view(as_human_str(data_type)), "'"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "Failed to cast value of type '",
        internal::to_absl_view(internal::raw_value_type_name(raw)), "' to channel '", fqn(),
        "' of data type '", internal::to_absl_view(as_human_str(data_type)), "'"));
  }

  // Same, nullopt instead of an error.
  std::optional<TypedValue> value_from(const RawValue& raw) const {
    absl::StatusOr<TypedValue> value = try_value_from(raw);
    if (!value.ok()) return std::nullopt;
    return *std::move(value);
  }

  friend bool operator==(const ChannelConfig& a, const ChannelConfig& b) {
    return a.name == b.name && a.component == b.component && a.data_type == b.data_type &&
           a.description == b.description && a.unit == b.unit && a.enum_types == b.enum_types &&
           a.bit_field_elements == b.bit_field_elements;
  }
  friend bool operator!=(const ChannelConfig& a, const ChannelConfig& b) { return !(a == b); }
};

}  // namespace sift

#endif  // SIFT_INGESTION_CHANNEL_H_
