// The client side of bench_ingest: one client per process, started by the
// parent as `bench_ingest --child CLIENT --uri HOST:PORT --rows N`.
//
// Protocol on stdout, one line each: `ready` once setup is done (the timed
// region starts), `done` when it ends (every row acknowledged by the
// server), then `rows=N seconds=S cpu_us=C maxrss_kb=K` at exit: wall time
// and process CPU (user + sys, all threads) of the timed region, and peak
// RSS. Errors go to stderr with a non-zero exit status.
#ifndef SIFT_BENCH_CHILD_H_
#define SIFT_BENCH_CHILD_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/grpc/transport.h"

namespace sift_bench {

struct ChildArgs {
  std::string uri;  // host:port of the emulator
  std::uint64_t rows = 0;
};

// The clients; each returns the process exit status.
int run_raw_client(const ChildArgs& args);
int run_sdk_client(const ChildArgs& args, bool validated);

// A plaintext channel to the emulator, as every client uses.
absl::StatusOr<sift::SiftChannel> bench_channel(const std::string& uri);

// Prints `what: status` on stderr; returns 1.
int child_fail(const std::string& what, const absl::Status& status);

// The timed region: start() prints `ready`, stop() prints `done`, report()
// prints the result line.
class TimedRegion {
 public:
  void start();
  void stop();
  void report(std::uint64_t rows) const;

 private:
  std::chrono::steady_clock::time_point wall_start_, wall_stop_;
  std::int64_t cpu_start_us_ = 0, cpu_stop_us_ = 0;
};

}  // namespace sift_bench

#endif  // SIFT_BENCH_CHILD_H_
