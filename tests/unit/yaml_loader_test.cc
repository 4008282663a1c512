// Telemetry config YAML loading (spec section 3; checklist
// "ingestion/config/_telemetry_test.py", "ingestion/config/yaml/test_load.py",
// "yaml/_channel_test.py", "yaml/_rule_test.py"), the bad-file corpus, named
// expression modules and rule modules.
#include "sift/ingestion/config/yaml.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/ingestion/config/telemetry.h"
#include "yaml/loader.h"

namespace sift {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

const fs::path kData = fs::path(SIFT_TEST_DATA_DIR) / "yaml";
const fs::path kExample = fs::path(SIFT_SOURCE_DIR) / "examples" / "telemetry_config";

std::vector<fs::path> expression_modules() {
  return {kData / "expression_modules" / "kinematics.yml",
          kData / "expression_modules" / "string.yml"};
}

std::map<std::string, std::string> named_expressions() {
  return {{"kinetic_energy_gt", "0.5 * $mass * $1 * $1 > $threshold"},
          {"log_substring_contains", "contains($1, $sub_string)"}};
}

std::string message(const absl::Status& status) { return std::string(status.message()); }

std::string first_line(const absl::Status& status) {
  const std::string text = message(status);
  return text.substr(0, text.find('\n'));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<YamlLoadResult> load_text(
    std::string_view text, const std::map<std::string, std::string>& named = named_expressions()) {
  return yaml_internal::load_telemetry_config_text(text, "config.yml", named);
}

// The error of loading `text`, or "" when it loads.
std::string load_error(std::string_view text) {
  absl::StatusOr<YamlLoadResult> result = load_text(text);
  return result.ok() ? "" : first_line(result.status());
}

// A config holding one channel under `channels` and in a flow.
std::string channel_config(std::string_view channel_body) {
  std::string indented;
  std::istringstream lines{std::string(channel_body)};
  for (std::string line; std::getline(lines, line);) indented += "    " + line + "\n";
  return "asset_name: A\nchannels:\n  ch: &ch\n" + indented +
         "flows:\n  - name: f\n    channels:\n      - *ch\n";
}

// A config holding one rule.
std::string rule_config(std::string_view rule_body) {
  std::string indented;
  std::istringstream lines{std::string(rule_body)};
  bool first = true;
  for (std::string line; std::getline(lines, line);) {
    indented += (first ? "  - " : "    ") + line + "\n";
    first = false;
  }
  return "asset_name: A\nchannels:\n  v: &v\n    name: velocity\n    data_type: double\n"
         "rules:\n" +
         indented;
}

const FlowConfig& flow_named(const TelemetryConfig& config, std::string_view name) {
  const FlowConfig* flow = config.find_flow(name);
  EXPECT_NE(flow, nullptr) << name;
  static const FlowConfig kEmpty;
  return flow == nullptr ? kEmpty : *flow;
}

const RuleConfig& rule_named(const TelemetryConfig& config, std::string_view name) {
  for (const RuleConfig& rule : config.rules) {
    if (rule.name == name) return rule;
  }
  ADD_FAILURE() << "no rule " << name;
  static const RuleConfig kEmpty;
  return kEmpty;
}

// --- The reference config -------------------------------------------------

class ReferenceConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<YamlLoadResult> loaded = load_telemetry_config_yaml(
        kExample / "nostromo_lv_426.yml", {kExample / "expression_modules" / "kinematics.yml",
                                           kExample / "expression_modules" / "string.yml"});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    result_ = *std::move(loaded);
  }
  YamlLoadResult result_;
};

TEST_F(ReferenceConfigTest, AssetAndGeneratedKey) {
  const TelemetryConfig& config = result_.config;
  EXPECT_EQ(config.asset_name, "NostromoLV426");
  EXPECT_FALSE(config.organization_id.has_value());
  // sift_py's key for this schema (SHA-256 over asset, flows and channels).
  EXPECT_EQ(config.ingestion_client_key,
            "64c14a06e510bef6963dcacf389a532fe181dd1c3fdbc6c3dccf6a3847b3add1");
  EXPECT_TRUE(config.ingestion_client_key_is_generated);
}

TEST_F(ReferenceConfigTest, FlowsInFileOrder) {
  const TelemetryConfig& config = result_.config;
  ASSERT_THAT(config.flows, SizeIs(4));
  EXPECT_EQ(config.flows[0].name, "readings");
  EXPECT_EQ(config.flows[1].name, "voltage");
  EXPECT_EQ(config.flows[2].name, "gpio_channel");
  EXPECT_EQ(config.flows[3].name, "logs");
  EXPECT_THAT(config.flows[0].channels, SizeIs(4));
  EXPECT_THAT(config.flows[1].channels, SizeIs(1));
  EXPECT_THAT(config.flows[2].channels, SizeIs(1));
  EXPECT_THAT(config.flows[3].channels, SizeIs(1));
  std::vector<std::string> readings;
  for (const ChannelConfig& channel : config.flows[0].channels) readings.push_back(channel.fqn());
  EXPECT_THAT(readings, ElementsAre("mainmotor.velocity", "voltage", "vehicle_state", "gpio"));
}

TEST_F(ReferenceConfigTest, ComponentFoldedIntoNameWithAWarning) {
  const ChannelConfig& velocity = result_.config.flows[0].channels[0];
  EXPECT_EQ(velocity.name, "mainmotor.velocity");
  EXPECT_FALSE(velocity.component.has_value());
  EXPECT_EQ(velocity.data_type, ChannelDataType::kDouble);
  EXPECT_EQ(velocity.unit, "Miles Per Hour");
  EXPECT_EQ(velocity.description, "speed");
  // One warning for the one `component` key, however often it is merged.
  ASSERT_THAT(result_.warnings, SizeIs(1));
  EXPECT_THAT(result_.warnings[0],
              StartsWith((kExample / "nostromo_lv_426.yml").string() +
                         ":26:5: channels.velocity_channel.component: 'component' is deprecated"));
  EXPECT_THAT(result_.warnings[0], HasSubstr("'mainmotor.velocity'"));
}

