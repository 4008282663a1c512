// When a REST attempt is retried, how long to wait, and what an HTTP answer
// means as a status: sift_py's urllib3 policy, made safe for the upload POST.
#ifndef SIFT_INTERNAL_REST_POLICY_H_
#define SIFT_INTERNAL_REST_POLICY_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "sift/file_attachment/service.h"

namespace sift {
namespace internal {

enum class HttpMethod { kGet, kPost };

// How an attempt ended when no complete HTTP answer was read.
enum class TransportFailure {
  kNone,            // an HTTP answer was read (see http_status)
  kConnect,         // DNS, TCP connect or TLS handshake failed: nothing was sent
  kTimeout,         // connect, stall or overall timeout
  kConnectionLost,  // the connection broke while sending or receiving (also a short body)
  kPermanent,       // will fail the same way again: certificate, bad URL, protocol, local I/O
};

struct AttemptOutcome {
  TransportFailure failure = TransportFailure::kNone;
  long http_status = 0;               // when failure == kNone
  std::uint64_t body_bytes_sent = 0;  // request body bytes that left this process
};

// Whether the attempt is worth repeating:
//  - GET: 429, 500, 502, 503, 504 and every transport failure but kPermanent;
//  - POST: 429 and 503 (refused before anything was done: nothing was
//    stored), kConnect, and kTimeout / kConnectionLost before any body byte
//    was sent. Not 500, 502, 504 nor a failure after the body started: the
//    file may have been stored before the answer was lost.
bool should_retry(HttpMethod method, const AttemptOutcome& outcome);

// The wait before retry number `retry` (1 = the first): urllib3's
// backoff_factor * 2^(retry-1), except 0 before the first, capped at
// max_backoff. A Retry-After value (429/503, respect_retry_after) replaces it.
std::chrono::milliseconds retry_wait(const RestRetryOptions& options, int retry,
                                     std::optional<std::chrono::milliseconds> retry_after);

// A Retry-After header value: delay-seconds, or an HTTP date (relative to
// `now`; a past date is 0). nullopt when unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The status code for an HTTP answer that is not 200: 400 INVALID_ARGUMENT,
// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 408
// DEADLINE_EXCEEDED, 409 ALREADY_EXISTS, 413 and 429 RESOURCE_EXHAUSTED,
// other 4xx INVALID_ARGUMENT, 500 INTERNAL, 501 UNIMPLEMENTED, other 5xx
// UNAVAILABLE, anything else UNKNOWN.
absl::StatusCode http_status_code(long http_status);

// The standard reason phrase ("Payload Too Large"); empty when unknown.
std::string_view http_reason(long http_status);

// What the server said in an error body: the `message` (or `error`,
// `detail`) of a JSON object, else the text itself; whitespace collapsed,
// cut to 300 bytes. Empty for an empty body.
std::string server_message(std::string_view body);

// `url` without user info, query and fragment (a presigned URL's query is a
// credential), for messages.
std::string url_for_message(std::string_view url);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_REST_POLICY_H_
