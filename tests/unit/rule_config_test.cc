// Rule configuration (spec section 1.8; checklist "rule/_config_test.py").
#include "sift/ingestion/rule/config.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ChannelConfig channel(std::string name, ChannelDataType type,
                      std::optional<std::string> component = std::nullopt) {
  ChannelConfig config;
  config.name = std::move(name);
  config.data_type = type;
  config.component = std::move(component);
  return config;
}

// Substitutes a single placeholder; fails the test on error.
std::string substitute(const std::string& expression, const std::string& placeholder,
                       SubExpressionValue value) {
  absl::StatusOr<std::string> result =
      substitute_sub_expressions(expression, {{placeholder, std::move(value)}});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : std::string("<error>");
}

// ---------------------------------------------------------------------------
// Action kinds

TEST(RuleActionKindTest, FromStr) {
  EXPECT_EQ(rule_action_kind_from_str("ACTION_KIND_NOTIFICATION"), RuleActionKind::kNotification);
  EXPECT_EQ(rule_action_kind_from_str("notification"), RuleActionKind::kNotification);
  EXPECT_EQ(rule_action_kind_from_str("ACTION_KIND_ANNOTATION"), RuleActionKind::kAnnotation);
  EXPECT_EQ(rule_action_kind_from_str("annotation"), RuleActionKind::kAnnotation);
  for (const char* text : {"", "Annotation", "NOTIFICATION", "ACTION_KIND_UNSPECIFIED",
                           "ACTION_KIND_annotation", "review", "phase"}) {
    EXPECT_EQ(rule_action_kind_from_str(text), std::nullopt) << text;
  }
}

TEST(RuleActionKindTest, WireNumbers) {
  EXPECT_EQ(static_cast<int>(RuleActionKind::kNotification), 1);
  EXPECT_EQ(static_cast<int>(RuleActionKind::kAnnotation), 2);
}

TEST(RuleActionAnnotationKindTest, FromStrAndBack) {
  absl::StatusOr<RuleActionAnnotationKind> review = rule_action_annotation_kind_from_str("review");
  ASSERT_TRUE(review.ok()) << review.status();
  EXPECT_EQ(*review, RuleActionAnnotationKind::kReview);
  absl::StatusOr<RuleActionAnnotationKind> phase = rule_action_annotation_kind_from_str("phase");
  ASSERT_TRUE(phase.ok()) << phase.status();
  EXPECT_EQ(*phase, RuleActionAnnotationKind::kPhase);
  EXPECT_EQ(as_str(RuleActionAnnotationKind::kReview), "review");
  EXPECT_EQ(as_str(RuleActionAnnotationKind::kPhase), "phase");
}

TEST(RuleActionAnnotationKindTest, FromStrRejectsAnythingElse) {
  for (const char* text : {"Review", "PHASE", "", "annotation", "ANNOTATION_TYPE_PHASE"}) {
    absl::StatusOr<RuleActionAnnotationKind> kind = rule_action_annotation_kind_from_str(text);
    ASSERT_FALSE(kind.ok()) << text;
    EXPECT_EQ(kind.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(kind.status().message()), HasSubstr(std::string("'") + text + "'"));
  }
}

TEST(RuleActionTest, KindsOfBothActions) {
  const RuleAction review = RuleActionCreateDataReviewAnnotation{"ellen@example.com", {"a"}};
  const RuleAction phase = RuleActionCreatePhaseAnnotation{{"b"}};
  EXPECT_EQ(rule_action_kind(review), RuleActionKind::kAnnotation);
  EXPECT_EQ(rule_action_kind(phase), RuleActionKind::kAnnotation);
  EXPECT_EQ(rule_action_annotation_kind(review), RuleActionAnnotationKind::kReview);
  EXPECT_EQ(rule_action_annotation_kind(phase), RuleActionAnnotationKind::kPhase);
}

// ---------------------------------------------------------------------------
// Channel references