TEST_F(ReferenceConfigTest, ChannelDetails) {
  const FlowConfig& readings = result_.config.flows[0];
  const ChannelConfig& voltage = readings.channels[1];
  EXPECT_EQ(voltage.name, "voltage");
  EXPECT_EQ(voltage.data_type, ChannelDataType::kInt32);
  EXPECT_EQ(voltage.unit, "Volts");
  EXPECT_EQ(voltage.description, "voltage at source");

  const ChannelConfig& state = readings.channels[2];
  EXPECT_EQ(state.data_type, ChannelDataType::kEnum);
  EXPECT_FALSE(state.unit.has_value());
  EXPECT_THAT(state.enum_types, ElementsAre(ChannelEnumType{"Accelerating", 0, std::nullopt},
                                            ChannelEnumType{"Decelerating", 1, std::nullopt},
                                            ChannelEnumType{"Stopped", 2, std::nullopt}));
  EXPECT_THAT(state.bit_field_elements, IsEmpty());

  const ChannelConfig& gpio = readings.channels[3];
  EXPECT_EQ(gpio.data_type, ChannelDataType::kBitField);
  EXPECT_EQ(gpio.description, "on/off values for pins on gpio");
  EXPECT_THAT(
      gpio.bit_field_elements,
      ElementsAre(ChannelBitFieldElement{"12v", 0, 1}, ChannelBitFieldElement{"charge", 1, 2},
                  ChannelBitFieldElement{"led", 3, 4}, ChannelBitFieldElement{"heater", 7, 1}));
  EXPECT_THAT(gpio.enum_types, IsEmpty());

  // Aliased channels are equal wherever they are used.
  EXPECT_EQ(flow_named(result_.config, "gpio_channel").channels[0], gpio);
  EXPECT_EQ(flow_named(result_.config, "voltage").channels[0], voltage);
  const ChannelConfig& log = flow_named(result_.config, "logs").channels[0];
  EXPECT_EQ(log.name, "log");
  EXPECT_EQ(log.data_type, ChannelDataType::kString);
}

TEST_F(ReferenceConfigTest, RulesAfterSubstitution) {
  const TelemetryConfig& config = result_.config;
  ASSERT_THAT(config.rules, SizeIs(4));

  const RuleConfig& overheating = config.rules[0];
  EXPECT_EQ(overheating.name, "overheating");
  EXPECT_EQ(overheating.expression, "$1 == \"Accelerating\" && $2 > 80");  // inline: unchanged
  EXPECT_EQ(overheating.rule_client_key, "nostromo-overheating");
  EXPECT_EQ(overheating.description, "Checks for vehicle overheating");
  EXPECT_THAT(overheating.channel_references,
              ElementsAre(RuleChannelReference{"$1", "vehicle_state"},
                          RuleChannelReference{"$2", "voltage"}));
  ASSERT_TRUE(overheating.action.has_value());
  EXPECT_EQ(*overheating.action, RuleAction(RuleActionCreateDataReviewAnnotation{
                                     "ellen.ripley@weylandcorp.com", {"warning", "nostromo"}}));

  const RuleConfig& speeding = config.rules[1];
  EXPECT_EQ(speeding.expression, "$1 > 20");
  EXPECT_THAT(speeding.channel_references,
              ElementsAre(RuleChannelReference{"$1", "mainmotor.velocity"}));
  ASSERT_TRUE(speeding.action.has_value());
  EXPECT_EQ(*speeding.action, RuleAction(RuleActionCreatePhaseAnnotation{}));

  // A string sub-expression is inserted double-quoted ...
  EXPECT_EQ(config.rules[2].expression, "contains($1, \"ERROR\")");
  EXPECT_THAT(config.rules[2].sub_expressions, IsEmpty());
  // ... numbers raw.
  EXPECT_EQ(config.rules[3].name, "kinetic_energy");
  EXPECT_EQ(config.rules[3].expression, "0.5 * 10 * $1 * $1 > 470");
  EXPECT_EQ(*config.rules[3].action, RuleAction(RuleActionCreateDataReviewAnnotation{
                                         "ellen.ripley@weylandcorp.com", {"nostromo"}}));
}

