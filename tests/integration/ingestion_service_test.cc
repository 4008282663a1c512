// IngestionService against the real emulator, in-process and over 127.0.0.1:
// config registration and reconciliation (spec 4.1-4.4, 4.6), requests and
// validation (5), runs (6), and the checklists of ingest_test.py and
// _service_test.py (section 12).
#include "sift/ingestion/service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"

namespace sift {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kAsset[] = "NostromoLV426";

ChannelConfig ch(std::string name, ChannelDataType type) {
  ChannelConfig channel;
  channel.name = std::move(name);
  channel.data_type = type;
  return channel;
}

FlowConfig readings_flow() {
  ChannelConfig state = ch("vehicle_state", ChannelDataType::kEnum);
  state.enum_types = {{"Accelerating", 0, std::nullopt}, {"Stopped", 1, std::nullopt}};
  ChannelConfig gpio = ch("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 4}};
  ChannelConfig velocity = ch("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  velocity.unit = "m/s";
  return FlowConfig{"readings", {velocity, ch("voltage", ChannelDataType::kInt32), state, gpio}};
}

FlowConfig logs_flow() { return FlowConfig{"logs", {ch("log", ChannelDataType::kString)}}; }

TelemetryConfig config_with(std::vector<FlowConfig> flows, std::string key = "nostromo-key") {
  TelemetryConfig config;
  config.asset_name = kAsset;
  config.ingestion_client_key = std::move(key);
  config.flows = std::move(flows);
  return config;
}

TelemetryConfig nostromo(std::string key = "nostromo-key") {
  return config_with({readings_flow(), logs_flow()}, std::move(key));
}

Timestamp at(int i) {
  return Timestamp(std::chrono::seconds(1'700'000'000) + std::chrono::milliseconds(i));
}

Flow keyed_reading(int i) {
  return Flow{"readings",
              at(i),
              {{"velocity", std::string("mainmotor"), double_value(i * 0.5)},
               {"voltage", std::nullopt, int32_value(i)}}};
}

FlowOrderedChannelValues ordered_reading(int i) {
  return FlowOrderedChannelValues{
      "readings",
      at(i),
      {double_value(i), int32_value(i), enum_value(1), bit_field_value(std::string("\x12", 1))}};
}

std::vector<std::string> flow_names(const emulator::IngestionConfigInfo& config) {
  std::vector<std::string> names;
  for (const FlowConfig& flow : config.flows) names.push_back(flow.name);
  return names;
}

std::vector<std::string> keys(const std::map<std::string, FlowConfig>& flows) {
  std::vector<std::string> out;
  for (const auto& entry : flows) out.push_back(entry.first);
  return out;
}

enum class Transport { kInProcess, kTcp };

class IngestionServiceTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override { ASSERT_TRUE(emulator_.start().ok()); }

  SiftChannel channel() {
    if (GetParam() == Transport::kInProcess) return emulator_.in_process_channel("test-key");
    SiftChannelConfig config;
    config.uri = emulator_.endpoint();
    config.apikey = "test-key";
    config.use_ssl = false;
    absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return *channel;
  }

  std::unique_ptr<IngestionService> create(TelemetryConfig config,
                                           IngestionServiceOptions options = {}) {
    auto service = IngestionService::create(channel(), std::move(config), options);
    EXPECT_TRUE(service.ok()) << service.status();
    return service.ok() ? *std::move(service) : nullptr;
  }

  std::size_t rows(const std::string& channel_name) {
    return emulator_.rows(kAsset, channel_name).size();
  }

  emulator::Emulator emulator_;
};

// --- Construction: get or create (4.2) -------------------------------------

TEST_P(IngestionServiceTest, CreatesAMissingConfigWithAllFlows) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  const auto configs = emulator_.ingestion_configs();
  ASSERT_THAT(configs, SizeIs(1));
  EXPECT_EQ(configs[0].client_key, "nostromo-key");
  EXPECT_EQ(configs[0].asset_name, kAsset);
  EXPECT_THAT(flow_names(configs[0]), ElementsAre("readings", "logs"));
  EXPECT_EQ(service->ingestion_config_id(), configs[0].ingestion_config_id);
  EXPECT_EQ(service->asset_id(), configs[0].asset_id);
  EXPECT_EQ(service->asset_name(), kAsset);
  EXPECT_FALSE(service->use_lazy_flow_creation());
  // User key, not lazy: the cache holds the server's definitions.
  EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));
  const FlowConfig& readings = service->flow_configs_by_name().at("readings");
  ASSERT_THAT(readings.channels, SizeIs(4));
  EXPECT_EQ(readings.channels[0].name, "mainmotor.velocity");
  EXPECT_EQ(readings.channels[0].data_type, ChannelDataType::kDouble);
  EXPECT_EQ(readings.channels[1].data_type, ChannelDataType::kInt32);
  EXPECT_THAT(service->reconciliation_warnings(), IsEmpty());
}

TEST_P(IngestionServiceTest, ReusesAnExistingConfigAndCreatesNothing) {
  auto first = create(nostromo());
  auto second = create(nostromo());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->ingestion_config_id(), second->ingestion_config_id());
  const auto configs = emulator_.ingestion_configs();
  ASSERT_THAT(configs, SizeIs(1));
  EXPECT_THAT(flow_names(configs[0]), ElementsAre("readings", "logs"));
  EXPECT_THAT(second->reconciliation_warnings(), IsEmpty());
}

