// RuleService's pure logic without a server: the UpdateRuleRequest of spec
// 4.5 step 7 (phase rules carry their action), config checks, channel binding
// (bit-field elements), the client-side expression check, the RuleConfig
// rebuilt from a stored rule, and the CEL filters of the look-ups.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/cel.h"
#include "internal/rule_request.h"
#include "sift/rule/service.h"

namespace sift {
namespace internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

RuleConfig review_rule() {
  RuleConfig rule;
  rule.name = "overheating";
  rule.description = "Notify Ripley if thrusters get too hot";
  rule.expression = "$1 > 400 && $2 == \"Running\"";
  rule.channel_references = {{"$1", "thruster.temperature"}, {"$2", "vehicle_state"}};
  rule.action =
      RuleActionCreateDataReviewAnnotation{"ellen.ripley@weylandcorp.com", {"warning", "thruster"}};
  rule.rule_client_key = "overheating-key";
  rule.asset_names = {"NostromoLV426"};
  rule.tag_names = {"fleet"};
  rule.contextual_channels = {"log", "mainmotor.velocity"};
  rule.is_live_evaluation_enabled = true;
  return rule;
}

ResolvedRule resolved_ids() {
  ResolvedRule resolved;
  resolved.asset_ids = {"asset-1"};
  resolved.asset_tag_ids = {"tag-fleet"};
  resolved.action_tag_ids = {"tag-warning", "tag-thruster"};
  resolved.assignee_user_id = "user-ripley";
  return resolved;
}

TEST(BuildUpdateRuleRequest, ReviewRuleCarriesEveryFieldOfSiftPy) {
  ResolvedRule resolved = resolved_ids();
  resolved.rule_id = "rule-1";
  resolved.organization_id = "org-1";
  absl::StatusOr<rules::v1::UpdateRuleRequest> request =
      build_update_rule_request(review_rule(), resolved);
  ASSERT_TRUE(request.ok()) << request.status();

  EXPECT_EQ(request->organization_id(), "org-1");
  ASSERT_TRUE(request->has_rule_id());
  EXPECT_EQ(request->rule_id(), "rule-1");
  ASSERT_TRUE(request->has_client_key());
  EXPECT_EQ(request->client_key(), "overheating-key");
  EXPECT_EQ(request->name(), "overheating");
  EXPECT_EQ(request->description(), "Notify Ripley if thrusters get too hot");
  EXPECT_FALSE(request->is_external());
  ASSERT_TRUE(request->has_is_live_evaluation_enabled());
  EXPECT_TRUE(request->is_live_evaluation_enabled());

  ASSERT_EQ(request->conditions_size(), 1);
  const rules::v1::UpdateConditionRequest& condition = request->conditions(0);
  ASSERT_TRUE(condition.expression().has_calculated_channel());
  const auto& calculated = condition.expression().calculated_channel();
  EXPECT_EQ(calculated.expression(), "$1 > 400 && $2 == \"Running\"");
  std::map<std::string, std::string> references;
  for (const auto& [key, reference] : calculated.channel_references()) {
    references[key] = reference.name();
  }
  EXPECT_THAT(references,
              ElementsAre(Pair("$1", "thruster.temperature"), Pair("$2", "vehicle_state")));

  ASSERT_EQ(condition.actions_size(), 1);
  const rules::v1::UpdateActionRequest& action = condition.actions(0);
  EXPECT_EQ(action.action_type(), rules::v1::ANNOTATION);
  ASSERT_TRUE(action.configuration().has_annotation());
  const auto& annotation = action.configuration().annotation();
  EXPECT_EQ(annotation.annotation_type(), annotations::v1::ANNOTATION_TYPE_DATA_REVIEW);
  ASSERT_TRUE(annotation.has_assigned_to_user_id());
  EXPECT_EQ(annotation.assigned_to_user_id(), "user-ripley");
  EXPECT_THAT(annotation.tag_ids(), ElementsAre("tag-warning", "tag-thruster"));

  EXPECT_THAT(request->asset_configuration().asset_ids(), ElementsAre("asset-1"));
  EXPECT_THAT(request->asset_configuration().tag_ids(), ElementsAre("tag-fleet"));
  std::vector<std::string> contextual;
  for (const auto& channel : request->contextual_channels().channels()) {
    contextual.push_back(channel.name());
  }
  EXPECT_THAT(contextual, ElementsAre("log", "mainmotor.velocity"));
}

TEST(BuildUpdateRuleRequest, PhaseRuleCarriesThePhaseAction) {
  RuleConfig rule = review_rule();
  rule.action = RuleActionCreatePhaseAnnotation{{"warning"}};
  ResolvedRule resolved = resolved_ids();
  resolved.action_tag_ids = {"tag-warning"};
  resolved.assignee_user_id.reset();
  absl::StatusOr<rules::v1::UpdateRuleRequest> request = build_update_rule_request(rule, resolved);
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->conditions_size(), 1);
  ASSERT_EQ(request->conditions(0).actions_size(), 1);
  const rules::v1::UpdateActionRequest& action = request->conditions(0).actions(0);
  EXPECT_EQ(action.action_type(), rules::v1::ANNOTATION);
  const auto& annotation = action.configuration().annotation();
  EXPECT_EQ(annotation.annotation_type(), annotations::v1::ANNOTATION_TYPE_PHASE);
  EXPECT_FALSE(annotation.has_assigned_to_user_id());
  EXPECT_THAT(annotation.tag_ids(), ElementsAre("tag-warning"));
}

