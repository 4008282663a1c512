// What to download: sift_py's `sift_py.data.query` (DataQuery, ChannelQuery,
// CalculatedChannelQuery). Plain values; DataService::execute() runs them.
#ifndef SIFT_DATA_QUERY_H_
#define SIFT_DATA_QUERY_H_

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

// Values per GetData page unless DataQuery::page_size says otherwise (sift_py's
// DEFAULT_PAGE_SIZE; sift_py always sends it, we honour page_size).
inline constexpr uint32_t kDefaultPageSize = 100'000;

// One stored channel of the query's asset. `component` is deprecated: it is
// folded into the name (`component.channel_name`), as in sift_py.
struct ChannelQuery {
  std::string channel_name;
  std::optional<std::string> component;
  // Only data of this run; unset = all of the channel's data in the window.
  std::optional<std::string> run_name;

  std::string fqn() const { return channel_fqn(channel_name, component); }
};

// Binds a placeholder (`$1`) of a calculated channel's expression to a channel.
// `data_type` picks among same-named channels of different types.
struct ExpressionChannelReference {
  std::string reference;
  std::string channel_name;
  std::optional<std::string> component;  // deprecated, folded into the name
  std::optional<ChannelDataType> data_type;

  std::string fqn() const { return channel_fqn(channel_name, component); }
};

// An expression evaluated by the server over the referenced channels; its
// series is named `channel_key`.
struct CalculatedChannelQuery {
  std::string channel_key;
  std::string expression;
  std::vector<ExpressionChannelReference> expression_channel_references;
  std::optional<std::string> run_name;
};

using AnyChannelQuery = std::variant<ChannelQuery, CalculatedChannelQuery>;

// Channels of one asset over [start_time, end_time) (Sift's window: start
// inclusive, end exclusive). Field order follows sift_py's constructor.
struct DataQuery {
  std::string asset_name;
  Timestamp start_time;
  Timestamp end_time;
  std::vector<AnyChannelQuery> channels;
  // 0 = full fidelity; otherwise the server down-samples numeric channels to
  // about one point per `sample_ms` milliseconds.
  uint32_t sample_ms = 0;
  uint32_t page_size = kDefaultPageSize;

  // Builds and validates a query from RFC 3339 times
  // (`2024-07-04T18:09:08.555-07:00`); an offset or `Z` is required.
  static absl::StatusOr<DataQuery> create(std::string asset_name, std::string_view start_time,
                                          std::string_view end_time,
                                          std::vector<AnyChannelQuery> channels,
                                          uint32_t sample_ms = 0);
  // Same with time points.
  static absl::StatusOr<DataQuery> create(std::string asset_name, Timestamp start_time,
                                          Timestamp end_time, std::vector<AnyChannelQuery> channels,
                                          uint32_t sample_ms = 0);

  // Parse RFC 3339 text into start_time / end_time; INVALID_ARGUMENT naming
  // the field and the text.
  absl::Status set_start_time(std::string_view rfc3339);
  absl::Status set_end_time(std::string_view rfc3339);

  // INVALID_ARGUMENT naming the first problem: empty asset_name, end_time not
  // after start_time, no channels, page_size 0, an empty channel name or
  // channel_key or expression, an empty run_name (leave it unset instead), a
  // reference that is not `$<digits>` ("Invalid channel reference key"), a
  // placeholder bound twice, or the same channel/key queried twice for the
  // same run. Channels are named by their index (`channels[2]`) and name.
  absl::Status validate() const;
};

}  // namespace sift

#endif  // SIFT_DATA_QUERY_H_
