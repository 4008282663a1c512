#include "child.h"

#include <cinttypes>
#include <cstdio>

#include "usage.h"

namespace sift_bench {

absl::StatusOr<sift::SiftChannel> bench_channel(const std::string& uri) {
  sift::SiftChannelConfig config;
  config.uri = uri;
  config.apikey = "bench";
  config.use_ssl = false;
  return sift::use_sift_channel(config);
}

int child_fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "bench_ingest child: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

void TimedRegion::start() {
  std::fputs("ready\n", stdout);
  std::fflush(stdout);
  cpu_start_us_ = process_cpu_us();
  wall_start_ = std::chrono::steady_clock::now();
}

void TimedRegion::stop() {
  wall_stop_ = std::chrono::steady_clock::now();
  cpu_stop_us_ = process_cpu_us();
  std::fputs("done\n", stdout);
  std::fflush(stdout);
}

void TimedRegion::report(std::uint64_t rows) const {
  const double seconds = std::chrono::duration<double>(wall_stop_ - wall_start_).count();
  std::printf("rows=%" PRIu64 " seconds=%.6f cpu_us=%" PRId64 " maxrss_kb=%ld\n", rows, seconds,
              cpu_stop_us_ - cpu_start_us_, max_rss_kb());
  std::fflush(stdout);
}

}  // namespace sift_bench
