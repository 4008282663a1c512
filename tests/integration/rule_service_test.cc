// RuleService and the rule sync of IngestionService::create against the real
// emulator (spec 4.2 step 3, 4.5, 3.6, and rule/_service_test.py of section
// 12): each action kind, updates keep the id, get_rule round trips, nothing
// is written when any name cannot be resolved, attach/detach, external
// rules, YAML, and listings longer than one page. What is stored is read
// back with raw RuleService stubs, not with the client under test.
#include "sift/rule/service.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/engine_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"
#include "sift/rules/v1/rules.grpc.pb.h"
#include "sift/tags/v2/tags.grpc.pb.h"
#include "sift/users/v2/users.grpc.pb.h"

namespace sift {
namespace {

namespace rules_pb = sift::rules::v1;

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kAsset[] = "NostromoLV426";
constexpr char kOtherAsset[] = "Sulaco";
constexpr char kRipley[] = "ellen.ripley@weylandcorp.com";

ChannelConfig ch(std::string name, ChannelDataType type) {
  ChannelConfig channel;
  channel.name = std::move(name);
  channel.data_type = type;
  return channel;
}

ChannelConfig temperature() {
  ChannelConfig channel = ch("temperature", ChannelDataType::kDouble);
  channel.component = "thruster";
  return channel;
}

FlowConfig readings_flow() {
  ChannelConfig state = ch("vehicle_state", ChannelDataType::kEnum);
  state.enum_types = {{"Stopped", 0, std::nullopt}, {"Running", 1, std::nullopt}};
  ChannelConfig gpio = ch("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 4}};
  return FlowConfig{"readings", {temperature(), state, gpio, ch("log", ChannelDataType::kString)}};
}

TelemetryConfig asset_config(std::string asset, std::vector<FlowConfig> flows) {
  TelemetryConfig config;
  config.ingestion_client_key = asset + "-key";
  config.asset_name = std::move(asset);
  config.flows = std::move(flows);
  return config;
}

RuleConfig overheating() {
  RuleConfig rule;
  rule.name = "overheating";
  rule.description = "Notify Ripley if thrusters get too hot";
  rule.expression = "$1 > 400";
  rule.channel_references = {RuleChannelReference::from_config("$1", temperature())};
  rule.action = RuleActionCreateDataReviewAnnotation{kRipley, {"warning", "thruster"}};
  rule.rule_client_key = "overheating-key";
  rule.asset_names = {kAsset};
  return rule;
}

RuleConfig stopped_phase() {
  RuleConfig rule;
  rule.name = "stopped";
  rule.expression = "$1 == \"Stopped\"";
  rule.channel_references = {{"$1", "vehicle_state"}};
  rule.action = RuleActionCreatePhaseAnnotation{{"nostromo"}};
  rule.rule_client_key = "stopped-key";
  rule.asset_names = {kAsset};
  return rule;
}

emulator::EmulatorOptions emulator_options() {
  emulator::EmulatorOptions options;
  options.users = {kRipley, "dallas@weylandcorp.com"};
  options.tags = {"warning", "thruster", "nostromo", "fleet"};
  return options;
}

class RuleServiceTest : public ::testing::Test {
 protected:
  RuleServiceTest() : emulator_(emulator_options()) {}

  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    asset_id_ = register_asset(kAsset, {readings_flow()});
    ASSERT_FALSE(asset_id_.empty());
  }

  SiftChannel channel() { return emulator_.in_process_channel("test-key"); }

  // Registers an ingestion config (hence the asset and its channels).
  std::string register_asset(const std::string& asset, std::vector<FlowConfig> flows) {
    auto service = IngestionService::create(channel(), asset_config(asset, std::move(flows)));
    EXPECT_TRUE(service.ok()) << service.status();
    return service.ok() ? (*service)->asset_id() : "";
  }

  // GetRule straight from the emulator; nullopt for NOT_FOUND.
  std::optional<rules_pb::Rule> stored(const std::string& client_key,
                                       const std::string& rule_id = "") {
    rules_pb::GetRuleRequest request;
    request.set_client_key(client_key);
    request.set_rule_id(rule_id);
    rules_pb::GetRuleResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules_pb::RuleService::NewStub(channel().grpc_channel())
                              ->GetRule(&context, request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.rule();
  }

  // Tag id -> name, and the id of a user, straight from the emulator.
  std::map<std::string, std::string> tag_names() {
    tags::v2::ListTagsRequest request;
    request.set_page_size(1000);
    tags::v2::ListTagsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tags::v2::TagService::NewStub(channel().grpc_channel())
                    ->ListTags(&context, request, &response)
                    .ok());
    std::map<std::string, std::string> out;
    for (const auto& tag : response.tags()) out[tag.tag_id()] = tag.name();
    return out;
  }
  std::string user_id(const std::string& name) {
    users::v2::ListActiveUsersRequest request;
    request.set_filter(absl::StrCat("name == \"", name, "\""));
    users::v2::ListActiveUsersResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(users::v2::UserService::NewStub(channel().grpc_channel())
                    ->ListActiveUsers(&context, request, &response)
                    .ok());
    return response.users_size() == 1 ? response.users(0).user_id() : "";
  }

  static const rules_pb::AnnotationActionConfiguration& annotation_of(const rules_pb::Rule& rule) {
    return rule.conditions(0).actions(0).configuration().annotation();
  }

  std::vector<std::string> names_of_tags(
      const google::protobuf::RepeatedPtrField<std::string>& ids) {
    const std::map<std::string, std::string> names = tag_names();
    std::vector<std::string> out;
    for (const std::string& id : ids) out.push_back(names.count(id) ? names.at(id) : id);
    return out;
  }

  emulator::Emulator emulator_;
  std::string asset_id_;
};

// --- Actions ----------------------------------------------------------------

TEST_F(RuleServiceTest, ReviewRuleIsCreatedWithAssigneeTagsAndAsset) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  ASSERT_TRUE(rule.rule_id.has_value());