TEST_P(IngestionServiceTest, ReconciliationCreatesOnlyTheAddedFlow) {
  ASSERT_NE(create(config_with({readings_flow()})), nullptr);
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  const auto configs = emulator_.ingestion_configs();
  ASSERT_THAT(configs, SizeIs(1));
  EXPECT_THAT(flow_names(configs[0]), ElementsAre("readings", "logs"));
  EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));
  EXPECT_TRUE(
      service->try_ingest_flows({Flow{"logs", at(0), {{"log", {}, string_value("hi")}}}}).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("log"), 1u);
}

TEST_P(IngestionServiceTest, DataTypeChangeNeedsANewClientKey) {
  ASSERT_NE(create(nostromo()), nullptr);
  TelemetryConfig changed = nostromo();
  changed.flows[0].channels[1].data_type = ChannelDataType::kDouble;  // voltage: int32 -> double
  auto refused = IngestionService::create(channel(), changed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("mismatched channels"), HasSubstr("channel 'voltage'"),
                    HasSubstr("flow 'readings'"), HasSubstr("from int32 to double"),
                    HasSubstr("new ingestion_client_key")));

  // Changing it back works and creates nothing.
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(flow_names(emulator_.ingestion_configs()[0]), ElementsAre("readings", "logs"));

  // A new key gives a new config.
  auto renewed = create([&] {
    TelemetryConfig c = changed;
    c.ingestion_client_key = "nostromo-key-v2";
    return c;
  }());
  ASSERT_NE(renewed, nullptr);
  EXPECT_NE(renewed->ingestion_config_id(), service->ingestion_config_id());
}

TEST_P(IngestionServiceTest, AddedOrRenamedChannelNeedsANewClientKey) {
  ASSERT_NE(create(nostromo()), nullptr);
  TelemetryConfig added = nostromo();
  added.flows[1].channels.push_back(ch("severity", ChannelDataType::kUint32));
  auto refused = IngestionService::create(channel(), added);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("mismatched channels"), HasSubstr("flow 'logs'"),
                    HasSubstr("'severity'"), HasSubstr("new ingestion_client_key")));
  // Nothing was created before the refusal.
  EXPECT_THAT(emulator_.ingestion_configs()[0].flows[1].channels, SizeIs(1));
}