TEST(RuleChannelReferenceTest, ChannelConfigIsNormalisedToItsFqn) {
  EXPECT_EQ(
      RuleChannelReference::from_config("$1", channel("temperature", ChannelDataType::kDouble)),
      (RuleChannelReference{"$1", "temperature"}));
  EXPECT_EQ(RuleChannelReference::from_config(
                "$2", channel("velocity", ChannelDataType::kDouble, "mainmotor")),
            (RuleChannelReference{"$2", "mainmotor.velocity"}));
  EXPECT_NE(RuleChannelReference::from_config(
                "$2", channel("velocity", ChannelDataType::kDouble, "mainmotor")),
            (RuleChannelReference{"$2", "velocity"}));
}

// Upstream: a channel_config reference is normalised; contextual channels are
// kept in order.
TEST(RuleConfigTest, ReferencesNormalisedAndContextualChannelsKept) {
  RuleConfig draft;
  draft.name = "test_rule";
  draft.description = "test rule with contextual channels";
  draft.expression = "$1 > 10";
  draft.action = RuleActionCreatePhaseAnnotation{};
  draft.channel_references = {
      RuleChannelReference::from_config("$1", channel("temperature", ChannelDataType::kDouble))};
  draft.contextual_channels = {"humidity", "pressure"};

  absl::StatusOr<RuleConfig> rule = RuleConfig::create(draft);
  ASSERT_TRUE(rule.ok()) << rule.status();
  ASSERT_EQ(rule->channel_references.size(), 1u);
  EXPECT_EQ(rule->channel_references[0].channel_reference, "$1");
  EXPECT_EQ(rule->channel_references[0].channel_identifier, "temperature");
  EXPECT_THAT(rule->contextual_channels, ElementsAre("humidity", "pressure"));
  EXPECT_EQ(rule->expression, "$1 > 10");
}

// ---------------------------------------------------------------------------
// Sub-expressions through RuleConfig::create

// Upstream: numeric `$3: 80` is substituted raw, string `$2: "Error"` quoted.
TEST(RuleConfigTest, NumericAndStringSubExpressions) {
  RuleConfig draft;
  draft.name = "log_and_voltage";
  draft.expression = "contains($1, $2) && $4 > $3";
  draft.channel_references = {{"$1", "log"}, {"$4", "voltage"}};
  draft.action = RuleActionCreateDataReviewAnnotation{};
  draft.sub_expressions = {{"$2", std::string("Error")}, {"$3", int64_t{80}}};

  absl::StatusOr<RuleConfig> rule = RuleConfig::create(draft);
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->expression, "contains($1, \"Error\") && $4 > 80");
  EXPECT_TRUE(rule->sub_expressions.empty());
  // The other fields are untouched.
  EXPECT_EQ(rule->name, "log_and_voltage");
  EXPECT_EQ(rule->channel_references.size(), 2u);
}

// Upstream: named placeholders `$mass` and `$threshold` (the kinetic energy
// rule of the reference config).
TEST(RuleConfigTest, NamedPlaceholders) {
  RuleConfig draft;
  draft.name = "kinetic_energy";
  draft.expression = "0.5 * $mass * $1 * $1 > $threshold";
  draft.channel_references = {{"$1", "mainmotor.velocity"}};
  draft.action = RuleActionCreatePhaseAnnotation{};
  draft.sub_expressions = {{"$mass", int64_t{10}}, {"$threshold", int64_t{470}}};

  absl::StatusOr<RuleConfig> rule = RuleConfig::create(draft);
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->expression, "0.5 * 10 * $1 * $1 > 470");
}

TEST(RuleConfigTest, WithoutSubExpressionsTheExpressionIsKept) {
  RuleConfig draft;
  draft.name = "r";
  draft.expression = "$1 > $limit";
  absl::StatusOr<RuleConfig> rule = RuleConfig::create(draft);
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->expression, "$1 > $limit");
}

