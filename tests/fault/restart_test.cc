// The emulator is stopped and restarted (same port, store kept, as a real
// Sift outage) 10 times while 1,000,000 rows go through buffered ingestion:
// afterwards it holds every row, and the duplicates that at-least-once
// delivery produced are reported.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "common/engine_test_util.h"
#include "fault/fault_rows.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"

namespace sift {
namespace {

using std::chrono::milliseconds;
using namespace testing_util;

TEST(RestartFaultTest, TenRestartsDuringAMillionRowsLoseNothing) {
  const std::int64_t rows = fault_rows(1'000'000);
  constexpr int kRestarts = 10;
  emulator::Emulator emulator;
  ASSERT_TRUE(emulator.start().ok());
  absl::StatusOr<SiftChannel> channel = tcp_channel(emulator);
  ASSERT_TRUE(channel.ok()) << channel.status();
  IngestionServiceOptions options;
  options.engine.retry.max_backoff = milliseconds(300);
  auto service = IngestionService::create(*channel, engine_config(), options);
  ASSERT_TRUE(service.ok()) << service.status();

  // Outages of 150 ms every 400 ms, over the ~4 s the producer is paced to.
  std::atomic<int> restarts{0};
  std::thread chaos([&] {
    for (int k = 0; k < kRestarts; ++k) {
      std::this_thread::sleep_for(milliseconds(250));
      emulator.stop();
      std::this_thread::sleep_for(milliseconds(150));
      if (emulator.start().ok()) ++restarts;
    }
  });

  std::uint64_t refused = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto span = milliseconds(kRestarts * 400);
  {
    BufferedIngestion buffer = (*service)->buffered_ingestion();
    for (std::int64_t i = 0; i < rows; ++i) {
      absl::Status status = buffer.ingest_flows(tick(i));
      while (absl::IsResourceExhausted(status)) {  // a full queue is the caller's to handle
        ++refused;
        std::this_thread::sleep_for(milliseconds(1));
        status = buffer.ingest_flows(tick(i));
      }
      ASSERT_TRUE(status.ok()) << status;
      if (i % 1000 == 0) {
        std::this_thread::sleep_until(start + span * i / rows);
      }
    }
  }
  chaos.join();
  ASSERT_EQ(restarts.load(), kRestarts);
  absl::Status flushed = (*service)->flush(std::chrono::seconds(120));
  ASSERT_TRUE(flushed.ok()) << flushed;

  const StoredTicks stored = stored_ticks(emulator);
  const IngestionMetrics m = (*service)->metrics();
  std::printf(
      "rows=%lld distinct=%llu duplicates=%llu retried=%llu reconnects=%llu failed_streams=%llu "
      "checkpoints=%llu refused=%llu\n",
      static_cast<long long>(rows), static_cast<unsigned long long>(stored.distinct),
      static_cast<unsigned long long>(stored.duplicates),
      static_cast<unsigned long long>(m.rows_retried),
      static_cast<unsigned long long>(m.reconnects),
      static_cast<unsigned long long>(m.failed_streams),
      static_cast<unsigned long long>(m.checkpoints), static_cast<unsigned long long>(refused));
  ::testing::Test::RecordProperty("duplicates", static_cast<int>(stored.duplicates));
  EXPECT_EQ(stored.distinct, static_cast<std::uint64_t>(rows));
  EXPECT_TRUE(stored.values_match);
  EXPECT_EQ(m.rows_dropped, 0u);
  EXPECT_GE(m.rows_acknowledged, static_cast<std::uint64_t>(rows));
  // The outages did hit the stream (else this test proves nothing).
  EXPECT_GE(m.failed_streams, 1u);
  EXPECT_GE(m.rows_retried, 1u);
}

}  // namespace
}  // namespace sift