TEST(BuildUpdateRuleRequest, NewRuleWithoutKeyLeavesOptionalFieldsUnset) {
  RuleConfig rule = review_rule();
  rule.rule_client_key.reset();
  rule.is_external = true;
  rule.is_live_evaluation_enabled = false;
  ResolvedRule resolved = resolved_ids();
  resolved.assignee_user_id.reset();
  absl::StatusOr<rules::v1::UpdateRuleRequest> request = build_update_rule_request(rule, resolved);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->has_rule_id());
  EXPECT_FALSE(request->has_client_key());
  EXPECT_EQ(request->organization_id(), "");
  EXPECT_TRUE(request->is_external());
  ASSERT_TRUE(request->has_is_live_evaluation_enabled());
  EXPECT_FALSE(request->is_live_evaluation_enabled());
  EXPECT_FALSE(
      request->conditions(0).actions(0).configuration().annotation().has_assigned_to_user_id());
}

TEST(BuildUpdateRuleRequest, LeftoverSubExpressionsAreSubstituted) {
  RuleConfig rule = review_rule();
  rule.expression = "$1 > $threshold";
  rule.channel_references = {{"$1", "thruster.temperature"}};
  rule.sub_expressions = {{"$threshold", int64_t{400}}};
  absl::StatusOr<rules::v1::UpdateRuleRequest> request =
      build_update_rule_request(rule, resolved_ids());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->conditions(0).expression().calculated_channel().expression(), "$1 > 400");
}

