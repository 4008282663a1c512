// merge_asof: the union (or first series') time axis and as-of look-ups.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sift/data/table.h"
#include "sift/status.h"

namespace sift {
namespace {

std::size_t value_count(const ChannelTimeSeries& s) {
  return std::visit([](const auto& column) { return column.size(); }, s.values);
}

absl::Status check_series(std::size_t i, const ChannelTimeSeries* s) {
  if (s == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("merge_asof: series[", i, "] is null"));
  }
  if (value_count(*s) != s->time_ns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("merge_asof: series ", describe_series(*s),
                                                   " has ", s->time_ns.size(), " times but ",
                                                   value_count(*s), " values"));
  }
  auto unsorted = std::is_sorted_until(s->time_ns.begin(), s->time_ns.end());
  if (unsorted != s->time_ns.end()) {
    return absl::InvalidArgumentError(absl::StrCat("merge_asof: series ", describe_series(*s),
                                                   " is not sorted by time at point ",
                                                   std::distance(s->time_ns.begin(), unsorted)));
  }
  return absl::OkStatus();
}

// Sorted union of sorted inputs, each time once.
std::vector<int64_t> union_times(absl::Span<const ChannelTimeSeries* const> series) {
  std::vector<int64_t> merged;
  std::vector<int64_t> next;
  for (const ChannelTimeSeries* s : series) {
    next.clear();
    next.reserve(merged.size() + s->time_ns.size());
    std::set_union(merged.begin(), merged.end(), s->time_ns.begin(), s->time_ns.end(),
                   std::back_inserter(next));
    next.erase(std::unique(next.begin(), next.end()), next.end());
    merged.swap(next);
  }
  return merged;
}

}  // namespace

std::optional<std::size_t> Table::source_index(std::size_t row, std::size_t column) const {
  const std::vector<int64_t>& times = columns_[column].series->time_ns;
  const int64_t t = time_ns_[row];
  auto after = std::upper_bound(times.begin(), times.end(), t);
  if (after == times.begin()) return std::nullopt;
  const std::size_t index = static_cast<std::size_t>(std::distance(times.begin(), after)) - 1;
  // t >= times[index]; unsigned arithmetic keeps the difference exact.
  const uint64_t age = static_cast<uint64_t>(t) - static_cast<uint64_t>(times[index]);
  if (tolerance_.has_value() && age > static_cast<uint64_t>(tolerance_->count())) {
    return std::nullopt;
  }
  return index;
}

absl::StatusOr<Table> merge_asof(absl::Span<const ChannelTimeSeries* const> series,
                                 const MergeAsofOptions& options) {
  if (series.empty()) return absl::InvalidArgumentError("merge_asof: no series given");
  if (!options.column_names.empty() && options.column_names.size() != series.size()) {
    return absl::InvalidArgumentError(absl::StrCat("merge_asof: ", options.column_names.size(),
                                                   " column names for ", series.size(), " series"));
  }
  if (options.tolerance.has_value() && options.tolerance->count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("merge_asof: negative tolerance ", options.tolerance->count(), " ns"));
  }
  Table table;
  for (std::size_t i = 0; i < series.size(); ++i) {
    SIFT_RETURN_IF_ERROR(check_series(i, series[i]));
    std::string name = options.column_names.empty() ? series[i]->name : options.column_names[i];
    if (name == "time") {
      return absl::InvalidArgumentError(
          absl::StrCat("merge_asof: column ", i, " (series ", describe_series(*series[i]),
                       ") is named 'time', which is the time column; pass column_names"));
    }
    for (const Table::Column& earlier : table.columns_) {
      if (earlier.name == name) {
        return absl::InvalidArgumentError(absl::StrCat(
            "merge_asof: two columns named '", name, "': ", describe_series(*earlier.series),
            " and ", describe_series(*series[i]), "; pass column_names"));
      }
    }
    table.columns_.push_back(Table::Column{std::move(name), series[i]});
  }
  table.tolerance_ = options.tolerance;
  if (options.times == MergeAsofOptions::Times::kFirstSeries) {
    table.time_ns_ = series.front()->time_ns;
  } else {
    table.time_ns_ = union_times(series);
  }
  return table;
}

absl::StatusOr<Table> merge_asof(absl::Span<const ChannelTimeSeries> series,
                                 const MergeAsofOptions& options) {
  std::vector<const ChannelTimeSeries*> pointers;
  pointers.reserve(series.size());
  for (const ChannelTimeSeries& s : series) pointers.push_back(&s);
  return merge_asof(pointers, options);
}

}  // namespace sift