TEST_F(ReferenceConfigTest, TryFromYamlMatches) {
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::try_from_yaml(
      kExample / "nostromo_lv_426.yml", {kExample / "expression_modules" / "kinematics.yml",
                                         kExample / "expression_modules" / "string.yml"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ingestion_client_key, result_.config.ingestion_client_key);
  EXPECT_EQ(config->flows, result_.config.flows);
  EXPECT_THAT(config->rules, SizeIs(4));
}

TEST(YamlLoaderTest, ReferenceWithoutModulesCannotFindNamedExpressions) {
  absl::StatusOr<TelemetryConfig> config =
      TelemetryConfig::try_from_yaml(kExample / "nostromo_lv_426.yml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message(config.status()), HasSubstr("could not be found"));
  EXPECT_THAT(message(config.status()), HasSubstr("'log_substring_contains'"));
  EXPECT_THAT(message(config.status()), HasSubstr("rules[2].expression.name"));
}

TEST(YamlLoaderTest, UpstreamReferenceConfig) {
  absl::StatusOr<YamlLoadResult> loaded =
      load_telemetry_config_yaml(kData / "good" / "reference.yml", expression_modules());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TelemetryConfig& config = loaded->config;
  EXPECT_EQ(config.asset_name, "LunarVehicle426");
  EXPECT_EQ(config.ingestion_client_key, "lunar_vehicle_426");
  EXPECT_FALSE(config.ingestion_client_key_is_generated);
  ASSERT_THAT(config.flows, SizeIs(3));
  EXPECT_THAT(config.flows[0].channels, SizeIs(4));
  EXPECT_THAT(config.flows[1].channels, SizeIs(2));
  EXPECT_THAT(config.flows[2].channels, SizeIs(1));
  EXPECT_EQ(config.flows[1].channels[1].unit, "vehicle state");
  EXPECT_THAT(loaded->warnings, SizeIs(1));
  EXPECT_EQ(config.rules[2].expression, "contains($1, \"ERROR\")");
  EXPECT_EQ(config.rules[3].expression, "0.5 * 10 * $1 * $1 > 470");
  EXPECT_EQ(*config.rules[2].action, RuleAction(RuleActionCreateDataReviewAnnotation{
                                         "homer@example.com", {"foo", "bar", "baz"}}));
  EXPECT_FALSE(config.rules[0].rule_client_key.has_value());
}

TEST(YamlLoaderTest, SchemaChangesChangeTheGeneratedKey) {
  const std::string base = read_file(kExample / "nostromo_lv_426.yml");
  absl::StatusOr<YamlLoadResult> original = load_text(base);
  ASSERT_TRUE(original.ok()) << original.status();
  std::string changed = base;
  changed.replace(changed.find("unit: Volts"), 11, "unit: mV");
  absl::StatusOr<YamlLoadResult> modified = load_text(changed);
  ASSERT_TRUE(modified.ok()) << modified.status();
  EXPECT_NE(original->config.ingestion_client_key, modified->config.ingestion_client_key);
  EXPECT_EQ(original->config.ingestion_client_key, original->config.hash());
}

// --- Errors: format and checklist ------------------------------------------

TEST(YamlLoaderTest, ErrorFormatFileLineColumnKeyPath) {
  absl::StatusOr<YamlLoadResult> result = load_telemetry_config_yaml(
      kData / "bad" / "flow_channel_bad_data_type.yml", expression_modules());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(first_line(result.status()),
            (kData / "bad" / "flow_channel_bad_data_type.yml").string() +
                ":11:20: flows[0].channels[1].data_type: flow 'readings' holds an invalid channel "
                "reference: Expected 'data_type' to be <double | string | enum | bit_field | bool "
                "| float | int32 | uint32 | int64 | uint64 | bytes> but it is <str>");
}

TEST(YamlLoaderTest, MissingFileIsNotFound) {
  absl::StatusOr<YamlLoadResult> result = load_telemetry_config_yaml(kData / "nope.yml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(message(result.status()), HasSubstr("nope.yml"));
}

// test_load.py
TEST(YamlLoaderTest, FlowWithValidChannel) {
  EXPECT_EQ(load_error(channel_config("name: velocity\ndata_type: double\nunit: m/s")), "");
  EXPECT_EQ(load_error(channel_config("name: velocity\ndata_type: dubble")),
            "config.yml:5:16: channels.ch.data_type: Expected 'data_type' to be <double | string "
            "| enum | bit_field | bool | float | int32 | uint32 | int64 | uint64 | bytes> but it "
            "is <str>");
}

// _channel_test.py
TEST(YamlChannelTest, ChannelMapKeysMustBeStrings) {
  EXPECT_THAT(load_error("asset_name: A\nchannels:\n  5:\n    name: v\n    data_type: double\n"),
              HasSubstr("to be <str> but it is <int>"));
}

TEST(YamlChannelTest, EnumTypes) {
  EXPECT_EQ(load_error(
                channel_config("name: s\ndata_type: enum\nenum_types:\n  - name: a\n    key: 0\n")),
            "");
  EXPECT_THAT(
      load_error(
          channel_config("name: s\ndata_type: enum\nenum_types:\n  - name: a\n    key: \"0\"\n")),
      HasSubstr("channels.ch.enum_types[0].key: Expected 'key' to be <int> but it is <str>"));
  EXPECT_THAT(load_error(channel_config(
                  "name: s\ndata_type: enum\nenum_types:\n  - name: 1\n    key: 0\n")),
              HasSubstr("Expected 'name' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(channel_config("name: s\ndata_type: enum\n")),
              HasSubstr("Expected 'enum_types' to be <List[ChannelEnumTypeYamlSpec]> but it is "
                        "<NoneType>"));
}

TEST(YamlChannelTest, BitFieldElements) {
  const std::string ok =
      "name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
      "  - name: 12v\n    index: 0\n    bit_count: 1\n";
  EXPECT_EQ(load_error(channel_config(ok)), "");
  EXPECT_THAT(load_error(channel_config("name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
                                        "  - name: 12\n    index: 0\n    bit_count: 1\n")),
              HasSubstr("Expected 'name' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(channel_config("name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
                                        "  - name: a\n    index: '0'\n    bit_count: 1\n")),
              HasSubstr("Expected 'index' to be <int> but it is <str>"));
  EXPECT_THAT(load_error(channel_config("name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
                                        "  - name: a\n    index: 0\n    bit_count: '1'\n")),
              HasSubstr("Expected 'bit_count' to be <int> but it is <str>"));
  // sift_py would name the type of `name` here; we name the offending value's.
  EXPECT_THAT(load_error(channel_config("name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
                                        "  - name: a\n    index: [0]\n    bit_count: 1\n")),
              HasSubstr("Expected 'index' to be <int> but it is <list>"));
  EXPECT_THAT(load_error(channel_config("name: gpio\ndata_type: bit_field\nbit_field_elements:\n"
                                        "  - name: a\n    index: 0\n    bit_count: -1\n")),
              HasSubstr("Expected 'bit_count' to fit in uint32 but it is -1"));
}

TEST(YamlChannelTest, ScalarFields) {
  EXPECT_THAT(load_error(channel_config("name: v\ndata_type: double\ndescription: 42")),
              HasSubstr("Expected 'description' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(channel_config("name: v\ndata_type: double\nunit: [m]")),
              HasSubstr("Expected 'unit' to be <str> but it is <list>"));
  EXPECT_THAT(load_error(channel_config("name: 12\ndata_type: double")),
              HasSubstr("Expected 'name' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(channel_config("data_type: double")),
              HasSubstr("Expected 'name' to be <str> but it is <NoneType>"));
  // API names are not accepted in YAML.
  EXPECT_THAT(load_error(channel_config("name: v\ndata_type: CHANNEL_DATA_TYPE_DOUBLE")),
              HasSubstr("Expected 'data_type'"));
  // Every short name is.
  for (const char* type :
       {"double", "string", "bool", "float", "int32", "uint32", "int64", "uint64", "bytes"}) {
    EXPECT_EQ(load_error(channel_config(std::string("name: v\ndata_type: ") + type)), "") << type;
  }
}

TEST(YamlChannelTest, ComponentWarnsBeforeItsTypeIsChecked) {
  absl::StatusOr<yaml_internal::NodePtr> root = yaml_internal::parse_yaml(
      channel_config("name: v\ndata_type: double\ncomponent: {a: b}"), "config.yml");
  ASSERT_TRUE(root.ok());
  std::vector<std::string> warnings;
  yaml_internal::SchemaReader reader("config.yml", &warnings);
  absl::StatusOr<yaml_internal::TelemetryDraft> draft = reader.read_telemetry_config(**root);
  ASSERT_FALSE(draft.ok());
  EXPECT_THAT(
      message(draft.status()),
      HasSubstr("channels.ch.component: Expected 'component' to be <str> but it is <dict>"));
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("'component' is deprecated"));
}

TEST(YamlChannelTest, EmptyComponentIsNoComponent) {
  absl::StatusOr<YamlLoadResult> result =
      load_text(channel_config("name: v\ndata_type: double\ncomponent: ''"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->config.flows[0].channels[0].name, "v");
  EXPECT_THAT(result->warnings, SizeIs(1));  // presence is what sift_py warns about
  absl::StatusOr<YamlLoadResult> null_component =
      load_text(channel_config("name: v\ndata_type: double\ncomponent:"));
  ASSERT_TRUE(null_component.ok());
  EXPECT_THAT(null_component->warnings, IsEmpty());
}

TEST(YamlChannelTest, DataTypeSpecificKeys) {
  EXPECT_THAT(load_error(channel_config("name: v\ndata_type: double\nbit_field_elements:\n"
                                        "  - name: a\n    index: 0\n    bit_count: 1\n")),
              HasSubstr("should not have 'bit_field_elements' set"));
  EXPECT_THAT(load_error(channel_config(
                  "name: v\ndata_type: double\nenum_types:\n  - name: a\n    key: 0\n")),
              HasSubstr("should not have 'enum_types' set"));
  EXPECT_THAT(load_error(channel_config("name: v\ndata_type: enum\nenum_types: []\n"
                                        "bit_field_elements: []\n")),
              HasSubstr("should not have 'bit_field_elements' set"));
  // A null value counts as absent, as sift_py's `is not None`.
  EXPECT_EQ(load_error(channel_config("name: v\ndata_type: double\nenum_types:\n")), "");
}

TEST(YamlChannelTest, BoolIsAcceptedAsIntLikePython) {
  absl::StatusOr<YamlLoadResult> result = load_text(
      channel_config("name: s\ndata_type: enum\nenum_types:\n  - name: off\n    key: false\n"
                     "  - name: on\n    key: yes\n"));
  // `name: off` is a bool, not a string: rejected.
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(message(result.status()), HasSubstr("Expected 'name' to be <str> but it is <bool>"));
  result = load_text(
      channel_config("name: s\ndata_type: enum\nenum_types:\n  - name: 'off'\n    key: false\n"
                     "  - name: 'on'\n    key: yes\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      result->config.flows[0].channels[0].enum_types,
      ElementsAre(ChannelEnumType{"off", 0, std::nullopt}, ChannelEnumType{"on", 1, std::nullopt}));
}

TEST(YamlChannelTest, Yaml11IntegersInTheGoodCorpus) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "yaml11_values.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  const ChannelConfig& state = result->config.flows[0].channels[0];
  std::vector<uint32_t> keys;
  for (const ChannelEnumType& t : state.enum_types) keys.push_back(t.key);
  EXPECT_THAT(keys, ElementsAre(0, 8, 16, 5, 1000, 90, 1, 7));
  EXPECT_EQ(state.enum_types[7].name, "yes");
  const ChannelConfig& bits = result->config.flows[0].channels[1];
  EXPECT_EQ(bits.bit_field_elements[0].name, "12v");
  EXPECT_EQ(bits.bit_field_elements[1].name, "1e3");
  EXPECT_EQ(bits.bit_field_elements[2].name, "1e3");  // 1e3 is a string in YAML 1.1
}

// _rule_test.py
TEST(YamlRuleTest, SubExpressionKeys) {
  for (const char* key : {"$mass", "$m", "$_x", "$Mass_Two"}) {
    const std::string text = rule_config(std::string("name: r\nexpression: $1 > ") + key +
                                         "\ntype: review\nchannel_references:\n  - $1: *v\n"
                                         "sub_expressions:\n  - " +
                                         key + ": 10\n");
    EXPECT_EQ(load_error(text), "") << key;
  }
  for (const char* key : {"mass", "'$!mass'", "$$mass", "$mass2", "$", "1"}) {
    const std::string text = rule_config(
        std::string("name: r\nexpression: $1 > 1\ntype: review\nsub_expressions:\n  - ") + key +
        ": 10\n");
    EXPECT_THAT(load_error(text), HasSubstr("Invalid sub-expression key")) << key;
  }
}

TEST(YamlRuleTest, FullValidRule) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "full_rule.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(result->config.rules, SizeIs(1));
  const RuleConfig& rule = result->config.rules[0];
  EXPECT_EQ(rule.name, "undervoltage");
  EXPECT_EQ(rule.rule_client_key, "undervoltage-key");
  EXPECT_EQ(rule.description, "Voltage below the limit");
  EXPECT_EQ(rule.expression, "$1 < 11 && $2 == \"Stopped\"");
  EXPECT_THAT(rule.channel_references, ElementsAre(RuleChannelReference{"$1", "voltage"},
                                                   RuleChannelReference{"$2", "vehicle_state"}));
  EXPECT_THAT(rule.contextual_channels, ElementsAre("gpio", "log"));
  EXPECT_THAT(rule.asset_names, ElementsAre("NostromoLV426", "Sulaco"));
  EXPECT_THAT(rule.tag_names, ElementsAre("lv426"));
  EXPECT_FALSE(rule.is_external);
  EXPECT_TRUE(rule.is_live_evaluation_enabled);
  EXPECT_EQ(*rule.action, RuleAction(RuleActionCreateDataReviewAnnotation{
                              "ellen.ripley@weylandcorp.com", {"power", "nostromo"}}));
}

TEST(YamlRuleTest, FieldChecks) {
  EXPECT_THAT(load_error(rule_config("name: 1\nexpression: $1 > 1\ntype: review")),
              HasSubstr("rules[0].name: Expected 'name' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(rule_config("name: r\ndescription: 1\nexpression: $1 > 1\ntype: review")),
              HasSubstr("Expected 'description' to be <str> but it is <int>"));
  const std::string int_expression =
      load_error(rule_config("name: r\nexpression: 1\ntype: review"));
  EXPECT_THAT(int_expression, HasSubstr("Expected 'expression' to be <<class 'str'> | <class "
                                        "'dict'>> but it is <int>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: alarm")),
              HasSubstr("Expected 'type' to be <review | phase> but it is <str>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\ntags: a")),
              HasSubstr("Expected 'tags' to be <List[str]> but it is <str>"));
  EXPECT_THAT(
      load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\nchannel_references:\n"
                             "  - $foo: *v\n")),
      HasSubstr("rules[0].channel_references[0].$foo: Invalid channel reference key"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\nasset_names: a")),
              HasSubstr("Expected 'asset_names' to be <List[str]> but it is <str>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\ntag_names: 1")),
              HasSubstr("Expected 'tag_names' to be <List[str]> but it is <int>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\n"
                                     "contextual_channels: [1]")),
              HasSubstr("Expected 'contextual_channels[0]' to be <str> but it is <int>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: {name: 5}\ntype: review")),
              HasSubstr("rules[0].expression.name: Expected 'name' to be <str> but it is <int>"));
}

