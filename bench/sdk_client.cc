// The SDK clients, through buffered ingestion with a blocking queue:
// `sdk_ingest_flows` (positional, unvalidated: one reused
// FlowOrderedChannelValues) and `sdk_try_ingest_flows` (keyed, validated: one
// reused Flow with its four values by name). The timed region ends once
// buffer.flush() and service->flush() say every row is acknowledged.
#include <chrono>
#include <memory>
#include <string>

#include "child.h"
#include "sift/ingestion/buffer.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/service.h"
#include "workload.h"

namespace sift_bench {
namespace {

// Generous: with a blocking queue at most the queue's contents are left.
constexpr std::chrono::minutes kFlushTimeout{10};

absl::Status send_positional(sift::BufferedIngestion& buffer, std::uint64_t rows) {
  sift::FlowOrderedChannelValues row{
      kFlowName,
      row_time(0),
      {sift::double_value(0), sift::int32_value(0), sift::enum_value(0),
       sift::bit_field_value(std::string(1, 0))}};
  for (std::uint64_t i = 0; i < rows; ++i) {
    row.timestamp = row_time(i);
    row.channel_values[0] = sift::double_value(row_velocity(i));
    row.channel_values[1] = sift::int32_value(row_voltage(i));
    row.channel_values[2] = sift::enum_value(row_vehicle_state(i));
    row.channel_values[3] = sift::bit_field_value(std::string(1, row_gpio(i)));
    if (absl::Status s = buffer.ingest_flows(row); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status send_keyed(sift::BufferedIngestion& buffer, std::uint64_t rows) {
  sift::Flow flow{kFlowName,
                  row_time(0),
                  {{"velocity", "mainmotor", sift::double_value(0)},
                   {"voltage", std::nullopt, sift::int32_value(0)},
                   {"vehicle_state", std::nullopt, sift::enum_value(0)},
                   {"gpio", std::nullopt, sift::bit_field_value(std::string(1, 0))}}};
  for (std::uint64_t i = 0; i < rows; ++i) {
    flow.timestamp = row_time(i);
    flow.channel_values[0].value = sift::double_value(row_velocity(i));
    flow.channel_values[1].value = sift::int32_value(row_voltage(i));
    flow.channel_values[2].value = sift::enum_value(row_vehicle_state(i));
    flow.channel_values[3].value = sift::bit_field_value(std::string(1, row_gpio(i)));
    if (absl::Status s = buffer.try_ingest_flows(flow); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

int run_sdk_client(const ChildArgs& args, bool validated) {
  absl::StatusOr<sift::SiftChannel> channel = bench_channel(args.uri);
  if (!channel.ok()) return child_fail("channel", channel.status());
  absl::StatusOr<sift::TelemetryConfig> config = nostromo_config();
  if (!config.ok()) return child_fail("telemetry config", config.status());
  sift::IngestionServiceOptions options;
  options.engine.backpressure = sift::BackpressurePolicy::kBlock;
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(*channel, *config, options);
  if (!service.ok()) return child_fail("ingestion service", service.status());

  TimedRegion timed;
  {
    sift::BufferedIngestion buffer = (*service)->buffered_ingestion();
    timed.start();
    absl::Status sent =
        validated ? send_keyed(buffer, args.rows) : send_positional(buffer, args.rows);
    if (!sent.ok()) {
      return child_fail(validated ? "try_ingest_flows" : "ingest_flows", sent);
    }
    if (absl::Status s = buffer.flush(); !s.ok()) return child_fail("buffer flush", s);
    if (absl::Status s = (*service)->flush(kFlushTimeout); !s.ok()) {
      return child_fail("service flush", s);
    }
    timed.stop();
  }
  service->reset();
  timed.report(args.rows);
  return 0;
}

}  // namespace sift_bench
