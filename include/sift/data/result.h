// Downloaded data: one typed time series per channel (sift_py's
// DataQueryResult / DataQueryResultSet), without protobuf.
#ifndef SIFT_DATA_RESULT_H_
#define SIFT_DATA_RESULT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/ingestion/channel.h"
#include "sift/time.h"

namespace sift {

// A value column: one vector per storage kind. Which one a series holds
// follows its data type:
//   kDouble -> double, kFloat -> float (not widened), kString and kBytes ->
//   std::string (bytes are raw), kBool -> bool, kInt32 -> int32_t,
//   kUint32, kEnum (the key) and kBitField (the element's value) -> uint32_t,
//   kInt64 -> int64_t, kUint64 -> uint64_t.
using SeriesValues = std::variant<std::vector<double>, std::vector<float>, std::vector<std::string>,
                                  std::vector<bool>, std::vector<int32_t>, std::vector<uint32_t>,
                                  std::vector<int64_t>, std::vector<uint64_t>>;

// An empty column of the kind that `type` is stored in.
SeriesValues make_series_values(ChannelDataType type);

// One downloaded series, sorted by time (stable: equal times keep the order
// the server sent them in).
struct ChannelTimeSeries {
  // The lookup name: the channel's name, `<channel>.<element>` for an element
  // of a bit field (`gpio.12v`), or a calculated channel's `channel_key`.
  std::string name;
  ChannelDataType data_type = ChannelDataType::kDouble;
  // Nanoseconds since the Unix epoch (UTC), one per value.
  std::vector<int64_t> time_ns;
  SeriesValues values;
  // Labels of an enum channel (empty for other types).
  std::vector<ChannelEnumType> enum_types;

  // Where the series came from. `channel_name` is the channel's own name (the
  // bit-field channel for an element, the key for a calculated channel).
  std::string channel_name;
  std::string channel_id;  // the channel_key for calculated channels
  // The element's layout when the series is one element of a bit field; the
  // name alone when the server did not describe the layout.
  std::optional<ChannelBitFieldElement> bit_field_element;
  bool calculated = false;
  // The run the series was queried for; unset = all data (every run and none).
  std::optional<std::string> run_name;
  std::string asset_name;
  std::string unit;

  std::size_t size() const { return time_ns.size(); }
  Timestamp time(std::size_t i) const { return Timestamp(std::chrono::nanoseconds(time_ns[i])); }

  // The column when it holds T (`series.values_as<double>()`), else nullptr.
  template <typename T>
  const std::vector<T>* values_as() const {
    return std::get_if<std::vector<T>>(&values);
  }

  // The label of an enum key, nullopt when the channel has none for it.
  std::optional<std::string_view> enum_label(uint32_t key) const {
    for (const ChannelEnumType& e : enum_types) {
      if (e.key == key) return std::string_view(e.name);
    }
    return std::nullopt;
  }
};

// Selects series by name, optionally narrowed by data type, run and asset. Converts
// from a name, so `result.channel("voltage")` works.
struct SeriesLookup {
  SeriesLookup(const char* lookup_name) : name(lookup_name) {}
  SeriesLookup(std::string lookup_name) : name(std::move(lookup_name)) {}
  SeriesLookup(std::string_view lookup_name) : name(lookup_name) {}
  SeriesLookup(std::string lookup_name, ChannelDataType type)
      : name(std::move(lookup_name)), data_type(type) {}

  std::string name;
  std::optional<ChannelDataType> data_type;
  std::optional<std::string> run_name;  // matches the run the series was queried for
  std::optional<std::string> asset_name;
};

// The series of one executed DataQuery, in the order they first arrived.
class DataQueryResult {
 public:
  DataQueryResult() = default;
  explicit DataQueryResult(std::vector<ChannelTimeSeries> series) : series_(std::move(series)) {}

  // The one series matching `lookup`. NOT_FOUND naming the lookup (and the
  // names there are) when none matches; INVALID_ARGUMENT "Ambiguous lookup"
  // listing every candidate (name, type, run, origin) when several do, e.g.
  // one channel queried for two runs, or a bit-field element `gpio.12v` next
  // to a channel named `gpio.12v`. The pointer lives as long as the result.
  absl::StatusOr<const ChannelTimeSeries*> channel(const SeriesLookup& lookup) const;

  // channel() for each lookup, in order; the first failure is returned.
  absl::StatusOr<std::vector<const ChannelTimeSeries*>> channels(
      const std::vector<SeriesLookup>& lookups) const;

  const std::vector<ChannelTimeSeries>& all_channels() const { return series_; }

  // Moves the series out (for example into a longer-lived container).
  std::vector<ChannelTimeSeries> release() && { return std::move(series_); }

 private:
  std::vector<ChannelTimeSeries> series_;
};

// A one-line description of a series for messages: `'voltage' (double, asset
// 'NostromoLV426', run 'r1')`, `'gpio.12v' (bit_field, element '12v' of
// channel 'gpio', all runs)` (the asset only when known).
std::string describe_series(const ChannelTimeSeries& series);

}  // namespace sift

#endif  // SIFT_DATA_RESULT_H_