TEST(YamlRuleTest, PhaseRuleIgnoresAssignee) {
  absl::StatusOr<YamlLoadResult> result =
      load_text(rule_config("name: r\nexpression: $1 > 1\ntype: phase\nassignee: a@b.c\ntags: [x]\n"
                            "channel_references:\n  - $1: *v\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result->config.rules[0].action, RuleAction(RuleActionCreatePhaseAnnotation{{"x"}}));
}

TEST(YamlRuleTest, ChannelReferenceForms) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "string_channel_reference.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->config.rules[0].channel_references,
              ElementsAre(RuleChannelReference{"$1", "mainmotor.velocity"},
                          RuleChannelReference{"$2", "voltage"}));
  // A channel map with a component references its fully qualified name.
  result =
      load_text(rule_config("name: r\nexpression: $1 > 1\ntype: review\nchannel_references:\n"
                            "  - $1: {name: velocity, component: mainmotor, data_type: double}\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->config.rules[0].channel_references,
              ElementsAre(RuleChannelReference{"$1", "mainmotor.velocity"}));
  EXPECT_THAT(result->warnings, SizeIs(1));
  // An invalid channel map names the rule and the reference.
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $1 > 1\ntype: review\n"
                                     "channel_references:\n  - $1: {name: velocity}\n")),
              HasSubstr("rules[0].channel_references[0].$1.data_type: rule 'r' holds an invalid "
                        "channel reference '$1': Expected 'data_type'"));
}

