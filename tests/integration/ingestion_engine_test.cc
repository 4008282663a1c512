// The ingestion engine against the real emulator over 127.0.0.1: metrics,
// checkpoints, backpressure policies, retry give-up, shutdown, the sender
// thread hook and the disk backup (leftovers, corrupt tails, the directory
// lock). Long outages and crashes are in tests/fault/.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/engine_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"

namespace sift {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing_util::engine_config;
using testing_util::eventually;
using testing_util::stored_ticks;
using testing_util::tick;

class IngestionEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    absl::StatusOr<SiftChannel> channel = testing_util::tcp_channel(emulator_);
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *channel;
    ASSERT_FALSE(dir_.path().empty());
  }

  std::unique_ptr<IngestionService> service(IngestionEngineOptions engine = {}) {
    IngestionServiceOptions options;
    engine.retry.max_backoff = milliseconds(200);
    options.engine = std::move(engine);
    auto created = IngestionService::create(channel_, engine_config(), std::move(options));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *std::move(created) : nullptr;
  }

  IngestionEngineOptions with_backup() {
    IngestionEngineOptions options;
    options.disk_backup = DiskBackupOptions{};
    options.disk_backup->directory = backup_dir_;
    options.drain_timeout = milliseconds(200);
    return options;
  }

  std::vector<std::string> backup_files() {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(backup_dir_)) {
      if (entry.path().extension() == ".sbk") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  emulator::Emulator emulator_;
  SiftChannel channel_;
  testing_util::TempDir dir_{"sift-engine-test"};
  const std::string& backup_dir_ = dir_.path();
};

TEST_F(IngestionEngineTest, MetricsCountEveryRowFromAcceptedToAcknowledged) {
  auto s = service();
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
  ASSERT_TRUE(s->flush().ok());
  const IngestionMetrics m = s->metrics();
  EXPECT_EQ(m.rows_accepted, 1000u);
  EXPECT_EQ(m.rows_sent, 1000u);
  EXPECT_EQ(m.rows_acknowledged, 1000u);
  EXPECT_EQ(m.bytes_acknowledged, m.bytes_accepted);
  EXPECT_GT(m.bytes_accepted, 1000u * 10);
  EXPECT_EQ(m.rows_retried, 0u);
  EXPECT_EQ(m.rows_dropped, 0u);
  EXPECT_EQ(m.rows_rejected, 0u);
  EXPECT_EQ(m.queue_depth_rows, 0u);
  EXPECT_EQ(m.unacknowledged_rows, 0u);
  EXPECT_GE(m.checkpoints, 1u);
  EXPECT_TRUE(m.last_error.ok());
  EXPECT_EQ(stored_ticks(emulator_).distinct, 1000u);
  EXPECT_EQ(stored_ticks(emulator_).duplicates, 0u);
}

TEST_F(IngestionEngineTest, CheckpointsHappenOnTheirIntervalWithoutFlush) {
  IngestionEngineOptions options;
  options.checkpoint_interval = milliseconds(50);
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
    std::this_thread::sleep_for(milliseconds(15));
  }
  EXPECT_TRUE(eventually([&] { return s->metrics().rows_acknowledged == 20; }));
  EXPECT_GE(s->metrics().checkpoints, 3u);
}

TEST_F(IngestionEngineTest, AFullQueueRejectsByDefaultWithoutBlocking) {
  IngestionEngineOptions options;
  options.max_buffered_rows = 10;
  options.drain_timeout = milliseconds(100);
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  int refused = 0;
  for (int i = 0; i < 30; ++i) {
    const auto start = std::chrono::steady_clock::now();
    absl::Status status = s->ingest_flows(tick(i));
    // Refusing is immediate: no network wait behind it.
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
    if (!status.ok()) {
      ++refused;
      EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
      EXPECT_THAT(status.message(),
                  AllOf(HasSubstr("queue full"), HasSubstr("max_buffered_rows=10")));
    }
  }
  EXPECT_EQ(refused, 20);
  const IngestionMetrics m = s->metrics();
  EXPECT_EQ(m.rows_rejected, 20u);
  EXPECT_EQ(m.rows_accepted, 10u);
  EXPECT_TRUE(eventually([&] { return !s->metrics().last_error.ok(); }));
  ASSERT_TRUE(emulator_.start().ok());
  ASSERT_TRUE(s->flush().ok());
  EXPECT_EQ(stored_ticks(emulator_).distinct, 10u);
}

