// The REST retry policy (spec 9.1: urllib3 Retry(total=3, backoff_factor=1),
// made safe for the upload POST), Retry-After, and HTTP answers as statuses.
#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/rest_policy.h"

namespace sift {
namespace internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

AttemptOutcome answered(long status) {
  AttemptOutcome outcome;
  outcome.http_status = status;
  return outcome;
}

AttemptOutcome failed(TransportFailure failure, std::uint64_t sent) {
  AttemptOutcome outcome;
  outcome.failure = failure;
  outcome.body_bytes_sent = sent;
  return outcome;
}

TEST(ShouldRetry, RefusalsAreRetriedForBothMethods) {
  for (long status : {429L, 503L}) {
    EXPECT_TRUE(should_retry(HttpMethod::kGet, answered(status))) << status;
    EXPECT_TRUE(should_retry(HttpMethod::kPost, answered(status))) << status;
  }
}

// A gateway may answer 502/504 after the backend stored the upload: resending
// it would attach the file twice.
TEST(ShouldRetry, GatewayAndServerErrorsAreRetriedOnlyForTheDownload) {
  for (long status : {500L, 502L, 504L}) {
    EXPECT_TRUE(should_retry(HttpMethod::kGet, answered(status))) << status;
    EXPECT_FALSE(should_retry(HttpMethod::kPost, answered(status))) << status;
  }
}

TEST(ShouldRetry, OtherAnswersAreFinal) {
  for (long status : {200L, 201L, 301L, 400L, 401L, 403L, 404L, 408L, 413L, 501L, 505L}) {
    EXPECT_FALSE(should_retry(HttpMethod::kGet, answered(status))) << status;
    EXPECT_FALSE(should_retry(HttpMethod::kPost, answered(status))) << status;
  }
}

TEST(ShouldRetry, ConnectFailuresAreAlwaysRetried) {
  EXPECT_TRUE(should_retry(HttpMethod::kGet, failed(TransportFailure::kConnect, 0)));
  EXPECT_TRUE(should_retry(HttpMethod::kPost, failed(TransportFailure::kConnect, 0)));
}

TEST(ShouldRetry, PostIsRetriedAfterABreakOnlyWhenNoBodyByteLeft) {
  for (TransportFailure failure : {TransportFailure::kTimeout, TransportFailure::kConnectionLost}) {
    EXPECT_TRUE(should_retry(HttpMethod::kPost, failed(failure, 0)));
    EXPECT_FALSE(should_retry(HttpMethod::kPost, failed(failure, 1)));
    EXPECT_TRUE(should_retry(HttpMethod::kGet, failed(failure, 0)));
    EXPECT_TRUE(should_retry(HttpMethod::kGet, failed(failure, 100)));
  }
}

TEST(ShouldRetry, PermanentFailuresAreNot) {
  EXPECT_FALSE(should_retry(HttpMethod::kGet, failed(TransportFailure::kPermanent, 0)));
  EXPECT_FALSE(should_retry(HttpMethod::kPost, failed(TransportFailure::kPermanent, 0)));
}

TEST(RetryWait, SiftPyDefaultsWaitZeroTwoFour) {
  const RestRetryOptions defaults;
  EXPECT_EQ(defaults.max_retries, 3);
  EXPECT_EQ(retry_wait(defaults, 1, std::nullopt), milliseconds(0));
  EXPECT_EQ(retry_wait(defaults, 2, std::nullopt), seconds(2));
  EXPECT_EQ(retry_wait(defaults, 3, std::nullopt), seconds(4));
  EXPECT_EQ(retry_wait(defaults, 4, std::nullopt), seconds(8));
}

TEST(RetryWait, ScalesWithTheFactorAndIsCapped) {
  RestRetryOptions options;
  options.backoff_factor = milliseconds(5);
  options.max_backoff = milliseconds(30);
  EXPECT_EQ(retry_wait(options, 1, std::nullopt), milliseconds(0));
  EXPECT_EQ(retry_wait(options, 2, std::nullopt), milliseconds(10));
  EXPECT_EQ(retry_wait(options, 3, std::nullopt), milliseconds(20));
  EXPECT_EQ(retry_wait(options, 4, std::nullopt), milliseconds(30));
  EXPECT_EQ(retry_wait(options, 60, std::nullopt), milliseconds(30));
  options.backoff_factor = milliseconds(0);
  EXPECT_EQ(retry_wait(options, 3, std::nullopt), milliseconds(0));
}

TEST(RetryWait, RetryAfterReplacesTheBackoffWhenRespected) {
  RestRetryOptions options;
  EXPECT_EQ(retry_wait(options, 1, seconds(7)), seconds(7));
  EXPECT_EQ(retry_wait(options, 3, milliseconds(0)), milliseconds(0));
  EXPECT_EQ(retry_wait(options, 1, std::chrono::hours(5)), options.max_backoff);
  options.respect_retry_after = false;
  EXPECT_EQ(retry_wait(options, 1, seconds(7)), milliseconds(0));
  EXPECT_EQ(retry_wait(options, 2, seconds(7)), seconds(2));
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00
  EXPECT_EQ(parse_retry_after("120", now), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), seconds(30));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
}

TEST(HttpStatusCode, Mapping) {
  EXPECT_EQ(http_status_code(400), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(http_status_code(401), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(http_status_code(403), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(http_status_code(404), absl::StatusCode::kNotFound);
  EXPECT_EQ(http_status_code(408), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(http_status_code(409), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(http_status_code(413), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(http_status_code(429), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(http_status_code(415), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(http_status_code(500), absl::StatusCode::kInternal);
  EXPECT_EQ(http_status_code(501), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(http_status_code(502), absl::StatusCode::kUnavailable);
  EXPECT_EQ(http_status_code(503), absl::StatusCode::kUnavailable);
  EXPECT_EQ(http_status_code(504), absl::StatusCode::kUnavailable);
  EXPECT_EQ(http_status_code(302), absl::StatusCode::kUnknown);
  EXPECT_EQ(http_reason(413), "Payload Too Large");
  EXPECT_EQ(http_reason(599), "");
}

TEST(ServerMessage, JsonMessageOrTrimmedText) {
  EXPECT_EQ(server_message(R"({"code": 16, "message": "invalid token"})"), "invalid token");
  EXPECT_EQ(server_message(R"({"error": "file too large"})"), "file too large");
  EXPECT_EQ(server_message(R"({"error": {"message": "nested"}})"), "nested");
  EXPECT_EQ(server_message("  upstream\r\n  connect error \n"), "upstream connect error");
  EXPECT_EQ(server_message(""), "");
  EXPECT_EQ(server_message(std::string(1000, 'x')), std::string(300, 'x') + "...");
}

TEST(UrlForMessage, DropsQueryFragmentAndUserInfo) {
  EXPECT_EQ(url_for_message("https://bucket.s3.amazonaws.com/a/b.png?X-Amz-Signature=secret"),
            "https://bucket.s3.amazonaws.com/a/b.png");
  EXPECT_EQ(url_for_message("http://user:pw@host:1/x#frag"), "http://host:1/x");
  EXPECT_EQ(url_for_message("http://host/a@b"), "http://host/a@b");
  EXPECT_EQ(url_for_message("host/path?q"), "host/path");
}

}  // namespace
}  // namespace internal
}  // namespace sift
