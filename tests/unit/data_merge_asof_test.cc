// merge_asof against hand-computed tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sift/data/table.h"

namespace sift {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Cells = std::vector<std::vector<std::optional<std::size_t>>>;
constexpr std::optional<std::size_t> kMissing = std::nullopt;

template <typename T>
ChannelTimeSeries series(std::string name, ChannelDataType type, std::vector<int64_t> times,
                         std::vector<T> values) {
  ChannelTimeSeries s;
  s.name = std::move(name);
  s.data_type = type;
  s.time_ns = std::move(times);
  s.values = std::move(values);
  return s;
}

// Row by row, the source index of every column.
Cells cells(const Table& table) {
  Cells out;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    out.emplace_back();
    for (std::size_t c = 0; c < table.columns().size(); ++c) {
      out.back().push_back(table.source_index(r, c));
    }
  }
  return out;
}

class MergeAsofTest : public ::testing::Test {
 protected:
  ChannelTimeSeries a_ =
      series<double>("voltage", ChannelDataType::kDouble, {10, 20, 30}, {1.0, 2.0, 3.0});
  // Two samples at 20: the later one counts.
  ChannelTimeSeries b_ =
      series<int32_t>("count", ChannelDataType::kInt32, {5, 20, 20, 40}, {100, 200, 201, 400});
  ChannelTimeSeries c_ = series<std::string>("log", ChannelDataType::kString, {25}, {"x"});
};

TEST_F(MergeAsofTest, UnionOfTimesLastValueAtOrBefore) {
  absl::StatusOr<Table> table = merge_asof({&a_, &b_, &c_});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->time_ns(), ElementsAre(5, 10, 20, 25, 30, 40));
  ASSERT_EQ(table->columns().size(), 3u);
  EXPECT_EQ(table->columns()[0].name, "voltage");
  EXPECT_EQ(table->columns()[1].name, "count");
  EXPECT_EQ(table->columns()[2].name, "log");
  EXPECT_EQ(table->columns()[1].series, &b_);
  const Cells expected = {
      {kMissing, 0, kMissing},  // 5
      {0, 0, kMissing},         // 10
      {1, 2, kMissing},         // 20
      {1, 2, 0},                // 25
      {2, 2, 0},                // 30
      {2, 3, 0},                // 40
  };
  EXPECT_EQ(cells(*table), expected);
  EXPECT_EQ(table->time(3).time_since_epoch().count(), 25);
}

TEST_F(MergeAsofTest, ToleranceDropsOldValues) {
  MergeAsofOptions options;
  options.tolerance = std::chrono::nanoseconds(5);
  absl::StatusOr<Table> table = merge_asof({&a_, &b_, &c_}, options);
  ASSERT_TRUE(table.ok()) << table.status();
  const Cells expected = {
      {kMissing, 0, kMissing},  // 5
      {0, 0, kMissing},         // 10: count is 5 old, still in
      {1, 2, kMissing},         // 20
      {1, 2, 0},                // 25
      {2, kMissing, 0},         // 30: count is 10 old
      {kMissing, 3, kMissing},  // 40
  };
  EXPECT_EQ(cells(*table), expected);

  options.tolerance = std::chrono::nanoseconds(0);
  table = merge_asof({&a_, &b_}, options);
  ASSERT_TRUE(table.ok()) << table.status();
  const Cells exact = {{kMissing, 0}, {0, kMissing}, {1, 2}, {2, kMissing}, {kMissing, 3}};
  EXPECT_EQ(cells(*table), exact);
}

TEST_F(MergeAsofTest, FirstSeriesTimesLikeReducedPandasMergeAsof) {
  MergeAsofOptions options;
  options.times = MergeAsofOptions::Times::kFirstSeries;
  absl::StatusOr<Table> table = merge_asof({&b_, &a_}, options);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->time_ns(), ElementsAre(5, 20, 20, 40));
  // The first series' own column takes the last of equal times, as pandas
  // does for the right frame; rows keep their duplicates.
  const Cells expected = {{0, kMissing}, {2, 1}, {2, 1}, {3, 2}};
  EXPECT_EQ(cells(*table), expected);
}

TEST_F(MergeAsofTest, AllChannelsAndColumnNames) {
  std::vector<ChannelTimeSeries> all = {a_, c_};
  MergeAsofOptions options;
  options.column_names = {"v", "text"};
  absl::StatusOr<Table> table = merge_asof(all, options);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->columns()[0].name, "v");
  EXPECT_EQ(table->columns()[1].name, "text");
  EXPECT_THAT(table->time_ns(), ElementsAre(10, 20, 25, 30));
}

TEST_F(MergeAsofTest, EmptySeriesIsAlwaysMissing) {
  ChannelTimeSeries empty = series<double>("empty", ChannelDataType::kDouble, {}, {});
  absl::StatusOr<Table> table = merge_asof({&c_, &empty});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(cells(*table), (Cells{{0, kMissing}}));
  table = merge_asof({&empty});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->rows(), 0u);
}

TEST_F(MergeAsofTest, Refusals) {
  auto message = [](const absl::StatusOr<Table>& t) {
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(t.status().message());
  };
  EXPECT_THAT(message(merge_asof(std::vector<const ChannelTimeSeries*>{})), HasSubstr("no series"));
  EXPECT_THAT(message(merge_asof({&a_, nullptr})), HasSubstr("series[1] is null"));

  ChannelTimeSeries unsorted =
      series<double>("late", ChannelDataType::kDouble, {1, 3, 2}, {1, 2, 3});
  EXPECT_THAT(message(merge_asof({&a_, &unsorted})),
              HasSubstr("'late' (double, all runs) is not sorted by time at point 2"));

  ChannelTimeSeries short_values = series<double>("short", ChannelDataType::kDouble, {1, 2}, {1});
  EXPECT_THAT(message(merge_asof({&short_values})), HasSubstr("has 2 times but 1 values"));

  ChannelTimeSeries twin = a_;
  twin.run_name = "r2";
  EXPECT_THAT(message(merge_asof({&a_, &twin})),
              HasSubstr("two columns named 'voltage': 'voltage' (double, all runs) and "
                        "'voltage' (double, run 'r2')"));
  MergeAsofOptions renamed;
  renamed.column_names = {"voltage", "voltage (r2)"};
  EXPECT_TRUE(merge_asof({&a_, &twin}, renamed).ok());

  ChannelTimeSeries time = series<double>("time", ChannelDataType::kDouble, {1}, {1});
  EXPECT_THAT(message(merge_asof({&time})), HasSubstr("named 'time'"));

  MergeAsofOptions wrong_names;
  wrong_names.column_names = {"only one"};
  EXPECT_THAT(message(merge_asof({&a_, &b_}, wrong_names)), HasSubstr("1 column names for 2"));

  MergeAsofOptions negative;
  negative.tolerance = std::chrono::nanoseconds(-1);
  EXPECT_THAT(message(merge_asof({&a_}, negative)), HasSubstr("negative tolerance"));
}

}  // namespace
}  // namespace sift
