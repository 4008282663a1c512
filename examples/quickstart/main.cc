// The quickstart: one asset, one channel, one rule, a short temperature series
// that crosses the rule's threshold once.
//
//   quickstart [--uri HOST:PORT] [--apikey KEY] [--no-tls]
//
// Without --uri it talks to a plaintext sift-emulator at 127.0.0.1:50051. The
// rule's assignee and tags must exist there:
//
//   sift-emulator --user ellen.ripley@weylandcorp.com --tag warning --tag thruster
//
// The emulator then evaluates "overheating" and leaves one review annotation
// spanning the two readings above 400 (`--summary-on-exit` prints it).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
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

  // Send four readings of the `temperature_reading` flow, one second apart.
  const double temperatures[] = {327, 405, 412, 380};
  const sift::Timestamp start = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < std::size(temperatures); ++i) {
    sift::Flow reading;
    reading.flow_name = "temperature_reading";
    reading.timestamp = start + std::chrono::seconds(i);
    reading.channel_values = {{"temperature", "thruster", sift::double_value(temperatures[i])}};
    absl::Status sent = (*service)->try_ingest_flows(reading);
    if (!sent.ok()) return sift_examples::fail("ingest", sent);
  }
  // Ingest calls queue; flush() waits until Sift has acknowledged every row.
  absl::Status flushed = (*service)->flush();
  if (!flushed.ok()) return sift_examples::fail("flush", flushed);

  std::printf("quickstart: sent %zu rows of flow temperature_reading for asset %s (config %s)\n",
              std::size(temperatures), config->asset_name.c_str(),
              (*service)->ingestion_config_id().c_str());
  return EXIT_SUCCESS;
}
