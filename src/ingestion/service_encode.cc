// IngestionService's hot path: validating rows and encoding them straight to
// wire bytes, allocating nothing per row once the scratch memory is warm.
// Errors are rare, so on any problem the keyed path hands over to the
// general validator (ordered_values_from_keyed), whose messages are sift_py's.
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/ingest_request.h"
#include "internal/ingestion_service_impl.h"
#include "internal/wire_encoder.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = internal::wire;

absl::Status flow_not_found(const IngestionService::Impl& impl, const std::string& flow_name) {
  return absl::InvalidArgumentError(absl::StrCat(
      "Flow '", flow_name, "' could not be found among the flows of ingestion config '",
      impl.config.ingestion_client_key, "'"));
}

// `component.name` == `component'.name'` (or plain names) without building strings.
bool same_fqn(const ChannelConfig& channel, const ChannelValue& value) {
  const bool c1 = channel.component.has_value() && !channel.component->empty();
  const bool c2 = value.component.has_value() && !value.component->empty();
  if (c1 == c2) {
    return channel.name == value.channel_name && (!c1 || *channel.component == *value.component);
  }
  // One side folds the component into its name.
  const std::string& folded = c1 ? value.channel_name : channel.name;
  const std::string& component = c1 ? *channel.component : *value.component;
  const std::string& name = c1 ? channel.name : value.channel_name;
  return folded.size() == component.size() + 1 + name.size() &&
         folded.compare(0, component.size(), component) == 0 && folded[component.size()] == '.' &&
         folded.compare(component.size() + 1, std::string::npos, name) == 0;
}

template <typename ValueAt>
void encode_row(const wire::RowHeader& header, Timestamp timestamp, std::size_t count,
                const ValueAt& value_at, internal::RowBlock* out) {
  const std::size_t size = wire::request_size(header, timestamp, count, value_at);
  char* at = out->reserve_growing(size);
  wire::encode_request(at, header, timestamp, count, value_at);
  out->commit(size);
}

// Slots of the keyed values in flow order; reused by every call on a thread.
std::vector<const TypedValue*>& slots(std::size_t n) {
  thread_local std::vector<const TypedValue*> values;
  values.assign(n, nullptr);
  return values;
}

// True when every value names a distinct channel of the flow with a value of
// its type (or empty); fills `by_channel`. False: let the validator explain.
bool match_keyed(const FlowConfig& flow, const Flow& payload,
                 std::vector<const TypedValue*>& by_channel) {
  if (payload.channel_values.empty()) return false;
  const std::size_t n = flow.channels.size();
  std::size_t hint = 0;  // values usually come in flow order
  for (const ChannelValue& value : payload.channel_values) {
    std::size_t found = n;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t j = (hint + k) % n;
      if (same_fqn(flow.channels[j], value)) {
        found = j;
        break;
      }
    }
    if (found == n || by_channel[found] != nullptr) return false;
    const ChannelConfig& channel = flow.channels[found];
    if (!value.value.is_empty() && !is_data_type(value.value, channel.data_type)) return false;
    by_channel[found] = &value.value;
    hint = found + 1;
  }
  return true;
}

// Positional values, empty ones sent as `empty`.
void encode_values(const wire::RowHeader& header, Timestamp timestamp,
                   const std::vector<TypedValue>& values, internal::RowBlock* out) {
  encode_row(
      header, timestamp, values.size(),
      [&](std::size_t i) -> const TypedValue* {
        return values[i].is_empty() ? nullptr : &values[i];
      },
      out);
}

}  // namespace

internal::wire::RowHeader IngestionService::Impl::row_header() const {
  return wire::RowHeader{ingestion_config_id,
                         {},
                         run_id.has_value() ? absl::string_view(*run_id) : absl::string_view(),
                         organization_id,
                         options.end_stream_on_error};
}

absl::Status IngestionService::Impl::encode(absl::Span<const Flow> flows,
                                            internal::RowBlock* out) const {
  std::lock_guard<std::mutex> lock(mu);
  wire::RowHeader header = row_header();
  for (const Flow& payload : flows) {
    auto it = this->flows.find(payload.flow_name);
    if (it == this->flows.end()) return flow_not_found(*this, payload.flow_name);
    const FlowConfig& flow = it->second;
    std::vector<const TypedValue*>& by_channel = slots(flow.channels.size());
    if (!match_keyed(flow, payload, by_channel)) {
      // The validator finds the same problem and words it as sift_py does.
      absl::Status status = internal::ordered_values_from_keyed(flow, payload).status();
      return status.ok() ? absl::InternalError(
                               absl::StrCat("Flow '", flow.name, "': keyed values did not match"))
                         : status;
    }
    header.flow = payload.flow_name;
    // An explicit empty value is sent as `empty`, like a missing one.
    encode_row(
        header, payload.timestamp, by_channel.size(),
        [&](std::size_t i) -> const TypedValue* {
          const TypedValue* v = by_channel[i];
          return v == nullptr || v->is_empty() ? nullptr : v;
        },
        out);
  }
  return absl::OkStatus();
}

absl::Status IngestionService::Impl::encode(absl::Span<const FlowOrderedChannelValues> flows,
                                            bool validate, internal::RowBlock* out) const {
  std::lock_guard<std::mutex> lock(mu);
  wire::RowHeader header = row_header();
  for (const FlowOrderedChannelValues& payload : flows) {
    if (validate) {
      auto it = this->flows.find(payload.flow_name);
      if (it == this->flows.end()) return flow_not_found(*this, payload.flow_name);
      SIFT_RETURN_IF_ERROR(internal::check_positional_values(it->second, payload));
    }
    header.flow = payload.flow_name;
    encode_values(header, payload.timestamp, payload.channel_values, out);
  }
  return absl::OkStatus();
}

void IngestionService::Impl::encode(absl::Span<const IngestRequest> requests,
                                    internal::RowBlock* out) const {
  for (const IngestRequest& request : requests) {
    const wire::RowHeader header{request.ingestion_config_id, request.flow, request.run_id,
                                 request.organization_id, request.end_stream_on_validation_error};
    encode_values(header, request.timestamp, request.channel_values, out);
  }
}

void IngestionService::Impl::encode(
    absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests,
    internal::RowBlock* out) const {
  for (const ingest::v1::IngestWithConfigDataStreamRequest& request : requests) {
    const std::size_t size = request.ByteSizeLong();
    char* at = out->reserve_growing(size);
    request.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(at));
    out->commit(size);
  }
}

}  // namespace sift
