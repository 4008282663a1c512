// Ingestion with the four-flow NostromoLV426 config: the validated keyed form
// (try_ingest_flows with channel names), the positional form (ingest_flows,
// one value per channel in flow order) and partial rows, all inside a run.
//
//   ingestion [--uri HOST:PORT] [--apikey KEY] [--no-tls] [--rows N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../common/example_flags.h"
#include "../common/nostromo.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/service.h"

namespace {

// gpio's one byte: 12v on (bit 0), led = 0b0001 (bits 3-6).
constexpr char kGpioBits = 0b00001001;

}  // namespace

int main(int argc, char** argv) {
  sift_examples::ExampleFlags flags = sift_examples::parse_example_flags(argc, argv, " [--rows N]");
  const int rows = sift_examples::rows_flag(flags, 100);

  absl::StatusOr<sift::TelemetryConfig> config =
      sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
  if (!config.ok()) return sift_examples::fail("telemetry config", config.status());
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> created =
      sift::IngestionService::create(*channel, *config);
  if (!created.ok()) return sift_examples::fail("ingestion service", created.status());
  sift::IngestionService& service = **created;

  // Every request built from now on carries this run's id.
  sift::RunOptions run_options;
  run_options.description = "sift-cpp ingestion example";
  run_options.tags = {"example"};
  run_options.metadata = {{"vehicle", std::string("NostromoLV426")}, {"attempt", 1.0}};
  absl::Status attached = service.attach_run("nostromo-ingestion-example", run_options);
  if (!attached.ok()) return sift_examples::fail("attach run", attached);

  const sift::Timestamp start = std::chrono::system_clock::now();
  for (int i = 0; i < rows; ++i) {
    const sift::Timestamp t = start + std::chrono::milliseconds(10 * i);
    // Keyed and validated: values by channel name, in any order; the
    // deprecated component still works for mainmotor.velocity.
    sift::Flow readings{"readings",
                        t,
                        {{"velocity", "mainmotor", sift::double_value(10.0 + i)},
                         {"voltage", std::nullopt, sift::int32_value(5)},
                         {"vehicle_state", std::nullopt, sift::enum_value(i % 3)},
                         {"gpio", std::nullopt, sift::bit_field_value(std::string(1, kGpioBits))}}};
    sift::Flow log{
        "logs", t, {{"log", std::nullopt, sift::string_value("INFO: row " + std::to_string(i))}}};
    absl::Status sent = service.try_ingest_flows({readings, log});
    if (!sent.ok()) return sift_examples::fail("try_ingest_flows", sent);
  }

  // Positional and unvalidated: one value per channel in flow order; empty
  // where a channel has no new sample (a partial row).
  const sift::Timestamp later = start + std::chrono::milliseconds(10 * rows);
  absl::Status sent = service.ingest_flows({
      {"readings",
       later,
       {sift::double_value(42.0), sift::empty_value(), sift::empty_value(),
        sift::bit_field_value(std::string(1, kGpioBits))}},
      {"voltage", later, {sift::int32_value(7)}},
      {"gpio_channel", later, {sift::bit_field_value(std::string(1, kGpioBits))}},
  });
  if (!sent.ok()) return sift_examples::fail("ingest_flows", sent);

  // A mistake is caught before anything is sent, with the flow and channel named.
  absl::Status rejected = service.try_ingest_flows(
      {sift::Flow{"readings", later, {{"voltage", std::nullopt, sift::double_value(1.5)}}}});
  std::printf("ingestion: a wrongly typed value is refused: %s\n",
              std::string(rejected.message()).c_str());

  std::printf("ingestion: sent %d keyed rows of readings + logs and 3 positional rows in run %s\n",
              rows, service.run_id().value_or("<none>").c_str());
  return rejected.ok() ? EXIT_FAILURE : EXIT_SUCCESS;
}