TEST(BuildUpdateRuleRequest, RefusesWhatTheServerWouldRefuseNamingTheRule) {
  struct Case {
    const char* what;
    void (*edit)(RuleConfig&);
    const char* message;
  };
  const Case cases[] = {
      {"no action", [](RuleConfig& r) { r.action.reset(); }, "rule 'overheating': has no action"},
      {"empty expression", [](RuleConfig& r) { r.expression.clear(); },
       "rule 'overheating': the expression cannot be empty"},
      {"bad placeholder", [](RuleConfig& r) { r.channel_references[0].channel_reference = "$x"; },
       "rule 'overheating': channel reference '$x' is not of the form $N"},
      {"$0", [](RuleConfig& r) { r.channel_references[0].channel_reference = "$0"; },
       "channel reference '$0' is not of the form $N"},
      {"twice", [](RuleConfig& r) { r.channel_references[1].channel_reference = "$1"; },
       "rule 'overheating': channel reference '$1' is bound twice"},
      {"no channel", [](RuleConfig& r) { r.channel_references[0].channel_identifier.clear(); },
       "rule 'overheating': channel reference '$1' names no channel"},
      {"no name", [](RuleConfig& r) { r.name.clear(); }, "a rule needs a name"},
  };
  for (const Case& c : cases) {
    RuleConfig rule = review_rule();
    c.edit(rule);
    absl::StatusOr<rules::v1::UpdateRuleRequest> request =
        build_update_rule_request(rule, resolved_ids());
    ASSERT_FALSE(request.ok()) << c.what;
    EXPECT_TRUE(absl::IsInvalidArgument(request.status())) << c.what;
    EXPECT_THAT(request.status().message(), HasSubstr(c.message)) << c.what;
  }
}

TEST(ReferenceNumber, AcceptsOnlyDollarAndAPositiveNumber) {
  EXPECT_EQ(reference_number("$1"), 1);
  EXPECT_EQ(reference_number("$42"), 42);
  EXPECT_EQ(reference_number("$0"), std::nullopt);
  EXPECT_EQ(reference_number("$01"), std::nullopt);
  EXPECT_EQ(reference_number("$"), std::nullopt);
  EXPECT_EQ(reference_number("1"), std::nullopt);
  EXPECT_EQ(reference_number("$1a"), std::nullopt);
  EXPECT_EQ(reference_number("$mass"), std::nullopt);
}

ExpressionChannel typed(ChannelDataType type) {
  ExpressionChannel channel;
  channel.data_type = type;
  return channel;
}

ExpressionChannel gpio() {
  ExpressionChannel channel = typed(ChannelDataType::kBitField);
  channel.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 4}};
  return channel;
}

TEST(ChannelBinding, ListsReferencesContextualChannelsAndBitFieldBases) {
  RuleConfig rule;
  rule.channel_references = {{"$1", "gpio.heater"}, {"$2", "a.b.c"}, {"$3", "voltage"}};
  rule.contextual_channels = {"log", "voltage"};
  EXPECT_THAT(channel_names_to_list(rule),
              ElementsAre("a", "a.b", "a.b.c", "gpio", "gpio.heater", "log", "voltage"));
}

TEST(ChannelBinding, BitFieldElementBindsAsUint32) {
  std::map<std::string, ExpressionChannel> listed = {{"gpio", gpio()},
                                                     {"voltage", typed(ChannelDataType::kInt32)}};
  std::optional<ExpressionChannel> heater = bind_channel("gpio.heater", listed);
  ASSERT_TRUE(heater.has_value());
  EXPECT_EQ(heater->data_type, ChannelDataType::kUint32);
  EXPECT_EQ(bind_channel("gpio.cooler", listed), std::nullopt);
  EXPECT_EQ(bind_channel("voltage.heater", listed), std::nullopt);  // not a bit field
  ASSERT_TRUE(bind_channel("voltage", listed).has_value());
  EXPECT_EQ(bind_channel("voltage", listed)->data_type, ChannelDataType::kInt32);
  // An exact channel wins over a bit-field element of the same name.
  listed["gpio.heater"] = typed(ChannelDataType::kDouble);
  EXPECT_EQ(bind_channel("gpio.heater", listed)->data_type, ChannelDataType::kDouble);
}