TEST_F(IngestionEngineTest, BlockingWaitsOnlyAsLongAsConfigured) {
  IngestionEngineOptions options;
  options.max_buffered_rows = 5;
  options.backpressure = BackpressurePolicy::kBlock;
  options.block_timeout = milliseconds(300);
  options.drain_timeout = milliseconds(100);
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = s->ingest_flows(tick(5));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_GE(waited, milliseconds(300));
  EXPECT_LT(waited, milliseconds(5000));
  ASSERT_TRUE(emulator_.start().ok());
  ASSERT_TRUE(s->flush().ok());
}

TEST_F(IngestionEngineTest, BlockingWithoutTimeoutResumesWhenTheServerIsBack) {
  IngestionEngineOptions options;
  options.max_buffered_rows = 5;
  options.backpressure = BackpressurePolicy::kBlock;
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
  std::atomic<bool> done{false};
  absl::Status blocked_status;
  std::thread producer([&] {
    blocked_status = s->ingest_flows(tick(5));
    done = true;
  });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(done.load());
  ASSERT_TRUE(emulator_.start().ok());
  producer.join();
  EXPECT_TRUE(blocked_status.ok()) << blocked_status;
  ASSERT_TRUE(s->flush().ok());
  EXPECT_EQ(stored_ticks(emulator_).distinct, 6u);
}

TEST_F(IngestionEngineTest, DropOldestKeepsTheNewestRowsAndCountsTheRest) {
  IngestionEngineOptions options;
  options.max_buffered_rows = 10;
  options.backpressure = BackpressurePolicy::kDropOldest;
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  // Queued rows make room for new ones. Rows the sender already wrote are
  // kept for replay; only when they fill the whole limit (how many it took
  // before its first failure depends on timing) is a call refused.
  int last_accepted = -1;
  std::uint64_t refused = 0;
  for (int i = 0; i < 25; ++i) {
    absl::Status status = s->ingest_flows(tick(i));
    if (status.ok()) {
      last_accepted = i;
    } else {
      ASSERT_TRUE(absl::IsResourceExhausted(status)) << status;
      ++refused;
    }
  }
  ASSERT_TRUE(emulator_.start().ok());
  absl::Status flushed = s->flush();
  const IngestionMetrics m = s->metrics();
  const auto stored = stored_ticks(emulator_);
  EXPECT_EQ(m.rows_rejected, refused);
  EXPECT_GE(m.rows_dropped + refused, 15u);
  EXPECT_EQ(stored.distinct + m.rows_dropped + refused, 25u);
  EXPECT_EQ(flushed.code(),
            m.rows_dropped > 0 ? absl::StatusCode::kDataLoss : absl::StatusCode::kOk);
  ASSERT_GE(last_accepted, 0);
  EXPECT_EQ(stored.ids.count(last_accepted), 1u);  // the newest accepted row survives
}

