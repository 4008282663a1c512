// Rules end to end: a TelemetryConfig's rules synced by IngestionService::create,
// rows sent through the SDK, annotations left by the emulator's evaluation.
// This is the acceptance scenario (the quickstart's temperatures).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sift/emulator/emulator.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/service.h"
#include "sift/rule/service.h"
#include "sift/time.h"

namespace sift {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char kRipley[] = "ellen.ripley@weylandcorp.com";

Timestamp at_second(int s) { return Timestamp(std::chrono::seconds(1'800'000'000 + s)); }

ChannelConfig temperature_channel() {
  ChannelConfig temperature;
  temperature.name = "temperature";
  temperature.component = "thruster";
  temperature.data_type = ChannelDataType::kDouble;
  return temperature;
}

// The quickstart's config: one channel, the "overheating" review rule with no
// client key (the service derives one).
TelemetryConfig quickstart_config() {
  ChannelConfig temperature = temperature_channel();
  RuleConfig overheating;
  overheating.name = "overheating";
  overheating.expression = "$1 > 400";
  overheating.channel_references = {RuleChannelReference::from_config("$1", temperature)};
  overheating.action = RuleActionCreateDataReviewAnnotation{kRipley, {"warning", "thruster"}};
  TelemetryConfig draft;
  draft.asset_name = "NostromoLV426";
  draft.flows = {FlowConfig{"temperature_reading", {temperature}}};
  draft.rules = {overheating};
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(std::move(draft));
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : TelemetryConfig{};
}

class RulesEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::EmulatorOptions options;
    options.users = {kRipley};
    options.tags = {"warning", "thruster"};
    emulator_ = std::make_unique<emulator::Emulator>(options);
    ASSERT_TRUE(emulator_->start().ok());
  }

  absl::Status send(IngestionService& service, const std::vector<double>& temperatures,
                    int first_second) {
    for (std::size_t i = 0; i < temperatures.size(); ++i) {
      Flow reading{"temperature_reading",
                   at_second(first_second + static_cast<int>(i)),
                   {{"temperature", "thruster", double_value(temperatures[i])}}};
      absl::Status sent = service.try_ingest_flows(reading);
      if (!sent.ok()) return sent;
    }
    return service.flush();
  }

  std::unique_ptr<emulator::Emulator> emulator_;
};

TEST_F(RulesEndToEndTest, QuickstartSeriesLeavesOneReviewAnnotationOverTheHotRows) {
  auto service = IngestionService::create(emulator_->in_process_channel(), quickstart_config());
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE(send(**service, {327, 405, 412, 380}, 0).ok());

  std::vector<emulator::AnnotationInfo> annotations = emulator_->annotations();
  ASSERT_THAT(annotations, SizeIs(1));
  const emulator::AnnotationInfo& a = annotations[0];
  EXPECT_EQ(a.name, "overheating");
  EXPECT_EQ(a.kind, "review");
  EXPECT_EQ(a.state, "open");
  EXPECT_EQ(a.asset, "NostromoLV426");
  EXPECT_FALSE(a.assigned_to_user_id.empty());
  EXPECT_THAT(a.tags, ElementsAre("warning", "thruster"));
  EXPECT_EQ(a.start, at_second(1));
  ASSERT_TRUE(a.end.has_value());
  EXPECT_EQ(*a.end, at_second(2));

  const std::string expected =
      "annotation rule=overheating kind=review state=open "
      "asset=NostromoLV426 start=" +
      to_rfc3339(at_second(1)) + " end=" + to_rfc3339(at_second(2));
  std::vector<std::string> lines = emulator_->summary_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), expected);
}

TEST_F(RulesEndToEndTest, RestartingTheServiceUpdatesTheRuleInsteadOfDuplicatingIt) {
  {
    auto first = IngestionService::create(emulator_->in_process_channel(), quickstart_config());
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(send(**first, {327, 405}, 0).ok());
  }
  auto second = IngestionService::create(emulator_->in_process_channel(), quickstart_config());
  ASSERT_TRUE(second.ok()) << second.status();
  // The update closed the first annotation; new rows open a second one.
  ASSERT_TRUE(send(**second, {380, 420, 300}, 10).ok());

  std::vector<emulator::AnnotationInfo> annotations = emulator_->annotations();
  ASSERT_THAT(annotations, SizeIs(2));
  EXPECT_EQ(annotations[0].rule_id, annotations[1].rule_id);
  EXPECT_EQ(annotations[0].start, at_second(1));
  EXPECT_EQ(annotations[0].end, at_second(1));
  EXPECT_EQ(annotations[1].start, at_second(11));
  EXPECT_EQ(annotations[1].end, at_second(11));
}

TEST_F(RulesEndToEndTest, EachRunHasItsOwnAnnotations) {
  auto service = IngestionService::create(emulator_->in_process_channel(), quickstart_config());
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE((*service)->attach_run("burn-1").ok());
  const std::string run_1 = (*service)->run_id().value_or("");
  // Still hot when the run ends: its annotation stays open.
  ASSERT_TRUE(send(**service, {300, 450}, 0).ok());
  ASSERT_TRUE((*service)->attach_run("burn-2").ok());
  const std::string run_2 = (*service)->run_id().value_or("");
  // A cool first row in the new run does not close run 1's annotation.
  ASSERT_TRUE(send(**service, {100, 401, 402, 90}, 10).ok());

  std::vector<emulator::AnnotationInfo> annotations = emulator_->annotations();
  ASSERT_THAT(annotations, SizeIs(2));
  EXPECT_EQ(annotations[0].run_id, run_1);
  EXPECT_EQ(annotations[0].start, at_second(1));
  EXPECT_FALSE(annotations[0].end.has_value());
  EXPECT_EQ(annotations[1].run_id, run_2);
  EXPECT_EQ(annotations[1].start, at_second(11));
  EXPECT_EQ(annotations[1].end, at_second(12));
  EXPECT_NE(run_1, run_2);
}

TEST_F(RulesEndToEndTest, UnknownAssigneeFailsCreateAndLeavesNoRule) {
  TelemetryConfig config = quickstart_config();
  config.rules[0].action = RuleActionCreateDataReviewAnnotation{"ash@weylandcorp.com", {}};
  auto service = IngestionService::create(emulator_->in_process_channel(), config);
  ASSERT_FALSE(service.ok());
  EXPECT_THAT(std::string(service.status().message()),
              ::testing::AllOf(::testing::HasSubstr("overheating"),
                               ::testing::HasSubstr("ash@weylandcorp.com")));
  // Resolution failed before any write: no rule under the derived key.
  RuleService rules(emulator_->in_process_channel());
  absl::StatusOr<std::optional<RuleConfig>> stored =
      rules.get_rule(derived_rule_client_key("NostromoLV426", "overheating"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->has_value());
}

}  // namespace
}  // namespace sift
