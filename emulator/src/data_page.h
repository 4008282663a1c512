// Filling one GetData page from a time-ordered point source: full fidelity,
// or LTTB down-sampling over sample_ms buckets, within a page budget, and
// stopping at a position the next page resumes from exactly.
#ifndef SIFT_EMULATOR_DATA_PAGE_H_
#define SIFT_EMULATOR_DATA_PAGE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "data_series.h"
#include "data_token.h"
#include "sift/ingestion/channel.h"

namespace sift {
namespace emulator {

// A series' points in (time, tie) order, all before the window's end.
class PointSource {
 public:
  virtual ~PointSource() = default;
  // Positions the source so that next() yields the first point at or after
  // (time, tie).
  virtual void seek(std::int64_t time, std::uint32_t tie) = 0;
  // Advances to the next point; false when there is none.
  virtual bool next() = 0;
  // The current point (valid after next() returned true, until the next call).
  virtual std::int64_t time() const = 0;
  virtual std::uint32_t tie() const = 0;
  virtual const TypedValue& value() const = 0;
  // Why the source stopped early, if it did (a calculated channel whose
  // expression failed); OK otherwise.
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// `[start, end)` in nanoseconds since the epoch.
struct TimeWindow {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// What is left of one page: a number of values (page_size) and, for string
// and bytes values, about 1 MiB. A page always takes its first point, so
// every page makes progress.
class PageBudget {
 public:
  PageBudget(std::size_t max_values, std::size_t max_variable_bytes)
      : max_values_(max_values), max_variable_bytes_(max_variable_bytes) {}

  bool fits(std::size_t values) const {
    return used_values_ == 0 ||
           (used_values_ + values <= max_values_ && used_bytes_ < max_variable_bytes_);
  }
  void take(std::size_t values, std::size_t variable_bytes) {
    used_values_ += values;
    used_bytes_ += variable_bytes;
  }

 private:
  std::size_t max_values_;
  std::size_t max_variable_bytes_;
  std::size_t used_values_ = 0;
  std::size_t used_bytes_ = 0;
};

enum class FillResult { kSeriesDone, kPageFull };

// Every point from `*position` on. On kPageFull, `*position` is the first
// point that did not fit.
FillResult fill_full(PointSource& source, SeriesWriter& writer, PageBudget& budget,
                     SeriesPosition* position);

// Largest-Triangle-Three-Buckets over buckets of `bucket_ns` aligned on
// `window.start`: one point per non-empty bucket, the first point of the
// first bucket, the last point of the last one, and in between the point
// forming the largest triangle with the point chosen before and the average
// of the next non-empty bucket. `*position` starts at a bucket boundary
// (window.start at first) and is the next bucket's start on kPageFull.
FillResult fill_lttb(PointSource& source, SeriesWriter& writer, PageBudget& budget,
                     const TimeWindow& window, std::int64_t bucket_ns, SeriesPosition* position);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_DATA_PAGE_H_
