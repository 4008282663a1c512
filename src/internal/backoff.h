// Exponential backoff with full jitter (each wait uniform in [0, cap_n],
// cap_n = min(max, initial * multiplier^n)): spreads reconnecting clients
// out after an outage instead of having them retry in lockstep.
#ifndef SIFT_INTERNAL_BACKOFF_H_
#define SIFT_INTERNAL_BACKOFF_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

#include "sift/ingestion/engine.h"

namespace sift {
namespace internal {

class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy, std::uint64_t seed = std::random_device{}())
      : policy_(policy), rng_(seed) {}

  // The upper bound of the next wait, before jitter.
  std::chrono::milliseconds cap() const {
    double ms = static_cast<double>(policy_.initial_backoff.count());
    for (int i = 0; i < attempts_ && ms < policy_.max_backoff.count(); ++i) {
      ms *= std::max(policy_.multiplier, 1.0);
    }
    ms = std::min(ms, static_cast<double>(policy_.max_backoff.count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }

  // The next wait (and counts the attempt).
  std::chrono::milliseconds next() {
    const std::int64_t cap_ms = cap().count();
    ++attempts_;
    if (cap_ms <= 0) return std::chrono::milliseconds(0);
    std::uniform_int_distribution<std::int64_t> wait(0, cap_ms);
    return std::chrono::milliseconds(wait(rng_));
  }

  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  RetryPolicy policy_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_BACKOFF_H_
