// BufferedIngestion against the real emulator (spec 7 and the counting
// checklist of _service_test.py), with sift_py's defects fixed: the interval
// thread never outlives the guard, interval errors reach on_error and are
// retried, and the destructor's final hand-off reports instead of throwing.
#include "sift/ingestion/buffer.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"

namespace sift {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kAsset[] = "buffered-asset";
using std::chrono::milliseconds;

ChannelConfig ch(std::string name, ChannelDataType type) {
  ChannelConfig channel;
  channel.name = std::move(name);
  channel.data_type = type;
  return channel;
}

TelemetryConfig telemetry() {
  TelemetryConfig config;
  config.asset_name = kAsset;
  config.ingestion_client_key = "buffered-key";
  config.flows = {FlowConfig{
      "reading", {ch("value", ChannelDataType::kDouble), ch("count", ChannelDataType::kInt64)}}};
  return config;
}

Timestamp at(int i) {
  return Timestamp(std::chrono::seconds(1'700'000'000) + std::chrono::microseconds(i));
}

Flow keyed(int i) { return Flow{"reading", at(i), {{"value", {}, double_value(i)}}}; }
FlowOrderedChannelValues ordered(int i) {
  return FlowOrderedChannelValues{"reading", at(i), {double_value(i), int64_value(i)}};
}

// Polls `condition` until it holds or `timeout` passes.
template <typename Condition>
bool eventually(Condition condition, milliseconds timeout = milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return condition();
}

enum class Transport { kInProcess, kTcp };

class BufferedIngestionTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    SiftChannel channel = emulator_.in_process_channel("k");
    if (GetParam() == Transport::kTcp) {
      SiftChannelConfig config;
      config.uri = emulator_.endpoint();
      config.apikey = "k";
      config.use_ssl = false;
      absl::StatusOr<SiftChannel> tcp = use_sift_channel(config);
      ASSERT_TRUE(tcp.ok()) << tcp.status();
      channel = *tcp;
    }
    channel_ = channel;
    service_ = make_service({});
    ASSERT_NE(service_, nullptr);
  }

  std::unique_ptr<IngestionService> make_service(IngestionServiceOptions options) {
    auto service = IngestionService::create(channel_, telemetry(), std::move(options));
    EXPECT_TRUE(service.ok()) << service.status();
    return service.ok() ? *std::move(service) : nullptr;
  }

  // A service whose queue holds `rows` rows, with the server stopped: what a
  // long outage looks like to a buffer.
  std::unique_ptr<IngestionService> small_queue_service_during_outage(std::size_t rows) {
    IngestionServiceOptions options;
    options.engine.max_buffered_rows = rows;
    options.engine.drain_timeout = milliseconds(200);
    auto service = make_service(options);
    emulator_.stop();
    return service;
  }

  std::size_t stored() { return emulator_.rows(kAsset, "value").size(); }

  emulator::Emulator emulator_;
  SiftChannel channel_;
  std::unique_ptr<IngestionService> service_;
};

// --- Counting (the _service_test.py checklist) ------------------------------

struct CountCase {
  std::size_t buffer_size;
  int calls;
  bool validated;
  std::size_t sends_in_scope;
  std::size_t buffered_in_scope;
};

TEST_P(BufferedIngestionTest, SendsWhenFullAndFlushesTheRestOnDestruction) {
  const CountCase cases[] = {
      {kDefaultBufferSize, 10000, true, 10, 0},
      {kDefaultBufferSize, 10500, true, 10, 500},
      {500, 5200, true, 10, 200},
      {800, 5200, false, 6, 400},
      {kDefaultBufferSize, 6000, true, 6, 0},
      {0, 1500, true, 1, 500},  // 0 = default
  };
  std::size_t expected_rows = 0;
  for (const CountCase& c : cases) {
    {
      BufferedIngestion buffer = service_->buffered_ingestion(c.buffer_size);
      for (int i = 0; i < c.calls; ++i) {
        absl::Status status =
            c.validated ? buffer.try_ingest_flows({keyed(i)}) : buffer.ingest_flows({ordered(i)});
        ASSERT_TRUE(status.ok()) << status;
      }
      EXPECT_EQ(buffer.sends(), c.sends_in_scope) << c.calls;
      EXPECT_EQ(buffer.buffered(), c.buffered_in_scope) << c.calls;
      expected_rows += c.calls - c.buffered_in_scope;
      // Handed over means queued: the service's flush waits for them (and
      // only them: the staged rows are the buffer's).
      ASSERT_TRUE(service_->flush().ok());
      EXPECT_EQ(stored(), expected_rows);
    }
    // Leaving the scope sends what was left.
    expected_rows += c.buffered_in_scope;
    EXPECT_EQ(stored(), expected_rows) << c.calls;
  }
}

TEST_P(BufferedIngestionTest, FlushSendsWhatIsBufferedAndNothingWhenEmpty) {
  BufferedIngestion buffer = service_->buffered_ingestion();
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2), keyed(3)}).ok());
  EXPECT_EQ(buffer.buffered(), 3u);
  EXPECT_EQ(stored(), 0u);
  ASSERT_TRUE(buffer.flush().ok());
  EXPECT_EQ(buffer.sends(), 1u);
  EXPECT_EQ(buffer.buffered(), 0u);
  EXPECT_EQ(stored(), 3u);
  ASSERT_TRUE(buffer.flush().ok());
  EXPECT_EQ(buffer.sends(), 1u);
}

