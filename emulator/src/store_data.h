// Store internals of GetData shared by store_data.cc (channel queries,
// paging) and store_data_calc.cc (calculated channels).
#ifndef SIFT_EMULATOR_STORE_DATA_H_
#define SIFT_EMULATOR_STORE_DATA_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data_page.h"
#include "store.h"

namespace sift {
namespace emulator {

// The group of a calculated query that combines every run into one series.
inline constexpr std::uint32_t kAllRuns = std::numeric_limits<std::uint32_t>::max();

struct Store::DataPlan {
  bool calculated = false;
  std::size_t asset = 0;  // index in assets_
  // The run asked for as an ordinal (0: outside any run). Unset: every run,
  // one series (group) per run, unless `combine_runs`.
  std::optional<std::uint32_t> run;
  bool combine_runs = false;  // calculated only: one series over every run
  ChannelDataType type = ChannelDataType::kDouble;

  std::size_t channel = 0;  // channel queries: index in channels_

  // Calculated queries.
  std::string key;
  Expression expression;
  std::map<int, ExpressionChannel> bound;
  std::vector<std::pair<int, std::size_t>> references;  // $N -> index in channels_, by N

  // Every channel the query reads.
  std::vector<std::size_t> channels() const {
    if (!calculated) return {channel};
    std::vector<std::size_t> out;
    for (const auto& ref : references) out.push_back(ref.second);
    return out;
  }
};

// The rows of one channel in one run, in time order (arrival order for equal
// times; `tie` is the arrival index).
class Store::RowSource final : public PointSource {
 public:
  RowSource(const ChannelRecord& channel, std::uint32_t run, std::int64_t end);

  void seek(std::int64_t time, std::uint32_t tie) override;
  bool next() override;
  std::int64_t time() const override { return channel_.rows[current_].time_ns; }
  std::uint32_t tie() const override { return current_; }
  const TypedValue& value() const override { return channel_.rows[current_].value; }

 private:
  const ChannelRecord& channel_;
  std::size_t begin_ = 0;  // the run's range in by_run_time
  std::size_t end_ = 0;
  std::size_t next_ = 0;
  std::int64_t end_time_;
  std::uint32_t current_ = 0;
};

// A calculated channel: the expression evaluated at every distinct timestamp
// of its channels' rows, each channel sampled as of that time (its last value
// at or before it, in the same group). Points where the expression has no
// value are left out.
class Store::CalcSource final : public PointSource {
 public:
  CalcSource(const Store& store, const DataPlan& plan, std::uint32_t group, std::int64_t end);

  void seek(std::int64_t time, std::uint32_t tie) override;
  bool next() override;
  std::int64_t time() const override { return time_; }
  std::uint32_t tie() const override { return 0; }
  const TypedValue& value() const override { return value_; }
  absl::Status status() const override { return status_; }

 private:
  struct Range {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t next = 0;
  };
  // One referenced channel: its ranges in by_run_time (one per run for the
  // combined group) and its value as of the current time.
  struct Reference {
    int placeholder = 0;
    const ChannelRecord* channel = nullptr;
    std::vector<Range> ranges;
    const Row* last = nullptr;
  };

  const DataPlan& plan_;
  std::int64_t end_time_;
  std::vector<Reference> references_;
  ExpressionValueSource value_of_;
  std::int64_t time_ = 0;
  TypedValue value_;
  absl::Status status_;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_STORE_DATA_H_