TEST(ChannelBinding, MissingChannelsInRuleOrderOnce) {
  RuleConfig rule;
  rule.channel_references = {{"$1", "temperature"}, {"$2", "gpio.cooler"}, {"$3", "gpio.heater"}};
  rule.contextual_channels = {"log", "temperature", "log"};
  std::map<std::string, ExpressionChannel> listed = {{"gpio", gpio()}};
  EXPECT_THAT(missing_channels(rule, listed), ElementsAre("temperature", "gpio.cooler", "log"));
  listed["temperature"] = typed(ChannelDataType::kDouble);
  listed["log"] = typed(ChannelDataType::kString);
  listed["gpio"].bit_field_elements.push_back({"cooler", 8, 1});
  EXPECT_THAT(missing_channels(rule, listed), IsEmpty());
}

TEST(CheckExpressionOnAsset, ChecksTypesOfTheListedChannels) {
  RuleConfig rule;
  rule.name = "r";
  rule.channel_references = {{"$1", "log"}, {"$2", "gpio.heater"}};
  std::map<std::string, ExpressionChannel> listed = {{"log", typed(ChannelDataType::kString)},
                                                     {"gpio", gpio()}};
  EXPECT_TRUE(
      check_expression_on_asset(rule, "contains($1, \"ERROR\") && $2 > 3", listed, "rover").ok());

  absl::Status status = check_expression_on_asset(rule, "$1 > 400 && $2 > 3", listed, "rover");
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(status.message(), HasSubstr("expression '$1 > 400 && $2 > 3' (asset 'rover'): "
                                          "column 4: cannot compare string and number"));

  status = check_expression_on_asset(rule, "$1 == \"x\"", listed, "rover");
  EXPECT_THAT(status.message(), HasSubstr("$2 is bound but not used"));

  status = check_expression_on_asset(rule, "$1 ==", listed, "rover");
  EXPECT_THAT(status.message(), HasSubstr("column 6: expected an operand"));
}

TEST(CheckExpressionOnAsset, WithoutAnAssetOnlyParsingAndBindingAreChecked) {
  RuleConfig rule;
  rule.channel_references = {{"$1", "log"}};
  const std::map<std::string, ExpressionChannel> untyped = untyped_channels(rule);
  ASSERT_EQ(untyped.count("log"), 1u);
  EXPECT_FALSE(untyped.at("log").type_known);
  EXPECT_TRUE(check_expression_on_asset(rule, "$1 > 400", untyped, "").ok());
  absl::Status status = check_expression_on_asset(rule, "$1 > 400 && $2 > 1", untyped, "");
  EXPECT_THAT(status.message(), HasSubstr("expression '$1 > 400 && $2 > 1': column 13: $2 is not "
                                          "bound to a channel reference"));
  EXPECT_THAT(status.message(), Not(HasSubstr("asset")));
}

TEST(CheckExpressionOnAsset, EnumLabelsComeFromTheListedChannel) {
  RuleConfig rule;
  rule.channel_references = {{"$1", "vehicle_state"}};
  ExpressionChannel state = typed(ChannelDataType::kEnum);
  state.enum_types = {{"Stopped", 0, std::nullopt}, {"Running", 1, std::nullopt}};
  std::map<std::string, ExpressionChannel> listed = {{"vehicle_state", state}};
  EXPECT_TRUE(check_expression_on_asset(rule, "$1 == \"Running\"", listed, "rover").ok());
  absl::Status status = check_expression_on_asset(rule, "$1 == \"Flying\"", listed, "rover");
  EXPECT_THAT(status.message(), HasSubstr("'Flying' is not a label"));
}

TEST(ExpressionChannelFromWire, CopiesTypeEnumsAndElements) {
  channels::v3::Channel channel;
  channel.set_name("vehicle_state");
  channel.set_data_type(common::type::v1::CHANNEL_DATA_TYPE_ENUM);
  auto* label = channel.add_enum_types();
  label->set_name("Stopped");
  label->set_key(2);
  absl::StatusOr<ExpressionChannel> out = expression_channel_from_wire(channel);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->data_type, ChannelDataType::kEnum);
  ASSERT_EQ(out->enum_types.size(), 1u);
  EXPECT_EQ(out->enum_types[0].name, "Stopped");
  EXPECT_EQ(out->enum_types[0].key, 2u);

  channel.set_data_type(static_cast<common::type::v1::ChannelDataType>(99));
  out = expression_channel_from_wire(channel);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("channel 'vehicle_state'"));
}

