// Checking rule expressions when a config loads: check_rule_expression
// (sift/rule/check.h), TelemetryConfig::create, TelemetryConfig::try_from_yaml
// and the `sift-config check` binary.
#include "sift/rule/check.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"

namespace sift {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ChannelConfig channel(std::string name, ChannelDataType type) {
  ChannelConfig config;
  config.name = std::move(name);
  config.data_type = type;
  return config;
}

ChannelConfig vehicle_state() {
  ChannelConfig state = channel("vehicle_state", ChannelDataType::kEnum);
  state.enum_types = {{"Accelerating", 0, std::nullopt},
                      {"Decelerating", 1, std::nullopt},
                      {"Stopped", 2, std::nullopt}};
  return state;
}

ChannelConfig gpio() {
  ChannelConfig bits = channel("gpio", ChannelDataType::kBitField);
  bits.bit_field_elements = {{"12v", 0, 1}, {"charge", 1, 2}, {"led", 3, 4}, {"heater", 7, 1}};
  return bits;
}

// velocity (double, component mainmotor), voltage (int32), vehicle_state
// (enum), gpio (bit field), log (string), armed (bool).
std::vector<FlowConfig> flows() {
  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  return {
      FlowConfig{"readings",
                 {velocity, channel("voltage", ChannelDataType::kInt32), vehicle_state(), gpio()}},
      FlowConfig{"logs", {channel("log", ChannelDataType::kString)}},
      FlowConfig{"safety", {channel("armed", ChannelDataType::kBool)}}};
}

RuleConfig rule(std::string expression, std::vector<RuleChannelReference> references) {
  RuleConfig config;
  config.name = "r";
  config.expression = std::move(expression);
  config.channel_references = std::move(references);
  config.action = RuleActionCreateDataReviewAnnotation{};
  return config;
}

// "ok" or the error message of checking `config` against flows().
std::string check(const RuleConfig& config) {
  absl::Status status = check_rule_expression(config, index_rule_channels(flows()));
  if (status.ok()) return "ok";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

// ---------------------------------------------------------------------------
// check_rule_expression

TEST(RuleCheckTest, ValidRules) {
  EXPECT_EQ(check(rule("$1 == \"Accelerating\" && $2 > 80",
                       {{"$1", "vehicle_state"}, {"$2", "voltage"}})),
            "ok");
  EXPECT_EQ(check(rule("0.5 * 10 * $1 * $1 > 470", {{"$1", "mainmotor.velocity"}})), "ok");
  EXPECT_EQ(check(rule("contains($1, \"ERROR\")", {{"$1", "log"}})), "ok");
  EXPECT_EQ(check(rule("$1 && $2 == 2", {{"$1", "armed"}, {"$2", "vehicle_state"}})), "ok");
  EXPECT_EQ(check(rule("$10 > 1 && $2 < 3", {{"$2", "voltage"}, {"$10", "voltage"}})), "ok");
  EXPECT_EQ(check(rule("true", {})), "ok");
}

TEST(RuleCheckTest, UnboundReferenceNamesTheRuleAndColumn) {
  EXPECT_EQ(check(rule("$1 > 10 && $2 > 3", {{"$1", "voltage"}})),
            "rule 'r': expression column 12: $2 is not bound to a channel reference "
            "(expression: '$1 > 10 && $2 > 3')");
}

TEST(RuleCheckTest, StringChannelComparedWithANumber) {
  EXPECT_EQ(check(rule("$1 > 400", {{"$1", "log"}})),
            "rule 'r': expression column 4: cannot compare string and number with '>' "
            "(expression: '$1 > 400')");
}

TEST(RuleCheckTest, UnusedReferenceIsReportedWithItsIndex) {
  const RuleConfig config = rule("$1 > 10", {{"$3", "log"}, {"$1", "voltage"}, {"$2", "log"}});
  int reference = -7;
  absl::Status status = check_rule_expression(config, index_rule_channels(flows()), &reference);
  EXPECT_EQ(status.message(), "rule 'r': $2 is bound but not used (expression: '$1 > 10')");
  EXPECT_EQ(reference, 2);  // the lowest unused `$N`, as check_expression reports it

  reference = -7;
  status = check_rule_expression(rule("$1 > 1", {{"$1", "voltage"}}), {}, &reference);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(reference, -1);
}

TEST(RuleCheckTest, ExpressionErrorsHaveNoReferenceIndex) {
  int reference = -7;
  absl::Status status = check_rule_expression(rule("$1 >", {{"$1", "voltage"}}),
                                              index_rule_channels(flows()), &reference);
  EXPECT_EQ(status.message(),
            "rule 'r': expression column 5: expected an operand after '>' (expression: '$1 >')");
  EXPECT_EQ(reference, -1);
}

TEST(RuleCheckTest, ReferenceNames) {
  for (const char* name : {"$0", "$01", "1", "$", "$a", "$1a", "$1000000", " $1", "$-1"}) {
    int reference = -7;
    absl::Status status = check_rule_expression(
        rule("$1 > 1", {{"$1", "voltage"}, {name, "voltage"}}), {}, &reference);
    EXPECT_EQ(status.message(),
              absl::StrCat("rule 'r': channel reference '", name,
                           "' is not '$' followed by a number from 1 to 999999 without leading "
                           "zeros, e.g. '$1'"))
        << name;
    EXPECT_EQ(reference, 1) << name;
  }
  EXPECT_EQ(check(rule("$999999 > 1", {{"$999999", "voltage"}})), "ok");
}

TEST(RuleCheckTest, ReferenceBoundTwiceOrToNothing) {
  int reference = -7;
  absl::Status status =
      check_rule_expression(rule("$1 > 1", {{"$1", "voltage"}, {"$1", "log"}}), {}, &reference);
  EXPECT_EQ(status.message(),
            "rule 'r': channel reference $1 is bound twice ('voltage' and 'log')");
  EXPECT_EQ(reference, 1);
  EXPECT_EQ(check(rule("$1 > 1", {{"$1", ""}})), "rule 'r': channel reference $1 names no channel");
}

TEST(RuleCheckTest, EmptyExpression) {
  EXPECT_EQ(check(rule("", {{"$1", "voltage"}})), "rule 'r': the expression is empty");
  EXPECT_EQ(check(rule(" \n\t", {})), "rule 'r': the expression is empty");
}

TEST(RuleCheckTest, EnumLabelsAndKeys) {
  EXPECT_EQ(check(rule("$1 == \"Stopped\"", {{"$1", "vehicle_state"}})), "ok");
  EXPECT_EQ(
      check(rule("$1 == \"Running\"", {{"$1", "vehicle_state"}})),
      "rule 'r': expression column 7: 'Running' is not a label of the enum channel bound "
      "to $1 (labels: Accelerating, Decelerating, Stopped) (expression: '$1 == \"Running\"')");
  EXPECT_EQ(check(rule("$1 == 9", {{"$1", "vehicle_state"}})),
            "rule 'r': expression column 7: 9 is not a key of the enum channel bound to $1 (keys: "
            "0, 1, 2) (expression: '$1 == 9')");
}

TEST(RuleCheckTest, BitFieldElementsBindAsUint32) {
  EXPECT_EQ(check(rule("$1 > 3 && $2 == 1", {{"$1", "gpio.led"}, {"$2", "gpio.heater"}})), "ok");
  EXPECT_EQ(check(rule("contains($1, \"on\")", {{"$1", "gpio.led"}})),
            "rule 'r': expression column 1: contains() needs strings, got number and string "
            "(expression: 'contains($1, \"on\")')");
  // The bit field itself is not supported in expressions.
  EXPECT_EQ(check(rule("$1 > 3", {{"$1", "gpio"}})),
            "rule 'r': expression column 1: $1 is bound to a bit_field channel, which "
            "expressions do not support (expression: '$1 > 3')");

  const RuleChannelIndex index = index_rule_channels(flows());
  ASSERT_EQ(index.count("gpio.12v"), 1u);
  EXPECT_EQ(index.at("gpio.12v").data_type, ChannelDataType::kUint32);
  EXPECT_TRUE(index.at("gpio.12v").type_known);
  EXPECT_EQ(index.count("gpio.nope"), 0u);
}

TEST(RuleCheckTest, AChannelWinsOverAnElementSpelledTheSame) {
  const std::vector<ChannelConfig> channels = {gpio(),
                                               channel("gpio.led", ChannelDataType::kString)};
  const RuleChannelIndex index = index_rule_channels(channels);
  EXPECT_EQ(index.at("gpio.led").data_type, ChannelDataType::kString);
  EXPECT_TRUE(check_rule_expression(rule("contains($1, \"x\")", {{"$1", "gpio.led"}}), index).ok());
  // And the first definition of a channel wins.
  const RuleChannelIndex twice = index_rule_channels(std::vector<ChannelConfig>{
      channel("x", ChannelDataType::kString), channel("x", ChannelDataType::kDouble)});
  EXPECT_EQ(twice.at("x").data_type, ChannelDataType::kString);
}

TEST(RuleCheckTest, UnknownChannelsSkipTypeChecksButNotBinding) {
  // `other.channel` is registered by another config: anything goes for it.
  EXPECT_EQ(check(rule("contains($1, \"x\") && $1 > 2 && $2 > 1",
                       {{"$1", "other.channel"}, {"$2", "voltage"}})),
            "ok");
  EXPECT_EQ(check(rule("$1 == \"Anything\"", {{"$1", "gpio.nope"}})), "ok");
  // Known channels in the same rule are still type checked ...
  EXPECT_EQ(check(rule("$1 > 2 && $2 > 1", {{"$1", "other.channel"}, {"$2", "log"}})),
            "rule 'r': expression column 14: cannot compare string and number with '>' "
            "(expression: '$1 > 2 && $2 > 1')");
  // ... and so is binding.
  EXPECT_EQ(check(rule("$1 > 2 && $3 > 1", {{"$1", "other.channel"}})),
            "rule 'r': expression column 11: $3 is not bound to a channel reference "
            "(expression: '$1 > 2 && $3 > 1')");
  EXPECT_EQ(check(rule("$1 > 2", {{"$1", "other.channel"}, {"$2", "other.channel"}})),
            "rule 'r': $2 is bound but not used (expression: '$1 > 2')");
  // With no channels known at all, only parsing and binding are checked.
  EXPECT_TRUE(check_rule_expression(rule("$1 > 400", {{"$1", "log"}})).ok());
}

TEST(RuleCheckTest, BindRuleChannels) {
  absl::StatusOr<std::map<int, ExpressionChannel>> bound = bind_rule_channels(
      rule("", {{"$2", "vehicle_state"}, {"$1", "somewhere.else"}}), index_rule_channels(flows()));
  ASSERT_TRUE(bound.ok()) << bound.status();
  ASSERT_EQ(bound->size(), 2u);
  EXPECT_FALSE(bound->at(1).type_known);
  EXPECT_TRUE(bound->at(2).type_known);
  EXPECT_EQ(bound->at(2).data_type, ChannelDataType::kEnum);
  EXPECT_EQ(bound->at(2).enum_types.size(), 3u);
}

// ---------------------------------------------------------------------------
// TelemetryConfig::create

TelemetryConfig config_with(RuleConfig rule_config) {
  TelemetryConfig draft;
  draft.asset_name = "NostromoLV426";
  draft.flows = flows();
  draft.rules = {std::move(rule_config)};
  return draft;
}

TEST(TelemetryConfigRuleCheckTest, CreateChecksRulesAgainstItsFlows) {
  RuleConfig bad = rule("$1 > 10 && $2 > 3", {{"$1", "voltage"}});
  bad.name = "overvoltage";
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(config_with(bad));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            "rule 'overvoltage': expression column 12: $2 is not bound to a channel reference "
            "(expression: '$1 > 10 && $2 > 3')");

  config = TelemetryConfig::create(config_with(rule("$1 > 400", {{"$1", "log"}})));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "rule 'r': expression column 4: cannot compare string and number with '>' "
            "(expression: '$1 > 400')");

