// Exponential backoff with full jitter (internal/backoff.h).
#include "internal/backoff.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/ingestion/engine.h"

namespace sift {
namespace internal {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

RetryPolicy policy(std::int64_t initial_ms, std::int64_t max_ms, double multiplier) {
  RetryPolicy p;
  p.initial_backoff = milliseconds(initial_ms);
  p.max_backoff = milliseconds(max_ms);
  p.multiplier = multiplier;
  return p;
}

// The caps seen before each of `n` calls of next().
std::vector<std::int64_t> caps(Backoff& backoff, int n) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(backoff.cap().count());
    backoff.next();
  }
  return out;
}

TEST(Backoff, DefaultPolicyValues) {
  const RetryPolicy p;
  EXPECT_EQ(p.initial_backoff, milliseconds(100));
  EXPECT_EQ(p.max_backoff, milliseconds(5000));
  EXPECT_EQ(p.multiplier, 2.0);
}

TEST(Backoff, CapGrowsGeometricallyThenSaturates) {
  Backoff backoff(policy(100, 5000, 2.0), 1);
  EXPECT_THAT(caps(backoff, 10),
              ElementsAre(100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000));
}

TEST(Backoff, FractionalMultiplier) {
  Backoff backoff(policy(100, 1000, 1.5), 1);
  // 100 * 1.5^n, truncated to whole milliseconds.
  EXPECT_THAT(caps(backoff, 8), ElementsAre(100, 150, 225, 337, 506, 759, 1000, 1000));
}

TEST(Backoff, CapStaysAtMaxAfterManyAttempts) {
  Backoff backoff(policy(1, 60000, 10.0), 1);
  for (int i = 0; i < 100000; ++i) backoff.next();
  EXPECT_EQ(backoff.attempts(), 100000);
  EXPECT_EQ(backoff.cap(), milliseconds(60000));
}

TEST(Backoff, InitialAboveMaxIsCappedAtMax) {
  Backoff backoff(policy(10000, 3000, 2.0), 1);
  EXPECT_THAT(caps(backoff, 3), ElementsAre(3000, 3000, 3000));
}

TEST(Backoff, CapIsConstAndDoesNotCountAnAttempt) {
  Backoff backoff(policy(100, 5000, 2.0), 1);
  EXPECT_EQ(backoff.cap(), milliseconds(100));
  EXPECT_EQ(backoff.cap(), milliseconds(100));
  EXPECT_EQ(backoff.attempts(), 0);
  backoff.next();
  EXPECT_EQ(backoff.attempts(), 1);
  EXPECT_EQ(backoff.cap(), milliseconds(200));
}

TEST(Backoff, NextIsWithinZeroAndTheCapBeforeTheCall) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    Backoff backoff(policy(100, 5000, 2.0), seed);
    for (int i = 0; i < 40; ++i) {
      const milliseconds cap = backoff.cap();
      const milliseconds wait = backoff.next();
      EXPECT_GE(wait.count(), 0) << "seed " << seed << " attempt " << i;
      EXPECT_LE(wait, cap) << "seed " << seed << " attempt " << i;
    }
  }
}

TEST(Backoff, WaitsSpreadOverTheWholeRange) {
  // Full jitter: with the cap saturated at 1000, waits land in every tenth of
  // [0, 1000], not only near the cap.
  Backoff backoff(policy(1000, 1000, 2.0), 99);
  std::set<std::int64_t> tenths;
  std::int64_t lowest = 1000;
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t wait = backoff.next().count();
    tenths.insert(std::min<std::int64_t>(wait / 100, 9));
    lowest = std::min(lowest, wait);
  }
  EXPECT_EQ(tenths.size(), 10u);
  EXPECT_LT(lowest, 50);
}

TEST(Backoff, SameSeedSameSequence) {
  Backoff a(policy(100, 5000, 2.0), 12345);
  Backoff b(policy(100, 5000, 2.0), 12345);
  std::vector<std::int64_t> wa, wb;
  for (int i = 0; i < 30; ++i) {
    wa.push_back(a.next().count());
    wb.push_back(b.next().count());
  }
  EXPECT_EQ(wa, wb);
}

TEST(Backoff, SequenceIsNotConstant) {
  // Even once the cap is saturated the waits differ (jitter).
  Backoff backoff(policy(5000, 5000, 2.0), 12345);
  std::set<std::int64_t> distinct;
  for (int i = 0; i < 20; ++i) distinct.insert(backoff.next().count());
  EXPECT_GT(distinct.size(), 10u);
}

TEST(Backoff, DifferentSeedsDifferentSequences) {
  Backoff a(policy(5000, 5000, 2.0), 1);
  Backoff b(policy(5000, 5000, 2.0), 2);
  std::vector<std::int64_t> wa, wb;
  for (int i = 0; i < 20; ++i) {
    wa.push_back(a.next().count());
    wb.push_back(b.next().count());
  }
  EXPECT_NE(wa, wb);
}

TEST(Backoff, ResetReturnsToTheInitialCap) {
  Backoff backoff(policy(100, 5000, 2.0), 3);
  for (int i = 0; i < 8; ++i) backoff.next();
  EXPECT_EQ(backoff.cap(), milliseconds(5000));
  backoff.reset();
  EXPECT_EQ(backoff.attempts(), 0);
  EXPECT_EQ(backoff.cap(), milliseconds(100));
  EXPECT_THAT(caps(backoff, 4), ElementsAre(100, 200, 400, 800));
}

TEST(Backoff, MultiplierBelowOneIsTreatedAsOne) {
  for (double multiplier : {1.0, 0.5, 0.0, -3.0}) {
    SCOPED_TRACE(multiplier);
    Backoff backoff(policy(250, 5000, multiplier), 4);
    EXPECT_THAT(caps(backoff, 5), ElementsAre(250, 250, 250, 250, 250));
  }
}

TEST(Backoff, ZeroInitialMeansZeroWaits) {
  Backoff backoff(policy(0, 5000, 2.0), 5);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(backoff.cap(), milliseconds(0));
    EXPECT_EQ(backoff.next(), milliseconds(0));
  }
  EXPECT_EQ(backoff.attempts(), 20);
}

TEST(Backoff, ZeroMaxMeansZeroWaits) {
  Backoff backoff(policy(100, 0, 2.0), 6);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(backoff.next(), milliseconds(0));
}

TEST(Backoff, DefaultSeedStillRespectsTheCap) {
  Backoff backoff(RetryPolicy{});
  for (int i = 0; i < 20; ++i) {
    const milliseconds cap = backoff.cap();
    const milliseconds wait = backoff.next();
    EXPECT_GE(wait.count(), 0);
    EXPECT_LE(wait, cap);
  }
}

}  // namespace
}  // namespace internal
}  // namespace sift
