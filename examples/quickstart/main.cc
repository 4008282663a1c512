// The quickstart: one asset, one channel, one rule, one data point.
//
//   quickstart [--uri HOST:PORT] [--apikey KEY] [--no-tls]
//
// Without --uri it talks to a plaintext sift-emulator at 127.0.0.1:50051.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "../common/example_flags.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"
#include "sift/ingestion/service.h"

int main(int argc, char** argv) {
  sift_examples::ExampleFlags flags = sift_examples::parse_example_flags(argc, argv);

  // A channel config. Its fully qualified name is `thruster.temperature`.
  sift::ChannelConfig temperature;
  temperature.name = "temperature";
  temperature.component = "thruster";
  temperature.data_type = sift::ChannelDataType::kDouble;
  temperature.description = "temperature of thruster";
  temperature.unit = "Kelvin";

  // A rule referencing that channel: review when the thruster gets too hot.
  sift::RuleConfig overheating;
  overheating.name = "overheating";
  overheating.description = "Notify Ripley if thrusters get too hot";
  overheating.expression = "$1 > 400";
  overheating.channel_references = {sift::RuleChannelReference::from_config("$1", temperature)};
  overheating.action = sift::RuleActionCreateDataReviewAnnotation{"ellen.ripley@weylandcorp.com",
                                                                  {"warning", "thruster"}};

  // The telemetry config: asset, flows and rules.
  sift::TelemetryConfig draft;
  draft.asset_name = "NostromoLV426";
  draft.flows = {sift::FlowConfig{"temperature_reading", {temperature}}};
  draft.rules = {overheating};
  absl::StatusOr<sift::TelemetryConfig> config = sift::TelemetryConfig::create(std::move(draft));
  if (!config.ok()) return sift_examples::fail("telemetry config", config.status());

  // A channel configured for Sift's API, then the ingestion service.
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(*channel, *config);
  if (!service.ok()) return sift_examples::fail("ingestion service", service.status());

  // Send one data point for the `temperature_reading` flow.
  sift::Flow reading;
  reading.flow_name = "temperature_reading";
  reading.timestamp = std::chrono::system_clock::now();
  reading.channel_values = {{"temperature", "thruster", sift::double_value(327)}};
  absl::Status sent = (*service)->try_ingest_flows(reading);
  if (!sent.ok()) return sift_examples::fail("ingest", sent);

  std::printf("quickstart: sent 1 row of flow temperature_reading for asset %s (config %s)\n",
              config->asset_name.c_str(), (*service)->ingestion_config_id().c_str());
  return EXIT_SUCCESS;
}
