// Text of CSV cells and the as-of walk behind write_csv.
#ifndef SIFT_INTERNAL_DATA_CSV_H_
#define SIFT_INTERNAL_DATA_CSV_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sift/data/table.h"

namespace sift {
namespace internal {

// RFC 4180: quoted (with `"` doubled) when the text holds `,` `"` CR or LF,
// and `""` when empty so it differs from a missing cell.
void append_csv_text(std::string& out, std::string_view text);
// Shortest text that parses back to the same value; `nan`, `inf`, `-inf`.
void append_csv_double(std::string& out, double value);
void append_csv_float(std::string& out, float value);
// Lowercase hex; `""` when empty.
void append_csv_hex(std::string& out, std::string_view bytes);

// Formats the cells of one column.
class CsvCellWriter {
 public:
  CsvCellWriter(const ChannelTimeSeries& series, const CsvOptions& options);
  void append(std::string& out, std::size_t index) const;

 private:
  const ChannelTimeSeries& series_;
  std::unordered_map<uint32_t, std::string_view> labels_;  // only with enum_labels
};

// Yields each row's source index per column, walking forward (amortised O(1)
// per cell) instead of searching.
class AsofCursor {
 public:
  AsofCursor(const Table& table, std::size_t column);
  // Rows must be visited in order.
  std::optional<std::size_t> advance_to(int64_t row_time);

 private:
  const std::vector<int64_t>& times_;
  std::optional<std::chrono::nanoseconds> tolerance_;
  std::size_t next_ = 0;  // count of samples at or before the last row time
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_DATA_CSV_H_
