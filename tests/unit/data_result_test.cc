// DataQueryResult look-ups: sift_py's result API, with ambiguity reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sift/data/result.h"

namespace sift {
namespace {

using ::testing::HasSubstr;

ChannelTimeSeries series(std::string name, ChannelDataType type,
                         std::optional<std::string> run = std::nullopt) {
  ChannelTimeSeries s;
  s.name = name;
  s.channel_name = std::move(name);
  s.data_type = type;
  s.values = make_series_values(type);
  s.run_name = std::move(run);
  return s;
}

ChannelTimeSeries element(std::string channel, std::string element_name) {
  ChannelTimeSeries s = series(channel + "." + element_name, ChannelDataType::kBitField);
  s.channel_name = std::move(channel);
  s.bit_field_element = ChannelBitFieldElement{std::move(element_name), 0, 4};
  return s;
}

TEST(DataResultTest, MakeSeriesValuesPicksTheColumnKind) {
  EXPECT_TRUE(
      std::holds_alternative<std::vector<double>>(make_series_values(ChannelDataType::kDouble)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<float>>(make_series_values(ChannelDataType::kFloat)));
  EXPECT_TRUE(std::holds_alternative<std::vector<std::string>>(
      make_series_values(ChannelDataType::kString)));
  EXPECT_TRUE(std::holds_alternative<std::vector<std::string>>(
      make_series_values(ChannelDataType::kBytes)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<bool>>(make_series_values(ChannelDataType::kBool)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<int32_t>>(make_series_values(ChannelDataType::kInt32)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<uint32_t>>(make_series_values(ChannelDataType::kUint32)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<uint32_t>>(make_series_values(ChannelDataType::kEnum)));
  EXPECT_TRUE(std::holds_alternative<std::vector<uint32_t>>(
      make_series_values(ChannelDataType::kBitField)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<int64_t>>(make_series_values(ChannelDataType::kInt64)));
  EXPECT_TRUE(
      std::holds_alternative<std::vector<uint64_t>>(make_series_values(ChannelDataType::kUint64)));
}

TEST(DataResultTest, FindsSeriesByName) {
  DataQueryResult result({series("voltage", ChannelDataType::kDouble),
                          series("mainmotor.velocity", ChannelDataType::kFloat),
                          element("gpio", "12v"), element("gpio", "heater")});
  EXPECT_EQ(result.all_channels().size(), 4u);
  absl::StatusOr<const ChannelTimeSeries*> velocity = result.channel("mainmotor.velocity");
  ASSERT_TRUE(velocity.ok()) << velocity.status();
  EXPECT_EQ((*velocity)->data_type, ChannelDataType::kFloat);

  absl::StatusOr<std::vector<const ChannelTimeSeries*>> picked =
      result.channels({"gpio.heater", "voltage", "gpio.12v"});
  ASSERT_TRUE(picked.ok()) << picked.status();
  ASSERT_EQ(picked->size(), 3u);
  EXPECT_EQ((*picked)[0]->name, "gpio.heater");
  EXPECT_EQ((*picked)[1]->name, "voltage");
  EXPECT_EQ((*picked)[2]->name, "gpio.12v");
}

TEST(DataResultTest, UnknownNamesAreNotFound) {
  DataQueryResult result(
      {series("mainmotor.velocity", ChannelDataType::kDouble), element("gpio", "12v")});
  for (const char* name : {"velocity", "gpio", "mainmotor"}) {
    absl::StatusOr<const ChannelTimeSeries*> s = result.channel(name);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound) << name;
    EXPECT_THAT(s.status().message(), HasSubstr(std::string("'") + name + "'"));
    EXPECT_THAT(s.status().message(), HasSubstr("'mainmotor.velocity', 'gpio.12v'"));
  }
  absl::StatusOr<std::vector<const ChannelTimeSeries*>> picked =
      result.channels({"gpio.12v", "nope"});
  EXPECT_EQ(picked.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(picked.status().message(), HasSubstr("'nope'"));
  EXPECT_EQ(DataQueryResult().channel("x").status().code(), absl::StatusCode::kNotFound);
}

TEST(DataResultTest, SameNameFromTwoRunsIsAmbiguous) {
  DataQueryResult result({series("voltage", ChannelDataType::kDouble, "run-a"),
                          series("voltage", ChannelDataType::kDouble, "run-b")});
  absl::StatusOr<const ChannelTimeSeries*> s = result.channel("voltage");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("Ambiguous lookup 'voltage'"));
  EXPECT_THAT(s.status().message(), HasSubstr("'voltage' (double, run 'run-a')"));
  EXPECT_THAT(s.status().message(), HasSubstr("'voltage' (double, run 'run-b')"));

  SeriesLookup by_run("voltage");
  by_run.run_name = "run-b";
  absl::StatusOr<const ChannelTimeSeries*> b = result.channel(by_run);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->run_name, "run-b");
}

TEST(DataResultTest, ElementCollidingWithAChannelIsAmbiguous) {
  DataQueryResult result({element("gpio", "12v"), series("gpio.12v", ChannelDataType::kUint32)});
  absl::StatusOr<const ChannelTimeSeries*> s = result.channel("gpio.12v");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr("'gpio.12v' (bit_field, element '12v' of channel 'gpio', all runs)"));
  EXPECT_THAT(s.status().message(), HasSubstr("'gpio.12v' (uint32, all runs)"));

  absl::StatusOr<const ChannelTimeSeries*> typed =
      result.channel(SeriesLookup("gpio.12v", ChannelDataType::kUint32));
  ASSERT_TRUE(typed.ok()) << typed.status();
  EXPECT_FALSE((*typed)->bit_field_element.has_value());
}

TEST(DataResultTest, SameNameFromTwoAssetsIsAmbiguous) {
  ChannelTimeSeries a = series("voltage", ChannelDataType::kDouble);
  a.asset_name = "NostromoLV426";
  ChannelTimeSeries b = series("voltage", ChannelDataType::kDouble);
  b.asset_name = "Sulaco";
  DataQueryResult result({a, b});
  absl::StatusOr<const ChannelTimeSeries*> s = result.channel("voltage");
  EXPECT_THAT(s.status().message(),
              HasSubstr("'voltage' (double, asset 'NostromoLV426', all runs), "
                        "'voltage' (double, asset 'Sulaco', all runs)"));
  SeriesLookup by_asset("voltage");
  by_asset.asset_name = "Sulaco";
  absl::StatusOr<const ChannelTimeSeries*> found = result.channel(by_asset);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ((*found)->asset_name, "Sulaco");
}

TEST(DataResultTest, SameNameWithTwoTypesNeedsTheType) {
  ChannelTimeSeries calc = series("speed", ChannelDataType::kDouble);
  calc.calculated = true;
  DataQueryResult result({series("speed", ChannelDataType::kInt32), calc});
  absl::StatusOr<const ChannelTimeSeries*> s = result.channel("speed");
  EXPECT_THAT(s.status().message(), HasSubstr("'speed' (double, calculated channel, all runs)"));
  EXPECT_TRUE(result.channel(SeriesLookup("speed", ChannelDataType::kDouble)).ok());
  // Unlike sift_py, a type that no series has finds nothing.
  EXPECT_EQ(result.channel(SeriesLookup("speed", ChannelDataType::kFloat)).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sift
