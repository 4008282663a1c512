// DataService's planning without a server: names to look up, choosing among
// same-named runs and channels, wire queries, calculated expression checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "internal/data_plan.h"
#include "sift/data/query.h"

namespace sift {
namespace {

using internal::check_calculated_expression;
using internal::ListedChannel;
using internal::ListedChannels;
using internal::ListedRun;
using internal::WireQuery;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

ExpressionChannel of_type(ChannelDataType type) {
  ExpressionChannel channel;
  channel.data_type = type;
  return channel;
}

ListedChannel listed(const std::string& id, const std::string& name, ChannelDataType type) {
  return ListedChannel{id, name, of_type(type)};
}

DataQuery query_of(std::vector<AnyChannelQuery> channels) {
  DataQuery query;
  query.asset_name = "NostromoLV426";
  query.start_time = Timestamp(std::chrono::seconds(1));
  query.end_time = Timestamp(std::chrono::seconds(2));
  query.channels = std::move(channels);
  return query;
}

CalculatedChannelQuery calculated(const std::string& key, const std::string& expression,
                                  std::vector<ExpressionChannelReference> references) {
  CalculatedChannelQuery q;
  q.channel_key = key;
  q.expression = expression;
  q.expression_channel_references = std::move(references);
  return q;
}

ListedChannels nostromo_channels() {
  ListedChannels channels;
  channels["voltage"] = {listed("v-id", "voltage", ChannelDataType::kDouble)};
  channels["mainmotor.velocity"] = {listed("m-id", "mainmotor.velocity", ChannelDataType::kDouble)};
  channels["log"] = {listed("l-id", "log", ChannelDataType::kString)};
  channels["speed"] = {listed("s-double", "speed", ChannelDataType::kDouble),
                       listed("s-int", "speed", ChannelDataType::kInt32)};
  return channels;
}

TEST(DataPlanTest, NamesToLookUpAreFullyQualifiedDistinctAndInFirstUseOrder) {
  DataQuery query = query_of({ChannelQuery{"velocity", "mainmotor", "run-b"},
                              ChannelQuery{"voltage", std::nullopt, {}},
                              calculated("power", "$1 * $2",
                                         {{"$1", "voltage", std::nullopt, std::nullopt},
                                          {"$2", "current", std::nullopt, std::nullopt}}),
                              ChannelQuery{"voltage", std::nullopt, "run-a"}});
  std::get<CalculatedChannelQuery>(query.channels[2]).run_name = "run-b";
  EXPECT_THAT(internal::data_channel_names(query),
              ElementsAre("mainmotor.velocity", "voltage", "current"));
  EXPECT_THAT(internal::data_run_names(query), ElementsAre("run-b", "run-a"));
}

TEST(DataPlanTest, PickRunsNamesEveryMissingRun) {
  const std::vector<ListedRun> listed = {{"id-1", "burn-1", {"asset-1"}}};
  auto picked = internal::pick_runs({"burn-1", "burn-2", "burn-3"}, listed, "asset-1", "N");
  ASSERT_FALSE(picked.ok());
  EXPECT_EQ(picked.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(picked.status().message(), HasSubstr("'burn-2', 'burn-3' do not exist"));
  EXPECT_THAT(std::string(picked.status().message()), ::testing::Not(HasSubstr("burn-1")));
}

TEST(DataPlanTest, PickRunsPrefersTheRunWithDataOfTheAsset) {
  const std::vector<ListedRun> listed = {{"id-other", "burn", {"asset-2"}},
                                         {"id-mine", "burn", {"asset-2", "asset-1"}},
                                         {"id-empty", "burn", {}},
                                         {"id-solo", "solo", {}}};
  auto picked = internal::pick_runs({"burn", "solo"}, listed, "asset-1", "N");
  ASSERT_TRUE(picked.ok()) << picked.status();
  EXPECT_EQ(picked->at("burn"), "id-mine");
  EXPECT_EQ(picked->at("solo"), "id-solo");
}

TEST(DataPlanTest, PickRunsRefusesANameThatStillMeansSeveralRuns) {
  const std::vector<ListedRun> listed = {{"id-a", "burn", {"asset-1"}},
                                         {"id-b", "burn", {"asset-1"}}};
  auto picked = internal::pick_runs({"burn"}, listed, "asset-1", "NostromoLV426");
  ASSERT_FALSE(picked.ok());
  EXPECT_EQ(picked.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(picked.status().message(), HasSubstr("Run name 'burn' is ambiguous"));
  EXPECT_THAT(picked.status().message(), HasSubstr("'id-a', 'id-b'"));
  EXPECT_THAT(picked.status().message(), HasSubstr("asset 'NostromoLV426'"));
}

TEST(DataPlanTest, MissingChannelsAreAllNamedWithTheAsset) {
  DataQuery query = query_of({ChannelQuery{"voltage", std::nullopt, std::nullopt},
                              ChannelQuery{"gpio", std::nullopt, std::nullopt},
                              calculated("k", "$1 > 0", {{"$1", "current", std::nullopt, {}}})});
  auto plan = internal::plan_wire_queries(query, nostromo_channels(), {}, true);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(plan.status().message(),
            "Asset 'NostromoLV426' has no channel named 'gpio' (channels[1]), 'current' "
            "(channels[2] reference $1)");
}

TEST(DataPlanTest, OneWireQueryPerChannelWithRunIdsAndLabels) {
  DataQuery query = query_of({ChannelQuery{"velocity", "mainmotor", "burn"},
                              ChannelQuery{"speed", std::nullopt, std::nullopt}});
  auto plan = internal::plan_wire_queries(query, nostromo_channels(), {{"burn", "run-7"}}, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->size(), 3u);
  const WireQuery& velocity = (*plan)[0];
  EXPECT_EQ(velocity.index, 0u);
  EXPECT_EQ(velocity.channel_id, "m-id");
  EXPECT_THAT(velocity.run_id, Optional(std::string("run-7")));
  EXPECT_THAT(velocity.context.run_name, Optional(std::string("burn")));
  EXPECT_FALSE(velocity.calculated());
  EXPECT_EQ(velocity.label, "channel 'mainmotor.velocity' (channels[0], run 'burn')");
  // Same-named channels of two types: both are queried, without a run id.
  EXPECT_EQ((*plan)[1].channel_id, "s-double");
  EXPECT_EQ((*plan)[2].channel_id, "s-int");
  EXPECT_EQ((*plan)[1].run_id, std::nullopt);
  EXPECT_EQ((*plan)[2].label, "channel 'speed' (channels[1], int32)");
}

TEST(DataPlanTest, CalculatedChannelBindsReferencesToChannelIds) {
  CalculatedChannelQuery q = calculated("power", "$1 * $2",
                                        {{"$1", "voltage", std::nullopt, std::nullopt},
                                         {"$2", "speed", std::nullopt, ChannelDataType::kInt32}});
  q.run_name = "burn";
  auto plan =
      internal::plan_wire_queries(query_of({q}), nostromo_channels(), {{"burn", "run-7"}}, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->size(), 1u);
  const WireQuery& wire = plan->front();
  EXPECT_TRUE(wire.calculated());
  EXPECT_EQ(wire.channel_key, "power");
  EXPECT_EQ(wire.expression, "$1 * $2");
  EXPECT_THAT(wire.references, ElementsAre(std::pair<std::string, std::string>("$1", "v-id"),
                                           std::pair<std::string, std::string>("$2", "s-int")));
  EXPECT_THAT(wire.run_id, Optional(std::string("run-7")));
  EXPECT_EQ(wire.context.fallback_name, "power");
}

TEST(DataPlanTest, AnAmbiguousReferenceNeedsADataType) {
  auto plan = internal::plan_wire_queries(
      query_of({calculated("fast", "$1 > 3", {{"$1", "speed", std::nullopt, std::nullopt}})}),
      nostromo_channels(), {}, true);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plan.status().message(),
              HasSubstr("channels[0] (CalculatedChannelQuery 'fast'): reference $1 (channel "
                        "'speed'): the name is ambiguous, 2 channels have it (double, int32)"));
}

TEST(DataPlanTest, AReferenceDataTypeTheChannelDoesNotHaveIsAnError) {
  auto plan = internal::plan_wire_queries(
      query_of(
          {calculated("v", "$1 > 3", {{"$1", "voltage", std::nullopt, ChannelDataType::kFloat}})}),
      nostromo_channels(), {}, true);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.status().message(),
              HasSubstr("no channel of data type float (the asset has: double)"));
}

TEST(DataPlanTest, ExpressionErrorsNameTheKeyColumnAndExpression) {
  auto plan = internal::plan_wire_queries(
      query_of({calculated("bad", "$1 + \"a\"", {{"$1", "voltage", std::nullopt, std::nullopt}})}),
      nostromo_channels(), {}, true);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().message(),
            "channels[0] (CalculatedChannelQuery 'bad'): column 4: arithmetic '+' needs numbers, "
            "got number and string (expression: '$1 + \"a\"')");
}

TEST(DataPlanTest, UncheckedExpressionsAreSentAsTheyAre) {
  auto plan = internal::plan_wire_queries(
      query_of(
          {calculated("d", "derivative($1)", {{"$1", "voltage", std::nullopt, std::nullopt}})}),
      nostromo_channels(), {}, false);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->front().expression, "derivative($1)");
  auto checked = internal::plan_wire_queries(
      query_of(
          {calculated("d", "derivative($1)", {{"$1", "voltage", std::nullopt, std::nullopt}})}),
      nostromo_channels(), {}, true);
  EXPECT_FALSE(checked.ok());
}