TEST_F(IngestionEngineTest, RetriesGiveUpAfterMaxElapsedAndSayWhy) {
  IngestionEngineOptions options;
  options.retry.max_elapsed = milliseconds(300);
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  ASSERT_TRUE(s->ingest_flows(tick(1)).ok());
  EXPECT_TRUE(eventually([&] { return s->metrics().rows_dropped == 1; }));
  absl::Status flushed = s->flush(milliseconds(100));
  EXPECT_EQ(flushed.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(flushed.message(), HasSubstr("IngestService.IngestWithConfigDataStream"));
  // Later rows are delivered normally once the server is back (the first
  // may still be given up on while the channel reconnects).
  ASSERT_TRUE(emulator_.start().ok());
  int next = 2;
  EXPECT_TRUE(eventually([&] { return s->ingest_flows(tick(next++)).ok() && s->flush().ok(); }));
  EXPECT_GE(s->metrics().reconnects, 1u);
}

TEST_F(IngestionEngineTest, DisabledRetriesDropAtTheFirstFailure) {
  IngestionEngineOptions options;
  options.retry.enabled = false;
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  ASSERT_TRUE(s->ingest_flows(tick(1)).ok());
  EXPECT_EQ(s->flush(milliseconds(5000)).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s->metrics().rows_dropped, 1u);
  EXPECT_EQ(s->metrics().failed_streams, 1u);
  ASSERT_TRUE(emulator_.start().ok());
}

TEST_F(IngestionEngineTest, ShutdownSaysWhatItCouldNotSendAndRefusesMore) {
  auto s = service();
  ASSERT_NE(s, nullptr);
  emulator_.stop();
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
  ASSERT_TRUE(eventually([&] { return !s->metrics().last_error.ok(); }));
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = s->shutdown(milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("7 rows not delivered"), HasSubstr("last error")));
  EXPECT_EQ(s->ingest_flows(tick(8)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->shutdown(milliseconds(10)), status);  // once; later calls repeat the result
  ASSERT_TRUE(emulator_.start().ok());
}

TEST_F(IngestionEngineTest, InvalidOptionsAreRefusedAtCreate) {
  auto refused = [&](auto change) {
    IngestionServiceOptions options;
    change(options.engine);
    return IngestionService::create(channel_, engine_config(), options).status();
  };
  EXPECT_THAT(refused([](IngestionEngineOptions& o) { o.max_buffered_rows = 0; }).message(),
              HasSubstr("max_buffered_rows"));
  EXPECT_THAT(
      refused([](IngestionEngineOptions& o) { o.checkpoint_interval = milliseconds(0); }).message(),
      HasSubstr("checkpoint_interval"));
  EXPECT_EQ(refused([](IngestionEngineOptions& o) { o.retry.multiplier = std::nan(""); }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused([](IngestionEngineOptions& o) {
              o.retry.max_backoff =
                  std::chrono::duration_cast<milliseconds>(std::chrono::hours(48));
            }).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(IngestionEngineTest, TheThreadHookRunsOnTheSenderThread) {
  std::atomic<int> calls{0};
  std::thread::id hook_thread;
  IngestionEngineOptions options;
  options.on_sender_thread_start = [&] {
    hook_thread = std::this_thread::get_id();
    ++calls;
  };
  auto s = service(options);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->ingest_flows(tick(1)).ok());
  ASSERT_TRUE(s->flush().ok());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_NE(hook_thread, std::this_thread::get_id());
}

TEST_F(IngestionEngineTest, LeftoverBackupFilesAreReplayedByTheNextService) {
  {
    auto first = service(with_backup());
    ASSERT_NE(first, nullptr);
    emulator_.stop();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(first->ingest_flows(tick(i)).ok());
    absl::Status status = first->shutdown(milliseconds(300));
    EXPECT_THAT(status.message(), HasSubstr(backup_dir_));
  }
  ASSERT_FALSE(backup_files().empty());
  ASSERT_TRUE(emulator_.start().ok());
  auto second = service(with_backup());
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->flush().ok());  // waits for the leftovers too
  EXPECT_EQ(second->metrics().backup_rows_replayed, 100u);
  EXPECT_EQ(second->metrics().backup_bytes, 0u);
  const auto stored = stored_ticks(emulator_);
  EXPECT_EQ(stored.distinct, 100u);
  EXPECT_TRUE(stored.values_match);
}

TEST_F(IngestionEngineTest, ACorruptTailIsSkippedAndCounted) {
  {
    auto first = service(with_backup());
    ASSERT_NE(first, nullptr);
    emulator_.stop();
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(first->ingest_flows(tick(i)).ok());
    (void)first->shutdown(milliseconds(300));
  }
  std::vector<std::string> files = backup_files();
  ASSERT_FALSE(files.empty());
  // A torn last write: the final record loses its last 3 bytes.
  struct stat st {};
  ASSERT_EQ(stat(files.back().c_str(), &st), 0);
  ASSERT_EQ(truncate(files.back().c_str(), st.st_size - 3), 0);
  ASSERT_TRUE(emulator_.start().ok());
  auto second = service(with_backup());
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(second->flush().ok());
  EXPECT_EQ(second->metrics().backup_corrupt_records, 1u);
  EXPECT_EQ(second->metrics().backup_rows_replayed, 49u);
  EXPECT_EQ(stored_ticks(emulator_).distinct, 49u);
}

TEST_F(IngestionEngineTest, OneProcessAtATimePerBackupDirectory) {
  auto first = service(with_backup());
  ASSERT_NE(first, nullptr);
  IngestionServiceOptions options;
  options.engine = with_backup();
  auto second = IngestionService::create(channel_, engine_config(), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr(backup_dir_));
}

TEST_F(IngestionEngineTest, BackupFilesAreReleasedAtCheckpoints) {
  auto s = service(with_backup());
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(s->ingest_flows(tick(i)).ok());
  ASSERT_TRUE(s->flush().ok());
  const IngestionMetrics m = s->metrics();
  EXPECT_EQ(m.backup_rows_written, 500u);
  EXPECT_EQ(m.backup_bytes, 0u);
  EXPECT_EQ(stored_ticks(emulator_).distinct, 500u);
}

}  // namespace
}  // namespace sift
