// Buffered ingestion: rows are staged and handed to the service's ingestion
// engine in batches (every `buffer_size` rows, and every flush interval), and
// the guard's destructor hands over what is left and waits for the server's
// acknowledgement. Failures in the background reach `on_error`, never an
// exception.
//
//   buffered_ingestion [--uri HOST:PORT] [--apikey KEY] [--no-tls] [--rows N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../common/example_flags.h"
#include "../common/nostromo.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/buffer.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/service.h"

int main(int argc, char** argv) {
  sift_examples::ExampleFlags flags = sift_examples::parse_example_flags(argc, argv, " [--rows N]");
  const int rows = sift_examples::rows_flag(flags, 5000);

  absl::StatusOr<sift::TelemetryConfig> config =
      sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
  if (!config.ok()) return sift_examples::fail("telemetry config", config.status());
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(*channel, *config);
  if (!service.ok()) return sift_examples::fail("ingestion service", service.status());

  bool background_failure = false;
  std::size_t sends = 0;
  {
    // Hand over every 750 rows, and whatever is staged every 500 ms.
    sift::BufferedIngestion buffered = (*service)->buffered_ingestion(
        750, std::chrono::milliseconds(500),
        [&](const absl::Status& status, std::vector<sift::IngestRequest> unsent) {
          background_failure = true;
          std::fprintf(stderr, "buffered ingestion: %zu rows not handed over: %s\n", unsent.size(),
                       status.ToString().c_str());
        });
    const sift::Timestamp start = std::chrono::system_clock::now();
    for (int i = 0; i < rows; ++i) {
      absl::Status status = buffered.ingest_flows(
          {{"voltage", start + std::chrono::milliseconds(i), {sift::int32_value(i % 48)}}});
      if (!status.ok()) return sift_examples::fail("ingest_flows", status);
    }
    absl::Status flushed = buffered.flush();
    if (!flushed.ok()) return sift_examples::fail("flush", flushed);
    sends = buffered.sends();
  }  // The destructor would have flushed the rest.

  std::printf("buffered_ingestion: sent %d rows of flow voltage in %zu batches\n", rows, sends);
  return background_failure ? EXIT_FAILURE : EXIT_SUCCESS;
}
