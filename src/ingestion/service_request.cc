// Request validation (spec 5.2) and the wire conversions of IngestionService.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/ingest_request.h"

namespace sift {
namespace internal {
namespace {

absl::string_view type_view(ChannelDataType type) { return to_absl_view(as_human_str(type)); }

}  // namespace

std::string value_kind_name(const TypedValue& value) {
  const std::optional<ChannelDataType> type = value.data_type();
  return type.has_value() ? std::string(as_human_str(*type)) : std::string("empty");
}

absl::StatusOr<std::vector<TypedValue>> ordered_values_from_keyed(const FlowConfig& flow,
                                                                  const Flow& payload) {
  if (payload.channel_values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Flow '", flow.name, "': channel values cannot be empty"));
  }
  // FQN -> index into payload.channel_values.
  std::map<std::string, std::size_t> by_fqn;
  for (std::size_t i = 0; i < payload.channel_values.size(); ++i) {
    std::string fqn = payload.channel_values[i].fqn();
    if (!by_fqn.emplace(fqn, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Flow '", flow.name, "': multiple values for channel '", fqn, "'"));
    }
  }

  std::vector<TypedValue> ordered;
  ordered.reserve(flow.channels.size());
  for (const ChannelConfig& channel : flow.channels) {
    auto it = by_fqn.find(channel.fqn());
    if (it == by_fqn.end()) {
      ordered.emplace_back();
      continue;
    }
    const TypedValue& value = payload.channel_values[it->second].value;
    // An explicit empty value means "no sample", like an omitted one (sift_py
    // rejects it; accepting it is harmless).
    if (!value.is_empty() && !is_data_type(value, channel.data_type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Flow '", flow.name, "': Expected value for channel '", it->first, "' to be of type '",
          type_view(channel.data_type), "' but got '", value_kind_name(value), "'"));
    }
    ordered.push_back(value);
    by_fqn.erase(it);
  }

  if (!by_fqn.empty()) {
    // Report the leftovers in the caller's order.
    std::vector<std::size_t> indexes;
    for (const auto& [fqn, index] : by_fqn) indexes.push_back(index);
    std::sort(indexes.begin(), indexes.end());
    std::vector<std::string> names;
    for (std::size_t index : indexes) {
      names.push_back(absl::StrCat("'", payload.channel_values[index].fqn(), "'"));
    }
    return absl::InvalidArgumentError(absl::StrCat("Flow '", flow.name, "': Unexpected channel(s) ",
                                                   absl::StrJoin(names, ", "),
                                                   ": not channels of this flow"));
  }
  return ordered;
}

absl::Status check_positional_values(const FlowConfig& flow,
                                     const FlowOrderedChannelValues& payload) {
  if (payload.channel_values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Flow '", flow.name, "': channel values cannot be empty"));
  }
  if (payload.channel_values.size() != flow.channels.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Flow '", flow.name, "': Expected ", flow.channels.size(), " channel values but got ",
        payload.channel_values.size(), " (one per channel, in flow order; use empty_value())"));
  }
  for (std::size_t i = 0; i < flow.channels.size(); ++i) {
    const ChannelConfig& channel = flow.channels[i];
    const TypedValue& value = payload.channel_values[i];
    if (!value.is_empty() && !is_data_type(value, channel.data_type)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Flow '", flow.name, "': Expected value for channel '", channel.fqn(),
                       "' (position ", i, ") to be of type '", type_view(channel.data_type),
                       "' or empty but got '", value_kind_name(value), "'"));
    }
  }
  return absl::OkStatus();
}

void encode_value(const TypedValue& value, ingest::v1::IngestWithConfigDataChannelValue* out) {
  switch (value.kind()) {
    case ValueKind::kString:
      out->set_string(value.as_bytes().data(), value.as_bytes().size());
      return;
    case ValueKind::kDouble:
      out->set_double_(value.as_double());
      return;
    case ValueKind::kFloat:
      out->set_float_(value.as_float());
      return;
    case ValueKind::kBool:
      out->set_bool_(value.as_bool());
      return;
    case ValueKind::kInt32:
      out->set_int32(value.as_int32());
      return;
    case ValueKind::kUint32:
      out->set_uint32(value.as_uint32());
      return;
    case ValueKind::kInt64:
      out->set_int64(value.as_int64());
      return;
    case ValueKind::kUint64:
      out->set_uint64(value.as_uint64());
      return;
    case ValueKind::kBitField:
      out->set_bit_field(value.as_bytes().data(), value.as_bytes().size());
      return;
    case ValueKind::kEnum:
      out->set_enum_(value.as_enum());
      return;
    case ValueKind::kBytes:
      out->set_bytes(value.as_bytes().data(), value.as_bytes().size());
      return;
    case ValueKind::kEmpty:
      out->mutable_empty();
      return;
  }
}

void encode_timestamp(Timestamp timestamp, google::protobuf::Timestamp* out) {
  const int64_t nanos = timestamp.time_since_epoch().count();
  // Floor division: protobuf wants nanos in [0, 1e9) also before 1970.
  int64_t seconds = nanos / 1000000000;
  int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    seconds -= 1;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest));
}

