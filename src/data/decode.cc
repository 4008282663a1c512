// GetData payloads (google.protobuf.Any) to typed series. Each entry is
// checked completely before anything is appended, so a bad entry leaves no
// half-appended series behind.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/data_decode.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

namespace pb = ::sift::data::v2;

struct PayloadName {
  std::string_view name;
  ChannelDataType type;
};

constexpr PayloadName kPayloads[] = {
    {"sift.data.v2.DoubleValues", ChannelDataType::kDouble},
    {"sift.data.v2.FloatValues", ChannelDataType::kFloat},
    {"sift.data.v2.StringValues", ChannelDataType::kString},
    {"sift.data.v2.EnumValues", ChannelDataType::kEnum},
    {"sift.data.v2.BitFieldValues", ChannelDataType::kBitField},
    {"sift.data.v2.BoolValues", ChannelDataType::kBool},
    {"sift.data.v2.Int32Values", ChannelDataType::kInt32},
    {"sift.data.v2.Uint32Values", ChannelDataType::kUint32},
    {"sift.data.v2.Int64Values", ChannelDataType::kInt64},
    {"sift.data.v2.Uint64Values", ChannelDataType::kUint64},
    {"sift.data.v2.BytesValues", ChannelDataType::kBytes},
};

// What one entry's metadata says about its series.
struct Header {
  std::string payload;  // message name, for messages
  ChannelDataType type = ChannelDataType::kDouble;
  std::string name;
  std::string channel_id;
  std::string asset_name;
  std::string unit;
  std::vector<ChannelEnumType> enum_types;
  std::vector<ChannelBitFieldElement> elements;
};

absl::StatusOr<Header> read_metadata(const pb::Metadata& metadata, std::string_view payload,
                                     ChannelDataType type, const PageContext& context) {
  Header header;
  header.payload = std::string(payload);
  header.type = type;
  header.asset_name = metadata.asset().name();
  if (metadata.has_channel()) {
    const pb::Metadata::Channel& channel = metadata.channel();
    header.channel_id = channel.channel_id();
    header.name = !channel.name().empty() ? channel.name() : channel.channel_id();
    header.unit = channel.unit().name();
    for (const auto& e : channel.enum_types()) {
      header.enum_types.push_back(ChannelEnumType{e.name(), e.key(), e.is_signed()});
    }
    for (const auto& e : channel.bit_field_elements()) {
      header.elements.push_back(ChannelBitFieldElement{e.name(), e.index(), e.bit_count()});
    }
  }
  if (header.name.empty()) header.name = context.fallback_name;
  if (header.name.empty()) {
    return absl::DataLossError(
        absl::StrCat("GetData returned ", to_absl_view(payload), " without a channel name or id"));
  }
  const int declared = static_cast<int>(metadata.data_type());
  if (declared != 0 && declared != static_cast<int>(type)) {
    absl::StatusOr<ChannelDataType> declared_type = channel_data_type_from_pb(declared);
    return absl::DataLossError(absl::StrCat(
        "GetData returned ", to_absl_view(payload), " for channel '", header.name,
        "' whose metadata says data type ",
        declared_type.ok() ? std::string(as_human_str(*declared_type)) : absl::StrCat(declared)));
  }
  return header;
}