// A stored rule as the server would return it for `request`.
rules::v1::Rule stored(const rules::v1::UpdateRuleRequest& request) {
  rules::v1::Rule rule;
  rule.set_rule_id("rule-1");
  rule.set_name(request.name());
  rule.set_description(request.description());
  rule.set_client_key(request.client_key());
  rule.set_is_external(request.is_external());
  rule.set_is_live_evaluation_enabled(request.is_live_evaluation_enabled());
  *rule.mutable_asset_configuration() = request.asset_configuration();
  *rule.mutable_contextual_channels() = request.contextual_channels();
  for (const auto& update : request.conditions()) {
    rules::v1::RuleCondition* condition = rule.add_conditions();
    *condition->mutable_expression() = update.expression();
    for (const auto& action_update : update.actions()) {
      rules::v1::RuleAction* action = condition->add_actions();
      action->set_action_type(action_update.action_type());
      *action->mutable_configuration() = action_update.configuration();
    }
  }
  return rule;
}

TEST(RuleConfigFromWire, RoundTripsWithNamesResolved) {
  const RuleConfig original = review_rule();
  absl::StatusOr<rules::v1::UpdateRuleRequest> request =
      build_update_rule_request(original, resolved_ids());
  ASSERT_TRUE(request.ok()) << request.status();
  const rules::v1::Rule rule = stored(*request);

  RuleIds ids = rule_ids(rule);
  EXPECT_THAT(ids.asset_ids, ElementsAre("asset-1"));
  EXPECT_THAT(ids.asset_tag_ids, ElementsAre("tag-fleet"));
  EXPECT_THAT(ids.action_tag_ids, ElementsAre("tag-warning", "tag-thruster"));
  EXPECT_EQ(ids.assignee_user_id, "user-ripley");

  RuleNames names;
  names.assets = {{"asset-1", "NostromoLV426"}};
  names.asset_tags = {{"tag-fleet", "fleet"}};
  names.action_tags = {{"tag-warning", "warning"}, {"tag-thruster", "thruster"}};
  names.users = {{"user-ripley", "ellen.ripley@weylandcorp.com"}};
  RuleConfig rebuilt = rule_config_from_wire(rule, names);

  RuleConfig expected = original;
  expected.rule_id = "rule-1";
  EXPECT_EQ(rebuilt.name, expected.name);
  EXPECT_EQ(rebuilt.description, expected.description);
  EXPECT_EQ(rebuilt.expression, expected.expression);
  EXPECT_EQ(rebuilt.channel_references, expected.channel_references);
  EXPECT_EQ(rebuilt.action, expected.action);
  EXPECT_EQ(rebuilt.rule_client_key, expected.rule_client_key);
  EXPECT_EQ(rebuilt.asset_names, expected.asset_names);
  EXPECT_EQ(rebuilt.tag_names, expected.tag_names);
  EXPECT_EQ(rebuilt.contextual_channels, expected.contextual_channels);
  EXPECT_EQ(rebuilt.is_external, expected.is_external);
  EXPECT_EQ(rebuilt.is_live_evaluation_enabled, expected.is_live_evaluation_enabled);
  EXPECT_EQ(rebuilt.rule_id, expected.rule_id);
}

