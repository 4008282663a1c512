// TelemetryConfig validation and the generated client key (spec sections 1.7
// and 2; checklist "ingestion/config/_telemetry_test.py").
#include "sift/ingestion/config/telemetry.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

ChannelConfig channel(std::string name, ChannelDataType type) {
  ChannelConfig config;
  config.name = std::move(name);
  config.data_type = type;
  return config;
}

// A config close to upstream's reference YAML: a component channel, enum and
// bit-field channels, several flows, a rule.
TelemetryConfig reference_config() {
  TelemetryConfig config;
  config.asset_name = "LunarVehicle426";

  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  velocity.unit = "Meters per second";
  velocity.description = "speed";

  ChannelConfig voltage = channel("voltage", ChannelDataType::kInt32);
  voltage.unit = "Volts";
  voltage.description = "voltage at the source";

  ChannelConfig vehicle_state = channel("vehicle_state", ChannelDataType::kEnum);
  vehicle_state.description = "vehicle state";
  vehicle_state.enum_types = {{"Accelerating", 0, std::nullopt},
                              {"Decelerating", 1, std::nullopt},
                              {"Stopped", 2, std::nullopt}};

  ChannelConfig gpio = channel("gpio", ChannelDataType::kBitField);
  gpio.description = "on/off values for pins on gpio";
  gpio.bit_field_elements = {{"12v", 0, 4}, {"charge", 4, 2}, {"led", 6, 1}, {"heater", 7, 1}};

  ChannelConfig log = channel("log", ChannelDataType::kString);
  log.description = "logs";

  config.flows = {
      FlowConfig{"readings", {velocity, voltage, vehicle_state, gpio}},
      FlowConfig{"voltage", {voltage, vehicle_state}},
      FlowConfig{"logs", {log}},
  };

  RuleConfig overheat;
  overheat.name = "overheating";
  overheat.expression = "$1 == \"Accelerating\" && $2 > 80";
  overheat.channel_references = {{"$1", "vehicle_state"}, {"$2", "voltage"}};
  overheat.action = RuleActionCreateDataReviewAnnotation{};
  config.rules = {overheat};
  return config;
}

std::string message_of(const absl::Status& status) { return std::string(status.message()); }

// ---------------------------------------------------------------------------
// 2.1 Validation

TEST(TelemetryConfigValidateTest, ReferenceConfigIsValid) {
  EXPECT_TRUE(reference_config().validate().ok()) << reference_config().validate();
}

TEST(TelemetryConfigValidateTest, DuplicateFlows) {
  TelemetryConfig config = reference_config();
  config.flows.push_back(FlowConfig{"voltage", {channel("other", ChannelDataType::kBool)}});
  absl::Status status = config.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(status), HasSubstr("Can't have two flows"));
  EXPECT_THAT(message_of(status), HasSubstr("'voltage'"));
}

TEST(TelemetryConfigValidateTest, DuplicateChannelsInOneFlow) {
  TelemetryConfig config = reference_config();
  config.flows[1].channels.push_back(config.flows[1].channels[0]);  // voltage again
  absl::Status status = config.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(message_of(status), "Can't have two identical channels, 'voltage', in flow 'voltage'.");
}

TEST(TelemetryConfigValidateTest, SameNameDifferentTypeIsStillADuplicate) {
  TelemetryConfig config;
  config.asset_name = "a";
  config.flows = {FlowConfig{
      "f", {channel("x", ChannelDataType::kDouble), channel("x", ChannelDataType::kString)}}};
  absl::Status status = config.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(status), HasSubstr("Can't have two identical channels"));
  EXPECT_THAT(message_of(status), HasSubstr("'x'"));
  EXPECT_THAT(message_of(status), HasSubstr("'f'"));
}

TEST(TelemetryConfigValidateTest, DuplicateIsByFullyQualifiedName) {
  // `mainmotor` + `velocity` and `mainmotor.velocity` are the same channel.
  ChannelConfig with_component = channel("velocity", ChannelDataType::kDouble);
  with_component.component = "mainmotor";
  TelemetryConfig config;
  config.asset_name = "a";
  config.flows = {
      FlowConfig{"f", {with_component, channel("mainmotor.velocity", ChannelDataType::kDouble)}}};
  absl::Status status = config.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(status), HasSubstr("'mainmotor.velocity'"));

  // While `velocity` alone is a different channel.
  config.flows[0].channels[1] = channel("velocity", ChannelDataType::kDouble);
  EXPECT_TRUE(config.validate().ok());
}