  std::optional<rules_pb::Rule> saved = stored("overheating-key");
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->rule_id(), *rule.rule_id);
  EXPECT_EQ(saved->name(), "overheating");
  EXPECT_EQ(saved->description(), "Notify Ripley if thrusters get too hot");
  EXPECT_THAT(saved->asset_configuration().asset_ids(), ElementsAre(asset_id_));
  ASSERT_THAT(saved->conditions(), SizeIs(1));
  const auto& calculated = saved->conditions(0).expression().calculated_channel();
  EXPECT_EQ(calculated.expression(), "$1 > 400");
  ASSERT_EQ(calculated.channel_references().count("$1"), 1u);
  EXPECT_EQ(calculated.channel_references().at("$1").name(), "thruster.temperature");
  ASSERT_THAT(saved->conditions(0).actions(), SizeIs(1));
  EXPECT_EQ(saved->conditions(0).actions(0).action_type(), rules_pb::ANNOTATION);
  const auto& annotation = annotation_of(*saved);
  EXPECT_EQ(annotation.annotation_type(), annotations::v1::ANNOTATION_TYPE_DATA_REVIEW);
  EXPECT_EQ(annotation.assigned_to_user_id(), user_id(kRipley));
  EXPECT_FALSE(annotation.assigned_to_user_id().empty());
  EXPECT_THAT(names_of_tags(annotation.tag_ids()), ElementsAre("warning", "thruster"));
}

TEST_F(RuleServiceTest, PhaseRuleIsStoredWithItsPhaseAction) {
  RuleService service(channel());
  RuleConfig rule = stopped_phase();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  std::optional<rules_pb::Rule> saved = stored("stopped-key");
  ASSERT_TRUE(saved.has_value());
  ASSERT_THAT(saved->conditions(), SizeIs(1));
  ASSERT_THAT(saved->conditions(0).actions(), SizeIs(1));  // sift_py sends none
  EXPECT_EQ(saved->conditions(0).actions(0).action_type(), rules_pb::ANNOTATION);
  EXPECT_EQ(annotation_of(*saved).annotation_type(), annotations::v1::ANNOTATION_TYPE_PHASE);
  EXPECT_THAT(names_of_tags(annotation_of(*saved).tag_ids()), ElementsAre("nostromo"));
}

