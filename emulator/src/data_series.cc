#include "data_series.h"

#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "values.h"

namespace sift {
namespace emulator {
namespace {

template <typename Values, typename V>
void append(Values& values, std::int64_t time_ns, V&& value) {
  auto* point = values.add_values();
  set_proto_time(point->mutable_timestamp(), time_ns);
  point->set_value(std::forward<V>(value));
}

template <typename Values>
void append_text(Values& values, std::int64_t time_ns, std::string_view text) {
  auto* point = values.add_values();
  set_proto_time(point->mutable_timestamp(), time_ns);
  point->set_value(text.data(), text.size());
}

// A bit-field channel declared without elements still returns its data: as
// one element `value` holding the low 32 bits.
constexpr char kWholeFieldElement[] = "value";

}  // namespace

struct SeriesWriter::Message {
  std::variant<data_pb::DoubleValues, data_pb::FloatValues, data_pb::StringValues,
               data_pb::EnumValues, data_pb::BitFieldValues, data_pb::BoolValues,
               data_pb::Int32Values, data_pb::Uint32Values, data_pb::Int64Values,
               data_pb::Uint64Values, data_pb::BytesValues>
      values;
  std::vector<ChannelBitFieldElement> elements;  // bit-field layout
};

std::optional<double> numeric_value(const TypedValue& value) {
  switch (value.kind()) {
    case ValueKind::kDouble:
      return value.as_double();
    case ValueKind::kFloat:
      return value.as_float();
    case ValueKind::kInt32:
      return value.as_int32();
    case ValueKind::kUint32:
      return value.as_uint32();
    case ValueKind::kInt64:
      return static_cast<double>(value.as_int64());
    case ValueKind::kUint64:
      return static_cast<double>(value.as_uint64());
    default:
      break;
  }
  return std::nullopt;
}

SeriesWriter::SeriesWriter(ChannelDataType type, data_pb::Metadata metadata)
    : type_(type), message_(std::make_unique<Message>()) {
  auto& v = message_->values;
  switch (type) {
    case ChannelDataType::kDouble:
      v.emplace<data_pb::DoubleValues>();
      break;
    case ChannelDataType::kFloat:
      v.emplace<data_pb::FloatValues>();
      break;
    case ChannelDataType::kString:
      v.emplace<data_pb::StringValues>();
      break;
    case ChannelDataType::kEnum:
      v.emplace<data_pb::EnumValues>();
      break;
    case ChannelDataType::kBitField: {
      auto& bits = v.emplace<data_pb::BitFieldValues>();
      auto* declared = metadata.mutable_channel()->mutable_bit_field_elements();
      if (declared->empty()) {
        auto* whole = declared->Add();
        whole->set_name(kWholeFieldElement);
        whole->set_index(0);
        whole->set_bit_count(32);
      }
      for (const auto& e : *declared) {
        message_->elements.push_back(ChannelBitFieldElement{e.name(), e.index(), e.bit_count()});
        bits.add_values()->set_name(e.name());
      }
      cost_ = message_->elements.size();
      break;
    }
    case ChannelDataType::kBool:
      v.emplace<data_pb::BoolValues>();
      break;
    case ChannelDataType::kInt32:
      v.emplace<data_pb::Int32Values>();
      break;
    case ChannelDataType::kUint32:
      v.emplace<data_pb::Uint32Values>();
      break;
    case ChannelDataType::kInt64:
      v.emplace<data_pb::Int64Values>();
      break;
    case ChannelDataType::kUint64:
      v.emplace<data_pb::Uint64Values>();
      break;
    case ChannelDataType::kBytes:
      v.emplace<data_pb::BytesValues>();
      break;
  }
  metadata.set_data_type(static_cast<::sift::common::type::v1::ChannelDataType>(type));
  std::visit([&](auto& m) { *m.mutable_metadata() = std::move(metadata); }, v);
}

SeriesWriter::~SeriesWriter() = default;

std::size_t SeriesWriter::variable_bytes(const TypedValue& value) {
  const ValueKind kind = value.kind();
  return kind == ValueKind::kString || kind == ValueKind::kBytes ? value.as_bytes().size() : 0;
}

void SeriesWriter::add(std::int64_t time_ns, const TypedValue& value) {
  if (!is_data_type(value, type_)) return;
  auto& v = message_->values;
  switch (type_) {
    case ChannelDataType::kDouble:
      append(std::get<data_pb::DoubleValues>(v), time_ns, value.as_double());
      break;
    case ChannelDataType::kFloat:
      append(std::get<data_pb::FloatValues>(v), time_ns, value.as_float());
      break;
    case ChannelDataType::kString:
      append_text(std::get<data_pb::StringValues>(v), time_ns, value.as_bytes());
      break;
    case ChannelDataType::kEnum:
      append(std::get<data_pb::EnumValues>(v), time_ns, value.as_enum());
      break;
    case ChannelDataType::kBitField: {
      auto& bits = std::get<data_pb::BitFieldValues>(v);
      const std::string_view packed = value.as_bytes();
      for (std::size_t i = 0; i < message_->elements.size(); ++i) {
        const ChannelBitFieldElement& e = message_->elements[i];
        append(*bits.mutable_values(static_cast<int>(i)), time_ns,
               element_bits(packed, e.index, e.bit_count));
      }
      break;
    }
    case ChannelDataType::kBool:
      append(std::get<data_pb::BoolValues>(v), time_ns, value.as_bool());
      break;
    case ChannelDataType::kInt32:
      append(std::get<data_pb::Int32Values>(v), time_ns, value.as_int32());
      break;
    case ChannelDataType::kUint32:
      append(std::get<data_pb::Uint32Values>(v), time_ns, value.as_uint32());
      break;
    case ChannelDataType::kInt64:
      append(std::get<data_pb::Int64Values>(v), time_ns, value.as_int64());
      break;
    case ChannelDataType::kUint64:
      append(std::get<data_pb::Uint64Values>(v), time_ns, value.as_uint64());
      break;
    case ChannelDataType::kBytes:
      append_text(std::get<data_pb::BytesValues>(v), time_ns, value.as_bytes());
      break;
  }
  ++points_;
}

void SeriesWriter::pack_into(google::protobuf::Any* any) const {
  std::visit([&](const auto& m) { any->PackFrom(m); }, message_->values);
}

}  // namespace emulator
}  // namespace sift