TEST_P(IngestionServiceTest, RemovedReorderedOrChangedChannelsWarnAndTheServerWins) {
  ASSERT_NE(create(nostromo()), nullptr);

  TelemetryConfig removed = nostromo();
  removed.flows[0].channels.erase(removed.flows[0].channels.begin());  // no velocity
  auto service = create(removed);
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(service->reconciliation_warnings(),
              ElementsAre(AllOf(HasSubstr("flow 'readings'"), HasSubstr("'mainmotor.velocity'"),
                                HasSubstr("not in the local config"))));
  EXPECT_THAT(service->flow_configs_by_name().at("readings").channels, SizeIs(4));

  TelemetryConfig reordered = nostromo();
  std::swap(reordered.flows[0].channels[0], reordered.flows[0].channels[1]);
  reordered.flows[0].channels[1].unit = "km/h";
  service = create(reordered);
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(
      service->reconciliation_warnings(),
      ElementsAre(HasSubstr("order"), AllOf(HasSubstr("'mainmotor.velocity'"), HasSubstr("unit"))));
  // Positional values follow the registered order (velocity first).
  EXPECT_TRUE(service->try_ingest_flows({ordered_reading(1)}).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("mainmotor.velocity"), 1u);
}

TEST_P(IngestionServiceTest, RegisteredFlowsMissingLocallyAreUsable) {
  ASSERT_NE(create(nostromo()), nullptr);
  auto service = create(config_with({readings_flow()}));
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));
  EXPECT_TRUE(
      service->try_ingest_flows({Flow{"logs", at(0), {{"log", {}, string_value("x")}}}}).ok());
  // And with no local flows at all.
  service = create(config_with({}));
  ASSERT_NE(service, nullptr);
  EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));
}

TEST_P(IngestionServiceTest, ClientKeyWithQuotesAndBackslashesIsFoundAgain) {
  const std::string key = R"(key "with" \quotes\)";
  auto first = create(nostromo(key));
  auto second = create(nostromo(key));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->ingestion_config_id(), second->ingestion_config_id());
  EXPECT_THAT(emulator_.ingestion_configs(), SizeIs(1));
}

TEST_P(IngestionServiceTest, ConcurrentCreatesEndWithOneConfig) {
  for (const bool generated : {false, true}) {
    constexpr int kThreads = 6;
    const std::string key = generated ? "" : "race-key";
    std::atomic<int> ready{0};
    std::vector<absl::StatusOr<std::unique_ptr<IngestionService>>> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        SiftChannel c = channel();
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        results[i] = IngestionService::create(c, nostromo(key));
      });
    }
    for (std::thread& t : threads) t.join();
    std::set<std::string> ids;
    for (auto& result : results) {
      ASSERT_TRUE(result.ok()) << result.status();
      ids.insert((*result)->ingestion_config_id());
    }
    EXPECT_THAT(ids, SizeIs(1));
  }
  const auto configs = emulator_.ingestion_configs();
  ASSERT_THAT(configs, SizeIs(2));
  for (const auto& config : configs)
    EXPECT_THAT(flow_names(config), ElementsAre("readings", "logs"));
}

TEST_P(IngestionServiceTest, ConfigWithRulesIsAcceptedAndRulesAreScopedToTheAsset) {
  TelemetryConfig config = nostromo();
  RuleConfig rule;
  rule.name = "overheating";
  rule.expression = "$1 > 400";
  rule.channel_references = {{"$1", "voltage"}};
  rule.rule_client_key = "overheating-key";
  rule.action = RuleActionCreatePhaseAnnotation{};
  config.rules = {rule};
  auto service = create(config);
  ASSERT_NE(service, nullptr);
  ASSERT_THAT(service->config().rules, SizeIs(1));
  EXPECT_THAT(service->config().rules[0].asset_names, ElementsAre(kAsset));
  // Synced (tests/integration/rule_service_test.cc covers rule sync).
  EXPECT_TRUE(service->config().rules[0].rule_id.has_value());
}

// --- Generated key and lazy flow creation ------------------------------------