TEST(TelemetryConfigValidateTest, SameChannelInSeveralFlowsIsFine) {
  // reference_config() already shares voltage and vehicle_state between flows.
  TelemetryConfig config = reference_config();
  config.flows.push_back(FlowConfig{"more", config.flows[0].channels});
  EXPECT_TRUE(config.validate().ok());
}

TEST(TelemetryConfigValidateTest, DuplicateRules) {
  TelemetryConfig config = reference_config();
  RuleConfig again = config.rules[0];
  again.expression = "$1 > 0";  // same name, different rule
  config.rules.push_back(again);
  absl::Status status = config.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(status), HasSubstr("Can't have two rules"));
  EXPECT_THAT(message_of(status), HasSubstr("'overheating'"));
}

TEST(TelemetryConfigValidateTest, FlowsAreCheckedBeforeRules) {
  TelemetryConfig config = reference_config();
  config.rules.push_back(config.rules[0]);
  config.flows[2].channels.push_back(config.flows[2].channels[0]);
  EXPECT_THAT(message_of(config.validate()), HasSubstr("Can't have two identical channels"));

  config.flows[2].channels.pop_back();
  config.flows.push_back(config.flows[0]);
  EXPECT_THAT(message_of(config.validate()), HasSubstr("Can't have two flows"));

  config.flows.pop_back();
  EXPECT_THAT(message_of(config.validate()), HasSubstr("Can't have two rules"));
}

TEST(TelemetryConfigValidateTest, NothingElseIsChecked) {
  // No empty-name check, no check that rules reference channels of the
  // config, no check that an enum channel has enum types.
  TelemetryConfig config;
  config.flows = {FlowConfig{"", {channel("", ChannelDataType::kEnum)}}};
  RuleConfig rule;
  rule.name = "r";
  rule.channel_references = {{"$1", "no_such_channel"}};
  config.rules = {rule};
  EXPECT_TRUE(config.validate().ok());
  EXPECT_TRUE(TelemetryConfig{}.validate().ok());
}

// ---------------------------------------------------------------------------
// create()

TEST(TelemetryConfigCreateTest, GeneratesTheKeyWhenEmpty) {
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(reference_config());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->ingestion_client_key, MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(config->ingestion_client_key, reference_config().hash());
  EXPECT_TRUE(config->ingestion_client_key_is_generated);
}

TEST(TelemetryConfigCreateTest, KeepsAUserKey) {
  TelemetryConfig draft = reference_config();
  draft.ingestion_client_key = "my-key";
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ingestion_client_key, "my-key");
  EXPECT_FALSE(config->ingestion_client_key_is_generated);
  EXPECT_EQ(config->flows, draft.flows);
  EXPECT_EQ(config->asset_name, draft.asset_name);
}

TEST(TelemetryConfigCreateTest, ValidatesFirst) {
  TelemetryConfig draft = reference_config();
  draft.flows.push_back(draft.flows[0]);
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(config.status()), HasSubstr("Can't have two flows"));
}

TEST(TelemetryConfigCreateTest, SubstitutesRuleSubExpressions) {
  TelemetryConfig draft = reference_config();
  RuleConfig kinetic;
  kinetic.name = "kinetic_energy";
  kinetic.expression = "0.5 * $mass * $1 * $1 > $threshold";
  kinetic.channel_references = {{"$1", "mainmotor.velocity"}};
  kinetic.action = RuleActionCreatePhaseAnnotation{};
  kinetic.sub_expressions = {{"$mass", int64_t{10}}, {"$threshold", int64_t{470}}};
  RuleConfig log_error;
  log_error.name = "log_error";
  log_error.expression = "contains($1, $sub_string)";
  log_error.channel_references = {{"$1", "log"}};
  log_error.action = RuleActionCreateDataReviewAnnotation{};
  log_error.sub_expressions = {{"$sub_string", std::string("ERROR")}};
  draft.rules.push_back(kinetic);
  draft.rules.push_back(log_error);

  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->rules.size(), 3u);
  EXPECT_EQ(config->rules[0].expression, "$1 == \"Accelerating\" && $2 > 80");
  EXPECT_EQ(config->rules[1].expression, "0.5 * 10 * $1 * $1 > 470");
  EXPECT_EQ(config->rules[2].expression, "contains($1, \"ERROR\")");
  EXPECT_TRUE(config->rules[1].sub_expressions.empty());
}

TEST(TelemetryConfigCreateTest, RuleErrorsPropagate) {
  TelemetryConfig draft = reference_config();
  draft.rules[0].sub_expressions = {{"$missing", int64_t{1}}};
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message_of(config.status()), HasSubstr("$missing"));
  EXPECT_THAT(message_of(config.status()), HasSubstr("overheating"));
}

