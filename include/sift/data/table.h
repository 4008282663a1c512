// Several series on one time column (pandas.merge_asof) and CSV export.
#ifndef SIFT_DATA_TABLE_H_
#define SIFT_DATA_TABLE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sift/data/result.h"
#include "sift/time.h"

namespace sift {

struct MergeAsofOptions {
  enum class Times {
    // Every time point of every series, sorted, each once (the default).
    kUnion,
    // The first series' time points as they are (duplicates kept): what
    // sift_py's `functools.reduce(pd.merge_asof, frames)` produces.
    kFirstSeries,
  };
  Times times = Times::kUnion;
  // pandas' `tolerance`: a value older than this at a row's time is missing.
  // Unset = any earlier value counts.
  std::optional<std::chrono::nanoseconds> tolerance;
  // Column names, one per series; empty = each series' name.
  std::vector<std::string> column_names;
};

// A merged view: one time column and one column per series, each cell the
// series' last value at or before the row's time. It does not copy values: it
// points into the series, which must outlive it and stay unchanged.
class Table {
 public:
  struct Column {
    std::string name;
    const ChannelTimeSeries* series = nullptr;
  };

  std::size_t rows() const { return time_ns_.size(); }
  const std::vector<int64_t>& time_ns() const { return time_ns_; }
  Timestamp time(std::size_t row) const {
    return Timestamp(std::chrono::nanoseconds(time_ns_[row]));
  }
  const std::vector<Column>& columns() const { return columns_; }
  std::optional<std::chrono::nanoseconds> tolerance() const { return tolerance_; }

  // Index into columns()[column].series of the cell's value; nullopt when the
  // cell is missing (before the series' first value, or older than the
  // tolerance). O(log n); write_csv walks rows without searching.
  std::optional<std::size_t> source_index(std::size_t row, std::size_t column) const;

 private:
  friend absl::StatusOr<Table> merge_asof(absl::Span<const ChannelTimeSeries* const> series,
                                          const MergeAsofOptions& options);
  std::vector<int64_t> time_ns_;
  std::vector<Column> columns_;
  std::optional<std::chrono::nanoseconds> tolerance_;
};

// pandas.merge_asof(on="time", direction="backward", allow_exact_matches=True)
// across all series at once: for each row time t, each column holds the value
// of the series' last sample with time <= t (the last of several equal
// times), or nothing before its first sample. INVALID_ARGUMENT (naming the
// series or column) for: no series, a null series, a series whose times are
// not sorted or whose value count differs from its time count, column_names
// of the wrong length, two columns with one name, a column named `time`, a
// negative tolerance.
// Takes `{&a, &b}`, or what DataQueryResult::channels() returns.
absl::StatusOr<Table> merge_asof(absl::Span<const ChannelTimeSeries* const> series,
                                 const MergeAsofOptions& options = {});
// Same over all of `series` (e.g. DataQueryResult::all_channels()).
absl::StatusOr<Table> merge_asof(absl::Span<const ChannelTimeSeries> series,
                                 const MergeAsofOptions& options = {});

struct CsvOptions {
  enum class TimeFormat {
    // to_rfc3339(): UTC, 0/3/6/9 fraction digits as needed, exact to the ns.
    kRfc3339,
    // Integer nanoseconds since the Unix epoch.
    kUnixNanos,
  };
  TimeFormat time_format = TimeFormat::kRfc3339;
  // Enum cells as their label instead of the key (the key when no label).
  bool enum_labels = false;
  // "\r\n" as RFC 4180 asks; "\n" by default, like pandas.to_csv.
  bool crlf = false;
};

// Writes `time,<column>...` then one line per row. Cells: missing -> empty;
// double/float -> shortest text that parses back to the same value (`nan`,
// `inf`, `-inf`); integers, enum keys and bit-field elements -> decimal;
// bool -> `true`/`false`; string -> as is, quoted when it holds `,` `"` CR or
// LF or is empty (`""`, so it differs from a missing cell); bytes -> lowercase
// hex (`""` when empty). Rows are streamed to `<path>.<pid>.<n>.tmp` in the
// same directory, which is renamed to `path` once complete; on failure it is
// removed and the status names the file and the OS error.
absl::Status write_csv(const Table& table, const std::string& path, const CsvOptions& options = {});

}  // namespace sift

#endif  // SIFT_DATA_TABLE_H_
