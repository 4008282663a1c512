// Retry decisions, backoff and HTTP status mapping for the REST calls.
#include "internal/rest_policy.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "internal/json.h"

namespace sift {
namespace internal {
namespace {

// Answers that say the request was not acted on: safe to resend anything.
bool refused(long status) { return status == 429 || status == 503; }

// Gateway answers: the backend may have stored an upload before the gateway
// gave up, so only the (idempotent) download resends on these.
bool gateway_failed(long status) { return status == 500 || status == 502 || status == 504; }

}  // namespace

bool should_retry(HttpMethod method, const AttemptOutcome& outcome) {
  switch (outcome.failure) {
    case TransportFailure::kNone:
      if (refused(outcome.http_status)) return true;
      return method == HttpMethod::kGet && gateway_failed(outcome.http_status);
    case TransportFailure::kConnect:
      return true;
    case TransportFailure::kTimeout:
    case TransportFailure::kConnectionLost:
      return method == HttpMethod::kGet || outcome.body_bytes_sent == 0;
    case TransportFailure::kPermanent:
      return false;
  }
  return false;
}

std::chrono::milliseconds retry_wait(const RestRetryOptions& options, int retry,
                                     std::optional<std::chrono::milliseconds> retry_after) {
  const std::chrono::milliseconds cap = std::max(options.max_backoff, std::chrono::milliseconds(0));
  if (retry_after.has_value() && options.respect_retry_after) {
    return std::clamp(*retry_after, std::chrono::milliseconds(0), cap);
  }
  if (retry <= 1) return std::chrono::milliseconds(0);
  double ms = static_cast<double>(std::max(options.backoff_factor.count(), std::int64_t{0}));
  for (int i = 1; i < retry && ms < static_cast<double>(cap.count()); ++i) ms *= 2;
  ms = std::min(ms, static_cast<double>(cap.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd; capped by the caller
    std::int64_t seconds = 0;
    for (const char c : value) seconds = seconds * 10 + (c - '0');
    return std::chrono::seconds(seconds);
  }
  // An HTTP date starts with the day's name (`Wed, 21 Oct 2015 ...`).
  if (!std::isalpha(static_cast<unsigned char>(value.front()))) return std::nullopt;
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == static_cast<std::time_t>(-1)) return std::nullopt;
  const auto delay = std::chrono::system_clock::from_time_t(when) - now;
  if (delay <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delay);
}

absl::StatusCode http_status_code(long http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:
      return absl::StatusCode::kDeadlineExceeded;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 413:
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    case 501:
      return absl::StatusCode::kUnimplemented;
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) return absl::StatusCode::kInvalidArgument;
  if (http_status >= 500 && http_status < 600) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

std::string_view http_reason(long http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return {};
  }
}

std::string server_message(std::string_view body) {
  constexpr std::size_t kMax = 300;
  std::string text;
  absl::StatusOr<JsonValue> json = parse_json(body);
  if (json.ok() && json->is_object()) {
    for (const char* key : {"message", "error", "detail"}) {
      const JsonValue* value = json->find(key);
      if (value != nullptr && value->is_string() && !value->text.empty()) {
        text = value->text;
        break;
      }
      // {"error": {"message": "..."}}
      if (value != nullptr && value->is_object()) {
        const JsonValue* inner = value->find("message");
        if (inner != nullptr && inner->is_string()) {
          text = inner->text;
          break;
        }
      }
    }
  }
  if (text.empty()) text = std::string(body);
  // Collapse whitespace runs; drop other control bytes.
  std::string out;
  bool space = false;
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      space = !out.empty();
      continue;
    }
    if (u < 0x20 || u == 0x7F) continue;
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
  }
  return out;
}

std::string url_for_message(std::string_view url) {
  const std::size_t cut = url.find_first_of("?#");
  std::string_view out = url.substr(0, cut);
  const std::size_t scheme_end = out.find("://");
  if (scheme_end == std::string_view::npos) return std::string(out);
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t authority_end = out.find('/', authority_start);
  const std::size_t at = out.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_start) return std::string(out);
  return std::string(out.substr(0, authority_start)) + std::string(out.substr(at + 1));
}

}  // namespace internal
}  // namespace sift
