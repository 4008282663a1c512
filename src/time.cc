#include "sift/time.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "sift/ingestion/channel.h"

namespace sift {
namespace {

// Floor division, so times before 1970 keep a non-negative fraction.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::string to_rfc3339(Timestamp time) {
  const std::int64_t ns = time.time_since_epoch().count();
  const std::int64_t seconds = floor_div(ns, 1'000'000'000);
  const std::int64_t nanos = ns - seconds * 1'000'000'000;
  std::string text =
      absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  if (nanos % 1'000'000'000 != 0) {
    if (nanos % 1'000'000 == 0) {
      absl::StrAppendFormat(&text, ".%03d", nanos / 1'000'000);
    } else if (nanos % 1'000 == 0) {
      absl::StrAppendFormat(&text, ".%06d", nanos / 1'000);
    } else {
      absl::StrAppendFormat(&text, ".%09d", nanos);
    }
  }
  text += 'Z';
  return text;
}

absl::StatusOr<Timestamp> parse_rfc3339(std::string_view text) {
  absl::Time parsed;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, internal::to_absl_view(text), &parsed, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", internal::to_absl_view(text), "' is not an RFC 3339 time: ", error));
  }
  // absl keeps sub-nanosecond precision; the wire does not.
  const std::int64_t ns = absl::ToUnixNanos(parsed);
  return Timestamp(std::chrono::nanoseconds(ns));
}

}  // namespace sift
