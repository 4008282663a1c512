// Flows and flow payloads: sift_py's `sift_py.ingestion.flow`.
#ifndef SIFT_INGESTION_FLOW_H_
#define SIFT_INGESTION_FLOW_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

#include "sift/ingestion/channel.h"
#include "sift/time.h"

namespace sift {

// A named group of channels sampled together. Channel order is the order of
// values on the wire.
struct FlowConfig {
  std::string name;
  std::vector<ChannelConfig> channels;

  // Index in `channels` of the channel with this fully qualified name
  // (sift_py's `channel_by_fqn`).
  // The first match when several channels share an FQN (which
  // TelemetryConfig::validate() rejects).
  std::optional<std::size_t> channel_index(std::string_view fqn) const {
    for (std::size_t i = 0; i < channels.size(); ++i) {
      const ChannelConfig& channel = channels[i];
      if (!channel.component.has_value() || channel.component->empty()) {
        if (channel.name == fqn) return i;
      } else if (channel.fqn() == fqn) {
        return i;
      }
    }
    return std::nullopt;
  }

  friend bool operator==(const FlowConfig& a, const FlowConfig& b) {
    return a.name == b.name && a.channels == b.channels;
  }
  friend bool operator!=(const FlowConfig& a, const FlowConfig& b) { return !(a == b); }
};

// A value addressed by channel name (the keyed form).
struct ChannelValue {
  std::string channel_name;
  std::optional<std::string> component;  // deprecated; folded into fqn()
  TypedValue value;

  std::string fqn() const { return channel_fqn(channel_name, component); }
};

// Keyed payload: any subset of the flow's channels, in any order.
struct Flow {
  std::string flow_name;
  Timestamp timestamp;
  std::vector<ChannelValue> channel_values;
};

// Positional payload: one value per channel of the flow, in the flow's
// channel order; `empty_value()` where a channel has no sample.
struct FlowOrderedChannelValues {
  std::string flow_name;
  Timestamp timestamp;
  std::vector<TypedValue> channel_values;
};

namespace internal {

// Lets ingest calls take flows as separate arguments (`try_ingest_flows(a)`,
// `try_ingest_flows(a, b)`) besides a span or a braced list.
template <typename T, typename... More>
using EnableIfFlows =
    std::enable_if_t<(std::is_same_v<T, Flow> ||
                      std::is_same_v<T, FlowOrderedChannelValues>)&&(std::is_same_v<T, More>&&...)>;

// Calls `fn` with a span over the arguments; one flow is not copied.
template <typename Fn, typename T, typename... More>
absl::Status with_flow_span(Fn&& fn, const T& first, const More&... more) {
  if constexpr (sizeof...(More) == 0) {
    return fn(absl::Span<const T>(&first, 1));
  } else {
    const T flows[] = {first, more...};
    return fn(absl::Span<const T>(flows));
  }
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INGESTION_FLOW_H_