TEST(YamlRuleTest, SubExpressionValues) {
  absl::StatusOr<YamlLoadResult> result = load_text(rule_config(
      "name: r\nexpression: $a + $b > $e && $c && $d != ''\ntype: review\nsub_expressions:\n"
      "  - $a: 10\n  - $b: 2.5\n  - $c: yes\n  - $d: 'say \"hi\"'\n  - $e: 1_000\n"
      "  - $a: 11\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  // Later duplicates win; strings are CEL literals; bools are CEL booleans.
  EXPECT_EQ(result->config.rules[0].expression,
            "11 + 2.5 > 1000 && true && \"say \\\"hi\\\"\" != ''");
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $a\ntype: review\nsub_expressions:\n"
                                     "  - $a: [1]\n")),
              HasSubstr("Expected '$a' to be <str | int | float | bool> but it is <list>"));
  EXPECT_THAT(load_error(rule_config("name: r\nexpression: $a\ntype: review\nsub_expressions:\n"
                                     "  - $a: 2024-07-04\n")),
              HasSubstr("but it is <date>"));
}

TEST(YamlRuleTest, SubExpressionsApplyToInlineExpressions) {
  // sift_py's telemetry loader ignores them for inline expressions; its rule
  // service and RuleConfig apply them, and so do we.
  absl::StatusOr<YamlLoadResult> result =
      load_text(rule_config("name: r\nexpression: $1 > $limit\ntype: review\nsub_expressions:\n"
                            "  - $limit: 3\nchannel_references:\n  - $1: *v\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->config.rules[0].expression, "$1 > 3");
}

TEST(YamlRuleTest, SubExpressionsWithoutChannelReferences) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "sub_expressions_without_channel_references.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->config.rules[0].expression, "12.5 > 10 && true");
}

TEST(YamlRuleTest, NamedExpressionNotFound) {
  const std::string text = rule_config("name: r\nexpression:\n  name: nope\ntype: review\n");
  EXPECT_THAT(load_error(text),
              HasSubstr("Named expression 'nope' of rule 'r' could not be found"));
  absl::StatusOr<YamlLoadResult> without = load_text(text, {});
  ASSERT_FALSE(without.ok());
  EXPECT_THAT(message(without.status()), HasSubstr("no named expression modules were given"));
}

// _telemetry_test.py validation, located.
TEST(YamlLoaderTest, DuplicatesAreLocated) {
  const std::string channels =
      "asset_name: A\nchannels:\n  v: &v\n    name: v\n    data_type: double\n";
  EXPECT_EQ(load_error(channels + "flows:\n  - name: f\n    channels:\n      - <<: *v\n"
                                  "      - <<: *v\n"),
            "config.yml:10:9: flows[0].channels[1]: Can't have two identical channels, 'v', in "
            "flow 'f'.");
  EXPECT_EQ(load_error(channels + "flows:\n  - name: f\n    channels:\n      - *v\n      - *v\n"),
            "config.yml:10:9: flows[0].channels[1]: Can't have two identical channels, 'v', in "
            "flow 'f'.");
  EXPECT_EQ(load_error(channels + "flows:\n  - name: f\n  - name: g\n  - name: f\n"),
            "config.yml:9:5: flows[2]: Can't have two flows with the same name, 'f'.");
  EXPECT_EQ(load_error(channels + "rules:\n  - name: r\n    expression: x\n    type: phase\n"
                                  "  - name: r\n    expression: y\n    type: phase\n"),
            "config.yml:10:5: rules[1]: Can't have two rules with identical names, 'r'.");
  // Same channel in two flows is fine.
  EXPECT_EQ(load_error(channels + "flows:\n  - name: f\n    channels: [*v]\n"
                                  "  - name: g\n    channels: [*v]\n"),
            "");
}

TEST(YamlLoaderTest, EmptyFlows) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "flow_without_channels.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(result->config.flows, SizeIs(3));
  for (const FlowConfig& flow : result->config.flows) EXPECT_THAT(flow.channels, IsEmpty());
}

TEST(YamlLoaderTest, MergeKeysInFlows) {
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "merge_keys.yml");
  ASSERT_TRUE(result.ok()) << result.status();
  const std::vector<ChannelConfig>& channels = result->config.flows[0].channels;
  ASSERT_THAT(channels, SizeIs(5));
  EXPECT_EQ(channels[0].name, "base");
  EXPECT_EQ(channels[0].unit, "explicit");  // explicit beats merged
  EXPECT_EQ(channels[1].name, "listed");
  EXPECT_EQ(channels[1].data_type, ChannelDataType::kDouble);  // earlier map in the list wins
  EXPECT_EQ(channels[1].unit, "m");
  EXPECT_EQ(channels[2].name, "twice");
  EXPECT_EQ(channels[2].data_type, ChannelDataType::kFloat);  // the later `<<` wins
  EXPECT_EQ(channels[3].name, "dup");                         // duplicate key: last wins
  EXPECT_EQ(channels[4].name, "other");
  EXPECT_EQ(channels[4].description, "from other");
}