  config = TelemetryConfig::create(config_with(rule("$1 > 400", {{"$1", "voltage"}})));
  EXPECT_TRUE(config.ok()) << config.status();
}

TEST(TelemetryConfigRuleCheckTest, CheckedAfterSubExpressionSubstitution) {
  RuleConfig named = rule("contains($1, $text)", {{"$1", "voltage"}});
  named.sub_expressions = {{"$text", std::string("ERROR")}};
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(config_with(named));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "rule 'r': expression column 1: contains() needs strings, got number and string "
            "(expression: 'contains($1, \"ERROR\")')");
  named.channel_references = {{"$1", "log"}};
  config = TelemetryConfig::create(config_with(named));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rules[0].expression, "contains($1, \"ERROR\")");
}

TEST(TelemetryConfigRuleCheckTest, ValidationComesFirst) {
  TelemetryConfig draft = config_with(rule("nonsense(", {}));
  draft.rules.push_back(draft.rules[0]);
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("Can't have two rules"));
}

TEST(TelemetryConfigRuleCheckTest, ChannelsOfOtherConfigsAreUnknown) {
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(
      config_with(rule("$1 == \"Hot\" && $2 > 4", {{"$1", "cabin.mode"}, {"$2", "voltage"}})));
  EXPECT_TRUE(config.ok()) << config.status();
}