// Nanoseconds since the epoch; the range is int64 ns (years 1677..2262).
bool to_unix_nanos(const google::protobuf::Timestamp& ts, int64_t* out) {
  if (ts.nanos() < 0 || ts.nanos() > 999'999'999) return false;
  int64_t ns = 0;
  if (__builtin_mul_overflow(ts.seconds(), int64_t{1'000'000'000}, &ns)) return false;
  return !__builtin_add_overflow(ns, static_cast<int64_t>(ts.nanos()), out);
}

template <typename Repeated>
absl::Status check_times(const Repeated& values, const std::string& series_name,
                         std::string_view payload) {
  int64_t ns = 0;
  for (int i = 0; i < values.size(); ++i) {
    const google::protobuf::Timestamp& ts = values.Get(i).timestamp();
    if (!to_unix_nanos(ts, &ns)) {
      return absl::DataLossError(
          absl::StrCat("GetData returned ", to_absl_view(payload), " for channel '", series_name,
                       "' with an invalid or out-of-range timestamp (seconds ", ts.seconds(),
                       ", nanos ", ts.nanos(), ") at point ", i));
    }
  }
  return absl::OkStatus();
}

// The identity of a series across pages and queries (length-prefixed, so no
// two different identities share a key).
std::string series_key(const ChannelTimeSeries& s) {
  std::string key =
      absl::StrCat(s.calculated ? "c" : "s", static_cast<int>(s.data_type), ":",
                   s.channel_id.size(), ":", s.channel_id, s.name.size(), ":", s.name);
  if (s.run_name.has_value()) absl::StrAppend(&key, "r", *s.run_name);
  return key;
}

ChannelTimeSeries prototype(const Header& header, const PageContext& context) {
  ChannelTimeSeries s;
  s.name = header.name;
  s.data_type = header.type;
  s.values = make_series_values(header.type);
  s.enum_types = header.enum_types;
  s.channel_name = header.name;
  s.channel_id = header.channel_id;
  s.calculated = context.calculated;
  s.run_name = context.run_name;
  s.asset_name = header.asset_name;
  s.unit = header.unit;
  return s;
}

// Converts a sample to the column type (moves text out of the message).
template <typename T, typename Sample>
T take_value(Sample& sample) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::move(*sample.mutable_value());
  } else {
    return static_cast<T>(sample.value());
  }
}

ChannelTimeSeries& target(SeriesAccumulator& acc, ChannelTimeSeries&& proto) {
  const std::string key = series_key(proto);
  return acc.series_for(key, std::move(proto));
}

// Reserves room for `extra` more, growing geometrically: an exact reserve per
// page would copy the column on every page.
template <typename Vector>
void make_room(Vector& v, std::size_t extra) {
  const std::size_t need = v.size() + extra;
  if (need > v.capacity()) v.reserve(std::max(need, 2 * v.capacity()));
}

template <typename T, typename Repeated>
void append_samples(Repeated& samples, ChannelTimeSeries& s) {
  std::vector<T>& column = std::get<std::vector<T>>(s.values);
  const std::size_t n = static_cast<std::size_t>(samples.size());
  make_room(s.time_ns, n);
  make_room(column, n);
  int64_t ns = 0;
  for (auto& sample : samples) {
    to_unix_nanos(sample.timestamp(), &ns);  // checked by check_times
    s.time_ns.push_back(ns);
    column.push_back(take_value<T>(sample));
  }
}

template <typename Message, typename T>
absl::Status decode_scalar(const google::protobuf::Any& any, std::string_view payload,
                           ChannelDataType type, const PageContext& context,
                           SeriesAccumulator& acc) {
  Message message;
  if (!message.ParseFromString(any.value())) {
    return absl::DataLossError(
        absl::StrCat("GetData returned a ", to_absl_view(payload), " payload that does not parse"));
  }
  SIFT_ASSIGN_OR_RETURN(Header header, read_metadata(message.metadata(), payload, type, context));
  SIFT_RETURN_IF_ERROR(check_times(message.values(), header.name, payload));
  ChannelTimeSeries& s = target(acc, prototype(header, context));
  // A later page may be the first to carry the labels.
  if (s.enum_types.empty()) s.enum_types = header.enum_types;
  append_samples<T>(*message.mutable_values(), s);
  acc.add_points(static_cast<std::size_t>(message.values_size()));
  return absl::OkStatus();
}

// One series per element, named `<channel>.<element>`; none under the bare
// channel name (as sift_py).
absl::Status decode_bit_field(const google::protobuf::Any& any, std::string_view payload,
                              const PageContext& context, SeriesAccumulator& acc) {
  pb::BitFieldValues message;
  if (!message.ParseFromString(any.value())) {
    return absl::DataLossError(
        absl::StrCat("GetData returned a ", to_absl_view(payload), " payload that does not parse"));
  }
  SIFT_ASSIGN_OR_RETURN(Header header, read_metadata(message.metadata(), payload,
                                                     ChannelDataType::kBitField, context));
  for (const pb::BitFieldElementValues& element : message.values()) {
    if (element.name().empty()) {
      return absl::DataLossError(
          absl::StrCat("GetData returned a bit-field element without a name ", "for channel '",
                       header.name, "'"));
    }
    SIFT_RETURN_IF_ERROR(
        check_times(element.values(), absl::StrCat(header.name, ".", element.name()), payload));
  }
  for (pb::BitFieldElementValues& element : *message.mutable_values()) {
    ChannelTimeSeries proto = prototype(header, context);
    proto.name = absl::StrCat(header.name, ".", element.name());
    proto.bit_field_element = ChannelBitFieldElement{element.name(), 0, 0};
    for (const ChannelBitFieldElement& layout : header.elements) {
      if (layout.name == element.name()) proto.bit_field_element = layout;
    }
    ChannelTimeSeries& s = target(acc, std::move(proto));
    append_samples<uint32_t>(*element.mutable_values(), s);
    acc.add_points(static_cast<std::size_t>(element.values_size()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view any_type_name(std::string_view type_url) {
  const std::size_t slash = type_url.rfind('/');
  return slash == std::string_view::npos ? type_url : type_url.substr(slash + 1);
}

std::optional<ChannelDataType> data_type_of_payload(std::string_view message_name) {
  for (const PayloadName& p : kPayloads) {
    if (p.name == message_name) return p.type;
  }
  return std::nullopt;
}

ChannelTimeSeries& SeriesAccumulator::series_for(const std::string& key,
                                                 ChannelTimeSeries&& prototype) {
  auto [it, inserted] = index_.emplace(key, series_.size());
  if (inserted) {
    series_.push_back(std::move(prototype));
    keys_.push_back(key);
  }
  return series_[it->second];
}

absl::Status SeriesAccumulator::add_any(const google::protobuf::Any& any,
                                        const PageContext& context) {
  const std::string_view payload = any_type_name(any.type_url());
  const std::optional<ChannelDataType> type = data_type_of_payload(payload);
  if (!type.has_value()) {
    return absl::UnimplementedError(
        absl::StrCat("GetData returned an unsupported payload type '", to_absl_view(payload),
                     "' (type URL '", any.type_url(), "'); expected one of sift.data.v2.*Values"));
  }
  switch (*type) {
    case ChannelDataType::kDouble:
      return decode_scalar<pb::DoubleValues, double>(any, payload, *type, context, *this);
    case ChannelDataType::kFloat:
      return decode_scalar<pb::FloatValues, float>(any, payload, *type, context, *this);
    case ChannelDataType::kString:
      return decode_scalar<pb::StringValues, std::string>(any, payload, *type, context, *this);
    case ChannelDataType::kEnum:
      return decode_scalar<pb::EnumValues, uint32_t>(any, payload, *type, context, *this);
    case ChannelDataType::kBitField:
      return decode_bit_field(any, payload, context, *this);
    case ChannelDataType::kBool:
      return decode_scalar<pb::BoolValues, bool>(any, payload, *type, context, *this);
    case ChannelDataType::kInt32:
      return decode_scalar<pb::Int32Values, int32_t>(any, payload, *type, context, *this);
    case ChannelDataType::kUint32:
      return decode_scalar<pb::Uint32Values, uint32_t>(any, payload, *type, context, *this);
    case ChannelDataType::kInt64:
      return decode_scalar<pb::Int64Values, int64_t>(any, payload, *type, context, *this);
    case ChannelDataType::kUint64:
      return decode_scalar<pb::Uint64Values, uint64_t>(any, payload, *type, context, *this);
    case ChannelDataType::kBytes:
      return decode_scalar<pb::BytesValues, std::string>(any, payload, *type, context, *this);
  }
  return absl::InternalError("unreachable payload type");
}

absl::Status SeriesAccumulator::add_page(const pb::GetDataResponse& page,
                                         const PageContext& context) {
  for (const google::protobuf::Any& any : page.data()) {
    SIFT_RETURN_IF_ERROR(add_any(any, context));
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace sift
