// The ingestion engine's knobs: a bounded queue that never blocks the
// producer (a full queue is a status to handle), a disk backup that keeps
// rows through outages and crashes, a named sender thread, flush() as the
// proof of delivery, and the metrics.
//
//   ingestion_engine [--uri HOST:PORT] [--apikey KEY] [--no-tls] [--rows N]
//                    [--backup-dir DIR]   (default: a fresh directory under /tmp)
#include <pthread.h>
#include <stdlib.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "../common/example_flags.h"
#include "../common/nostromo.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/engine.h"
#include "sift/ingestion/service.h"

namespace {

// Takes `--backup-dir DIR` out of the flags left over. Without it, a fresh
// directory: a real program keeps one fixed directory, so that the next
// start replays what a crash left behind.
std::string take_backup_dir(sift_examples::ExampleFlags& flags) {
  char fresh[] = "/tmp/sift-example-backup-XXXXXX";
  std::string dir = mkdtemp(fresh) != nullptr ? fresh : "/tmp/sift-example-backup";
  for (std::size_t i = 0; i < flags.rest.size(); ++i) {
    if (flags.rest[i] == "--backup-dir" && i + 1 < flags.rest.size()) {
      dir = flags.rest[i + 1];
      flags.rest.erase(flags.rest.begin() + static_cast<std::ptrdiff_t>(i),
                       flags.rest.begin() + static_cast<std::ptrdiff_t>(i + 2));
      break;
    }
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  sift_examples::ExampleFlags flags =
      sift_examples::parse_example_flags(argc, argv, " [--rows N] [--backup-dir DIR]");
  const std::string backup_dir = take_backup_dir(flags);
  const int rows = sift_examples::rows_flag(flags, 20000);

  absl::StatusOr<sift::TelemetryConfig> config =
      sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
  if (!config.ok()) return sift_examples::fail("telemetry config", config.status());
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());

  sift::IngestionServiceOptions options;
  options.engine.max_buffered_rows = 10000;  // memory: at most 10,000 rows in flight
  options.engine.disk_backup = sift::DiskBackupOptions{};
  options.engine.disk_backup->directory = backup_dir;
  options.engine.on_sender_thread_start = [] { pthread_setname_np(pthread_self(), "sift-sender"); };
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(*channel, *config, options);
  if (!service.ok()) return sift_examples::fail("ingestion service", service.status());

  // The producer of a control loop: a full queue is reported, never waited
  // on. Here we back off briefly and retry; flight code might drop the
  // sample or keep only the latest.
  int refused = 0;
  const sift::Timestamp start = std::chrono::system_clock::now();
  sift::FlowOrderedChannelValues row{"voltage", start, {sift::int32_value(0)}};
  for (int i = 0; i < rows; ++i) {
    row.timestamp = start + std::chrono::milliseconds(i);
    row.channel_values[0] = sift::int32_value(i % 48);  // reused: no allocation per row
    absl::Status status = (*service)->ingest_flows(row);
    while (absl::IsResourceExhausted(status)) {
      ++refused;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      status = (*service)->ingest_flows(row);
    }
    if (!status.ok()) return sift_examples::fail("ingest_flows", status);
  }

  // OK only once the server acknowledged every row accepted so far.
  absl::Status delivered = (*service)->flush(std::chrono::seconds(30));
  if (!delivered.ok()) return sift_examples::fail("flush", delivered);

  const sift::IngestionMetrics m = (*service)->metrics();
  std::printf(
      "ingestion_engine: %llu rows acknowledged in %llu checkpoints (%llu refused while the "
      "queue was full, %llu retried, %llu written to the backup in %s)\n",
      static_cast<unsigned long long>(m.rows_acknowledged),
      static_cast<unsigned long long>(m.checkpoints), static_cast<unsigned long long>(refused),
      static_cast<unsigned long long>(m.rows_retried),
      static_cast<unsigned long long>(m.backup_rows_written),
      options.engine.disk_backup->directory.c_str());
  return m.rows_acknowledged >= static_cast<unsigned long long>(rows) ? EXIT_SUCCESS : EXIT_FAILURE;
}
