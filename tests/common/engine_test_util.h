// Shared by the ingestion engine's integration and fault tests: a one-flow
// telemetry config, a TCP channel to an emulator, polling, and the check that
// counts what the emulator holds (distinct rows and duplicates).
#ifndef SIFT_TESTS_COMMON_ENGINE_TEST_UTIL_H_
#define SIFT_TESTS_COMMON_ENGINE_TEST_UTIL_H_

#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "sift/emulator/emulator.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/flow.h"

namespace sift {
namespace testing_util {

inline constexpr char kEngineAsset[] = "engine-asset";
inline constexpr char kEngineFlow[] = "tick";
inline constexpr char kEngineChannel[] = "counter";

// One flow `tick` with one int64 channel `counter`: row i carries i and a
// timestamp i microseconds after a fixed epoch, so (flow, timestamp) names it.
inline TelemetryConfig engine_config() {
  ChannelConfig counter;
  counter.name = kEngineChannel;
  counter.data_type = ChannelDataType::kInt64;
  TelemetryConfig config;
  config.asset_name = kEngineAsset;
  config.ingestion_client_key = "engine-key";
  config.flows = {FlowConfig{kEngineFlow, {counter}}};
  return config;
}

inline Timestamp tick_time(std::int64_t i) {
  return Timestamp(std::chrono::seconds(1'700'000'000) + std::chrono::microseconds(i));
}

inline FlowOrderedChannelValues tick(std::int64_t i) {
  return FlowOrderedChannelValues{kEngineFlow, tick_time(i), {int64_value(i)}};
}

// A fresh directory under /tmp (for disk backups), removed with its contents
// when this goes away. path() is empty if it could not be created.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline absl::StatusOr<SiftChannel> tcp_channel(const emulator::Emulator& emulator) {
  SiftChannelConfig config;
  config.uri = emulator.endpoint();
  config.apikey = "k";
  config.use_ssl = false;
  return use_sift_channel(config);
}

template <typename Condition>
bool eventually(Condition condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(20000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

struct StoredTicks {
  std::uint64_t stored = 0;    // rows held, duplicates included
  std::uint64_t distinct = 0;  // distinct (flow, timestamp)
  std::uint64_t duplicates = 0;
  bool values_match = true;    // every row carries the value its timestamp implies
  std::set<std::int64_t> ids;  // distinct row numbers
};

inline StoredTicks stored_ticks(const emulator::Emulator& emulator) {
  StoredTicks out;
  for (const emulator::StoredRow& row : emulator.rows(kEngineAsset, kEngineChannel)) {
    ++out.stored;
    const std::int64_t id =
        std::chrono::duration_cast<std::chrono::microseconds>(row.timestamp - tick_time(0)).count();
    // A replayed row is the same bytes as the original, so the same value.
    if (!(row.value == int64_value(id))) out.values_match = false;
    out.ids.insert(id);
  }
  out.distinct = out.ids.size();
  out.duplicates = out.stored - out.distinct;
  return out;
}

}  // namespace testing_util
}  // namespace sift

#endif  // SIFT_TESTS_COMMON_ENGINE_TEST_UTIL_H_
