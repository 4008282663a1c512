// The parent side of bench_ingest: runs one client in its own process
// against the in-process emulator and measures it.
#ifndef SIFT_BENCH_HARNESS_H_
#define SIFT_BENCH_HARNESS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sift/emulator/emulator.h"

namespace sift_bench {

struct Measurement {
  std::string client;
  int rep = 0;
  std::uint64_t rows = 0;
  double seconds = 0;              // the client's timed region
  std::int64_t client_cpu_us = 0;  // client process, all threads, timed region
  std::int64_t server_cpu_us = 0;  // this process (the emulator), same region
  long client_maxrss_kb = 0;       // client's peak RSS
  std::uint64_t bytes = 0;         // serialized request bytes the emulator counted

  double rows_per_second() const { return seconds > 0 ? rows / seconds : 0; }
  double client_us_per_row() const { return rows ? double(client_cpu_us) / rows : 0; }
  double server_us_per_row() const { return rows ? double(server_cpu_us) / rows : 0; }
};

// Starts `/proc/self/exe --child CLIENT --uri ENDPOINT --rows N`, waits for
// it, and checks that the emulator's ingest count grew by exactly `rows`.
absl::StatusOr<Measurement> measure(const sift::emulator::Emulator& emulator,
                                    const std::string& client, std::uint64_t rows);

}  // namespace sift_bench

#endif  // SIFT_BENCH_HARNESS_H_
