// The emulator's services through raw gRPC stubs, over an in-process channel
// and over 127.0.0.1 TCP: what the SDK relies on, call by call.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "internal/auth_interceptor.h"
#include "sift/assets/v1/assets.grpc.pb.h"
#include "sift/calculated_channels/v1/calculated_channels.grpc.pb.h"
#include "sift/channels/v3/channels.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"
#include "sift/ping/v1/ping.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace {

namespace assets_pb = sift::assets::v1;
namespace channels_pb = sift::channels::v3;
namespace configs_pb = sift::ingestion_configs::v2;
namespace ingest_pb = sift::ingest::v1;
namespace runs_pb = sift::runs::v2;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using Row = ingest_pb::IngestWithConfigDataStreamRequest;
using Value = ingest_pb::IngestWithConfigDataChannelValue;

constexpr char kApiKey[] = "emulator-test-key";

enum class Transport { kInProcess, kTcp };

// ---- request builders

Value dbl(double v) {
  Value value;
  value.set_double_(v);
  return value;
}
Value text(const std::string& v) {
  Value value;
  value.set_string(v);
  return value;
}
Value i32(int v) {
  Value value;
  value.set_int32(v);
  return value;
}
Value boolean(bool v) {
  Value value;
  value.set_bool_(v);
  return value;
}
Value empty() {
  Value value;
  value.mutable_empty();
  return value;
}

configs_pb::ChannelConfig channel_config(const std::string& name,
                                         sift::common::type::v1::ChannelDataType type) {
  configs_pb::ChannelConfig channel;
  channel.set_name(name);
  channel.set_data_type(type);
  return channel;
}

// "readings": temperature (double), mode (string), count (int32);
// "status": ok (bool).
configs_pb::FlowConfig readings_flow() {
  configs_pb::FlowConfig flow;
  flow.set_name("readings");
  *flow.add_channels() =
      channel_config("temperature", sift::common::type::v1::CHANNEL_DATA_TYPE_DOUBLE);
  *flow.add_channels() = channel_config("mode", sift::common::type::v1::CHANNEL_DATA_TYPE_STRING);
  *flow.add_channels() = channel_config("count", sift::common::type::v1::CHANNEL_DATA_TYPE_INT_32);
  return flow;
}
configs_pb::FlowConfig status_flow() {
  configs_pb::FlowConfig flow;
  flow.set_name("status");
  *flow.add_channels() = channel_config("ok", sift::common::type::v1::CHANNEL_DATA_TYPE_BOOL);
  return flow;
}
configs_pb::FlowConfig simple_flow(const std::string& name) {
  configs_pb::FlowConfig flow;
  flow.set_name(name);
  *flow.add_channels() =
      channel_config(name + ".value", sift::common::type::v1::CHANNEL_DATA_TYPE_DOUBLE);
  return flow;
}

Row row(const std::string& config_id, const std::string& flow, std::int64_t seconds,
        std::vector<Value> values, const std::string& run_id = "", bool end_stream = false) {
  Row r;
  r.set_ingestion_config_id(config_id);
  r.set_flow(flow);
  r.mutable_timestamp()->set_seconds(seconds);
  for (Value& v : values) *r.add_channel_values() = std::move(v);
  r.set_run_id(run_id);
  r.set_end_stream_on_validation_error(end_stream);
  return r;
}

class EmulatorServiceTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    sift::emulator::EmulatorOptions options;
    options.api_key = kApiKey;
    emulator_ = std::make_unique<sift::emulator::Emulator>(options);
    ASSERT_TRUE(emulator_->start().ok());
    channel_ = channel(kApiKey);
  }

  // A channel carrying `key` (nullopt: no authorization at all; TCP only).
  std::shared_ptr<grpc::Channel> channel(std::optional<std::string> key) const {
    if (GetParam() == Transport::kInProcess && key.has_value()) {
      return emulator_->in_process_channel(*key).grpc_channel();
    }
    grpc::ChannelArguments args;
    if (!key.has_value()) {
      return grpc::CreateCustomChannel(emulator_->endpoint(), grpc::InsecureChannelCredentials(),
                                       args);
    }
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        emulator_->endpoint(), grpc::InsecureChannelCredentials(), args,
        sift::internal::make_auth_interceptors(*key));
  }

  configs_pb::IngestionConfig create_config(const std::string& client_key,
                                            std::vector<configs_pb::FlowConfig> flows,
                                            const std::string& asset = "vehicle") {
    configs_pb::CreateIngestionConfigRequest request;
    request.set_asset_name(asset);
    request.set_client_key(client_key);
    for (auto& f : flows) *request.add_flows() = std::move(f);
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    grpc::Status status = configs_stub()->CreateIngestionConfig(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.ingestion_config();
  }

  grpc::Status ingest(const std::vector<Row>& rows) {
    auto stub = ingest_pb::IngestService::NewStub(channel_);
    grpc::ClientContext context;
    ingest_pb::IngestWithConfigDataStreamResponse response;
    auto writer = stub->IngestWithConfigDataStream(&context, &response);
    for (const Row& r : rows) {
      if (!writer->Write(r, grpc::WriteOptions().set_buffer_hint())) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  runs_pb::Run create_run(const std::string& name) {
    runs_pb::CreateRunRequest request;
    request.set_name(name);
    runs_pb::CreateRunResponse response;
    grpc::ClientContext context;
    grpc::Status status = runs_stub()->CreateRun(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.run();
  }

  std::unique_ptr<configs_pb::IngestionConfigService::Stub> configs_stub() {
    return configs_pb::IngestionConfigService::NewStub(channel_);
  }
  std::unique_ptr<runs_pb::RunService::Stub> runs_stub() {
    return runs_pb::RunService::NewStub(channel_);
  }
  std::unique_ptr<assets_pb::AssetService::Stub> assets_stub() {
    return assets_pb::AssetService::NewStub(channel_);
  }
  std::unique_ptr<channels_pb::ChannelService::Stub> channels_stub() {
    return channels_pb::ChannelService::NewStub(channel_);
  }

  std::unique_ptr<sift::emulator::Emulator> emulator_;
  std::shared_ptr<grpc::Channel> channel_;
};

INSTANTIATE_TEST_SUITE_P(Transports, EmulatorServiceTest,
                         ::testing::Values(Transport::kInProcess, Transport::kTcp),
                         [](const auto& info) {
                           return info.param == Transport::kInProcess ? "InProcess" : "Tcp";
                         });

// ---- ping and auth

TEST_P(EmulatorServiceTest, PingAnswers) {
  auto stub = sift::ping::v1::PingService::NewStub(channel_);
  grpc::ClientContext context;
  sift::ping::v1::PingResponse response;
  grpc::Status status = stub->Ping(&context, {}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.response().empty());
}

TEST_P(EmulatorServiceTest, WrongKeyIsUnauthenticatedWithoutEchoingIt) {
  auto bad = channel(std::string("not-the-key-12345"));
  {
    grpc::ClientContext context;
    sift::ping::v1::PingResponse response;
    grpc::Status status = sift::ping::v1::PingService::NewStub(bad)->Ping(&context, {}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(status.error_message(), Not(HasSubstr("not-the-key-12345")));
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kApiKey)));
  }
  {  // Streaming calls too, and nothing is stored.
    const auto config = create_config("auth", {readings_flow()});
    auto stub = ingest_pb::IngestService::NewStub(bad);
    grpc::ClientContext context;
    ingest_pb::IngestWithConfigDataStreamResponse response;
    auto writer = stub->IngestWithConfigDataStream(&context, &response);
    writer->Write(row(config.ingestion_config_id(), "readings", 1, {dbl(1), text("a"), i32(1)}));
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(emulator_->summary_lines(), SizeIs(0));
  }
  {  // And methods the emulator does not implement.
    grpc::ClientContext context;
    sift::calculated_channels::v1::ListExpressionIdentifiersResponse response;
    grpc::Status status = sift::calculated_channels::v1::CalculatedChannelsService::NewStub(bad)
                              ->ListExpressionIdentifiers(&context, {}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_P(EmulatorServiceTest, NoKeyConfiguredAcceptsAnyCaller) {
  sift::emulator::Emulator open;  // no api_key
  ASSERT_TRUE(open.start().ok());
  grpc::ClientContext context;
  sift::ping::v1::PingResponse response;
  auto channel = GetParam() == Transport::kInProcess
                     ? open.in_process_channel("anything").grpc_channel()
                     : grpc::CreateChannel(open.endpoint(), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(sift::ping::v1::PingService::NewStub(channel)->Ping(&context, {}, &response).ok());
}

// ---- ingestion configs

TEST_P(EmulatorServiceTest, IngestionConfigCreateDuplicateListGet) {
  const auto config = create_config("key-1", {readings_flow(), status_flow()});
  EXPECT_FALSE(config.ingestion_config_id().empty());
  EXPECT_FALSE(config.asset_id().empty());
  EXPECT_EQ(config.client_key(), "key-1");

  {  // Same client key again: ALREADY_EXISTS, nothing created.
    configs_pb::CreateIngestionConfigRequest request;
    request.set_asset_name("vehicle");
    request.set_client_key("key-1");
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    grpc::Status status = configs_stub()->CreateIngestionConfig(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_THAT(status.error_message(), HasSubstr("key-1"));
  }
  create_config("", {});  // empty keys never collide
  create_config("", {});
  create_config("key-2", {}, "other-asset");

  for (const char* filter :
       {R"(client_key=="key-1")", R"(client_key == 'key-1')", R"(  client_key  ==  "key-1"  )"}) {
    configs_pb::ListIngestionConfigsRequest request;
    request.set_filter(filter);
    request.set_page_size(1);
    configs_pb::ListIngestionConfigsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(configs_stub()->ListIngestionConfigs(&context, request, &response).ok()) << filter;
    ASSERT_THAT(response.ingestion_configs(), SizeIs(1)) << filter;
    EXPECT_EQ(response.ingestion_configs(0).ingestion_config_id(), config.ingestion_config_id());
    EXPECT_EQ(response.next_page_token(), "");
  }
  {  // Unknown key: empty list, not an error.
    configs_pb::ListIngestionConfigsRequest request;
    request.set_filter(R"(client_key=="nope")");
    configs_pb::ListIngestionConfigsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(configs_stub()->ListIngestionConfigs(&context, request, &response).ok());
    EXPECT_THAT(response.ingestion_configs(), SizeIs(0));
  }
  {  // Empty filter, paged by 3: all four configs, in creation order.
    std::vector<std::string> keys;
    std::string token;
    int pages = 0;
    do {
      configs_pb::ListIngestionConfigsRequest request;
      request.set_page_size(3);
      request.set_page_token(token);
      configs_pb::ListIngestionConfigsResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(configs_stub()->ListIngestionConfigs(&context, request, &response).ok());
      for (const auto& c : response.ingestion_configs()) keys.push_back(c.client_key());
      token = response.next_page_token();
      ++pages;
    } while (!token.empty());
    EXPECT_EQ(pages, 2);
    EXPECT_THAT(keys, ElementsAre("key-1", "", "", "key-2"));
  }
  {
    configs_pb::GetIngestionConfigRequest request;
    request.set_ingestion_config_id(config.ingestion_config_id());
    configs_pb::GetIngestionConfigResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(configs_stub()->GetIngestionConfig(&context, request, &response).ok());
    EXPECT_EQ(response.ingestion_config().client_key(), "key-1");
    EXPECT_EQ(response.ingestion_config().asset_id(), config.asset_id());
  }
  {
    configs_pb::GetIngestionConfigRequest request;
    request.set_ingestion_config_id("missing");
    configs_pb::GetIngestionConfigResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(configs_stub()->GetIngestionConfig(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // The asset was created once, by name.
  EXPECT_THAT(emulator_->asset_names(), ElementsAre("vehicle", "other-asset"));
  const auto configs = emulator_->ingestion_configs();
  ASSERT_THAT(configs, SizeIs(4));
  EXPECT_EQ(configs[0].asset_name, "vehicle");
  ASSERT_THAT(configs[0].flows, SizeIs(2));
  EXPECT_EQ(configs[0].flows[0].channels[2].name, "count");
  EXPECT_EQ(configs[0].flows[0].channels[2].data_type, sift::ChannelDataType::kInt32);
}

TEST_P(EmulatorServiceTest, IngestionConfigRejectsInvalidFlows) {
  struct Case {
    const char* what;
    configs_pb::FlowConfig flow;
    const char* fragment;
  };
  std::vector<Case> cases;
  {
    configs_pb::FlowConfig flow = readings_flow();
    flow.set_name("");
    cases.push_back({"empty flow name", flow, "empty name"});
  }
  {
    configs_pb::FlowConfig flow = readings_flow();
    flow.mutable_channels(1)->set_name("");
    cases.push_back({"empty channel name", flow, "flow 'readings' channel 1"});
  }
  {
    configs_pb::FlowConfig flow = readings_flow();
    flow.mutable_channels(2)->set_data_type(sift::common::type::v1::CHANNEL_DATA_TYPE_UNSPECIFIED);
    cases.push_back({"data type 0", flow, "'count' has invalid data_type 0"});
  }
  {
    configs_pb::FlowConfig flow = readings_flow();
    flow.mutable_channels(2)->set_data_type(
        static_cast<sift::common::type::v1::ChannelDataType>(12));
    cases.push_back({"data type 12", flow, "invalid data_type 12"});
  }
  {
    configs_pb::FlowConfig flow = readings_flow();
    flow.mutable_channels(2)->set_name("temperature");
    cases.push_back({"duplicate channel", flow, "declares channel 'temperature' more than once"});
  }
  for (const Case& c : cases) {
    configs_pb::CreateIngestionConfigRequest request;
    request.set_asset_name("vehicle");
    request.set_client_key("bad");
    *request.add_flows() = c.flow;
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    grpc::Status status = configs_stub()->CreateIngestionConfig(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what;
    EXPECT_THAT(status.error_message(), HasSubstr(c.fragment)) << c.what;
  }
  {  // Two flows of one name in a request.
    configs_pb::CreateIngestionConfigRequest request;
    request.set_asset_name("vehicle");
    *request.add_flows() = readings_flow();
    *request.add_flows() = readings_flow();
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    grpc::Status status = configs_stub()->CreateIngestionConfig(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("'readings'"));
  }
  {  // No asset.
    configs_pb::CreateIngestionConfigRequest request;
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(configs_stub()->CreateIngestionConfig(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Nothing was stored by any of them: "bad" is still free.
  EXPECT_THAT(emulator_->ingestion_configs(), SizeIs(0));
  EXPECT_THAT(emulator_->asset_names(), SizeIs(0));
  create_config("bad", {readings_flow()});
}

// ---- flows

TEST_P(EmulatorServiceTest, FlowsCreateDuplicateAndListWithPaging) {
  const auto config = create_config("flows", {readings_flow()});
  auto create = [&](std::vector<configs_pb::FlowConfig> flows) {
    configs_pb::CreateIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(config.ingestion_config_id());
    for (auto& f : flows) *request.add_flows() = std::move(f);
    configs_pb::CreateIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    return configs_stub()->CreateIngestionConfigFlows(&context, request, &response);
  };
  ASSERT_TRUE(create({simple_flow("f1"), simple_flow("f2")}).ok());
  ASSERT_TRUE(create({simple_flow("f3"), simple_flow("f4")}).ok());

  grpc::Status duplicate = create({simple_flow("f5"), simple_flow("f2")});
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(duplicate.error_message(), HasSubstr("flow 'f2' already exists"));

  grpc::Status invalid = create({simple_flow("f6"), configs_pb::FlowConfig()});
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  {
    configs_pb::CreateIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id("missing");
    *request.add_flows() = simple_flow("x");
    configs_pb::CreateIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(configs_stub()->CreateIngestionConfigFlows(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }

  auto list = [&](std::uint32_t page_size, std::vector<std::string>* names, int* pages) {
    std::string token;
    do {
      configs_pb::ListIngestionConfigFlowsRequest request;
      request.set_ingestion_config_id(config.ingestion_config_id());
      request.set_page_size(page_size);
      request.set_page_token(token);
      configs_pb::ListIngestionConfigFlowsResponse response;
      grpc::ClientContext context;
      grpc::Status status = configs_stub()->ListIngestionConfigFlows(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      for (const auto& f : response.flows()) names->push_back(f.name());
      token = response.next_page_token();
      ++*pages;
    } while (!token.empty());
  };
  // A rejected batch adds none of its flows (f5, f6 are absent).
  std::vector<std::string> names;
  int pages = 0;
  list(2, &names, &pages);
  EXPECT_THAT(names, ElementsAre("readings", "f1", "f2", "f3", "f4"));
  EXPECT_EQ(pages, 3);
  names.clear();
  pages = 0;
  list(0, &names, &pages);  // default page size
  EXPECT_THAT(names, SizeIs(5));
  EXPECT_EQ(pages, 1);
  names.clear();
  pages = 0;
  list(1000000, &names, &pages);  // clamped, still one page
  EXPECT_EQ(pages, 1);

  {  // Full channel definitions come back.
    configs_pb::ListIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(config.ingestion_config_id());
    request.set_filter(R"(flow_name=="readings")");
    configs_pb::ListIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(configs_stub()->ListIngestionConfigFlows(&context, request, &response).ok());
    ASSERT_THAT(response.flows(), SizeIs(1));
    ASSERT_THAT(response.flows(0).channels(), SizeIs(3));
    EXPECT_EQ(response.flows(0).channels(1).name(), "mode");
    EXPECT_EQ(response.flows(0).channels(1).data_type(),
              sift::common::type::v1::CHANNEL_DATA_TYPE_STRING);
  }
  {
    configs_pb::ListIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(config.ingestion_config_id());
    request.set_page_token("not-a-token");
    configs_pb::ListIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(configs_stub()->ListIngestionConfigFlows(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    configs_pb::ListIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id("missing");
    configs_pb::ListIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(configs_stub()->ListIngestionConfigFlows(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

// ---- ingest

TEST_P(EmulatorServiceTest, IngestStoresRowsInTimeOrderWithRuns) {
  const auto config = create_config("ingest", {readings_flow(), status_flow()});
  const auto run = create_run("run-a");
  const std::string& id = config.ingestion_config_id();
  grpc::Status status = ingest({
      row(id, "readings", 10, {dbl(1.5), text("idle"), i32(1)}),
      row(id, "readings", 30, {dbl(3.5), empty(), i32(3)}, run.run_id()),
      row(id, "readings", 20, {dbl(2.5), empty(), empty()}),  // late: goes between
      row(id, "status", 40, {boolean(true)}, run.run_id()),
      row(id, "status", 50, {empty()}),  // nothing stored
  });
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre("asset=vehicle channel=count rows=2 runs=2",
                          "asset=vehicle channel=mode rows=1 runs=1",
                          "asset=vehicle channel=ok rows=1 runs=1",
                          "asset=vehicle channel=temperature rows=3 runs=2"));
  EXPECT_EQ(emulator_->rejected_rows(), 0u);

  const auto rows = emulator_->rows("vehicle", "temperature");
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_EQ(rows[0].timestamp.time_since_epoch(), std::chrono::seconds(10));
  EXPECT_EQ(rows[1].timestamp.time_since_epoch(), std::chrono::seconds(20));
  EXPECT_EQ(rows[2].timestamp.time_since_epoch(), std::chrono::seconds(30));
  EXPECT_EQ(rows[0].value, sift::double_value(1.5));
  EXPECT_EQ(rows[1].value, sift::double_value(2.5));
  EXPECT_EQ(rows[2].run_id, run.run_id());
  EXPECT_EQ(rows[0].run_id, "");
  EXPECT_EQ(emulator_->rows("vehicle", "mode")[0].value, sift::string_value("idle"));
  EXPECT_THAT(emulator_->rows("vehicle", "nope"), SizeIs(0));

  // The run now lists the asset it has data for.
  runs_pb::GetRunRequest request;
  request.set_run_id(run.run_id());
  runs_pb::GetRunResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(runs_stub()->GetRun(&context, request, &response).ok());
  EXPECT_THAT(response.run().asset_ids(), ElementsAre(config.asset_id()));
}

struct BadRow {
  const char* what;
  std::function<Row(const std::string& config_id)> make;
  std::vector<const char*> fragments;  // the message names the problem
};

std::vector<BadRow> bad_rows() {
  return {
      {"unknown config",
       [](const std::string&) {
         return row("no-such-config", "readings", 1, {dbl(1), text("a"), i32(1)});
       },
       {"flow 'readings'", "ingestion config 'no-such-config' not found"}},
      {"unknown flow",
       [](const std::string& id) { return row(id, "nope", 1, {dbl(1)}); },
       {"flow 'nope' not found"}},
      {"too few values",
       [](const std::string& id) {
         return row(id, "readings", 1, {dbl(1), text("a")});
       },
       {"flow 'readings' expects 3 channel values, got 2"}},
      {"too many values",
       [](const std::string& id) {
         return row(id, "readings", 1, {dbl(1), text("a"), i32(1), i32(2)});
       },
       {"expects 3 channel values, got 4"}},
      {"wrong type",
       [](const std::string& id) {
         return row(id, "readings", 1, {dbl(1), text("a"), dbl(2)});
       },
       {"flow 'readings' channel 2 'count'", "expected a int32 value", "got double"}},
      {"unset value",
       [](const std::string& id) {
         return row(id, "readings", 1, {dbl(1), Value(), i32(1)});
       },
       {"channel 1 'mode'", "expected a string value", "got nothing"}},
      {"unknown run",
       [](const std::string& id) {
         return row(id, "readings", 1, {dbl(1), text("a"), i32(1)}, "no-such-run");
       },
       {"flow 'readings'", "run 'no-such-run' not found"}},
      {"missing timestamp",
       [](const std::string& id) {
         Row r = row(id, "readings", 1, {dbl(1), text("a"), i32(1)});
         r.clear_timestamp();
         return r;
       },
       {"flow 'readings': missing timestamp"}},
      {"bad nanos",
       [](const std::string& id) {
         Row r = row(id, "readings", 1, {dbl(1), text("a"), i32(1)});
         r.mutable_timestamp()->set_nanos(-1);
         return r;
       },
       {"timestamp out of range"}},
  };
}

TEST_P(EmulatorServiceTest, BadRowsAreDroppedAndCountedWithoutEndStream) {
  const auto config = create_config("drop", {readings_flow()});
  const std::string& id = config.ingestion_config_id();
  std::uint64_t expected_rejected = 0;
  for (const BadRow& bad : bad_rows()) {
    grpc::Status status = ingest({row(id, "readings", 1, {dbl(1), text("a"), i32(1)}), bad.make(id),
                                  row(id, "readings", 2, {dbl(2), text("b"), i32(2)})});
    EXPECT_TRUE(status.ok()) << bad.what << ": " << status.error_message();
    ++expected_rejected;
    EXPECT_EQ(emulator_->rejected_rows(), expected_rejected) << bad.what;
    ASSERT_FALSE(emulator_->rejected_row_errors().empty());
    for (const char* fragment : bad.fragments) {
      EXPECT_THAT(emulator_->rejected_row_errors().back(), HasSubstr(fragment)) << bad.what;
    }
  }
  // Only the good rows landed: two per stream.
  const std::string rows = std::to_string(2 * bad_rows().size());
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre("asset=vehicle channel=count rows=" + rows + " runs=1",
                          "asset=vehicle channel=mode rows=" + rows + " runs=1",
                          "asset=vehicle channel=temperature rows=" + rows + " runs=1"));
}

TEST_P(EmulatorServiceTest, BadRowEndsStreamWithEndStreamOnValidationError) {
  const auto config = create_config("end", {readings_flow()});
  const std::string& id = config.ingestion_config_id();
  std::size_t stored = 0;
  for (const BadRow& bad : bad_rows()) {
    Row bad_row = bad.make(id);
    bad_row.set_end_stream_on_validation_error(true);
    grpc::Status status =
        ingest({row(id, "readings", 1, {dbl(1), text("a"), i32(1)}, "", true), bad_row,
                row(id, "readings", 2, {dbl(2), text("b"), i32(2)}, "", true)});
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.what;
    for (const char* fragment : bad.fragments) {
      EXPECT_THAT(status.error_message(), HasSubstr(fragment)) << bad.what;
    }
    // The row before the bad one stays; the stream ended before the one after.
    ++stored;
    EXPECT_THAT(emulator_->rows("vehicle", "temperature"), SizeIs(stored)) << bad.what;
  }
  EXPECT_EQ(emulator_->rejected_rows(), 0u);
}

TEST_P(EmulatorServiceTest, ManyRowsInOneStream) {
  const auto config = create_config("many", {readings_flow()});
  constexpr int kRows = 50000;
  std::vector<Row> rows;
  rows.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(row(config.ingestion_config_id(), "readings", i, {dbl(i), text("m"), i32(i)}));
  }
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(ingest(rows).ok());
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::seconds(20));
  std::printf("%d rows (3 channels) in %.0f ms\n", kRows,
              std::chrono::duration<double, std::milli>(took).count());
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre("asset=vehicle channel=count rows=50000 runs=1",
                          "asset=vehicle channel=mode rows=50000 runs=1",
                          "asset=vehicle channel=temperature rows=50000 runs=1"));
}

TEST_P(EmulatorServiceTest, ConcurrentStreamsAllLand) {
  const auto config = create_config("concurrent", {readings_flow()});
  const std::string id = config.ingestion_config_id();
  constexpr int kThreads = 4;
  constexpr int kRows = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Row> rows;
      for (int i = 0; i < kRows; ++i) {
        rows.push_back(row(id, "readings", (i * kThreads + t) % 97, {dbl(i), empty(), i32(t)}));
      }
      if (!ingest(rows).ok()) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const auto rows = emulator_->rows("vehicle", "temperature");
  ASSERT_THAT(rows, SizeIs(kThreads * kRows));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_LE(rows[i - 1].timestamp, rows[i].timestamp) << i;
  }
}

TEST_P(EmulatorServiceTest, IngestCountsCountEveryRowRead) {
  const auto config = create_config("counts", {readings_flow()});
  const std::string& id = config.ingestion_config_id();
  const std::vector<Row> rows = {row(id, "readings", 1, {dbl(1), text("a"), i32(1)}),
                                 row(id, "nope", 2, {dbl(2)}),  // rejected, still read
                                 row(id, "readings", 3, {dbl(3), text("c"), i32(3)})};
  std::uint64_t bytes = 0;
  for (const Row& r : rows) bytes += r.ByteSizeLong();
  ASSERT_TRUE(ingest(rows).ok());
  EXPECT_EQ(emulator_->ingest_counts().rows, 3u);
  EXPECT_EQ(emulator_->ingest_counts().bytes, bytes);
  EXPECT_EQ(emulator_->rejected_rows(), 1u);
}

TEST_P(EmulatorServiceTest, CountOnlyModeParsesAndCountsButNeitherValidatesNorStores) {
  sift::emulator::EmulatorOptions options;
  options.api_key = kApiKey;
  options.ingest_count_only = true;
  emulator_ = std::make_unique<sift::emulator::Emulator>(options);
  ASSERT_TRUE(emulator_->start().ok());
  channel_ = channel(kApiKey);
  // Other services behave as usual.
  const auto config = create_config("count-only", {readings_flow()});
  ASSERT_THAT(emulator_->ingestion_configs(), SizeIs(1));
  const std::string& id = config.ingestion_config_id();
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i)
    rows.push_back(row(id, "readings", i, {dbl(i), text("a"), i32(i)}));
  // Would end the stream in normal mode.
  rows.push_back(row(id, "nope", 1, {dbl(1)}, "", /*end_stream=*/true));
  std::uint64_t bytes = 0;
  for (const Row& r : rows) bytes += r.ByteSizeLong();
  const grpc::Status status = ingest(rows);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(emulator_->ingest_counts().rows, rows.size());
  EXPECT_EQ(emulator_->ingest_counts().bytes, bytes);
  EXPECT_THAT(emulator_->summary_lines(), SizeIs(0));
  EXPECT_THAT(emulator_->rows("vehicle", "temperature"), SizeIs(0));
  EXPECT_EQ(emulator_->rejected_rows(), 0u);
}

// ---- runs

TEST_P(EmulatorServiceTest, RunsCreateListUpdateGet) {
  const auto first = create_run("flight-1");
  create_run("flight-2");
  const auto again = create_run("flight-1");  // names need not be unique
  EXPECT_NE(first.run_id(), again.run_id());
  EXPECT_TRUE(first.has_created_date());

  {  // By name, newest first (Sift's default order), as attach_run reads it.
    runs_pb::ListRunsRequest request;
    request.set_filter(R"(name=="flight-1")");
    request.set_page_size(1);
    runs_pb::ListRunsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(runs_stub()->ListRuns(&context, request, &response).ok());
    ASSERT_THAT(response.runs(), SizeIs(1));
    EXPECT_EQ(response.runs(0).run_id(), again.run_id());
    EXPECT_FALSE(response.next_page_token().empty());

    request.set_page_token(response.next_page_token());
    runs_pb::ListRunsResponse second;
    grpc::ClientContext context2;
    ASSERT_TRUE(runs_stub()->ListRuns(&context2, request, &second).ok());
    ASSERT_THAT(second.runs(), SizeIs(1));
    EXPECT_EQ(second.runs(0).run_id(), first.run_id());
    EXPECT_EQ(second.next_page_token(), "");
  }
  {
    runs_pb::ListRunsRequest request;
    request.set_filter(R"(name in ["flight-2", "flight-9"])");
    runs_pb::ListRunsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(runs_stub()->ListRuns(&context, request, &response).ok());
    ASSERT_THAT(response.runs(), SizeIs(1));
    EXPECT_EQ(response.runs(0).name(), "flight-2");
  }

  {  // Update several fields at once.
    runs_pb::UpdateRunRequest request;
    request.mutable_run()->set_run_id(first.run_id());
    request.mutable_run()->set_name("flight-1b");
    request.mutable_run()->set_description("renamed");
    request.mutable_run()->add_tags("t1");
    request.mutable_run()->set_is_pinned(true);
    request.mutable_run()->set_client_key("run-key-1");
    request.mutable_run()->mutable_start_time()->set_seconds(100);
    request.mutable_run()->mutable_stop_time()->set_seconds(160);
    auto* meta = request.mutable_run()->add_metadata();
    meta->mutable_key()->set_name("pilot");
    meta->mutable_key()->set_type(sift::metadata::v1::METADATA_KEY_TYPE_STRING);
    meta->set_string_value("ripley");
    for (const char* path : {"name", "description", "tags", "isPinned", "client_key", "start_time",
                             "stop_time", "metadata"}) {
      request.mutable_update_mask()->add_paths(path);
    }
    runs_pb::UpdateRunResponse response;
    grpc::ClientContext context;
    grpc::Status status = runs_stub()->UpdateRun(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.run().name(), "flight-1b");
    EXPECT_EQ(response.run().duration().seconds(), 60);
  }
  {  // Unknown path: INVALID_ARGUMENT naming it, nothing changed.
    runs_pb::UpdateRunRequest request;
    request.mutable_run()->set_run_id(first.run_id());
    request.mutable_run()->set_name("should-not-stick");
    request.mutable_update_mask()->add_paths("name");
    request.mutable_update_mask()->add_paths("default_report_id");
    runs_pb::UpdateRunResponse response;
    grpc::ClientContext context;
    grpc::Status status = runs_stub()->UpdateRun(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("default_report_id"));
  }
  {  // client_key can be set only once.
    runs_pb::UpdateRunRequest request;
    request.mutable_run()->set_run_id(first.run_id());
    request.mutable_run()->set_client_key("run-key-2");
    request.mutable_update_mask()->add_paths("client_key");
    runs_pb::UpdateRunResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(runs_stub()->UpdateRun(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    runs_pb::GetRunRequest request;
    request.set_run_id(first.run_id());
    runs_pb::GetRunResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(runs_stub()->GetRun(&context, request, &response).ok());
    const runs_pb::Run& run = response.run();
    EXPECT_EQ(run.name(), "flight-1b");
    EXPECT_EQ(run.description(), "renamed");
    EXPECT_THAT(run.tags(), ElementsAre("t1"));
    EXPECT_TRUE(run.is_pinned());
    EXPECT_EQ(run.client_key(), "run-key-1");
    EXPECT_EQ(run.start_time().seconds(), 100);
    EXPECT_EQ(run.stop_time().seconds(), 160);
    ASSERT_THAT(run.metadata(), SizeIs(1));
    EXPECT_EQ(run.metadata(0).string_value(), "ripley");
  }
  {  // By client key.
    runs_pb::ListRunsRequest request;
    request.set_filter(R"(client_key=="run-key-1")");
    runs_pb::ListRunsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(runs_stub()->ListRuns(&context, request, &response).ok());
    ASSERT_THAT(response.runs(), SizeIs(1));
    EXPECT_EQ(response.runs(0).run_id(), first.run_id());
  }
  {
    runs_pb::GetRunRequest request;
    request.set_run_id("missing");
    runs_pb::GetRunResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(runs_stub()->GetRun(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {  // Invalid creations.
    runs_pb::CreateRunRequest request;
    runs_pb::CreateRunResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(runs_stub()->CreateRun(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.set_name("x");
    request.set_client_key("-bad-");
    grpc::ClientContext context2;
    EXPECT_EQ(runs_stub()->CreateRun(&context2, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.set_client_key("run-key-1");
    grpc::ClientContext context3;
    EXPECT_EQ(runs_stub()->CreateRun(&context3, request, &response).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  const auto runs = emulator_->runs();
  ASSERT_THAT(runs, SizeIs(3));
  EXPECT_EQ(runs[0].name, "flight-1b");
  EXPECT_EQ(runs[0].client_key, "run-key-1");
  ASSERT_THAT(runs[0].metadata, SizeIs(1));
  EXPECT_EQ(std::get<std::string>(runs[0].metadata[0].second), "ripley");
}

// ---- assets and channels

TEST_P(EmulatorServiceTest, AssetsListAndGet) {
  const auto a = create_config("a", {readings_flow()}, "alpha");
  const auto b = create_config("b", {status_flow()}, "beta");
  create_config("c", {}, "gamma");
  auto list = [&](const std::string& filter) {
    assets_pb::ListAssetsRequest request;
    request.set_filter(filter);
    assets_pb::ListAssetsResponse response;
    grpc::ClientContext context;
    grpc::Status status = assets_stub()->ListAssets(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const auto& asset : response.assets()) names.push_back(asset.name());
    return names;
  };
  EXPECT_THAT(list(R"(name=="beta")"), ElementsAre("beta"));
  EXPECT_THAT(list(R"(name in ["alpha","beta","nope"])"), ElementsAre("beta", "alpha"));
  EXPECT_THAT(list(R"(asset_id in [")" + a.asset_id() + R"("])"), ElementsAre("alpha"));
  EXPECT_THAT(list(""), ElementsAre("gamma", "beta", "alpha"));

  assets_pb::GetAssetRequest request;
  request.set_asset_id(b.asset_id());
  assets_pb::GetAssetResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(assets_stub()->GetAsset(&context, request, &response).ok());
  EXPECT_EQ(response.asset().name(), "beta");
  EXPECT_TRUE(response.asset().has_created_date());
  request.set_asset_id("missing");
  grpc::ClientContext context2;
  EXPECT_EQ(assets_stub()->GetAsset(&context2, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(EmulatorServiceTest, ChannelsComeFromFlows) {
  const auto vehicle = create_config("v", {readings_flow()});
  const auto other = create_config("o", {status_flow(), simple_flow("extra")}, "other");
  {  // Adding flows later adds their channels.
    configs_pb::CreateIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(vehicle.ingestion_config_id());
    *request.add_flows() = simple_flow("late");
    configs_pb::CreateIngestionConfigFlowsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(configs_stub()->CreateIngestionConfigFlows(&context, request, &response).ok());
  }
  auto list = [&](const std::string& filter, std::uint32_t page_size = 0) {
    std::vector<channels_pb::Channel> out;
    std::string token;
    do {
      channels_pb::ListChannelsRequest request;
      request.set_filter(filter);
      request.set_page_size(page_size);
      request.set_page_token(token);
      channels_pb::ListChannelsResponse response;
      grpc::ClientContext context;
      grpc::Status status = channels_stub()->ListChannels(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& c : response.channels()) out.push_back(c);
      token = response.next_page_token();
    } while (!token.empty());
    return out;
  };
  auto names = [](const std::vector<channels_pb::Channel>& channels) {
    std::vector<std::string> out;
    for (const auto& c : channels) out.push_back(c.name());
    return out;
  };
  const auto of_vehicle = list(R"(asset_id==")" + vehicle.asset_id() + R"(")", 2);
  EXPECT_THAT(names(of_vehicle), ElementsAre("temperature", "mode", "count", "late.value"));
  EXPECT_EQ(of_vehicle[1].data_type(), sift::common::type::v1::CHANNEL_DATA_TYPE_STRING);
  EXPECT_EQ(of_vehicle[1].asset_id(), vehicle.asset_id());

  EXPECT_THAT(names(list("asset_id == '" + other.asset_id() + R"(' && name in ["ok","nope"])")),
              ElementsAre("ok"));
  EXPECT_THAT(names(list(R"(name=="ok")")), ElementsAre("ok"));
  EXPECT_THAT(list(""), SizeIs(6));

  channels_pb::GetChannelRequest request;
  request.set_channel_id(of_vehicle[2].channel_id());
  channels_pb::GetChannelResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(channels_stub()->GetChannel(&context, request, &response).ok());
  EXPECT_EQ(response.channel().name(), "count");
  request.set_channel_id("missing");
  grpc::ClientContext context2;
  EXPECT_EQ(channels_stub()->GetChannel(&context2, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// ---- what the emulator does not do

TEST_P(EmulatorServiceTest, UnsupportedFiltersAndMethodsAnswerWithAMessage) {
  create_config("k", {readings_flow()});
  {
    configs_pb::ListIngestionConfigsRequest request;
    request.set_filter(R"(client_key=="k" || client_key=="j")");
    configs_pb::ListIngestionConfigsResponse response;
    grpc::ClientContext context;
    grpc::Status status = configs_stub()->ListIngestionConfigs(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr(R"(client_key=="k" || client_key=="j")"));
  }
  {
    runs_pb::ListRunsRequest request;
    request.set_filter(R"(description=="x")");
    runs_pb::ListRunsResponse response;
    grpc::ClientContext context;
    grpc::Status status = runs_stub()->ListRuns(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("ListRuns"));
    EXPECT_THAT(status.error_message(), HasSubstr("`description`"));
  }
  {
    channels_pb::ListChannelsRequest request;
    request.set_filter("created_date > timestamp('2024-01-01T00:00:00Z')");
    channels_pb::ListChannelsResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(channels_stub()->ListChannels(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    assets_pb::ListAssetsRequest request;
    request.set_order_by("name desc");
    assets_pb::ListAssetsResponse response;
    grpc::ClientContext context;
    grpc::Status status = assets_stub()->ListAssets(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(), HasSubstr("order_by"));
  }
  {  // A method of a served service.
    runs_pb::StopRunRequest request;
    runs_pb::StopRunResponse response;
    grpc::ClientContext context;
    grpc::Status status = runs_stub()->StopRun(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(), HasSubstr("sift.runs.v2.RunService/StopRun"));
  }
  {  // A service the emulator does not serve at all.
    grpc::ClientContext context;
    sift::calculated_channels::v1::ListExpressionIdentifiersResponse response;
    grpc::Status status =
        sift::calculated_channels::v1::CalculatedChannelsService::NewStub(channel_)
            ->ListExpressionIdentifiers(&context, {}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(),
                HasSubstr("sift.calculated_channels.v1.CalculatedChannelsService/"
                          "ListExpressionIdentifiers"));
  }
  // Still serving.
  grpc::ClientContext context;
  sift::ping::v1::PingResponse response;
  EXPECT_TRUE(sift::ping::v1::PingService::NewStub(channel_)->Ping(&context, {}, &response).ok());
}

// ---- stop / start

TEST_P(EmulatorServiceTest, RestartKeepsStoreAndPort) {
  const auto config = create_config("restart", {readings_flow()});
  const std::string id = config.ingestion_config_id();
  ASSERT_TRUE(ingest({row(id, "readings", 1, {dbl(1), text("a"), i32(1)})}).ok());
  const std::string endpoint = emulator_->endpoint();

  emulator_->stop();
  EXPECT_FALSE(emulator_->running());
  {  // The old channel fails cleanly while stopped.
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    sift::ping::v1::PingResponse response;
    grpc::Status status =
        sift::ping::v1::PingService::NewStub(channel_)->Ping(&context, {}, &response);
    EXPECT_FALSE(status.ok());
  }
  ASSERT_TRUE(emulator_->start().ok());
  EXPECT_TRUE(emulator_->running());
  EXPECT_EQ(emulator_->endpoint(), endpoint);
  // The same channel reconnects, in-process channels included.

  configs_pb::ListIngestionConfigsRequest request;
  request.set_filter(R"(client_key=="restart")");
  configs_pb::ListIngestionConfigsResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status status = configs_stub()->ListIngestionConfigs(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_THAT(response.ingestion_configs(), SizeIs(1));
  EXPECT_EQ(response.ingestion_configs(0).ingestion_config_id(), id);

  ASSERT_TRUE(ingest({row(id, "readings", 2, {dbl(2), text("b"), i32(2)})}).ok());
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre("asset=vehicle channel=count rows=2 runs=1",
                          "asset=vehicle channel=mode rows=2 runs=1",
                          "asset=vehicle channel=temperature rows=2 runs=1"));
}

TEST_P(EmulatorServiceTest, StopEndsOpenStreamsPromptly) {
  const auto config = create_config("open", {readings_flow()});
  auto stub = ingest_pb::IngestService::NewStub(channel_);
  grpc::ClientContext context;
  ingest_pb::IngestWithConfigDataStreamResponse response;
  auto writer = stub->IngestWithConfigDataStream(&context, &response);
  ASSERT_TRUE(
      writer->Write(row(config.ingestion_config_id(), "readings", 1, {dbl(1), text("a"), i32(1)})));

  const auto started = std::chrono::steady_clock::now();
  emulator_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  // The stream was cut off: never reported as delivered.
  writer->WritesDone();
  EXPECT_FALSE(writer->Finish().ok());
  ASSERT_TRUE(emulator_->start().ok());
}

TEST(EmulatorTest, StartFailsOnBadOrTakenAddress) {
  sift::emulator::EmulatorOptions bad;
  bad.listen = "no-port";
  sift::emulator::Emulator emulator(bad);
  EXPECT_EQ(emulator.start().code(), absl::StatusCode::kInvalidArgument);

  sift::emulator::Emulator first;
  ASSERT_TRUE(first.start().ok());
  sift::emulator::EmulatorOptions same;
  same.listen = first.endpoint();
  sift::emulator::Emulator second(same);
  EXPECT_EQ(second.start().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(second.running());
}

TEST(EmulatorTest, InProcessChannelOutlivingTheEmulatorFailsCleanly) {
  std::shared_ptr<grpc::Channel> channel;
  {
    sift::emulator::Emulator emulator;
    ASSERT_TRUE(emulator.start().ok());
    channel = emulator.in_process_channel().grpc_channel();
    emulator.stop();
    ASSERT_TRUE(emulator.start().ok());
  }
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    sift::ping::v1::PingResponse response;
    EXPECT_FALSE(sift::ping::v1::PingService::NewStub(channel)->Ping(&context, {}, &response).ok());
  }
}

TEST(EmulatorTest, InProcessChannelWhileStoppedReachesTheRestartedEmulator) {
  sift::emulator::Emulator emulator;
  ASSERT_TRUE(emulator.start().ok());
  emulator.stop();
  auto channel = emulator.in_process_channel().grpc_channel();
  ASSERT_TRUE(emulator.start().ok());
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  sift::ping::v1::PingResponse response;
  EXPECT_TRUE(sift::ping::v1::PingService::NewStub(channel)->Ping(&context, {}, &response).ok());
}

TEST(EmulatorTest, MissingKeyIsUnauthenticated) {
  sift::emulator::EmulatorOptions options;
  options.api_key = kApiKey;
  sift::emulator::Emulator emulator(options);
  ASSERT_TRUE(emulator.start().ok());
  // Over TCP: in-process channels always carry some key.
  auto keyless = grpc::CreateChannel(emulator.endpoint(), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  sift::ping::v1::PingResponse response;
  grpc::Status status =
      sift::ping::v1::PingService::NewStub(keyless)->Ping(&context, {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("authorization"));
}

TEST(EmulatorTest, EndpointIsLoopbackWithTheBoundPort) {
  sift::emulator::Emulator emulator;
  EXPECT_EQ(emulator.endpoint(), "");
  ASSERT_TRUE(emulator.start().ok());
  EXPECT_THAT(emulator.endpoint(), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_NE(emulator.endpoint(), "127.0.0.1:0");
  EXPECT_TRUE(emulator.start().ok());  // already running: no-op
}

}  // namespace