TEST_P(IngestionServiceTest, GeneratedKeyIsTheHashAndRefusesRuntimeFlows) {
  auto service = create(nostromo(""));
  ASSERT_NE(service, nullptr);
  const TelemetryConfig& config = service->config();
  EXPECT_TRUE(config.ingestion_client_key_is_generated);
  EXPECT_EQ(config.ingestion_client_key, config.hash());
  const auto configs = emulator_.ingestion_configs();
  ASSERT_THAT(configs, SizeIs(1));
  EXPECT_EQ(configs[0].client_key, config.hash());
  EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));

  const FlowConfig extra{"extra", {ch("x", ChannelDataType::kDouble)}};
  for (absl::Status status :
       {service->create_flows({&extra, 1}), service->try_create_flows({&extra, 1})}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("can not be updated at runtime"));
  }

  // The same schema finds the same config; another schema is another key.
  auto again = create(nostromo(""));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->ingestion_config_id(), service->ingestion_config_id());
  auto other = create(config_with({readings_flow()}, ""));
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->ingestion_config_id(), service->ingestion_config_id());
}

TEST_P(IngestionServiceTest, ForcedLazyCreationRegistersFlowsOnFirstUse) {
  for (const std::string key : {"lazy-key", ""}) {
    IngestionServiceOptions options;
    options.force_lazy_flow_creation = true;
    auto service = create(nostromo(key), options);
    ASSERT_NE(service, nullptr);
    EXPECT_TRUE(service->use_lazy_flow_creation());
    EXPECT_THAT(keys(service->flow_configs_by_name()), ElementsAre("logs", "readings"));
    auto stored = [&] {
      for (const auto& config : emulator_.ingestion_configs()) {
        if (config.ingestion_config_id == service->ingestion_config_id()) return config;
      }
      return emulator::IngestionConfigInfo{};
    };
    EXPECT_THAT(stored().flows, IsEmpty());

    ASSERT_TRUE(service->try_ingest_flows({keyed_reading(1), keyed_reading(2)}).ok());
    EXPECT_THAT(flow_names(stored()), ElementsAre("readings"));
    ASSERT_TRUE(service->ingest_flows({ordered_reading(3)}).ok());
    ASSERT_TRUE(
        service->try_ingest_flows({Flow{"logs", at(4), {{"log", {}, string_value("a")}}}}).ok());
    EXPECT_THAT(flow_names(stored()), ElementsAre("readings", "logs"));
  }
  EXPECT_EQ(rows("voltage"), 6u);
  EXPECT_EQ(rows("log"), 2u);
}

TEST_P(IngestionServiceTest, LazyRegistrationToleratesFlowsRegisteredElsewhere) {
  IngestionServiceOptions options;
  options.force_lazy_flow_creation = true;
  auto lazy = create(nostromo(), options);
  ASSERT_NE(lazy, nullptr);
  // Another client registers "readings" first.
  auto eager = create(config_with({readings_flow()}));
  ASSERT_NE(eager, nullptr);
  ASSERT_TRUE(lazy->try_ingest_flows(
                      {keyed_reading(1), Flow{"logs", at(1), {{"log", {}, string_value("a")}}}})
                  .ok());
  EXPECT_THAT(flow_names(emulator_.ingestion_configs()[0]), ElementsAre("readings", "logs"));
  ASSERT_TRUE(lazy->flush().ok());
  EXPECT_EQ(rows("voltage"), 1u);
}

// A config whose CreateIngestionConfig request would pass 4 MiB falls back to
// lazy creation (spec 4.2 step 5).
TEST_P(IngestionServiceTest, OversizedConfigFallsBackToLazyCreation) {
  TelemetryConfig config;
  config.asset_name = kAsset;
  config.ingestion_client_key = "big-key";
  const std::string padding(400, 'p');
  for (int f = 0; f < 110; ++f) {
    FlowConfig flow{"flow" + std::to_string(f), {}};
    for (int c = 0; c < 100; ++c) {
      flow.channels.push_back(
          ch(absl::StrCat("f", f, "c", c, "_", padding), ChannelDataType::kDouble));
    }
    config.flows.push_back(std::move(flow));
  }
  auto service = create(config);
  ASSERT_NE(service, nullptr);
  EXPECT_TRUE(service->use_lazy_flow_creation());
  EXPECT_THAT(service->flow_configs_by_name(), SizeIs(110));
  ASSERT_THAT(emulator_.ingestion_configs(), SizeIs(1));
  EXPECT_THAT(emulator_.ingestion_configs()[0].flows, IsEmpty());

  std::vector<TypedValue> values(100, double_value(1.0));
  ASSERT_TRUE(service->try_ingest_flows({FlowOrderedChannelValues{"flow7", at(0), values}}).ok());
  EXPECT_THAT(flow_names(emulator_.ingestion_configs()[0]), ElementsAre("flow7"));
}