TEST(RuleConfigTest, MissingPlaceholderFailsNamingRulePlaceholderAndExpression) {
  RuleConfig draft;
  draft.name = "overheat";
  draft.expression = "$1 > $limit";
  draft.sub_expressions = {{"$threshold", 400.0}};
  absl::StatusOr<RuleConfig> rule = RuleConfig::create(draft);
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(rule.status().message());
  EXPECT_THAT(message, HasSubstr("overheat"));
  EXPECT_THAT(message, HasSubstr("$threshold"));
  EXPECT_THAT(message, HasSubstr("$1 > $limit"));
}

TEST(RuleConfigTest, DefaultsMatchSiftPy) {
  RuleConfig rule;
  EXPECT_EQ(rule.description, "");
  EXPECT_EQ(rule.expression, "");
  EXPECT_FALSE(rule.action.has_value());
  EXPECT_FALSE(rule.rule_client_key.has_value());
  EXPECT_TRUE(rule.asset_names.empty());
  EXPECT_TRUE(rule.tag_names.empty());
  EXPECT_TRUE(rule.contextual_channels.empty());
  EXPECT_FALSE(rule.is_external);
  EXPECT_FALSE(rule.is_live_evaluation_enabled);
  EXPECT_FALSE(rule.rule_id.has_value());
}

// ---------------------------------------------------------------------------
// substitute_sub_expressions edge cases

TEST(SubstituteTest, IntegersPrintInDecimal) {
  EXPECT_EQ(substitute("$1 > $x", "$x", int64_t{80}), "$1 > 80");
  EXPECT_EQ(substitute("$1 > $x", "$x", int64_t{-42}), "$1 > -42");
  EXPECT_EQ(substitute("$1 > $x", "$x", int64_t{0}), "$1 > 0");
  EXPECT_EQ(substitute("$1 > $x", "$x", std::numeric_limits<int64_t>::min()),
            "$1 > -9223372036854775808");
}

TEST(SubstituteTest, BooleansAreCelLiterals) {
  EXPECT_EQ(substitute("$1 == $flag", "$flag", true), "$1 == true");
  EXPECT_EQ(substitute("$1 == $flag", "$flag", false), "$1 == false");
}

TEST(SubstituteTest, StringsAreQuotedAndEscaped) {
  EXPECT_EQ(substitute("contains($1, $s)", "$s", std::string("ERROR")), "contains($1, \"ERROR\")");
  EXPECT_EQ(substitute("$1 == $s", "$s", std::string("")), "$1 == \"\"");
  EXPECT_EQ(substitute("$1 == $s", "$s", std::string("say \"hi\"")), "$1 == \"say \\\"hi\\\"\"");
  EXPECT_EQ(substitute("$1 == $s", "$s", std::string("C:\\temp")), "$1 == \"C:\\\\temp\"");
  EXPECT_EQ(substitute("$1 == $s", "$s", std::string("\\\"")), "$1 == \"\\\\\\\"\"");
  // Single quotes need no escaping inside a double-quoted literal.
  EXPECT_EQ(substitute("$1 == $s", "$s", std::string("it's")), "$1 == \"it's\"");
}

