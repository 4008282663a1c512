// Decoding GetDataResponse pages into ChannelTimeSeries.
#ifndef SIFT_INTERNAL_DATA_DECODE_H_
#define SIFT_INTERNAL_DATA_DECODE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/any.pb.h"
#include "sift/data/result.h"
#include "sift/data/v2/data.pb.h"
#include "sift/ingestion/channel.h"

namespace sift {
namespace internal {

// The message name of a type URL: the text after the last '/', or all of it.
// Sift sends the bare name (`sift.data.v2.DoubleValues`), which
// google::protobuf::Any::UnpackTo() rejects, so we never use it.
std::string_view any_type_name(std::string_view type_url);

// The data type a `sift.data.v2.*Values` message name carries; nullopt for
// any other name.
std::optional<ChannelDataType> data_type_of_payload(std::string_view message_name);

// What the caller knows about the query a page answers; it is not in the
// response. Series of one query that differ only in the run they were
// ingested under (the server sends one entry per run) are one series.
struct PageContext {
  std::optional<std::string> run_name;  // the run asked for; unset = all data
  bool calculated = false;
  // Name used when the metadata names no channel (e.g. the channel_key).
  std::string fallback_name;
};

// Collects decoded series across pages and queries. Entries of the same
// series (same channel id, name, data type, run asked for, kind) are
// appended in arrival order; finish() sorts each series by time (stable).
class SeriesAccumulator {
 public:
  // Decodes every `data` entry of one page. On error nothing of the failing
  // entry is kept; earlier entries are.
  absl::Status add_page(const sift::data::v2::GetDataResponse& page, const PageContext& context);
  // Decodes one entry.
  absl::Status add_any(const google::protobuf::Any& any, const PageContext& context);

  // Appends `other`'s series (in its order) to the same-keyed ones here.
  void merge_from(SeriesAccumulator&& other);

  std::size_t points() const { return points_; }
  std::size_t series_count() const { return series_.size(); }

  DataQueryResult finish() &&;

  // Looks up or creates a series (public for the per-type decoders).
  ChannelTimeSeries& series_for(const std::string& key, ChannelTimeSeries&& prototype);
  void add_points(std::size_t n) { points_ += n; }

 private:
  std::vector<ChannelTimeSeries> series_;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::size_t> index_;
  std::size_t points_ = 0;
};

// Sorts a series by time, stably, when it is not sorted already.
void sort_series_by_time(ChannelTimeSeries& series);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_DATA_DECODE_H_