// All pages of ListIngestionConfigFlows are read; a first page too big for a
// message (in-process: gRPC's default 4 MiB receive limit) is re-read one flow
// per page.
TEST_P(IngestionServiceTest, ListsEveryFlowPage) {
  auto service = create(config_with({}, "many-flows"));
  ASSERT_NE(service, nullptr);
  // ~4.9 MB of flows first (three requests under 4 MiB each), then many small
  // ones: the first page of 1000 holds all the big ones.
  const std::string padding(400, 'p');
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<FlowConfig> big;
    for (int f = 0; f < 40; ++f) {
      FlowConfig flow{absl::StrCat("big", batch, "_", f), {}};
      for (int c = 0; c < 100; ++c) {
        flow.channels.push_back(ch(absl::StrCat("c", c, "_", padding), ChannelDataType::kFloat));
      }
      big.push_back(std::move(flow));
    }
    ASSERT_TRUE(service->try_create_flows(big).ok());
  }
  std::vector<FlowConfig> small;
  for (int f = 0; f < 1205; ++f) {
    small.push_back(FlowConfig{"small" + std::to_string(f), {ch("v", ChannelDataType::kDouble)}});
  }
  ASSERT_TRUE(service->try_create_flows(small).ok());

  if (GetParam() == Transport::kInProcess) {
    // The precondition of the page-size-1 fallback: a page of 1000 flows is
    // more than the in-process channel may receive.
    auto stub = ingestion_configs::v2::IngestionConfigService::NewStub(channel().grpc_channel());
    grpc::ClientContext context;
    ingestion_configs::v2::ListIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(service->ingestion_config_id());
    request.set_page_size(1000);
    ingestion_configs::v2::ListIngestionConfigFlowsResponse response;
    EXPECT_EQ(stub->ListIngestionConfigFlows(&context, request, &response).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  auto again = create(config_with({}, "many-flows"));
  ASSERT_NE(again, nullptr);
  EXPECT_THAT(again->flow_configs_by_name(), SizeIs(120 + 1205));
}

// --- Runtime flows (4.6) -----------------------------------------------------

TEST_P(IngestionServiceTest, TryCreateFlowsRegistersAndRefusesKnownNames) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  const FlowConfig pressure{"pressure", {ch("pressure", ChannelDataType::kFloat)}};
  ASSERT_TRUE(service->try_create_flows({&pressure, 1}).ok());
  EXPECT_THAT(flow_names(emulator_.ingestion_configs()[0]),
              ElementsAre("readings", "logs", "pressure"));
  EXPECT_TRUE(
      service->try_ingest_flows({Flow{"pressure", at(0), {{"pressure", {}, float_value(1)}}}})
          .ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("pressure"), 1u);

  absl::Status again = service->try_create_flows({&pressure, 1});
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), AllOf(HasSubstr("already a flow"), HasSubstr("'pressure'")));

  // create_flows skips the local check; Sift (and the emulator) refuse a
  // second definition of a name, and the local cache keeps the first.
  const FlowConfig redefined{"pressure", {ch("pressure", ChannelDataType::kDouble)}};
  EXPECT_EQ(service->create_flows({&redefined, 1}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(service->flow_configs_by_name().at("pressure").channels[0].data_type,
            ChannelDataType::kFloat);
}

// --- Requests and validation (5) ---------------------------------------------

TEST_P(IngestionServiceTest, KeyedValidationNamesFlowAndChannelAndSendsNothing) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  struct Case {
    Flow flow;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {Flow{"nope", at(0), {{"log", {}, string_value("x")}}}, {"could not be found", "'nope'"}},
      {Flow{"logs", at(0), {}}, {"cannot be empty", "'logs'"}},
      {Flow{"logs", at(0), {{"log", {}, string_value("a")}, {"log", {}, string_value("b")}}},
       {"multiple values", "'log'", "'logs'"}},
      {Flow{"logs", at(0), {{"log", {}, int32_value(1)}}},
       {"Expected value", "'log'", "'logs'", "'string'", "'int32'"}},
      {Flow{"logs", at(0), {{"log", {}, string_value("a")}, {"level", {}, int32_value(1)}}},
       {"Unexpected channel", "'level'", "'logs'"}},
      {Flow{"readings", at(0), {{"velocity", {}, double_value(1)}}},  // the FQN has the component
       {"Unexpected channel", "'velocity'"}},
  };
  for (const Case& c : cases) {
    // A valid flow first: all or nothing.
    absl::Status status = service->try_ingest_flows({keyed_reading(1), c.flow});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& fragment : c.fragments) {
      EXPECT_THAT(status.message(), HasSubstr(fragment));
    }
  }
  EXPECT_EQ(rows("voltage"), 0u);
  EXPECT_EQ(rows("log"), 0u);
}