TEST(TelemetryConfigCreateTest, StoredKeyDoesNotFollowLaterMutation) {
  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(reference_config());
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string key = config->ingestion_client_key;
  config->asset_name = "OtherVehicle";
  EXPECT_EQ(config->ingestion_client_key, key);
  EXPECT_NE(config->hash(), key);
}

TEST(TelemetryConfigCreateTest, RecreatingAGeneratedConfigKeepsItGenerated) {
  absl::StatusOr<TelemetryConfig> first = TelemetryConfig::create(reference_config());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<TelemetryConfig> second = TelemetryConfig::create(*first);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->ingestion_client_key, first->ingestion_client_key);
  EXPECT_TRUE(second->ingestion_client_key_is_generated);
}

TEST(TelemetryConfigTest, FindFlow) {
  const TelemetryConfig config = reference_config();
  const FlowConfig* flow = config.find_flow("voltage");
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(flow, &config.flows[1]);
  EXPECT_EQ(config.find_flow("logs"), &config.flows[2]);
  EXPECT_EQ(config.find_flow("Voltage"), nullptr);
  EXPECT_EQ(config.find_flow(""), nullptr);
  EXPECT_EQ(TelemetryConfig{}.find_flow("voltage"), nullptr);
}

// ---------------------------------------------------------------------------
// 2.2 hash()

TEST(TelemetryConfigHashTest, IsLowercaseHexSha256) {
  EXPECT_THAT(reference_config().hash(), MatchesRegex("[0-9a-f]{64}"));
  EXPECT_THAT(TelemetryConfig{}.hash(), MatchesRegex("[0-9a-f]{64}"));
}