TEST(RuleConfigFromWire, KeepsIdsItCannotNameAndSortsReferences) {
  RuleConfig config = review_rule();
  config.expression = "$10 > $2 && $1 > 0";
  config.channel_references = {{"$10", "c10"}, {"$2", "c2"}, {"$1", "c1"}};
  config.action = RuleActionCreatePhaseAnnotation{{"warning"}};
  config.rule_client_key.reset();
  ResolvedRule resolved = resolved_ids();
  resolved.action_tag_ids = {"tag-warning"};
  absl::StatusOr<rules::v1::UpdateRuleRequest> request =
      build_update_rule_request(config, resolved);
  ASSERT_TRUE(request.ok()) << request.status();
  RuleConfig rebuilt = rule_config_from_wire(stored(*request), RuleNames{});
  EXPECT_THAT(rebuilt.channel_references,
              ElementsAre(RuleChannelReference{"$1", "c1"}, RuleChannelReference{"$2", "c2"},
                          RuleChannelReference{"$10", "c10"}));
  EXPECT_THAT(rebuilt.asset_names, ElementsAre("asset-1"));
  EXPECT_THAT(rebuilt.tag_names, ElementsAre("tag-fleet"));
  ASSERT_TRUE(rebuilt.action.has_value());
  ASSERT_TRUE(std::holds_alternative<RuleActionCreatePhaseAnnotation>(*rebuilt.action));
  EXPECT_THAT(std::get<RuleActionCreatePhaseAnnotation>(*rebuilt.action).tags,
              ElementsAre("tag-warning"));
  EXPECT_EQ(rebuilt.rule_client_key, std::nullopt);
}

TEST(RuleConfigFromWire, RuleWithoutConditionsHasNoExpressionOrAction) {
  rules::v1::Rule rule;
  rule.set_rule_id("r");
  rule.set_name("bare");
  RuleConfig config = rule_config_from_wire(rule, RuleNames{});
  EXPECT_EQ(config.name, "bare");
  EXPECT_EQ(config.expression, "");
  EXPECT_EQ(config.action, std::nullopt);
  EXPECT_THAT(rule_ids(rule).action_tag_ids, IsEmpty());
}

TEST(DescribeBatchRefusal, ListsEveryRuleAndAssetError) {
  rules::v1::BatchUpdateRulesResponse response;
  auto* ok = response.add_validation_results();
  ok->set_rule_name("fine");
  auto* bad = response.add_validation_results();
  bad->set_rule_name("overheating");
  bad->set_error("unknown asset");
  auto* keyed = response.add_validation_results();
  keyed->set_client_key("stopped-key");
  auto* asset = keyed->add_asset_expression_validation_results();
  asset->set_asset_name("rover");
  asset->set_error("no channel 'x'");
  keyed->add_asset_expression_validation_results()->set_asset_name("fine-asset");
  EXPECT_EQ(describe_batch_refusal(response),
            "rule 'overheating': unknown asset; rule 'stopped-key' on asset 'rover': no channel "
            "'x'");
  EXPECT_EQ(describe_batch_refusal(rules::v1::BatchUpdateRulesResponse()),
            "success=false without validation errors");
}

TEST(CelFilters, MembershipQuotesAndEscapes) {
  EXPECT_EQ(cel_in("name", std::vector<std::string>{"a", "b"}), "name in [\"a\",\"b\"]");
  EXPECT_EQ(cel_in("name", std::vector<std::string>{"say \"hi\"", "c:\\"}),
            "name in [\"say \\\"hi\\\"\",\"c:\\\\\"]");
  EXPECT_EQ(cel_in("tag_id", std::vector<std::string>{}), "tag_id in []");
}

TEST(QuotedList, QuotesEachName) {
  EXPECT_EQ(quoted_list({"a", "b c"}), "'a', 'b c'");
  EXPECT_EQ(quoted_list({}), "");
}

TEST(DerivedRuleClientKey, IsAssetSlashRuleName) {
  EXPECT_EQ(derived_rule_client_key("NostromoLV426", "overheating"), "NostromoLV426/overheating");
  EXPECT_NE(derived_rule_client_key("a", "overheating"),
            derived_rule_client_key("b", "overheating"));
}

}  // namespace
}  // namespace internal
}  // namespace sift