TEST_F(RuleServiceTest, BitFieldElementAndContextualChannelsResolve) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.expression = "$1 > 400 && $2 == 3";
  rule.channel_references.push_back({"$2", "gpio.heater"});
  rule.contextual_channels = {"log"};
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  std::optional<rules_pb::Rule> saved = stored("overheating-key");
  ASSERT_TRUE(saved.has_value());
  ASSERT_THAT(saved->contextual_channels().channels(), SizeIs(1));
  EXPECT_EQ(saved->contextual_channels().channels(0).name(), "log");

  rule.channel_references[1].channel_identifier = "gpio.cooler";
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("'gpio.cooler'"));
}

// --- Create or update -------------------------------------------------------

TEST_F(RuleServiceTest, UpdateKeepsTheRuleId) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  const std::string id = *rule.rule_id;

  RuleConfig changed = overheating();  // no rule_id: found by client key
  changed.expression = "$1 > 450";
  changed.description = "hotter";
  changed.action = RuleActionCreatePhaseAnnotation{{"thruster"}};
  ASSERT_TRUE(service.create_or_update_rule(changed).ok());
  EXPECT_EQ(changed.rule_id, id);

  std::optional<rules_pb::Rule> saved = stored("overheating-key");
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->rule_id(), id);
  EXPECT_EQ(saved->description(), "hotter");
  EXPECT_EQ(saved->conditions(0).expression().calculated_channel().expression(), "$1 > 450");
  EXPECT_EQ(annotation_of(*saved).annotation_type(), annotations::v1::ANNOTATION_TYPE_PHASE);
}

TEST_F(RuleServiceTest, GetRuleRoundTripsByKeyAndById) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.contextual_channels = {"log"};
  rule.tag_names = {"fleet"};
  rule.is_live_evaluation_enabled = true;
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());

  for (const std::string& key_or_id : {std::string("overheating-key"), *rule.rule_id}) {
    absl::StatusOr<std::optional<RuleConfig>> got = service.get_rule(key_or_id);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value()) << key_or_id;
    const RuleConfig& back = **got;
    EXPECT_EQ(back.name, rule.name);
    EXPECT_EQ(back.description, rule.description);
    EXPECT_EQ(back.expression, rule.expression);
    EXPECT_EQ(back.channel_references, rule.channel_references);
    EXPECT_EQ(back.action, rule.action);  // assignee and tags by name
    EXPECT_EQ(back.rule_client_key, rule.rule_client_key);
    EXPECT_EQ(back.asset_names, rule.asset_names);
    EXPECT_EQ(back.tag_names, rule.tag_names);
    EXPECT_EQ(back.contextual_channels, rule.contextual_channels);
    EXPECT_EQ(back.rule_id, rule.rule_id);
  }
  absl::StatusOr<std::optional<RuleConfig>> missing = service.get_rule("no-such-rule");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
}

TEST_F(RuleServiceTest, RequiresARuleClientKey) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.rule_client_key.reset();
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("overheating"), HasSubstr("requires a rule_client_key")));
}

// --- Nothing is written when anything cannot be resolved --------------------

TEST_F(RuleServiceTest, UnresolvableAssigneeFailsBeforeAnyWrite) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.action = RuleActionCreateDataReviewAnnotation{"kane@weylandcorp.com", {"warning"}};
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr("rule 'overheating'"),
                                      HasSubstr("Cannot find user 'kane@weylandcorp.com'")));
  EXPECT_FALSE(stored("overheating-key").has_value());
  EXPECT_FALSE(rule.rule_id.has_value());
}

TEST_F(RuleServiceTest, UnknownTagFailsBeforeAnyWrite) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.action = RuleActionCreateDataReviewAnnotation{kRipley, {"warning", "xenomorph"}};
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("rule 'overheating'"), HasSubstr("annotation tags 'xenomorph'"),
                    Not(HasSubstr("'warning'"))));
  EXPECT_FALSE(stored("overheating-key").has_value());
}

TEST_F(RuleServiceTest, UnknownChannelFailsNamingAssetRuleAndChannels) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.expression = "$1 > 400 && $2 > 1";
  rule.channel_references = {{"$1", "thruster.temp"}, {"$2", "pressure"}};
  rule.contextual_channels = {"log", "hull"};
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("rule 'overheating'"), HasSubstr("asset 'NostromoLV426'"),
                    HasSubstr("is missing channels"),
                    HasSubstr("'thruster.temp', 'pressure', 'hull'"), Not(HasSubstr("'log'"))));
  EXPECT_FALSE(stored("overheating-key").has_value());
}