TEST_P(BufferedIngestionTest, PositionalValidatedFormIsBufferedToo) {
  BufferedIngestion buffer = service_->buffered_ingestion(10);
  ASSERT_TRUE(buffer.try_ingest_flows({ordered(1), ordered(2)}).ok());
  EXPECT_THAT(buffer.try_ingest_flows({FlowOrderedChannelValues{"reading", at(3), {}}}).message(),
              HasSubstr("cannot be empty"));
  EXPECT_EQ(buffer.buffered(), 2u);
}

TEST_P(BufferedIngestionTest, AValidationErrorKeepsTheFlowsAlreadyAppended) {
  BufferedIngestion buffer = service_->buffered_ingestion();
  absl::Status status = buffer.try_ingest_flows(
      {keyed(1), Flow{"reading", at(2), {{"nope", {}, double_value(1)}}}, keyed(3)});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("Unexpected channel"));
  EXPECT_EQ(buffer.buffered(), 1u);  // as sift_py: keyed(1) stays, keyed(3) never came
}

// --- The interval -------------------------------------------------------------

TEST_P(BufferedIngestionTest, IntervalFlushFiresWithoutFurtherCalls) {
  BufferedIngestion buffer = service_->buffered_ingestion(kDefaultBufferSize, milliseconds(100));
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2)}).ok());
  EXPECT_TRUE(eventually([&] { return stored() == 2; }));
  EXPECT_EQ(buffer.sends(), 1u);
  EXPECT_EQ(buffer.buffered(), 0u);
}

// _service_test.py with a 2 s interval: 1,500 calls give 1 send and 500
// buffered; ~5 s later exactly 2 sends and nothing buffered.
TEST_P(BufferedIngestionTest, IntervalFlushesTheRemainderExactlyOnce) {
  BufferedIngestion buffer = service_->buffered_ingestion(kDefaultBufferSize, milliseconds(2000));
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(buffer.try_ingest_flows({keyed(i)}).ok());
  EXPECT_EQ(buffer.sends(), 1u);
  EXPECT_EQ(buffer.buffered(), 500u);
  std::this_thread::sleep_for(milliseconds(5000));
  EXPECT_EQ(buffer.sends(), 2u);
  EXPECT_EQ(buffer.buffered(), 0u);
  EXPECT_EQ(stored(), 1500u);
}

TEST_P(BufferedIngestionTest, ASizeTriggeredSendDoesNotRestartTheInterval) {
  const auto start = std::chrono::steady_clock::now();
  BufferedIngestion buffer = service_->buffered_ingestion(100, milliseconds(1500));
  std::this_thread::sleep_for(milliseconds(800));
  for (int i = 0; i < 101; ++i) ASSERT_TRUE(buffer.try_ingest_flows({keyed(i)}).ok());
  EXPECT_EQ(buffer.sends(), 1u);
  EXPECT_EQ(buffer.buffered(), 1u);
  // The interval still ends 1.5 s after construction, not 1.5 s after the send.
  ASSERT_TRUE(eventually([&] { return buffer.buffered() == 0; }, milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2100));
}

