// Time points used across the SDK, and their RFC 3339 text form.
#ifndef SIFT_TIME_H_
#define SIFT_TIME_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sift {

// Nanosecond-precision UTC time point (the precision of the wire Timestamp).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

// UTC RFC 3339 text with as many fractional digits as needed (none, 3, 6 or
// 9): `2026-11-28T23:15:07Z`, `2026-11-28T23:15:07.250Z`,
// `1969-12-31T23:59:59.999999999Z`.
std::string to_rfc3339(Timestamp time);

// Parses RFC 3339 (`2026-11-28T23:15:07Z`, `...07.25+01:00`, any number of
// fractional digits up to 9); INVALID_ARGUMENT naming the text otherwise.
absl::StatusOr<Timestamp> parse_rfc3339(std::string_view text);

}  // namespace sift

#endif  // SIFT_TIME_H_