TEST_F(RuleServiceTest, EveryUnresolvableNameIsReportedAtOnce) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.asset_names = {kAsset, "Narcissus"};
  rule.tag_names = {"derelicts"};
  rule.action = RuleActionCreateDataReviewAnnotation{"kane@weylandcorp.com", {"facehugger"}};
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("assets 'Narcissus'"), HasSubstr("asset tags 'derelicts'"),
                    HasSubstr("annotation tags 'facehugger'"), HasSubstr("Cannot find user")));
  EXPECT_FALSE(stored("overheating-key").has_value());
}

TEST_F(RuleServiceTest, ExpressionIsCheckedAgainstTheChannelTypes) {
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.expression = "$1 > 400 || $2 > 5";
  rule.channel_references.push_back({"$2", "log"});  // a string channel
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("rule 'overheating'"), HasSubstr("asset 'NostromoLV426'"),
                    HasSubstr("column 16: cannot compare string and number")));

  RuleConfig phase = stopped_phase();
  phase.expression = "$1 == \"Flying\"";
  status = service.create_or_update_rule(phase);
  EXPECT_THAT(status.message(), HasSubstr("'Flying' is not a label"));
  EXPECT_FALSE(stored("overheating-key").has_value());
  EXPECT_FALSE(stored("stopped-key").has_value());
}

TEST_F(RuleServiceTest, SeveralRulesAreAllOrNothing) {
  RuleService service(channel());
  RuleConfig bad = overheating();
  bad.name = "third";
  bad.rule_client_key = "third-key";
  bad.action = RuleActionCreateDataReviewAnnotation{"kane@weylandcorp.com", {}};
  std::vector<RuleConfig> rules = {overheating(), stopped_phase(), bad};
  absl::Status status = service.create_or_update_rules(rules);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("rule 'third'"));
  EXPECT_FALSE(stored("overheating-key").has_value());
  EXPECT_FALSE(stored("stopped-key").has_value());
  EXPECT_FALSE(stored("third-key").has_value());

  rules.pop_back();
  ASSERT_TRUE(service.create_or_update_rules(rules).ok());
  EXPECT_TRUE(stored("overheating-key").has_value());
  EXPECT_TRUE(stored("stopped-key").has_value());
  EXPECT_TRUE(rules[0].rule_id.has_value());
  EXPECT_TRUE(rules[1].rule_id.has_value());
  EXPECT_NE(rules[0].rule_id, rules[1].rule_id);
}

TEST_F(RuleServiceTest, DuplicateClientKeysInOneCallAreRefused) {
  RuleService service(channel());
  RuleConfig second = stopped_phase();
  second.rule_client_key = "overheating-key";
  std::vector<RuleConfig> rules = {overheating(), second};
  absl::Status status = service.create_or_update_rules(rules);
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(), HasSubstr("same rule_client_key 'overheating-key'"));
  EXPECT_FALSE(stored("overheating-key").has_value());
}

// --- Assets -----------------------------------------------------------------

TEST_F(RuleServiceTest, AttachAndDetachAssets) {
  const std::string other_id = register_asset(kOtherAsset, {readings_flow()});
  ASSERT_FALSE(other_id.empty());
  RuleService service(channel());
  RuleConfig rule = overheating();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());

  absl::StatusOr<RuleConfig> attached = service.attach_asset("overheating-key", {kOtherAsset});
  ASSERT_TRUE(attached.ok()) << attached.status();
  EXPECT_THAT(attached->asset_names, ElementsAre(kAsset, kOtherAsset));
  EXPECT_THAT(stored("overheating-key")->asset_configuration().asset_ids(),
              UnorderedElementsAre(asset_id_, other_id));
  EXPECT_EQ(stored("overheating-key")->rule_id(), *rule.rule_id);

  // Detaching an asset that is not attached changes nothing (sift_py attaches it).
  register_asset("Narcissus", {readings_flow()});
  absl::StatusOr<RuleConfig> detached =
      service.detach_asset(*attached, {std::string(kAsset), std::string("Narcissus")});
  ASSERT_TRUE(detached.ok()) << detached.status();
  EXPECT_THAT(detached->asset_names, ElementsAre(kOtherAsset));
  EXPECT_THAT(stored("overheating-key")->asset_configuration().asset_ids(), ElementsAre(other_id));

  absl::StatusOr<RuleConfig> none = service.detach_asset(*rule.rule_id, {kOtherAsset});
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("must be associated with at least one asset"));
  EXPECT_THAT(stored("overheating-key")->asset_configuration().asset_ids(), ElementsAre(other_id));

  absl::StatusOr<RuleConfig> unknown = service.attach_asset("overheating-key", {"Auriga"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              AllOf(HasSubstr("Cannot find all assets"), HasSubstr("'Auriga'")));

  absl::StatusOr<RuleConfig> no_rule = service.attach_asset("no-such-rule", {kAsset});
  EXPECT_TRUE(absl::IsNotFound(no_rule.status())) << no_rule.status();
}