TEST_P(BufferedIngestionTest, FlushRestartsTheInterval) {
  BufferedIngestion buffer = service_->buffered_ingestion(kDefaultBufferSize, milliseconds(600));
  std::this_thread::sleep_for(milliseconds(400));
  ASSERT_TRUE(buffer.flush().ok());  // the next interval flush is due 600 ms from now
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1)}).ok());
  std::this_thread::sleep_for(milliseconds(350));  // past the original 600 ms
  EXPECT_EQ(buffer.buffered(), 1u);
  EXPECT_TRUE(eventually([&] { return buffer.buffered() == 0; }));
}

TEST_P(BufferedIngestionTest, IntervalErrorsReachOnErrorAndAreRetried) {
  auto service = small_queue_service_during_outage(4);
  std::mutex mu;
  std::vector<std::pair<absl::Status, std::size_t>> errors;
  BufferedIngestion buffer = service->buffered_ingestion(
      kDefaultBufferSize, milliseconds(100),
      [&](const absl::Status& status, std::vector<IngestRequest> unsent) {
        std::lock_guard<std::mutex> lock(mu);
        errors.emplace_back(status, unsent.size());
      });
  // The first three fit the queue (and wait there for the server); the next
  // three do not, so every interval hand-off fails until the server is back.
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2), keyed(3)}).ok());
  ASSERT_TRUE(eventually([&] { return buffer.sends() == 1; }));
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(4), keyed(5), keyed(6)}).ok());
  ASSERT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return errors.size() >= 2;  // reported on every failed interval
  }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(errors[0].first.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(std::string(errors[0].first.message()), HasSubstr("queue full"));
    EXPECT_EQ(errors[0].second, 3u);
  }
  EXPECT_EQ(buffer.buffered(), 3u);
  // Why the queue stays full: the sender's streams fail.
  EXPECT_TRUE(eventually([&] {
    return absl::StrContains(service->metrics().last_error.message(),
                             "IngestService.IngestWithConfigDataStream");
  }));
  ASSERT_TRUE(emulator_.start().ok());
  EXPECT_TRUE(eventually([&] { return stored() == 6; }, milliseconds(30000)));
  EXPECT_EQ(buffer.buffered(), 0u);
  EXPECT_EQ(buffer.sends(), 2u);
}

// --- Destruction ---------------------------------------------------------------

TEST_P(BufferedIngestionTest, DestructorDeliversEverything) {
  {
    BufferedIngestion buffer = service_->buffered_ingestion(500, milliseconds(10000));
    for (int i = 0; i < 1234; ++i) ASSERT_TRUE(buffer.ingest_flows({ordered(i)}).ok());
    EXPECT_EQ(buffer.buffered(), 234u);
  }
  EXPECT_EQ(stored(), 1234u);
  EXPECT_EQ(emulator_.rows(kAsset, "count").back().value, int64_value(1233));
}

TEST_P(BufferedIngestionTest, DestructorReportsAFailedFinalHandOffToOnError) {
  auto service = small_queue_service_during_outage(2);
  int calls = 0;
  absl::Status reported;
  std::size_t unsent_count = 0;
  {
    BufferedIngestion buffer = service->buffered_ingestion(
        kDefaultBufferSize, std::nullopt,
        [&](const absl::Status& status, std::vector<IngestRequest> unsent) {
          ++calls;
          reported = status;
          unsent_count = unsent.size();
        });
    ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2), keyed(3)}).ok());
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(reported.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(unsent_count, 3u);
  EXPECT_EQ(service->metrics().rows_rejected, 3u);
  ASSERT_TRUE(emulator_.start().ok());
  EXPECT_EQ(stored(), 0u);
}