void encode_request(const IngestRequest& request,
                    ingest::v1::IngestWithConfigDataStreamRequest* out) {
  out->Clear();
  out->set_ingestion_config_id(request.ingestion_config_id);
  out->set_flow(request.flow);
  encode_timestamp(request.timestamp, out->mutable_timestamp());
  for (const TypedValue& value : request.channel_values) {
    encode_value(value, out->add_channel_values());
  }
  out->set_run_id(request.run_id);
  out->set_end_stream_on_validation_error(request.end_stream_on_validation_error);
  out->set_organization_id(request.organization_id);
}

void encode_flow(const FlowConfig& flow, ingestion_configs::v2::FlowConfig* out) {
  out->set_name(flow.name);
  for (const ChannelConfig& channel : flow.channels) {
    ingestion_configs::v2::ChannelConfig* wire = out->add_channels();
    // v2 has no component: sift_py folds it into the name.
    wire->set_name(channel.fqn());
    wire->set_unit(channel.unit.value_or(""));
    wire->set_description(channel.description.value_or(""));
    wire->set_data_type(static_cast<common::type::v1::ChannelDataType>(channel.data_type));
    for (const ChannelEnumType& enum_type : channel.enum_types) {
      common::type::v1::ChannelEnumType* e = wire->add_enum_types();
      e->set_name(enum_type.name);
      e->set_key(enum_type.key);
      e->set_is_signed(enum_type.is_signed.value_or(false));
    }
    for (const ChannelBitFieldElement& element : channel.bit_field_elements) {
      common::type::v1::ChannelBitFieldElement* b = wire->add_bit_field_elements();
      b->set_name(element.name);
      b->set_index(element.index);
      b->set_bit_count(element.bit_count);
    }
  }
}

TypedValue decode_value(const ingest::v1::IngestWithConfigDataChannelValue& value) {
  using Wire = ingest::v1::IngestWithConfigDataChannelValue;
  switch (value.type_case()) {
    case Wire::kString:
      return string_value(value.string());
    case Wire::kDouble:
      return double_value(value.double_());
    case Wire::kFloat:
      return float_value(value.float_());
    case Wire::kBool:
      return bool_value(value.bool_());
    case Wire::kInt32:
      return int32_value(value.int32());
    case Wire::kUint32:
      return uint32_value(value.uint32());
    case Wire::kInt64:
      return int64_value(value.int64());
    case Wire::kUint64:
      return uint64_value(value.uint64());
    case Wire::kBitField:
      return bit_field_value(value.bit_field());
    case Wire::kEnum:
      return enum_value(value.enum_());
    case Wire::kBytes:
      return bytes_value(value.bytes());
    case Wire::kEmpty:
    case Wire::TYPE_NOT_SET:
      break;
  }
  return empty_value();
}

absl::StatusOr<IngestRequest> decode_request(absl::string_view bytes) {
  ingest::v1::IngestWithConfigDataStreamRequest wire;
  if (!wire.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("not an IngestWithConfigDataStreamRequest");
  }
  IngestRequest out;
  out.ingestion_config_id = wire.ingestion_config_id();
  out.flow = wire.flow();
  // Unsigned arithmetic: the product wraps for the earliest representable
  // times, and wrapping back is exactly what the encoder did.
  const std::uint64_t nanos = static_cast<std::uint64_t>(wire.timestamp().seconds()) * 1000000000u +
                              static_cast<std::uint64_t>(wire.timestamp().nanos());
  out.timestamp = Timestamp(std::chrono::nanoseconds(static_cast<std::int64_t>(nanos)));
  for (const ingest::v1::IngestWithConfigDataChannelValue& value : wire.channel_values()) {
    out.channel_values.push_back(decode_value(value));
  }
  out.run_id = wire.run_id();
  out.end_stream_on_validation_error = wire.end_stream_on_validation_error();
  out.organization_id = wire.organization_id();
  return out;
}

absl::StatusOr<FlowConfig> decode_flow(const ingestion_configs::v2::FlowConfig& flow) {
  FlowConfig out;
  out.name = flow.name();
  out.channels.reserve(static_cast<std::size_t>(flow.channels_size()));
  for (const ingestion_configs::v2::ChannelConfig& wire : flow.channels()) {
    absl::StatusOr<ChannelDataType> type =
        channel_data_type_from_pb(static_cast<int>(wire.data_type()));
    if (!type.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("Flow '", flow.name(), "' channel '",
                                                     wire.name(), "': ", type.status().message()));
    }
    ChannelConfig channel;
    channel.name = wire.name();
    channel.data_type = *type;
    channel.unit = wire.unit();
    channel.description = wire.description();
    for (const common::type::v1::ChannelEnumType& e : wire.enum_types()) {
      channel.enum_types.push_back(ChannelEnumType{e.name(), e.key(), e.is_signed()});
    }
    for (const common::type::v1::ChannelBitFieldElement& b : wire.bit_field_elements()) {
      channel.bit_field_elements.push_back(
          ChannelBitFieldElement{b.name(), b.index(), b.bit_count()});
    }
    out.channels.push_back(std::move(channel));
  }
  return out;
}

}  // namespace internal
}  // namespace sift
