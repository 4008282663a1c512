// The producer the crash fault test SIGKILLs: ingests `tick` rows with disk
// backup on, as fast as the queue takes them, printing `ready` once the
// service exists and `accepted N` every 1000 rows, until it is killed.
//   fault_ingest_child HOST:PORT BACKUP_DIR QUEUE_ROWS
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/engine_test_util.h"
#include "sift/ingestion/service.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s HOST:PORT BACKUP_DIR QUEUE_ROWS\n", argv[0]);
    return 2;
  }
  sift::SiftChannelConfig config;
  config.uri = argv[1];
  config.apikey = "k";
  config.use_ssl = false;
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(config);
  if (!channel.ok()) return 1;
  sift::IngestionServiceOptions options;
  options.engine.max_buffered_rows = std::strtoull(argv[3], nullptr, 10);
  options.engine.retry.max_backoff = std::chrono::milliseconds(300);
  options.engine.disk_backup = sift::DiskBackupOptions{};
  options.engine.disk_backup->directory = argv[2];
  auto service =
      sift::IngestionService::create(*channel, sift::testing_util::engine_config(), options);
  if (!service.ok()) {
    std::fprintf(stderr, "%s\n", service.status().ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (std::int64_t i = 0;; ++i) {
    absl::Status status = (*service)->ingest_flows(sift::testing_util::tick(i));
    while (absl::IsResourceExhausted(status)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      status = (*service)->ingest_flows(sift::testing_util::tick(i));
    }
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 1;
    }
    if ((i + 1) % 1000 == 0) {
      std::printf("accepted %lld\n", static_cast<long long>(i + 1));
      std::fflush(stdout);
    }
  }
}
