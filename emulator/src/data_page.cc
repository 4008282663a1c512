#include "data_page.h"

#include <cmath>
#include <limits>
#include <optional>

namespace sift {
namespace emulator {
namespace {

// [begin, end) of the bucket holding `time`; the end saturates at the
// largest time point.
struct Bucket {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

Bucket bucket_of(std::int64_t time, const TimeWindow& window, std::int64_t width) {
  // 128-bit: a window may span the whole int64 range.
  const __int128 k = (static_cast<__int128>(time) - window.start) / width;
  const __int128 begin = window.start + k * width;
  const __int128 end = begin + width;
  const __int128 max = std::numeric_limits<std::int64_t>::max();
  return Bucket{static_cast<std::int64_t>(begin), static_cast<std::int64_t>(end > max ? max : end)};
}

// b - a as a double, exact enough for areas whatever the two times are.
double span(std::int64_t a, std::int64_t b) {
  return static_cast<double>(static_cast<__int128>(b) - a);
}

double y_of(const TypedValue& value) {
  return numeric_value(value).value_or(std::numeric_limits<double>::quiet_NaN());
}

// LTTB's third vertex: the mean time and value of the next non-empty bucket
// after `from` (NaN values left out of the mean); times relative to `origin`.
struct NextAverage {
  bool found = false;
  double time = 0.0;
  double value = std::numeric_limits<double>::quiet_NaN();
};

NextAverage next_average(PointSource& source, const TimeWindow& window, std::int64_t width,
                         std::int64_t from, std::int64_t origin) {
  NextAverage out;
  source.seek(from, 0);
  if (!source.next()) return out;
  const Bucket bucket = bucket_of(source.time(), window, width);
  double time_sum = 0.0;
  double value_sum = 0.0;
  std::size_t points = 0;
  std::size_t values = 0;
  do {
    time_sum += span(bucket.begin, source.time());
    ++points;
    const double y = y_of(source.value());
    if (!std::isnan(y)) {
      value_sum += y;
      ++values;
    }
  } while (source.next() && source.time() < bucket.end);
  out.found = true;
  out.time = span(origin, bucket.begin) + time_sum / static_cast<double>(points);
  if (values > 0) out.value = value_sum / static_cast<double>(values);
  return out;
}

}  // namespace

FillResult fill_full(PointSource& source, SeriesWriter& writer, PageBudget& budget,
                     SeriesPosition* position) {
  source.seek(position->time, position->tie);
  while (source.next()) {
    if (!budget.fits(writer.cost())) {
      position->time = source.time();
      position->tie = source.tie();
      return FillResult::kPageFull;
    }
    writer.add(source.time(), source.value());
    budget.take(writer.cost(), SeriesWriter::variable_bytes(source.value()));
  }
  return FillResult::kSeriesDone;
}

FillResult fill_lttb(PointSource& source, SeriesWriter& writer, PageBudget& budget,
                     const TimeWindow& window, std::int64_t bucket_ns, SeriesPosition* position) {
  for (;;) {
    source.seek(position->time, 0);
    if (!source.next()) return FillResult::kSeriesDone;
    const Bucket bucket = bucket_of(source.time(), window, bucket_ns);
    if (!budget.fits(writer.cost())) {
      position->time = bucket.begin;
      position->tie = 0;
      return FillResult::kPageFull;
    }
    const NextAverage next = next_average(source, window, bucket_ns, bucket.end, bucket.begin);
    const double a_time = position->has_prev ? span(bucket.begin, position->prev_time) : 0.0;
    const double a_value = position->prev_value;

    source.seek(bucket.begin, 0);
    std::optional<TypedValue> chosen;
    std::int64_t chosen_time = 0;
    double best = 0.0;
    while (source.next() && source.time() < bucket.end) {
      bool take = !chosen.has_value();
      if (position->has_prev && next.found) {
        // Twice the triangle's area; NaN (a NaN vertex) loses to any number.
        const double t = span(bucket.begin, source.time());
        double area = std::fabs((a_time - next.time) * (y_of(source.value()) - a_value) -
                                (a_time - t) * (next.value - a_value));
        if (std::isnan(area)) area = -1.0;
        take = take || area > best;
        if (take) best = area;
      } else if (!position->has_prev) {
        // The first bucket keeps its first point.
        if (chosen.has_value()) break;
      } else {
        take = true;  // the last bucket keeps its last point
      }
      if (take) {
        chosen = source.value();
        chosen_time = source.time();
      }
    }
    if (chosen.has_value()) {
      writer.add(chosen_time, *chosen);
      budget.take(writer.cost(), SeriesWriter::variable_bytes(*chosen));
      position->has_prev = true;
      position->prev_time = chosen_time;
      position->prev_value = y_of(*chosen);
    }
    position->time = bucket.end;
    position->tie = 0;
    if (bucket.end == std::numeric_limits<std::int64_t>::max()) return FillResult::kSeriesDone;
  }
}

}  // namespace emulator
}  // namespace sift