TEST_P(IngestionServiceTest, KeyedFormStoresRowsAndAcceptsExplicitEmpty) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  std::vector<Flow> flows;
  for (int i = 0; i < 50; ++i) flows.push_back(keyed_reading(i));
  flows.push_back(Flow{
      "readings", at(60), {{"voltage", {}, empty_value()}, {"vehicle_state", {}, enum_value(1)}}});
  ASSERT_TRUE(service->try_ingest_flows(flows).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("mainmotor.velocity"), 50u);
  EXPECT_EQ(rows("voltage"), 50u);  // empty values store nothing
  EXPECT_EQ(rows("vehicle_state"), 1u);
  const auto stored = emulator_.rows(kAsset, "voltage");
  EXPECT_EQ(stored[7].value, int32_value(7));
  EXPECT_EQ(stored[7].timestamp, at(7));
}

TEST_P(IngestionServiceTest, PositionalFormChecksCountAndTypes) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(service->try_ingest_flows({ordered_reading(1), ordered_reading(2)}).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("gpio"), 2u);

  absl::Status short_count = service->try_ingest_flows(
      {FlowOrderedChannelValues{"readings", at(3), {double_value(1), int32_value(1)}}});
  EXPECT_THAT(short_count.message(),
              AllOf(HasSubstr("Expected 4 channel values"), HasSubstr("'readings'")));

  FlowOrderedChannelValues wrong_first = ordered_reading(4);
  wrong_first.channel_values[0] = int32_value(5);  // sift_py would coerce; we refuse
  EXPECT_THAT(service->try_ingest_flows({wrong_first}).message(),
              AllOf(HasSubstr("Expected value"), HasSubstr("'mainmotor.velocity'")));
  FlowOrderedChannelValues wrong_last = ordered_reading(4);
  wrong_last.channel_values[3] = bytes_value("x");
  EXPECT_THAT(service->try_ingest_flows({wrong_last}).message(),
              AllOf(HasSubstr("Expected value"), HasSubstr("'gpio'"), HasSubstr("'bit_field'")));
  EXPECT_THAT(service->try_ingest_flows({FlowOrderedChannelValues{"nope", at(0), {}}}).message(),
              HasSubstr("could not be found"));
  EXPECT_EQ(rows("gpio"), 2u);
}

