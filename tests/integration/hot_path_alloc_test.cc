// The hot path allocates nothing per row once warm: ingest calls on the
// caller's thread (IngestionService and BufferedIngestion, validated and
// not) are counted with a replaced global operator new. Blocks of the queue
// may still be allocated once per few hundred rows while the sender has not
// recycled any yet; per-row allocations would show as >= 1 per row.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "common/engine_test_util.h"
#include "gtest/gtest.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"

namespace {
// Counts only while armed, only on the arming thread.
thread_local bool counting = false;
thread_local std::uint64_t allocations = 0;
}  // namespace

// The whole (unaligned) family is replaced, so that every new is paired with
// its own delete (ASan checks the pairing).
namespace {
void* counted_malloc(std::size_t size) {
  if (counting) ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  std::abort();  // out of memory in a test: fail loudly
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace sift {
namespace {

using namespace testing_util;

constexpr int kWarmRows = 20000;
constexpr int kRows = 20000;

class HotPathAllocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    auto service = IngestionService::create(emulator_.in_process_channel(), engine_config());
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
  }

  // Runs `ingest(i)` for warm-up rows, then counts allocations over kRows.
  template <typename Ingest>
  std::uint64_t allocations_per_batch(Ingest ingest) {
    for (int i = 0; i < kWarmRows; ++i) EXPECT_TRUE(ingest(i).ok());
    EXPECT_TRUE(service_->flush().ok());
    allocations = 0;
    counting = true;
    for (int i = kWarmRows; i < kWarmRows + kRows; ++i) {
      if (!ingest(i).ok()) break;
    }
    counting = false;
    EXPECT_TRUE(service_->flush().ok());
    return allocations;
  }

  emulator::Emulator emulator_;
  std::unique_ptr<IngestionService> service_;
};

TEST_F(HotPathAllocTest, IngestFlowsPositional) {
  FlowOrderedChannelValues row = tick(0);
  const std::uint64_t n = allocations_per_batch([&](int i) {
    row.timestamp = tick_time(i);
    row.channel_values[0] = int64_value(i);
    return service_->ingest_flows(row);
  });
  EXPECT_LT(n, static_cast<std::uint64_t>(kRows / 100)) << n << " allocations for " << kRows;
}

TEST_F(HotPathAllocTest, TryIngestFlowsKeyed) {
  Flow row{kEngineFlow, tick_time(0), {{kEngineChannel, std::nullopt, int64_value(0)}}};
  const std::uint64_t n = allocations_per_batch([&](int i) {
    row.timestamp = tick_time(i);
    row.channel_values[0].value = int64_value(i);
    return service_->try_ingest_flows(row);
  });
  EXPECT_LT(n, static_cast<std::uint64_t>(kRows / 100)) << n << " allocations for " << kRows;
}

TEST_F(HotPathAllocTest, BufferedIngestionBothForms) {
  BufferedIngestion buffer = service_->buffered_ingestion();
  FlowOrderedChannelValues ordered = tick(0);
  Flow keyed{kEngineFlow, tick_time(0), {{kEngineChannel, std::nullopt, int64_value(0)}}};
  const std::uint64_t n = allocations_per_batch([&](int i) {
    if (i % 2 == 0) {
      ordered.timestamp = tick_time(i);
      ordered.channel_values[0] = int64_value(i);
      return buffer.ingest_flows(ordered);
    }
    keyed.timestamp = tick_time(i);
    keyed.channel_values[0].value = int64_value(i);
    return buffer.try_ingest_flows(keyed);
  });
  EXPECT_LT(n, static_cast<std::uint64_t>(kRows / 100)) << n << " allocations for " << kRows;
}

}  // namespace
}  // namespace sift