TEST(YamlLoaderTest, TopLevelOptionalKeys) {
  absl::StatusOr<YamlLoadResult> result =
      load_text("asset_name: A\ningestion_client_key: k\norganization_id: org\nunknown: 1\n");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->config.ingestion_client_key, "k");
  EXPECT_EQ(result->config.organization_id, "org");
  EXPECT_THAT(result->config.flows, IsEmpty());
  EXPECT_THAT(result->config.rules, IsEmpty());
}

// --- Corpora ----------------------------------------------------------------

std::vector<fs::path> files_in(const fs::path& dir, std::string_view extension) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(YamlCorpusTest, EveryBadFileFailsWithItsExpectedFirstLine) {
  const std::vector<fs::path> files = files_in(kData / "bad", ".yml");
  ASSERT_GE(files.size(), 30u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    fs::path expected_path = file;
    expected_path.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_path)) << "add " << expected_path.filename();
    std::string expected = read_file(expected_path);
    expected = expected.substr(0, expected.find('\n'));
    const std::string placeholder = "{file}";
    const std::size_t at = expected.find(placeholder);
    if (at != std::string::npos) expected.replace(at, placeholder.size(), file.string());

    absl::StatusOr<YamlLoadResult> result;
    EXPECT_NO_THROW(result = load_telemetry_config_yaml(file, expression_modules()));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(first_line(result.status()), expected);
  }
}

TEST(YamlCorpusTest, EveryExpectedFileHasABadFile) {
  for (const fs::path& expected : files_in(kData / "bad", ".expected")) {
    fs::path yml = expected;
    yml.replace_extension(".yml");
    EXPECT_TRUE(fs::exists(yml)) << expected;
  }
}

TEST(YamlCorpusTest, EveryGoodFileLoads) {
  const std::vector<fs::path> files = files_in(kData / "good", ".yml");
  ASSERT_FALSE(files.empty());
  for (const fs::path& file : files) {
    absl::StatusOr<YamlLoadResult> result = load_telemetry_config_yaml(file, expression_modules());
    EXPECT_TRUE(result.ok()) << file << ": " << result.status();
  }
}

TEST(YamlCorpusTest, MutatedConfigsNeverThrow) {
  const std::string base = read_file(kExample / "nostromo_lv_426.yml");
  std::mt19937 rng(42);
  const std::string alphabet = "ab1 :-[]{},&*!|>'\"\n#<~.$";
  int failures = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        default:
          text.insert(pos, 1, static_cast<char>(rng() % 256));
      }
    }
    EXPECT_NO_THROW({
      absl::StatusOr<YamlLoadResult> result = load_text(text);
      if (!result.ok()) {
        ++failures;
        EXPECT_THAT(message(result.status()), StartsWith("config.yml")) << text;
      }
    });
  }
  EXPECT_GT(failures, 0);
}

// --- Named expression modules ----------------------------------------------

TEST(YamlModulesTest, NamedExpressionModulesMerge) {
  absl::StatusOr<std::map<std::string, std::string>> named =
      load_named_expression_modules(expression_modules());
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->size(), 3u);
  EXPECT_EQ(named->at("kinetic_energy_gt"), "0.5 * $mass * $1 * $1 > $threshold");
  EXPECT_EQ(named->at("rod_torque_gt"), "(1 / 12) * $mass * $rod_length * $rod_length * $1");
  EXPECT_EQ(named->at("log_substring_contains"), "contains($1, $sub_string)");
  EXPECT_TRUE(load_named_expression_modules({})->empty());
}

TEST(YamlModulesTest, IdenticalNamesAcrossModules) {
  std::vector<fs::path> modules = expression_modules();
  modules.push_back(kData / "modules_bad" / "collision.yml");
  absl::StatusOr<std::map<std::string, std::string>> named = load_named_expression_modules(modules);
  ASSERT_FALSE(named.ok());
  EXPECT_THAT(
      message(named.status()),
      StartsWith((kData / "modules_bad" / "collision.yml").string() + ":2:1: kinetic_energy_gt: "));
  EXPECT_THAT(message(named.status()), HasSubstr("identical names"));
  EXPECT_THAT(message(named.status()), HasSubstr("kinematics.yml:1:1"));
}

TEST(YamlModulesTest, NonStringKeysAndValues) {
  absl::StatusOr<std::map<std::string, std::string>> named =
      load_named_expression_modules({kData / "modules_bad" / "int_value.yml"});
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(message(named.status()),
            (kData / "modules_bad" / "int_value.yml").string() +
                ":1:14: speed_limit: Expected 'speed_limit' to be <str> but it is <int>");
  named = load_named_expression_modules({kData / "modules_bad" / "int_key.yml"});
  ASSERT_FALSE(named.ok());
  EXPECT_THAT(message(named.status()), HasSubstr("int_key.yml:1:1: 1: Expected named expression "
                                                 "name '1' to be <str> but it is <int>"));
  named = load_named_expression_modules({kData / "modules_bad" / "list.yml"});
  ASSERT_FALSE(named.ok());
  EXPECT_THAT(message(named.status()),
              HasSubstr("Expected the top level to be <Dict[str, str]> but it is <list>"));
}