TEST_P(IngestionServiceTest, IngestFlowsIsUnvalidatedAndTheServerRejectsBadRows) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  // Default: the server parks the bad row and keeps the stream.
  ASSERT_TRUE(service
                  ->ingest_flows({ordered_reading(1),
                                  FlowOrderedChannelValues{"readings", at(2), {double_value(1)}},
                                  ordered_reading(3)})
                  .ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("voltage"), 2u);
  EXPECT_EQ(emulator_.rejected_rows(), 1u);

  // end_stream_on_error: the stream ends with the server's reason.
  IngestionServiceOptions options;
  options.end_stream_on_error = true;
  auto strict = create(nostromo(), options);
  ASSERT_NE(strict, nullptr);
  ASSERT_TRUE(
      strict->ingest_flows({FlowOrderedChannelValues{"readings", at(5), {double_value(1)}}}).ok());
  // The row is queued; flush() reports that the server refused it, and why.
  absl::Status status = strict->flush();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("IngestWithConfigDataStream"), HasSubstr("readings")));
  EXPECT_EQ(strict->metrics().rows_dropped, 1u);
  EXPECT_EQ(strict->metrics().last_error.code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(IngestionServiceTest, PrebuiltRequestsAreSentAsTheyAre) {
  IngestionServiceOptions options;
  options.end_stream_on_error = true;
  auto service = create(nostromo(), options);
  ASSERT_NE(service, nullptr);
  IngestRequest request = service->create_ingestion_request(ordered_reading(1));
  EXPECT_EQ(request.ingestion_config_id, service->ingestion_config_id());
  EXPECT_EQ(request.flow, "readings");
  EXPECT_EQ(request.run_id, "");
  EXPECT_TRUE(request.end_stream_on_validation_error);
  EXPECT_EQ(request.organization_id, "");
  IngestRequest second = request;
  second.timestamp = at(2);
  ASSERT_TRUE(service->ingest(std::vector<IngestRequest>{request, second}).ok());

  ingest::v1::IngestWithConfigDataStreamRequest raw;
  raw.set_ingestion_config_id(service->ingestion_config_id());
  raw.set_flow("logs");
  raw.mutable_timestamp()->set_seconds(1'700'000'100);
  raw.add_channel_values()->set_string("raw");
  ASSERT_TRUE(
      service->ingest(std::vector<ingest::v1::IngestWithConfigDataStreamRequest>{raw}).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("voltage"), 2u);
  ASSERT_EQ(rows("log"), 1u);
  EXPECT_EQ(emulator_.rows(kAsset, "log")[0].value, string_value("raw"));

  // An empty batch sends nothing and succeeds.
  EXPECT_TRUE(service->ingest(std::vector<IngestRequest>{}).ok());
}

// --- Runs (6) ------------------------------------------------------------------

TEST_P(IngestionServiceTest, RowsAreStoredWithTheRunAttachedWhenBuilt) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->run_id(), std::nullopt);
  ASSERT_TRUE(service->try_ingest_flows({keyed_reading(1)}).ok());
  RunOptions options;
  options.description = "first flight";
  options.tags = {"flight", "nominal"};
  options.metadata = {{"pilot", std::string("Ripley")}, {"attempt", 3.0}, {"nominal", true}};
  ASSERT_TRUE(service->attach_run("flight-1", options).ok());
  ASSERT_TRUE(service->run_id().has_value());
  const std::string run_id = *service->run_id();
  IngestRequest built_in_run = service->create_ingestion_request(ordered_reading(2));
  ASSERT_TRUE(service->try_ingest_flows({keyed_reading(3)}).ok());
  service->detach_run();
  EXPECT_EQ(service->run_id(), std::nullopt);
  ASSERT_TRUE(service->try_ingest_flows({keyed_reading(4)}).ok());
  // Built while attached, sent after detaching: still in the run.
  ASSERT_TRUE(service->ingest({&built_in_run, 1}).ok());

  ASSERT_TRUE(service->flush().ok());
  const auto stored = emulator_.rows(kAsset, "voltage");
  ASSERT_THAT(stored, SizeIs(4));
  EXPECT_EQ(stored[0].run_id, "");
  EXPECT_EQ(stored[1].run_id, run_id);
  EXPECT_EQ(stored[2].run_id, run_id);
  EXPECT_EQ(stored[3].run_id, "");

  const auto runs = emulator_.runs();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].run_id, run_id);
  EXPECT_EQ(runs[0].name, "flight-1");
  EXPECT_EQ(runs[0].description, "first flight");
  EXPECT_THAT(runs[0].tags, ElementsAre("flight", "nominal"));
  ASSERT_THAT(runs[0].metadata, SizeIs(3));
  EXPECT_EQ(std::get<std::string>(runs[0].metadata[0].second), "Ripley");
  EXPECT_EQ(std::get<double>(runs[0].metadata[1].second), 3.0);
  EXPECT_EQ(std::get<bool>(runs[0].metadata[2].second), true);
}