TEST(TelemetryConfigHashTest, EmptyConfigIsTheDigestOfNothing) {
  // printf '' | sha256sum
  EXPECT_EQ(TelemetryConfig{}.hash(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TelemetryConfigHashTest, IdenticalConfigsHashEqual) {
  EXPECT_EQ(reference_config().hash(), reference_config().hash());
}

// Every schema change named by upstream's test changes the key.
TEST(TelemetryConfigHashTest, SensitiveToEverySchemaField) {
  const std::string base = reference_config().hash();
  const std::vector<std::pair<const char*, std::function<void(TelemetryConfig&)>>> mutations = {
      {"asset name", [](TelemetryConfig& c) { c.asset_name = "LunarVehicle427"; }},
      {"flow name", [](TelemetryConfig& c) { c.flows[2].name = "log"; }},
      {"channel name", [](TelemetryConfig& c) { c.flows[1].channels[0].name = "volts"; }},
      {"component", [](TelemetryConfig& c) { c.flows[0].channels[0].component = "aux"; }},
      {"data type",
       [](TelemetryConfig& c) { c.flows[1].channels[0].data_type = ChannelDataType::kInt64; }},
      {"description", [](TelemetryConfig& c) { c.flows[2].channels[0].description = "log"; }},
      {"description removed",
       [](TelemetryConfig& c) { c.flows[2].channels[0].description.reset(); }},
      {"unit", [](TelemetryConfig& c) { c.flows[0].channels[1].unit = "mV"; }},
      {"unit added", [](TelemetryConfig& c) { c.flows[2].channels[0].unit = "chars"; }},
      {"enum name", [](TelemetryConfig& c) { c.flows[0].channels[2].enum_types[1].name = "Slow"; }},
      {"enum key", [](TelemetryConfig& c) { c.flows[0].channels[2].enum_types[2].key = 3; }},
      {"enum added",
       [](TelemetryConfig& c) {
         c.flows[0].channels[2].enum_types.push_back({"Parked", 3, std::nullopt});
       }},
      {"bit-field name",
       [](TelemetryConfig& c) { c.flows[0].channels[3].bit_field_elements[0].name = "5v"; }},
      {"bit-field bit_count",
       [](TelemetryConfig& c) { c.flows[0].channels[3].bit_field_elements[1].bit_count = 1; }},
      {"bit-field index",
       [](TelemetryConfig& c) { c.flows[0].channels[3].bit_field_elements[3].index = 8; }},
      {"swap two channels",
       [](TelemetryConfig& c) { std::swap(c.flows[0].channels[0], c.flows[0].channels[1]); }},
      {"channel added",
       [](TelemetryConfig& c) {
         c.flows[2].channels.push_back(channel("x", ChannelDataType::kBool));
       }},
      {"flow added",
       [](TelemetryConfig& c) {
         c.flows.push_back(FlowConfig{"empty", {}});
       }},
  };
  for (const auto& [what, mutate] : mutations) {
    TelemetryConfig config = reference_config();
    mutate(config);
    EXPECT_NE(config.hash(), base) << what << " did not change the key";
  }
}

TEST(TelemetryConfigHashTest, InsensitiveToWhatIsNotHashed) {
  const std::string base = reference_config().hash();
  const std::vector<std::pair<const char*, std::function<void(TelemetryConfig&)>>> mutations = {
      {"organization id", [](TelemetryConfig& c) { c.organization_id = "org-1"; }},
      {"client key", [](TelemetryConfig& c) { c.ingestion_client_key = "k"; }},
      {"rules", [](TelemetryConfig& c) { c.rules.clear(); }},
      {"enum is_signed",
       [](TelemetryConfig& c) { c.flows[0].channels[2].enum_types[0].is_signed = true; }},
      {"flow order", [](TelemetryConfig& c) { std::swap(c.flows[0], c.flows[2]); }},
      {"enum order",
       [](TelemetryConfig& c) {
         auto& types = c.flows[0].channels[2].enum_types;
         std::swap(types[0], types[2]);
       }},
      {"bit-field order",
       [](TelemetryConfig& c) {
         auto& elements = c.flows[0].channels[3].bit_field_elements;
         std::swap(elements[0], elements[3]);
       }},
      {"empty unit", [](TelemetryConfig& c) { c.flows[0].channels[2].unit = ""; }},
      {"component folded into the name",
       [](TelemetryConfig& c) {
         c.flows[0].channels[0].name = "mainmotor.velocity";
         c.flows[0].channels[0].component.reset();
       }},
      {"empty component", [](TelemetryConfig& c) { c.flows[2].channels[0].component = ""; }},
  };
  for (const auto& [what, mutate] : mutations) {
    TelemetryConfig config = reference_config();
    mutate(config);
    EXPECT_EQ(config.hash(), base) << what << " changed the key";
  }
}

TEST(TelemetryConfigHashTest, AbsentDescriptionAndUnitHashAsEmpty) {
  TelemetryConfig with_nothing;
  with_nothing.asset_name = "a";
  with_nothing.flows = {FlowConfig{"f", {channel("x", ChannelDataType::kDouble)}}};
  TelemetryConfig with_empty = with_nothing;
  with_empty.flows[0].channels[0].description = "";
  with_empty.flows[0].channels[0].unit = "";
  EXPECT_EQ(with_nothing.hash(), with_empty.hash());
  with_empty.flows[0].channels[0].unit = " ";
  EXPECT_NE(with_nothing.hash(), with_empty.hash());
}

// Quirk kept from sift_py: the parts are concatenated without separators.
TEST(TelemetryConfigHashTest, PartsAreConcatenatedWithoutSeparators) {
  TelemetryConfig a;
  a.asset_name = "ab";
  a.flows = {FlowConfig{"c", {}}};
  TelemetryConfig b;
  b.asset_name = "a";
  b.flows = {FlowConfig{"bc", {}}};
  EXPECT_EQ(a.hash(), b.hash());
}

// Stable sorts: equal enum keys / bit-field indexes keep their declared order,
// so swapping them changes the key.
TEST(TelemetryConfigHashTest, SortsAreStable) {
  TelemetryConfig config;
  config.asset_name = "a";
  ChannelConfig e = channel("e", ChannelDataType::kEnum);
  e.enum_types = {{"x", 1, std::nullopt}, {"y", 1, std::nullopt}};
  config.flows = {FlowConfig{"f", {e}}};
  const std::string before = config.hash();
  std::swap(config.flows[0].channels[0].enum_types[0], config.flows[0].channels[0].enum_types[1]);
  EXPECT_NE(config.hash(), before);

  ChannelConfig bits = channel("b", ChannelDataType::kBitField);
  bits.bit_field_elements = {{"x", 0, 1}, {"y", 0, 2}};
  config.flows = {FlowConfig{"f", {bits}}};
  const std::string before_bits = config.hash();
  std::swap(config.flows[0].channels[0].bit_field_elements[0],
            config.flows[0].channels[0].bit_field_elements[1]);
  EXPECT_NE(config.hash(), before_bits);
}

// Pinned key, computed independently of this code.
//
// Sorted by flow name, "alerts" comes before "readings" although it is
// declared second; in "readings" the channels keep their declared order, enum
// types are sorted by key and bit-field elements by index. The bytes hashed
// are (no separators):
//
//   NostromoLV426                                   asset
//   alerts                                          flow (sorted first)
//   log CHANNEL_DATA_TYPE_STRING "" "" ""           name, type, description, component, unit
//   readings                                        flow
//   mainmotor.velocity CHANNEL_DATA_TYPE_DOUBLE speed "" m/s
//   vehicle_state CHANNEL_DATA_TYPE_ENUM state "" "" 0 Idle 1 Running
//   gpio CHANNEL_DATA_TYPE_BIT_FIELD "on/off states" "" "" 12v 0 4 heater 7 1
//
// which is kPinnedPreimage below. Its digest was computed with coreutils:
//
//   printf '%s'
//   'NostromoLV426alertslogCHANNEL_DATA_TYPE_STRINGreadingsmainmotor.velocityCHANNEL_DATA_TYPE_DOUBLEspeedm/svehicle_stateCHANNEL_DATA_TYPE_ENUMstate0Idle1RunninggpioCHANNEL_DATA_TYPE_BIT_FIELDon/off
//   states12v04heater71' | sha256sum
//   5d05d3a756cf2eadc21304c36305fcdd9bc6719f03e8042d210af29b016ba975  -
constexpr char kPinnedPreimage[] =
    "NostromoLV426"
    "alerts"
    "log"
    "CHANNEL_DATA_TYPE_STRING"
    "readings"
    "mainmotor.velocity"
    "CHANNEL_DATA_TYPE_DOUBLE"
    "speed"
    "m/s"
    "vehicle_state"
    "CHANNEL_DATA_TYPE_ENUM"
    "state"
    "0Idle"
    "1Running"
    "gpio"
    "CHANNEL_DATA_TYPE_BIT_FIELD"
    "on/off states"
    "12v04"
    "heater71";
constexpr char kPinnedKey[] = "5d05d3a756cf2eadc21304c36305fcdd9bc6719f03e8042d210af29b016ba975";

TEST(TelemetryConfigHashTest, PinnedKeyOfASmallConfig) {
  TelemetryConfig config;
  config.asset_name = "NostromoLV426";

  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  velocity.unit = "m/s";
  velocity.description = "speed";

  ChannelConfig state = channel("vehicle_state", ChannelDataType::kEnum);
  state.description = "state";
  state.enum_types = {{"Running", 1, true}, {"Idle", 0, std::nullopt}};  // sorted by key

  ChannelConfig gpio = channel("gpio", ChannelDataType::kBitField);
  gpio.description = "on/off states";
  gpio.bit_field_elements = {{"heater", 7, 1}, {"12v", 0, 4}};  // sorted by index

  ChannelConfig log = channel("log", ChannelDataType::kString);

  config.flows = {FlowConfig{"readings", {velocity, state, gpio}}, FlowConfig{"alerts", {log}}};

  // The preimage documents the derivation; keep it in sync with the comment.
  EXPECT_EQ(std::string(kPinnedPreimage),
            "NostromoLV426alertslogCHANNEL_DATA_TYPE_STRINGreadingsmainmotor.velocityCHANNEL_DATA_"
            "TYPE_DOUBLEspeedm/svehicle_stateCHANNEL_DATA_TYPE_ENUMstate0Idle1RunninggpioCHANNEL_"
            "DATA_TYPE_BIT_FIELDon/off states12v04heater71");
  EXPECT_EQ(config.hash(), kPinnedKey);

  absl::StatusOr<TelemetryConfig> created = TelemetryConfig::create(config);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->ingestion_client_key, kPinnedKey);
}

// Pinned key of the quickstart config. Bytes hashed:
//   NostromoLV426 temperature_reading thruster.temperature CHANNEL_DATA_TYPE_DOUBLE
//   "temperature of thruster" "" Kelvin
//
//   printf '%s'
//   'NostromoLV426temperature_readingthruster.temperatureCHANNEL_DATA_TYPE_DOUBLEtemperature of
//   thrusterKelvin' | sha256sum 289d8f0c857540fac289380591120defee5db571ad68e2b1bd33d1eee7b6f749  -
TEST(TelemetryConfigHashTest, PinnedKeyOfTheQuickstartConfig) {
  constexpr char kQuickstartKey[] =
      "289d8f0c857540fac289380591120defee5db571ad68e2b1bd33d1eee7b6f749";

  TelemetryConfig config;
  config.asset_name = "NostromoLV426";
  ChannelConfig temperature = channel("thruster.temperature", ChannelDataType::kDouble);
  temperature.description = "temperature of thruster";
  temperature.unit = "Kelvin";
  config.flows = {FlowConfig{"temperature_reading", {temperature}}};
  EXPECT_EQ(config.hash(), kQuickstartKey);

  // The deprecated component form yields the same key.
  config.flows[0].channels[0].name = "temperature";
  config.flows[0].channels[0].component = "thruster";
  EXPECT_EQ(config.hash(), kQuickstartKey);
}

}  // namespace
}  // namespace sift
