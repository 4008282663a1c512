#include "sift/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace sift {
namespace {

Timestamp at(std::int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

TEST(TimeTest, FormatsWithTheFewestFractionDigits) {
  EXPECT_EQ(to_rfc3339(at(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(to_rfc3339(at(1'764'371'707'000'000'000)), "2025-11-28T23:15:07Z");
  EXPECT_EQ(to_rfc3339(at(1'764'371'707'250'000'000)), "2025-11-28T23:15:07.250Z");
  EXPECT_EQ(to_rfc3339(at(1'764'371'707'000'001'000)), "2025-11-28T23:15:07.000001Z");
  EXPECT_EQ(to_rfc3339(at(1'764'371'707'000'000'007)), "2025-11-28T23:15:07.000000007Z");
}

TEST(TimeTest, TimesBeforeTheEpochKeepAPositiveFraction) {
  EXPECT_EQ(to_rfc3339(at(-1)), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(to_rfc3339(at(-1'500'000'000)), "1969-12-31T23:59:58.500Z");
}

TEST(TimeTest, ParsesWhatItFormats) {
  for (std::int64_t ns : {std::int64_t{0}, std::int64_t{1'764'371'707'250'000'000},
                          std::int64_t{1'764'371'707'000'000'007}, std::int64_t{-1}}) {
    absl::StatusOr<Timestamp> parsed = parse_rfc3339(to_rfc3339(at(ns)));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->time_since_epoch().count(), ns);
  }
}

TEST(TimeTest, ParsesOffsets) {
  absl::StatusOr<Timestamp> parsed = parse_rfc3339("2025-11-29T00:15:07.5+01:00");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(to_rfc3339(*parsed), "2025-11-28T23:15:07.500Z");
}

TEST(TimeTest, RejectsOtherText) {
  for (const char* text : {"", "2025-11-28", "2025-11-28 23:15:07Z", "yesterday"}) {
    absl::StatusOr<Timestamp> parsed = parse_rfc3339(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string("'") + text + "'"), std::string::npos)
        << parsed.status();
  }
}

}  // namespace
}  // namespace sift
