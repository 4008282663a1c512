// Series bookkeeping of SeriesAccumulator: combining accumulators, sorting,
// handing the result over.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <utility>
#include <vector>

#include "internal/data_decode.h"

namespace sift {
namespace internal {
namespace {

template <typename T>
std::vector<T> permuted(std::vector<T>& column, const std::vector<std::size_t>& order) {
  std::vector<T> out;
  out.reserve(column.size());
  for (std::size_t i : order) out.push_back(std::move(column[i]));
  return out;
}

}  // namespace

void sort_series_by_time(ChannelTimeSeries& series) {
  if (std::is_sorted(series.time_ns.begin(), series.time_ns.end())) return;
  std::vector<std::size_t> order(series.time_ns.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return series.time_ns[a] < series.time_ns[b];
  });
  series.time_ns = permuted(series.time_ns, order);
  std::visit([&](auto& column) { column = permuted(column, order); }, series.values);
}

void SeriesAccumulator::merge_from(SeriesAccumulator&& other) {
  for (std::size_t i = 0; i < other.series_.size(); ++i) {
    ChannelTimeSeries& incoming = other.series_[i];
    auto found = index_.find(other.keys_[i]);
    if (found == index_.end()) {
      index_.emplace(other.keys_[i], series_.size());
      keys_.push_back(std::move(other.keys_[i]));
      series_.push_back(std::move(incoming));
      continue;
    }
    // Same key means same data type, hence the same column kind.
    ChannelTimeSeries& here = series_[found->second];
    here.time_ns.insert(here.time_ns.end(), incoming.time_ns.begin(), incoming.time_ns.end());
    std::visit(
        [&](auto& column) {
          using Column = std::decay_t<decltype(column)>;
          Column& from = std::get<Column>(incoming.values);
          column.insert(column.end(), std::make_move_iterator(from.begin()),
                        std::make_move_iterator(from.end()));
        },
        here.values);
    if (here.enum_types.empty()) here.enum_types = std::move(incoming.enum_types);
  }
  points_ += other.points_;
  other = SeriesAccumulator();
}

DataQueryResult SeriesAccumulator::finish() && {
  for (ChannelTimeSeries& s : series_) sort_series_by_time(s);
  DataQueryResult result(std::move(series_));
  *this = SeriesAccumulator();
  return result;
}

}  // namespace internal
}  // namespace sift