// --- External rules and YAML --------------------------------------------------

TEST_F(RuleServiceTest, ExternalRulesAreCreatedWithOneBatch) {
  RuleService service(channel());
  RuleConfig first = overheating();
  first.rule_client_key.reset();
  first.is_external = true;
  RuleConfig second = stopped_phase();
  second.rule_client_key.reset();
  second.is_external = true;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> created =
      service.create_external_rules({first, second});
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_THAT(*created, SizeIs(2));
  std::vector<std::string> names;
  for (const auto& [rule_id, name] : *created) {
    names.push_back(name);
    std::optional<rules_pb::Rule> saved = stored("", rule_id);
    ASSERT_TRUE(saved.has_value());
    EXPECT_TRUE(saved->is_external());
    EXPECT_EQ(saved->name(), name);
  }
  EXPECT_THAT(names, UnorderedElementsAre("overheating", "stopped"));

  RuleConfig keyed = overheating();
  keyed.is_external = true;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> refused =
      service.create_external_rules({keyed});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("requires rule_client_key to be empty"));
}

TEST_F(RuleServiceTest, BatchUpdateUpdatesKnownKeysAndCreatesTheRest) {
  RuleService service(channel());
  RuleConfig existing = overheating();
  ASSERT_TRUE(service.create_or_update_rule(existing).ok());

  RuleConfig changed = overheating();
  changed.expression = "$1 > 500";
  std::vector<RuleConfig> rules = {changed, stopped_phase()};
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> created =
      service.batch_update_rules(rules);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_THAT(*created, SizeIs(1));
  EXPECT_EQ((*created)[0].second, "stopped");
  EXPECT_EQ(rules[0].rule_id, existing.rule_id);
  EXPECT_EQ(rules[1].rule_id, (*created)[0].first);
  EXPECT_EQ(stored("overheating-key")->conditions(0).expression().calculated_channel().expression(),
            "$1 > 500");
  EXPECT_EQ(stored("stopped-key")->rule_id(), (*created)[0].first);
}

