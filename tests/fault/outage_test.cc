// The server stays away longer than the in-memory queue can hold: with disk
// backup nothing is lost once it is back; without, the caller is told
// (statuses, counters) and never blocked.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
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

constexpr std::size_t kQueueRows = 1000;

class OutageFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    absl::StatusOr<SiftChannel> channel = tcp_channel(emulator_);
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *channel;
    ASSERT_FALSE(dir_.path().empty());
  }

  std::unique_ptr<IngestionService> service(bool backup) {
    IngestionServiceOptions options;
    options.engine.max_buffered_rows = kQueueRows;
    options.engine.retry.max_backoff = milliseconds(300);
    if (backup) {
      options.engine.disk_backup = DiskBackupOptions{};
      options.engine.disk_backup->directory = dir_.path();
      options.engine.disk_backup->fsync_interval = milliseconds(100);
    }
    auto created = IngestionService::create(channel_, engine_config(), options);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *std::move(created) : nullptr;
  }

  emulator::Emulator emulator_;
  SiftChannel channel_;
  TempDir dir_{"sift-outage"};
};

TEST_F(OutageFaultTest, WithDiskBackupNothingIsLostOnceTheServerIsBack) {
  const std::int64_t rows = fault_rows(1'000'000) / 20;  // 50 x the queue
  auto s = service(/*backup=*/true);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  std::uint64_t refused = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    absl::Status status = s->ingest_flows(tick(i));
    // The sender drains the queue to disk; a producer faster than the disk
    // sees a full queue for a moment.
    while (absl::IsResourceExhausted(status)) {
      ++refused;
      std::this_thread::sleep_for(milliseconds(1));
      status = s->ingest_flows(tick(i));
    }
    ASSERT_TRUE(status.ok()) << status;
  }
  IngestionMetrics m = s->metrics();
  EXPECT_GT(m.backup_rows_written, kQueueRows);  // more than memory could hold
  EXPECT_LE(m.queue_depth_rows, kQueueRows);
  ASSERT_TRUE(emulator_.start().ok());
  absl::Status flushed = s->flush(std::chrono::seconds(120));
  ASSERT_TRUE(flushed.ok()) << flushed;
  const StoredTicks stored = stored_ticks(emulator_);
  EXPECT_EQ(stored.distinct, static_cast<std::uint64_t>(rows));
  EXPECT_TRUE(stored.values_match);
  m = s->metrics();
  EXPECT_EQ(m.rows_dropped, 0u);
  EXPECT_EQ(m.backup_bytes, 0u);
  std::printf("rows=%lld refused_then_retried=%llu backup_rows_replayed=%llu duplicates=%llu\n",
              static_cast<long long>(rows), static_cast<unsigned long long>(refused),
              static_cast<unsigned long long>(m.backup_rows_replayed),
              static_cast<unsigned long long>(stored.duplicates));
}

TEST_F(OutageFaultTest, WithoutDiskBackupTheCallerIsToldAndNeverBlocked) {
  const std::int64_t rows = fault_rows(1'000'000) / 20;
  auto s = service(/*backup=*/false);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  auto slowest = std::chrono::steady_clock::duration::zero();
  for (std::int64_t i = 0; i < rows; ++i) {
    const auto before = std::chrono::steady_clock::now();
    absl::Status status = s->ingest_flows(tick(i));
    slowest = std::max(slowest, std::chrono::steady_clock::now() - before);
    if (status.ok()) {
      ++accepted;
    } else {
      ASSERT_TRUE(absl::IsResourceExhausted(status)) << status;
      ++refused;
    }
  }
  // No call waited on the network (a generous bound: a refusal is a lock and
  // a counter).
  EXPECT_LT(slowest, milliseconds(500));
  EXPECT_EQ(accepted, kQueueRows);
  const IngestionMetrics m = s->metrics();
  EXPECT_EQ(m.rows_rejected, refused);
  EXPECT_EQ(m.rows_accepted, accepted);
  EXPECT_TRUE(eventually([&] { return !s->metrics().last_error.ok(); }));
  ASSERT_TRUE(emulator_.start().ok());
  absl::Status flushed = s->flush(std::chrono::seconds(60));
  ASSERT_TRUE(flushed.ok()) << flushed;
  EXPECT_EQ(stored_ticks(emulator_).distinct, accepted);
}

}  // namespace
}  // namespace sift