TEST_P(BufferedIngestionTest, AFailedHandOffKeepsTheRowsForTheNextOne) {
  auto service = small_queue_service_during_outage(4);
  BufferedIngestion buffer = service->buffered_ingestion(3);
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2), keyed(3)}).ok());  // handed over
  EXPECT_EQ(buffer.sends(), 1u);
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(4), keyed(5)}).ok());
  absl::Status full = buffer.try_ingest_flows({keyed(6)});  // stage full, queue full
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(buffer.buffered(), 3u);
  // Never more than buffer_size staged: the next row is refused outright.
  EXPECT_EQ(buffer.try_ingest_flows({keyed(7)}).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(buffer.buffered(), 3u);
  EXPECT_EQ(buffer.flush().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(buffer.sends(), 1u);
  ASSERT_TRUE(emulator_.start().ok());
  EXPECT_TRUE(eventually([&] { return buffer.flush().ok(); }, milliseconds(30000)));
  EXPECT_EQ(buffer.sends(), 2u);
  EXPECT_EQ(stored(), 6u);
}

// --- Runs, threads, moves -------------------------------------------------------

TEST_P(BufferedIngestionTest, RequestsKeepTheRunAttachedWhenTheyWereBuffered) {
  BufferedIngestion buffer = service_->buffered_ingestion();
  ASSERT_TRUE(service_->attach_run("buffered-run").ok());
  const std::string run_id = *service_->run_id();
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(1), keyed(2)}).ok());
  service_->detach_run();
  ASSERT_TRUE(buffer.try_ingest_flows({keyed(3)}).ok());
  ASSERT_TRUE(buffer.flush().ok());
  const auto rows = emulator_.rows(kAsset, "value");
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_EQ(rows[0].run_id, run_id);
  EXPECT_EQ(rows[1].run_id, run_id);
  EXPECT_EQ(rows[2].run_id, "");
  EXPECT_EQ(emulator_.channel_summaries().at(0).runs, 2u);
}

TEST_P(BufferedIngestionTest, ProducersOnSeveralThreadsWithTheIntervalRunning) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2500;
  {
    BufferedIngestion buffer = service_->buffered_ingestion(100, milliseconds(5));
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
      producers.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int n = t * kPerThread + i;
          absl::Status status = (i % 2 == 0) ? buffer.try_ingest_flows({keyed(n)})
                                             : buffer.ingest_flows({ordered(n)});
          ASSERT_TRUE(status.ok()) << status;
          if (i % 500 == 0) {
            ASSERT_TRUE(buffer.flush().ok());
            (void)buffer.buffered();
            (void)buffer.sends();
          }
        }
      });
    }
    // The owner attaches and detaches runs meanwhile.
    ASSERT_TRUE(service_->attach_run("concurrent").ok());
    service_->detach_run();
    for (std::thread& t : producers) t.join();
  }
  EXPECT_EQ(stored(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST_P(BufferedIngestionTest, MovesKeepOneOwnerOfTheBuffer) {
  BufferedIngestion first = service_->buffered_ingestion(kDefaultBufferSize, milliseconds(50));
  ASSERT_TRUE(first.try_ingest_flows({keyed(1)}).ok());
  BufferedIngestion second = std::move(first);
  EXPECT_EQ(first.try_ingest_flows({keyed(2)}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(first.buffered(), 0u);
  ASSERT_TRUE(second.try_ingest_flows({keyed(3)}).ok());
  EXPECT_TRUE(eventually([&] { return stored() == 2; }));

  BufferedIngestion third = service_->buffered_ingestion();
  ASSERT_TRUE(third.try_ingest_flows({keyed(4)}).ok());
  third = std::move(second);  // flushes what `third` held first
  EXPECT_EQ(stored(), 3u);
}

TEST_P(BufferedIngestionTest, FlowsCanBePassedAsSeparateArguments) {
  BufferedIngestion buffer = service_->buffered_ingestion();
  ASSERT_TRUE(buffer.try_ingest_flows(keyed(1)).ok());
  ASSERT_TRUE(buffer.try_ingest_flows(keyed(2), keyed(3)).ok());
  ASSERT_TRUE(buffer.ingest_flows(ordered(4), ordered(5)).ok());
  ASSERT_TRUE(buffer.try_ingest_flows(ordered(6)).ok());
  EXPECT_EQ(buffer.buffered(), 6u);
  ASSERT_TRUE(buffer.flush().ok());
  EXPECT_EQ(stored(), 6u);
}

INSTANTIATE_TEST_SUITE_P(Transports, BufferedIngestionTest,
                         ::testing::Values(Transport::kInProcess, Transport::kTcp),
                         [](const auto& info) {
                           return info.param == Transport::kInProcess ? "InProcess" : "Tcp";
                         });

}  // namespace
}  // namespace sift