TEST_F(RuleServiceTest, LoadsRulesFromYaml) {
  testing_util::TempDir dir("sift-rule-service");
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/rules.yml";
  std::ofstream(path) << R"(rules:
  - name: overheating
    rule_client_key: overheating-key
    description: too hot
    expression:
      name: hot
    channel_references:
      - $1: thruster.temperature
    sub_expressions:
      - $threshold: 400
    type: review
    assignee: ellen.ripley@weylandcorp.com
    tags: [warning]
    asset_names: [NostromoLV426]
    contextual_channels: [log]
  - name: stopped
    rule_client_key: stopped-key
    expression: $1 == "Stopped"
    channel_references:
      - $1: vehicle_state
    type: phase
    asset_names: [NostromoLV426]
)";
  RuleService service(channel());
  absl::StatusOr<std::vector<RuleConfig>> loaded =
      service.load_rules_from_yaml({path}, {{"hot", "$1 > $threshold"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_THAT(*loaded, SizeIs(2));
  EXPECT_TRUE((*loaded)[0].rule_id.has_value());
  std::optional<rules_pb::Rule> saved = stored("overheating-key");
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->conditions(0).expression().calculated_channel().expression(), "$1 > 400");
  EXPECT_EQ(saved->description(), "too hot");
  EXPECT_EQ(saved->contextual_channels().channels(0).name(), "log");
  EXPECT_TRUE(stored("stopped-key").has_value());

  // The same file as external rules: client keys are refused.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> refused =
      service.create_external_rules_from_yaml({path}, {{"hot", "$1 > $threshold"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("requires rule_client_key to be empty"));

  const std::string external = dir.path() + "/external.yml";
  std::ofstream(external) << R"(rules:
  - name: external-hot
    expression: $1 > 500
    channel_references:
      - $1: thruster.temperature
    type: phase
    asset_names: [NostromoLV426]
)";
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> created =
      service.create_external_rules_from_yaml({external});
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_THAT(*created, SizeIs(1));
  EXPECT_EQ((*created)[0].second, "external-hot");
  std::optional<rules_pb::Rule> saved_external = stored("", (*created)[0].first);
  ASSERT_TRUE(saved_external.has_value());
  EXPECT_TRUE(saved_external->is_external());
}

// --- Paging ---------------------------------------------------------------------

TEST_F(RuleServiceTest, ChannelListingFollowsEveryPage) {
  // 1200 channels named by one rule: two pages of 1000.
  std::vector<ChannelConfig> channels;
  for (int i = 0; i < 1200; ++i) {
    channels.push_back(ch(absl::StrCat("sensor_", i), ChannelDataType::kDouble));
  }
  ASSERT_FALSE(register_asset("Sensors", {FlowConfig{"all", channels}}).empty());
  RuleService service(channel());
  RuleConfig rule = overheating();
  rule.asset_names = {"Sensors"};
  rule.channel_references = {{"$1", "sensor_1199"}};
  for (int i = 0; i < 1200; ++i) rule.contextual_channels.push_back(absl::StrCat("sensor_", i));
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());

  rule.contextual_channels.push_back("sensor_1200");
  absl::Status status = service.create_or_update_rule(rule);
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
  EXPECT_THAT(status.message(), AllOf(HasSubstr("is missing channels required by the rule: "
                                                "'sensor_1200'"),
                                      Not(HasSubstr("sensor_1199"))));
}

TEST_F(RuleServiceTest, CachingServiceStillSeesNewNames) {
  RuleService service(channel(), RuleServiceOptions{/*enable_caching=*/true});
  RuleConfig rule = overheating();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  // A name unknown at first is looked up again later (only found names are remembered).
  const std::string other_id = register_asset(kOtherAsset, {readings_flow()});
  rule.asset_names.push_back(kOtherAsset);
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  EXPECT_THAT(stored("overheating-key")->asset_configuration().asset_ids(),
              UnorderedElementsAre(asset_id_, other_id));
}

// --- IngestionService::create ---------------------------------------------------

TEST_F(RuleServiceTest, IngestionServiceCreateSyncsTheConfigRules) {
  TelemetryConfig config = asset_config(kAsset, {readings_flow()});
  RuleConfig quickstart = overheating();
  quickstart.rule_client_key.reset();  // as in the quickstart
  quickstart.asset_names.clear();
  config.rules = {quickstart, stopped_phase()};

  auto service = IngestionService::create(channel(), config);
  ASSERT_TRUE(service.ok()) << service.status();
  // The caller's config is not changed; the service's copy is scoped and keyed.
  EXPECT_FALSE(config.rules[0].rule_client_key.has_value());
  const std::vector<RuleConfig>& synced = (*service)->config().rules;
  ASSERT_THAT(synced, SizeIs(2));
  EXPECT_EQ(synced[0].rule_client_key, derived_rule_client_key(kAsset, "overheating"));
  EXPECT_THAT(synced[0].asset_names, ElementsAre(kAsset));
  ASSERT_TRUE(synced[0].rule_id.has_value());
  ASSERT_TRUE(synced[1].rule_id.has_value());

  std::optional<rules_pb::Rule> saved = stored("NostromoLV426/overheating");
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->rule_id(), *synced[0].rule_id);
  EXPECT_THAT(saved->asset_configuration().asset_ids(), ElementsAre(asset_id_));
  EXPECT_EQ(annotation_of(*saved).assigned_to_user_id(), user_id(kRipley));
  EXPECT_EQ(annotation_of(*stored("stopped-key")).annotation_type(),
            annotations::v1::ANNOTATION_TYPE_PHASE);

  // A second start updates the same rules.
  auto again = IngestionService::create(channel(), config);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->config().rules[0].rule_id, synced[0].rule_id);
}

