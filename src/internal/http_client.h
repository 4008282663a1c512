// The REST side of file attachments over libcurl: a multipart POST that
// streams a file from disk, and a GET streamed into a file descriptor, both
// with the retry policy of internal/rest_policy.h. One easy handle per
// attempt; nothing is logged, and the API key only ever goes into the
// request's Authorization header.
#ifndef SIFT_INTERNAL_HTTP_CLIENT_H_
#define SIFT_INTERNAL_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/file_attachment/service.h"

namespace sift {
namespace internal {

struct HttpSettings {
  // `Authorization: Bearer <apikey>` on requests that ask for it.
  std::string apikey;
  // CA bundle (PEM) for https; unset = libcurl's default.
  std::optional<std::string> ca_file;
  RestRetryOptions retry;
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds stall_timeout{0};
};

// One part of a multipart/form-data body: text, or a file read from disk
// while sending.
struct FormPart {
  std::string name;
  std::string value;  // text parts
  std::optional<std::filesystem::path> file_path;
  std::string file_name;
  std::string mime_type;
  std::string content_encoding;  // the part's own Content-Encoding header; empty = none
  std::uint64_t file_size = 0;   // bytes sent from file_path
};

// The last HTTP answer (after any retries).
struct HttpAnswer {
  long status = 0;
  std::string reason;  // from the status line, else the standard phrase
  std::string body;    // the POST's answer / a failed GET's body (first 64 KiB)
  int attempts = 0;
  std::uint64_t bytes = 0;  // GET: body bytes written to the file
};

// Makes sure curl_global_init ran (once per process). INTERNAL when it
// failed.
absl::Status ensure_curl_initialized();

// POSTs `parts` in order as multipart/form-data with the Bearer header. An
// answer is returned whatever its status; transport failures (after
// retries) are UNAVAILABLE / DEADLINE_EXCEEDED, local file errors
// FAILED_PRECONDITION/..., with a message naming the URL (no query) and the
// attempts, never the key. `progress` gets the file part's bytes.
absl::StatusOr<HttpAnswer> http_post_form(const HttpSettings& settings, const std::string& url,
                                          const std::vector<FormPart>& parts,
                                          const TransferProgressCallback& progress);

// GETs `url` without any Authorization header (redirects followed, http(s)
// only) and writes a 200 answer's body to `fd` from offset 0 (truncated
// again before each retry). A 200 body shorter than its Content-Length is a
// transport failure (retried). `expected_size` is the progress total when
// the answer has no Content-Length.
absl::StatusOr<HttpAnswer> http_get_to_fd(const HttpSettings& settings, const std::string& url,
                                          int fd, std::uint64_t expected_size,
                                          const TransferProgressCallback& progress);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_HTTP_CLIENT_H_
