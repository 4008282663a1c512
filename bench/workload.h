// The benchmark's one workload, shared by every client and the micro
// benches: rows of the seed's "readings" flow (mainmotor.velocity double,
// voltage int32, vehicle_state enum, gpio one-byte bit field), 1 ms apart
// from a fixed start, each value derived from the row index.
#ifndef SIFT_BENCH_WORKLOAD_H_
#define SIFT_BENCH_WORKLOAD_H_

#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"
#include "nostromo.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/time.h"

namespace sift_bench {

inline constexpr char kFlowName[] = "readings";
// 2024-01-01T00:00:00Z.
inline constexpr std::int64_t kStartSeconds = 1704067200;

inline sift::Timestamp row_time(std::uint64_t i) {
  return sift::Timestamp(std::chrono::seconds(kStartSeconds) +
                         std::chrono::milliseconds(static_cast<std::int64_t>(i)));
}
inline double row_velocity(std::uint64_t i) { return 0.25 * static_cast<double>(i % 4000); }
inline std::int32_t row_voltage(std::uint64_t i) { return static_cast<std::int32_t>(i % 48); }
// A key of the flow's enum: Accelerating, Decelerating, Stopped.
inline std::uint32_t row_vehicle_state(std::uint64_t i) {
  return static_cast<std::uint32_t>(i % 3);
}
inline char row_gpio(std::uint64_t i) { return static_cast<char>(i & 0xFF); }

// The NostromoLV426 config (its client key is derived from the schema, so
// every client process finds the same ingestion config).
inline absl::StatusOr<sift::TelemetryConfig> nostromo_config() {
  return sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
}

}  // namespace sift_bench

#endif  // SIFT_BENCH_WORKLOAD_H_