TEST_P(IngestionServiceTest, AttachRunReusesARunByNameUnlessForcedNew) {
  auto first = create(nostromo());
  auto second = create(config_with({logs_flow()}, "other-key"));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->attach_run("shared \"run\"").ok());
  RunOptions ignored;
  ignored.description = "not applied to an existing run";
  ASSERT_TRUE(second->attach_run("shared \"run\"", ignored).ok());
  EXPECT_EQ(first->run_id(), second->run_id());
  EXPECT_EQ(emulator_.runs()[0].description, "");

  RunOptions fresh;
  fresh.force_new = true;
  ASSERT_TRUE(second->attach_run("shared \"run\"", fresh).ok());
  EXPECT_NE(first->run_id(), second->run_id());
  EXPECT_THAT(emulator_.runs(), SizeIs(2));

  EXPECT_EQ(first->attach_run("").code(), absl::StatusCode::kInvalidArgument);
  RunOptions duplicate;
  duplicate.metadata = {{"k", 1.0}, {"k", 2.0}};
  EXPECT_THAT(first->attach_run("dup", duplicate).message(), HasSubstr("already exists"));
}

TEST_P(IngestionServiceTest, RunIdOptionAttachesWithoutAnyCall) {
  auto owner = create(nostromo());
  ASSERT_NE(owner, nullptr);
  ASSERT_TRUE(owner->attach_run("preset").ok());
  IngestionServiceOptions options;
  options.run_id = owner->run_id();
  auto service = create(nostromo(), options);
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->run_id(), owner->run_id());
  ASSERT_TRUE(service->try_ingest_flows({keyed_reading(1)}).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(emulator_.rows(kAsset, "voltage")[0].run_id, *owner->run_id());
}

TEST_P(IngestionServiceTest, TransportErrorsNameTheCallAndTheConfig) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  emulator_.stop();
  // Queued while the server is away; flush() times out naming the failing call.
  ASSERT_TRUE(service->try_ingest_flows({keyed_reading(1)}).ok());
  // The sender's first failed stream may take a while to be seen (slow under
  // TSan); flush() reports it once it is.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (service->metrics().last_error.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  absl::Status ingest = service->flush(std::chrono::milliseconds(500));
  EXPECT_EQ(ingest.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(ingest.message(), HasSubstr("IngestService.IngestWithConfigDataStream"));
  EXPECT_EQ(service->metrics().last_error.code(), absl::StatusCode::kUnavailable);
  auto refused = IngestionService::create(channel(), nostromo());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              AllOf(HasSubstr("ListIngestionConfigs"), HasSubstr("nostromo-key"),
                    Not(HasSubstr("test-key"))));
  ASSERT_TRUE(emulator_.start().ok());
}

TEST_P(IngestionServiceTest, FlowsCanBePassedAsSeparateArguments) {
  auto service = create(nostromo());
  ASSERT_NE(service, nullptr);
  const Flow one = keyed_reading(1);
  const Flow two = keyed_reading(2);
  ASSERT_TRUE(service->try_ingest_flows(one).ok());
  ASSERT_TRUE(service->try_ingest_flows(one, two).ok());  // same timestamp twice is two rows
  ASSERT_TRUE(service->ingest_flows(ordered_reading(3), ordered_reading(4)).ok());
  ASSERT_TRUE(service->try_ingest_flows(ordered_reading(5)).ok());
  // A validation failure in any argument sends none of them.
  const Flow bad{"readings", at(6), {{"voltage", std::nullopt, double_value(1)}}};
  EXPECT_FALSE(service->try_ingest_flows(keyed_reading(7), bad).ok());
  ASSERT_TRUE(service->flush().ok());
  EXPECT_EQ(rows("voltage"), 6u);
}

INSTANTIATE_TEST_SUITE_P(Transports, IngestionServiceTest,
                         ::testing::Values(Transport::kInProcess, Transport::kTcp),
                         [](const auto& info) {
                           return info.param == Transport::kInProcess ? "InProcess" : "Tcp";
                         });

}  // namespace
}  // namespace sift