TEST(YamlModulesTest, MissingModuleFile) {
  absl::StatusOr<std::map<std::string, std::string>> named =
      load_named_expression_modules({kData / "expression_modules" / "missing.yml"});
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(message(named.status()), HasSubstr("missing.yml"));
  // Directories are not expression modules.
  named = load_named_expression_modules({kData / "expression_modules"});
  ASSERT_FALSE(named.ok());
  // A telemetry config with a missing module fails the same way.
  absl::StatusOr<YamlLoadResult> config = load_telemetry_config_yaml(
      kData / "good" / "reference.yml", {kData / "expression_modules" / "missing.yml"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

TEST(YamlModulesTest, ConfigErrorsComeBeforeModuleErrors) {
  // sift_py validates the file before it reads any module.
  absl::StatusOr<YamlLoadResult> config = load_telemetry_config_yaml(
      kData / "bad" / "int_asset_name.yml", {kData / "expression_modules" / "missing.yml"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(message(config.status()), HasSubstr("Expected 'asset_name'"));
}

// --- Rule modules -----------------------------------------------------------

class RuleModulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Per process and test: ctest runs tests of several build trees at once.
    dir_ = fs::path(::testing::TempDir()) /
           ("sift_rule_modules_" + std::to_string(::getpid()) + "_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

TEST_F(RuleModulesTest, DirectoryWalkedInSortedOrder) {
  absl::StatusOr<std::vector<RuleConfig>> rules =
      load_rule_modules({kData / "rule_modules"}, named_expressions());
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_THAT(*rules, SizeIs(3));
  EXPECT_EQ((*rules)[0].name, "a_voltage_low");
  EXPECT_EQ((*rules)[1].name, "b_energy");
  EXPECT_EQ((*rules)[2].name, "z_log_error");

  // The rule service's fields are read.
  const RuleConfig& a = (*rules)[0];
  EXPECT_EQ(a.rule_client_key, "a-voltage-low");
  EXPECT_EQ(a.description, "low voltage");
  EXPECT_THAT(a.channel_references, ElementsAre(RuleChannelReference{"$1", "voltage"}));
  EXPECT_THAT(a.asset_names, ElementsAre("NostromoLV426"));
  EXPECT_THAT(a.tag_names, ElementsAre("lv426"));
  EXPECT_THAT(a.contextual_channels, ElementsAre("log"));
  EXPECT_TRUE(a.is_live_evaluation_enabled);
  EXPECT_EQ(*a.action,
            RuleAction(RuleActionCreateDataReviewAnnotation{"ellen.ripley@weylandcorp.com", {}}));

  // Named expressions and sub-expressions are applied.
  EXPECT_EQ((*rules)[1].expression, "0.5 * 2 * $1 * $1 > 0.5");
  EXPECT_THAT((*rules)[1].channel_references,
              ElementsAre(RuleChannelReference{"$1", "mainmotor.velocity"}));
  EXPECT_EQ((*rules)[2].expression, "contains($1, \"say \\\"hi\\\"\")");
}

TEST_F(RuleModulesTest, FilesAndMissingPaths) {
  absl::StatusOr<std::vector<RuleConfig>> rules =
      load_rule_modules({kData / "rule_modules" / "z_rules.yml", dir_ / "does_not_exist",
                         kData / "rule_modules" / "a_rules.yml"});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_THAT(*rules, SizeIs(2));
  EXPECT_EQ((*rules)[0].name, "z_log_error");  // the order given
  EXPECT_EQ((*rules)[1].name, "a_voltage_low");
  EXPECT_TRUE(load_rule_modules({})->empty());
}

TEST_F(RuleModulesTest, NamedExpressionsNeeded) {
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_modules({kData / "rule_modules"});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(message(rules.status()), HasSubstr("b_rules.yml:5:13: rules[0].expression.name: "
                                                 "Named expression 'kinetic_energy_gt'"));
  EXPECT_THAT(message(rules.status()), HasSubstr("could not be found"));
}

TEST_F(RuleModulesTest, RulesKeyRequired) {
  const fs::path file = write("no_rules.yml", "name: r\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_modules({dir_});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":1:1: rules: Expected 'rules' to be <List[RuleYamlSpec]> but it is "
                "<NoneType>");
  write("no_rules.yml", "rules: {name: r}\n");
  rules = load_rule_modules({dir_});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(message(rules.status()), HasSubstr("but it is <dict>"));
  write("no_rules.yml", "- rules\n");
  rules = load_rule_modules({dir_});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(message(rules.status()), HasSubstr("Expected the top level to be <dict>"));
}

TEST_F(RuleModulesTest, RulesAreValidated) {
  write("a.yml", "rules:\n  - name: r\n    expression: $1 > 1\n    type: alarm\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_modules({dir_});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(message(rules.status()),
              HasSubstr("a.yml:4:11: rules[0].type: Expected 'type' to be <review | phase>"));
}

TEST_F(RuleModulesTest, EveryRegularFileIsLoadedAndSymlinkLoopsEnd) {
  write("b/one.yml", "rules:\n  - name: one\n    expression: 'true'\n    type: phase\n");
  write("a.txt", "rules:\n  - name: text\n    expression: 'true'\n    type: phase\n");
  write("c/empty_rules.yaml", "rules: []\n");
  std::error_code ec;
  fs::create_directory_symlink(dir_, dir_ / "b" / "loop", ec);
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_modules({dir_});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_THAT(*rules, SizeIs(2));
  EXPECT_EQ((*rules)[0].name, "text");
  EXPECT_EQ((*rules)[1].name, "one");
}

TEST_F(RuleModulesTest, AppendedToTheTelemetryConfig) {
  write("extra.yml",
        "rules:\n  - name: extra\n    expression: $1 > 1\n    type: phase\n"
        "    channel_references:\n      - $1: voltage\n");
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "reference.yml", expression_modules(), {dir_});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(result->config.rules, SizeIs(5));
  EXPECT_EQ(result->config.rules[4].name, "extra");
  EXPECT_EQ(rule_named(result->config, "kinetic_energy").expression, "0.5 * 10 * $1 * $1 > 470");
}

TEST_F(RuleModulesTest, DuplicateRuleAcrossFilesIsLocatedInTheModule) {
  const fs::path file =
      write("extra.yml", "rules:\n  - name: speeding\n    expression: $1 > 1\n    type: phase\n");
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "reference.yml", expression_modules(), {dir_});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(message(result.status()),
            file.string() +
                ":2:5: rules[0]: Can't have two rules with identical names, "
                "'speeding'.");
}

TEST_F(RuleModulesTest, RuleCheckErrorsAreLocatedInTheModule) {
  write("extra.yml",
        "rules:\n  - name: extra\n    type: phase\n    expression: $1 > 1\n"
        "    channel_references:\n      - $1: log\n");
  absl::StatusOr<YamlLoadResult> result =
      load_telemetry_config_yaml(kData / "good" / "reference.yml", expression_modules(), {dir_});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(message(result.status()),
            (dir_ / "extra.yml").string() +
                ":4:17: rules[0].expression: rule 'extra': expression column 4: cannot compare "
                "string and number with '>' (expression: '$1 > 1')");
}

TEST_F(RuleModulesTest, LoadRuleModulesChecksParsingAndBinding) {
  // Channels are not known outside a telemetry config: `log > 1` is fine ...
  write("a.yml",
        "rules:\n  - name: a\n    type: phase\n    expression: $1 > 1\n"
        "    channel_references:\n      - $1: log\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_modules({dir_});
  ASSERT_TRUE(rules.ok()) << rules.status();
  // ... but an unbound `$2` is not.
  const fs::path file = write("a.yml",
                              "rules:\n  - name: a\n    type: phase\n    expression: $1 > $2\n"
                              "    channel_references:\n      - $1: log\n");
  rules = load_rule_modules({dir_});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":4:17: rules[0].expression: rule 'a': expression column 6: $2 is not bound to a "
                "channel reference (expression: '$1 > $2')");
}

// --- RuleService YAML (sift_py's RuleService.load_rules_from_yaml) ----------

TEST_F(RuleModulesTest, RuleServiceYamlReadsEveryField) {
  write("rules.yml",
        "rules:\n"
        "  - name: everything\n"
        "    rule_client_key: everything-key\n"
        "    description: all the fields\n"
        "    expression:\n"
        "      name: kinetic_energy_gt\n"
        "    sub_expressions:\n"
        "      - $mass: 10\n"
        "      - $threshold: 470\n"
        "    channel_references:\n"
        "      - $1: {name: velocity, component: mainmotor, data_type: double}\n"
        "    contextual_channels: [log, voltage]\n"
        "    asset_names: [NostromoLV426, Sulaco]\n"
        "    tag_names: [lv426]\n"
        "    is_external: true\n"
        "    is_live_evaluation_enabled: true\n"
        "    type: review\n"
        "    assignee: ellen.ripley@weylandcorp.com\n"
        "    tags: [warning]\n"
        "  - name: inline\n"
        "    expression: contains($1, $text) && $2 > 3\n"
        "    sub_expressions:\n"
        "      - $text: ERROR\n"
        "    channel_references:\n"
        "      - $1: log\n"
        "        $2: voltage\n"
        "    is_live: true\n"
        "    type: phase\n");
  absl::StatusOr<std::vector<RuleConfig>> rules =
      load_rule_service_yaml({dir_}, named_expressions());
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_THAT(*rules, SizeIs(2));

  const RuleConfig& all = (*rules)[0];
  EXPECT_EQ(all.name, "everything");
  EXPECT_EQ(all.rule_client_key, "everything-key");
  EXPECT_EQ(all.description, "all the fields");
  EXPECT_EQ(all.expression, "0.5 * 10 * $1 * $1 > 470");
  EXPECT_TRUE(all.sub_expressions.empty());
  EXPECT_THAT(all.channel_references,
              ElementsAre(RuleChannelReference{"$1", "mainmotor.velocity"}));
  EXPECT_THAT(all.contextual_channels, ElementsAre("log", "voltage"));
  EXPECT_THAT(all.asset_names, ElementsAre("NostromoLV426", "Sulaco"));
  EXPECT_THAT(all.tag_names, ElementsAre("lv426"));
  EXPECT_TRUE(all.is_external);
  EXPECT_TRUE(all.is_live_evaluation_enabled);
  EXPECT_EQ(*all.action, RuleAction(RuleActionCreateDataReviewAnnotation{
                             "ellen.ripley@weylandcorp.com", {"warning"}}));

  const RuleConfig& inline_rule = (*rules)[1];
  EXPECT_EQ(inline_rule.expression, "contains($1, \"ERROR\") && $2 > 3");
  EXPECT_THAT(inline_rule.channel_references, ElementsAre(RuleChannelReference{"$1", "log"},
                                                          RuleChannelReference{"$2", "voltage"}));
  EXPECT_FALSE(inline_rule.rule_client_key.has_value());
  EXPECT_EQ(inline_rule.description, "");
  EXPECT_FALSE(inline_rule.is_external);
  EXPECT_TRUE(inline_rule.is_live_evaluation_enabled);  // sift_py 0.9.6's `is_live`
  EXPECT_THAT(inline_rule.asset_names, IsEmpty());
  EXPECT_EQ(*inline_rule.action, RuleAction(RuleActionCreatePhaseAnnotation{}));  // no tags
}

TEST_F(RuleModulesTest, RuleServiceYamlRequiresChannelReferences) {
  const fs::path file =
      write("rules.yml", "rules:\n  - name: constant\n    expression: 'true'\n    type: phase\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_service_yaml({file});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message(rules.status()),
            file.string() + ":2:5: rules[0]: Rule of name 'constant' requires channel_references");
  // The telemetry config's rule schema allows it.
  EXPECT_TRUE(load_rule_modules({file}).ok());
}

TEST_F(RuleModulesTest, RuleServiceYamlNamedExpressionErrors) {
  const fs::path file = write("rules.yml",
                              "rules:\n  - name: energy\n    type: phase\n    expression:\n"
                              "      name: kinetic_energy_gtx\n    channel_references:\n"
                              "      - $1: velocity\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_service_yaml({file});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":5:13: rules[0].expression.name: Rule 'energy' requires named expressions, but "
                "none were provided.");
  rules = load_rule_service_yaml({file}, named_expressions());
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":5:13: rules[0].expression.name: Named expression 'kinetic_energy_gtx' could not "
                "be found.");
}

TEST_F(RuleModulesTest, RuleServiceYamlChecksParsingAndBinding) {
  const fs::path file = write("rules.yml",
                              "rules:\n  - name: typo\n    type: phase\n    expression: $1 >\n"
                              "    channel_references:\n      - $1: velocity\n");
  absl::StatusOr<std::vector<RuleConfig>> rules = load_rule_service_yaml({file});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":4:17: rules[0].expression: rule 'typo': expression column 5: expected an operand "
                "after '>' (expression: '$1 >')");
  write("rules.yml",
        "rules:\n  - name: unused\n    type: phase\n    expression: $1 > 2\n"
        "    channel_references:\n      - $1: velocity\n      - $2: voltage\n");
  rules = load_rule_service_yaml({file});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(message(rules.status()),
            file.string() +
                ":7:9: rules[0].channel_references[1].$2: rule 'unused': $2 is bound but not used "
                "(expression: '$1 > 2')");
  // Types are not checked: the channels are not known here.
  write("rules.yml",
        "rules:\n  - name: any\n    type: phase\n    expression: contains($1, 'x') || $1 > 2\n"
        "    channel_references:\n      - $1: velocity\n");
  EXPECT_TRUE(load_rule_service_yaml({file}).ok());
  // Missing paths are skipped, as in sift_py.
  EXPECT_TRUE(load_rule_service_yaml({dir_ / "missing.yml"})->empty());
}

}  // namespace
}  // namespace sift