TEST(DataPlanTest, CalculatedExpressionsMayBeOfAnyType) {
  const std::map<int, ExpressionChannel> numbers = {{1, of_type(ChannelDataType::kDouble)},
                                                    {2, of_type(ChannelDataType::kInt32)}};
  EXPECT_TRUE(check_calculated_expression("$1 * $2", numbers).ok());
  EXPECT_TRUE(check_calculated_expression("$1 > $2", numbers).ok());
  EXPECT_TRUE(check_calculated_expression("-($1 + 2 * $2)", numbers).ok());
  const std::map<int, ExpressionChannel> text = {{1, of_type(ChannelDataType::kString)}};
  EXPECT_TRUE(check_calculated_expression("$1", text).ok());
  EXPECT_TRUE(check_calculated_expression("contains($1, \"ERR\")", text).ok());
}

TEST(DataPlanTest, CalculatedExpressionErrorsKeepTheUsersColumns) {
  const std::map<int, ExpressionChannel> bound = {{1, of_type(ChannelDataType::kDouble)}};
  absl::Status status = check_calculated_expression("2 * ($1 + \"x\")", bound);
  EXPECT_EQ(status.message(), "column 9: arithmetic '+' needs numbers, got number and string");
  status = check_calculated_expression("$1 * $3", bound);
  EXPECT_THAT(status.message(), HasSubstr("column 6: $3 is not bound"));
  status = check_calculated_expression("$1 *", bound);
  EXPECT_THAT(status.message(), HasSubstr("column"));
  const std::map<int, ExpressionChannel> two = {{1, of_type(ChannelDataType::kDouble)},
                                                {2, of_type(ChannelDataType::kDouble)}};
  EXPECT_EQ(check_calculated_expression("$1 * 2", two).message(), "$2 is bound but not used");
  const std::map<int, ExpressionChannel> bytes = {{1, of_type(ChannelDataType::kBytes)}};
  EXPECT_FALSE(check_calculated_expression("$1", bytes).ok());
}

TEST(DataPlanTest, EnumValuedExpressionsCheckTheirLabels) {
  ExpressionChannel state = of_type(ChannelDataType::kEnum);
  state.enum_types = {{"open", 1, false}, {"closed", 2, false}};
  const std::map<int, ExpressionChannel> bound = {{1, state}};
  EXPECT_TRUE(check_calculated_expression("$1", bound).ok());
  EXPECT_TRUE(check_calculated_expression("$1 == \"open\"", bound).ok());
  EXPECT_THAT(check_calculated_expression("$1 == \"ajar\"", bound).message(),
              HasSubstr("'ajar' is not a label"));
}

}  // namespace
}  // namespace sift