// ---------------------------------------------------------------------------
// try_from_yaml and sift-config check

class TempFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("sift_rule_check_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
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

constexpr char kConfigHead[] =
    "asset_name: NostromoLV426\n"  // line 1
    "channels:\n"
    "  log: &log\n"
    "    name: log\n"
    "    data_type: string\n"  // line 5
    "  voltage: &voltage\n"
    "    name: voltage\n"
    "    data_type: int32\n"
    "flows:\n"
    "  - name: readings\n"  // line 10
    "    channels: [*log, *voltage]\n"
    "rules:\n"
    "  - name: overvoltage\n"
    "    type: review\n";

// `$1` is voltage; `expression` is on line 15, its value at column 17.
std::string config_with_expression(const std::string& expression) {
  return std::string(kConfigHead) + "    expression: " + expression +
         "\n"
         "    channel_references:\n"
         "      - $1: *voltage\n";
}

using TryFromYamlRuleCheckTest = TempFiles;

TEST_F(TryFromYamlRuleCheckTest, UnboundReferenceIsLocatedAtTheExpression) {
  const fs::path file = write("config.yml", config_with_expression("$1 > 10 && $2 > 3"));
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::try_from_yaml(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(),
            file.string() +
                ":15:17: rules[0].expression: rule 'overvoltage': expression column 12: $2 is "
                "not bound to a channel reference (expression: '$1 > 10 && $2 > 3')");
}

TEST_F(TryFromYamlRuleCheckTest, StringComparedWithANumber) {
  const fs::path file = write("config.yml", std::string(kConfigHead) +
                                                "    expression: $1 > 400\n"
                                                "    channel_references:\n"
                                                "      - $1: *log\n");
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::try_from_yaml(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.string() +
                ":15:17: rules[0].expression: rule 'overvoltage': expression column 4: cannot "
                "compare string and number with '>' (expression: '$1 > 400')");
}

TEST_F(TryFromYamlRuleCheckTest, UnusedReferenceIsLocatedAtTheReference) {
  const fs::path file =
      write("config.yml", config_with_expression("$1 > 10") + "      - $2: *log\n");
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::try_from_yaml(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.string() +
                ":18:9: rules[0].channel_references[1].$2: rule 'overvoltage': $2 is bound but "
                "not used (expression: '$1 > 10')");
}

TEST_F(TryFromYamlRuleCheckTest, RuleModulesAreCheckedAgainstTheConfigsChannels) {
  const fs::path file = write("config.yml", config_with_expression("$1 > 10"));
  const fs::path module = write("rules/log.yml",
                                "rules:\n"
                                "  - name: log_level\n"
                                "    type: phase\n"
                                "    expression: $1 >= 3\n"
                                "    channel_references:\n"
                                "      - $1: log\n");
  absl::StatusOr<TelemetryConfig> config =
      TelemetryConfig::try_from_yaml(file, {}, {dir_ / "rules"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            module.string() +
                ":4:17: rules[0].expression: rule 'log_level': expression column 4: cannot "
                "compare string and number with '>=' (expression: '$1 >= 3')");
}

#ifdef SIFT_CONFIG_BINARY

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

using SiftConfigCheckTest = TempFiles;

// Runs `sift-config check ARGS...` and captures its output.
CliRun sift_config_check(const fs::path& dir, const std::vector<std::string>& args) {
  std::string command = quoted(SIFT_CONFIG_BINARY) + " check";
  for (const std::string& arg : args) command += " " + quoted(arg);
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  command += " >" + quoted(out.string()) + " 2>" + quoted(err.string());
  CliRun run;
  const int status = std::system(command.c_str());
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out = slurp(out);
  run.err = slurp(err);
  return run;
}

TEST_F(SiftConfigCheckTest, RejectsAnUnboundReference) {
  const fs::path file = write("config.yml", config_with_expression("$1 > 10 && $2 > 3"));
  const CliRun run = sift_config_check(dir_, {file.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err, file.string() +
                         ":15:17: rules[0].expression: rule 'overvoltage': expression column 12: "
                         "$2 is not bound to a channel reference (expression: '$1 > 10 && $2 > "
                         "3')\n");
}

TEST_F(SiftConfigCheckTest, RejectsAStringChannelComparedWithANumber) {
  const fs::path file = write("config.yml", std::string(kConfigHead) +
                                                "    expression: $1 > 400\n"
                                                "    channel_references:\n"
                                                "      - $1: *log\n");
  const CliRun run = sift_config_check(dir_, {file.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, file.string() +
                         ":15:17: rules[0].expression: rule 'overvoltage': expression column 4: "
                         "cannot compare string and number with '>' (expression: '$1 > 400')\n");

  // --json carries the same message.
  const CliRun json = sift_config_check(dir_, {file.string(), "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_THAT(json.out, HasSubstr("\"ok\": false"));
  EXPECT_THAT(json.out, HasSubstr("expression column 4: cannot compare string and number"));
}

TEST_F(SiftConfigCheckTest, AcceptsAGoodRule) {
  const fs::path file = write("config.yml", config_with_expression("$1 > 10"));
  const CliRun run = sift_config_check(dir_, {file.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("overvoltage"));
}

// Every example config (with its modules, as scripts/demo.sh and the
// examples' READMEs check them) passes.
TEST_F(SiftConfigCheckTest, ExampleConfigsPass) {
  const fs::path examples = fs::path(SIFT_SOURCE_DIR) / "examples";
  const fs::path telemetry = examples / "telemetry_config";
  CliRun run =
      sift_config_check(dir_, {(telemetry / "nostromo_lv_426.yml").string(), "-m",
                               (telemetry / "expression_modules" / "kinematics.yml").string(), "-m",
                               (telemetry / "expression_modules" / "string.yml").string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("kinetic_energy"));

  const fs::path rules = examples / "rules";
  if (fs::exists(rules / "vehicle.yml")) {
    run = sift_config_check(dir_, {(rules / "vehicle.yml").string(), "-m",
                                   (rules / "expression_modules" / "kinematics.yml").string(), "-m",
                                   (rules / "expression_modules" / "string.yml").string(), "-r",
                                   (rules / "rule_modules").string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
  }
}

#else

TEST(SiftConfigCheckTest, DISABLED_NeedsTheSiftConfigBinary) {}

#endif  // SIFT_CONFIG_BINARY

}  // namespace
}  // namespace sift
