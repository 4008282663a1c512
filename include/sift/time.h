// Time points used across the SDK.
#ifndef SIFT_TIME_H_
#define SIFT_TIME_H_

#include <chrono>

namespace sift {

// Nanosecond-precision UTC time point (the precision of the wire Timestamp).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

}  // namespace sift

#endif  // SIFT_TIME_H_