TEST_F(RuleServiceTest, IngestionServiceCreateFailsWithTheRuleMessage) {
  TelemetryConfig config = asset_config(kAsset, {readings_flow()});
  RuleConfig bad = overheating();
  bad.action = RuleActionCreateDataReviewAnnotation{"kane@weylandcorp.com", {}};
  config.rules = {stopped_phase(), bad};
  auto service = IngestionService::create(channel(), config);
  ASSERT_FALSE(service.ok());
  EXPECT_THAT(service.status().message(),
              AllOf(HasSubstr("IngestionService::create"), HasSubstr("rule 'overheating'"),
                    HasSubstr("Cannot find user")));
  EXPECT_FALSE(stored("stopped-key").has_value());
}

TEST_F(RuleServiceTest, LazyCreateRegistersTheFlowsTheRulesNeed) {
  TelemetryConfig config = asset_config(
      "Lazy", {readings_flow(), FlowConfig{"other", {ch("x", ChannelDataType::kInt32)}}});
  RuleConfig rule = overheating();
  rule.asset_names.clear();
  config.rules = {rule};
  IngestionServiceOptions options;
  options.force_lazy_flow_creation = true;
  auto service = IngestionService::create(channel(), config, options);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_TRUE(stored("overheating-key").has_value());
  std::vector<std::string> registered;
  for (const auto& info : emulator_.ingestion_configs()) {
    if (info.asset_name != "Lazy") continue;
    for (const FlowConfig& flow : info.flows) registered.push_back(flow.name);
  }
  EXPECT_THAT(registered, ElementsAre("readings"));
}

TEST_F(RuleServiceTest, WorksOverTcp) {
  absl::StatusOr<SiftChannel> tcp = testing_util::tcp_channel(emulator_);
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  RuleService service(*tcp);
  RuleConfig rule = overheating();
  ASSERT_TRUE(service.create_or_update_rule(rule).ok());
  absl::StatusOr<std::optional<RuleConfig>> back = service.get_rule(*rule.rule_id);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->action, rule.action);
}

// The emulator keeps user names unique, so two active users of one name
// come from a stand-in UserService that also splits them over two pages
// (sift_py re-sends the first page token and never ends).
class TwoPagesOfNamesakes final : public users::v2::UserService::Service {
 public:
  grpc::Status ListActiveUsers(grpc::ServerContext*,
                               const users::v2::ListActiveUsersRequest* request,
                               users::v2::ListActiveUsersResponse* response) override {
    tokens.push_back(request->page_token());
    filters.push_back(request->filter());
    auto* user = response->add_users();
    user->set_user_name("ash@weylandcorp.com");
    if (request->page_token().empty()) {
      user->set_user_id("ash-1");
      response->set_next_page_token("page-2");
    } else {
      user->set_user_id("ash-2");
    }
    return grpc::Status::OK;
  }
  std::vector<std::string> tokens;
  std::vector<std::string> filters;
};

TEST(RuleServiceUsers, AssigneeMatchingSeveralUsersAcrossPagesFails) {
  TwoPagesOfNamesakes users;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&users);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  const std::string target = absl::StrCat("127.0.0.1:", port);
  RuleService service(SiftChannel::from_grpc_channel(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), target,
      std::chrono::seconds(10)));

  // External and unscoped: the assignee is the only look-up before the write.
  RuleConfig rule;
  rule.name = "ambiguous";
  rule.expression = "$1 > 400";
  rule.channel_references = {{"$1", "temperature"}};
  rule.action = RuleActionCreateDataReviewAnnotation{"ash@weylandcorp.com", {}};
  rule.is_external = true;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> created =
      service.create_external_rules({rule});
  ASSERT_FALSE(created.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(created.status())) << created.status();
  EXPECT_THAT(created.status().message(),
              AllOf(HasSubstr("rule 'ambiguous'"),
                    HasSubstr("Multiple users found with name 'ash@weylandcorp.com' (2)")));
  EXPECT_THAT(users.tokens, ElementsAre("", "page-2"));
  EXPECT_THAT(users.filters,
              ElementsAre("name==\"ash@weylandcorp.com\"", "name==\"ash@weylandcorp.com\""));
  server->Shutdown();
}

}  // namespace
}  // namespace sift