// Python repr of floats: shortest round-trip digits, `.0` on integral values,
// exponent form below 1e-4 and from 1e16 up. Expected strings were produced by
// CPython's repr().
TEST(SubstituteTest, DoublesPrintLikePythonRepr) {
  const std::vector<std::pair<double, std::string>> cases = {
      {470.0, "470.0"},
      {470.5, "470.5"},
      {1e16, "1e+16"},
      {1e-5, "1e-05"},
      {0.0001, "0.0001"},
      {0.001, "0.001"},
      {0.5, "0.5"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {9007199254740992.0, "9007199254740992.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1.5e-7, "1.5e-07"},
      {-1e-5, "-1e-05"},
      {1e22, "1e+22"},
      {1e100, "1e+100"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {1.0 / 3.0, "0.3333333333333333"},
      {1.0000000000000002, "1.0000000000000002"},
      {12345.678, "12345.678"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::nan(""), "nan"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(substitute("$v", "$v", value), expected) << "for " << expected;
  }
}

TEST(SubstituteTest, IntegralDoubleVersusInteger) {
  EXPECT_EQ(substitute("$1 > $t", "$t", 470.0), "$1 > 470.0");
  EXPECT_EQ(substitute("$1 > $t", "$t", int64_t{470}), "$1 > 470");
}

// The whole-placeholder rule: `$m` never touches `$mass`.
TEST(SubstituteTest, OnlyWholePlaceholdersAreReplaced) {
  EXPECT_EQ(substitute("$mass * $m", "$m", int64_t{2}), "$mass * 2");
  EXPECT_EQ(substitute("$m * $mass", "$mass", int64_t{3}), "$m * 3");
  EXPECT_EQ(substitute("$1 + $12 + $1_x + $1", "$1", int64_t{7}), "7 + $12 + $1_x + 7");
  EXPECT_EQ(substitute("$mAss + $m", "$m", int64_t{1}), "$mAss + 1");
  // Any non-identifier character ends a placeholder.
  EXPECT_EQ(substitute("($m)+$m.x,$m-$m $m", "$m", int64_t{5}), "(5)+5.x,5-5 5");
}

TEST(SubstituteTest, EveryOccurrenceIsReplaced) {
  EXPECT_EQ(substitute("$a", "$a", int64_t{1}), "1");
  // `$` is not an identifier character, so back-to-back placeholders both match.
  EXPECT_EQ(substitute("$a$a", "$a", int64_t{1}), "11");
  EXPECT_EQ(substitute("$a + $a + $a", "$a", int64_t{1}), "1 + 1 + 1");
}

TEST(SubstituteTest, PlaceholderOnlyInsideLongerOneIsMissing) {
  absl::StatusOr<std::string> result =
      substitute_sub_expressions("$mass > 3", {{"$m", int64_t{1}}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("'$m'"));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("'$mass > 3'"));
}

TEST(SubstituteTest, MissingPlaceholderIsInvalidArgument) {
  absl::StatusOr<std::string> result =
      substitute_sub_expressions("$1 > $limit", {{"$threshold", int64_t{3}}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "Couldn't find '$threshold' in expression '$1 > $limit'.");
}

TEST(SubstituteTest, EntriesApplyInOrder) {
  absl::StatusOr<std::string> result =
      substitute_sub_expressions("$a < $1 && $1 < $b", {{"$b", 2.5}, {"$a", int64_t{-1}}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, "-1 < $1 && $1 < 2.5");

  // A later entry sees the text produced by earlier ones: the second `$x` is
  // gone after the first substitution.
  result = substitute_sub_expressions("$1 > $x", {{"$x", int64_t{1}}, {"$x", int64_t{2}}});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("'$1 > 1'"));
}

TEST(SubstituteTest, ReplacementTextIsNotRescannedForTheSamePlaceholder) {
  EXPECT_EQ(substitute("$a == $1", "$a", std::string("$a")), "\"$a\" == $1");
}

TEST(SubstituteTest, NoEntriesMeansNoChange) {
  absl::StatusOr<std::string> result = substitute_sub_expressions("$1 > $limit", {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, "$1 > $limit");
}

TEST(SubstituteTest, EmptyPlaceholderIsRejected) {
  absl::StatusOr<std::string> result = substitute_sub_expressions("$1 > 2", {{"", int64_t{1}}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// JSON form

// Upstream: the JSON form contains contextual_channel_references with both
// entries. Expected strings match Python's json.dumps(rule.as_json()).
TEST(RuleConfigJsonTest, PhaseRuleWithContextualChannels) {
  RuleConfig rule;
  rule.name = "test_rule";
  rule.description = "test rule with contextual channels";
  rule.expression = "$1 > 10";
  rule.action = RuleActionCreatePhaseAnnotation{};
  rule.channel_references = {
      RuleChannelReference::from_config("$1", channel("temperature", ChannelDataType::kDouble))};
  rule.contextual_channels = {"humidity", "pressure"};

  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            R"({"name": "test_rule", "description": "test rule with contextual channels", )"
            R"("expression": "$1 > 10", "is_external": false, "is_live": false, )"
            R"("expression_channel_references": [{"channel_reference": "$1", )"
            R"("channel_identifier": "temperature"}], )"
            R"("contextual_channel_references": ["humidity", "pressure"], "type": "phase"})");
}

TEST(RuleConfigJsonTest, ReviewRuleWithAssigneeAndTags) {
  RuleConfig rule;
  rule.name = "overheat";
  rule.expression = "$1 > 400 && $2 == \"ON\"";
  rule.is_live_evaluation_enabled = true;
  rule.is_external = true;
  rule.action = RuleActionCreateDataReviewAnnotation{"ellen@example.com", {"nostromo", "thermal"}};
  rule.channel_references = {{"$1", "mainmotor.temperature"}, {"$2", "heater"}};

  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            R"({"name": "overheat", "description": "", "expression": "$1 > 400 && $2 == \"ON\"", )"
            R"("is_external": true, "is_live": true, "expression_channel_references": )"
            R"([{"channel_reference": "$1", "channel_identifier": "mainmotor.temperature"}, )"
            R"({"channel_reference": "$2", "channel_identifier": "heater"}], "type": "review", )"
            R"("assignee": "ellen@example.com", "tags": ["nostromo", "thermal"]})");
}

TEST(RuleConfigJsonTest, ReviewWithoutAssigneeIsNullAndEmptyTagsAreOmitted) {
  RuleConfig rule;
  rule.name = "r";
  rule.expression = "true";
  rule.action = RuleActionCreateDataReviewAnnotation{};

  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            R"({"name": "r", "description": "", "expression": "true", "is_external": false, )"
            R"("is_live": false, "expression_channel_references": [], "type": "review", )"
            R"("assignee": null})");
}

TEST(RuleConfigJsonTest, PhaseWithTagsHasNoAssignee) {
  RuleConfig rule;
  rule.name = "burn";
  rule.expression = "$1 > 0";
  rule.channel_references = {{"$1", "thrust"}};
  rule.action = RuleActionCreatePhaseAnnotation{{"burn"}};

  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            R"({"name": "burn", "description": "", "expression": "$1 > 0", "is_external": false, )"
            R"("is_live": false, "expression_channel_references": [{"channel_reference": "$1", )"
            R"("channel_identifier": "thrust"}], "type": "phase", "tags": ["burn"]})");
  EXPECT_THAT(*json, ::testing::Not(HasSubstr("assignee")));
  EXPECT_THAT(*json, ::testing::Not(HasSubstr("contextual_channel_references")));
}

TEST(RuleConfigJsonTest, StringsAreEscaped) {
  RuleConfig rule;
  rule.name = "quote\" back\\ nl\n tab\t cr\r ctl\x01 bell\b ff\f";
  rule.description = "caf\xc3\xa9";  // UTF-8 passes through
  rule.expression = "x";
  rule.action = RuleActionCreatePhaseAnnotation{};

  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json,
              HasSubstr(R"("name": "quote\" back\\ nl\n tab\t cr\r ctl\u0001 bell\b ff\f")"));
  EXPECT_THAT(*json, HasSubstr("\"description\": \"caf\xc3\xa9\""));
}

TEST(RuleConfigJsonTest, NoActionIsUnsupported) {
  RuleConfig rule;
  rule.name = "r";
  rule.expression = "true";
  absl::StatusOr<std::string> json = rule.as_json();
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(json.status().message()), HasSubstr("Unsupported rule action"));
}

}  // namespace
}  // namespace sift
