// libcurl transfers for file attachments: the upload POST (the file part is
// read from disk by a callback, never held in memory) and the download GET
// (written straight to a file descriptor), each attempt on its own easy
// handle, retried as internal/rest_policy.h decides.
#include "internal/http_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <curl/curl.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "internal/rest_policy.h"
#include "internal/version.h"
#include "sift/ingestion/channel.h"  // internal::to_absl_view

namespace sift {
namespace internal {
namespace {

constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// Owns one attempt's curl objects.
struct Handle {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  char error[CURL_ERROR_SIZE] = {};

  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (mime != nullptr) curl_mime_free(mime);
    if (curl != nullptr) curl_easy_cleanup(curl);
    if (headers != nullptr) curl_slist_free_all(headers);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

// What the callbacks of one attempt saw.
struct AttemptState {
  CURL* curl = nullptr;
  // Latest response head (a 100 Continue or a redirect comes first).
  std::string reason;
  std::optional<std::string> retry_after;
  // Body handling.
  int fd = -1;  // GET: where a 200 body goes
  std::string body;
  std::uint64_t written = 0;
  std::uint64_t expected_size = 0;
  const TransferProgressCallback* progress = nullptr;
  // A local failure (file read/write) that aborted the transfer.
  std::optional<absl::Status> local_error;
};

// The upload file part's reader.
struct FileSource {
  int fd = -1;
  std::uint64_t size = 0;
  std::uint64_t position = 0;
  std::uint64_t reported = 0;
  std::string name;  // for messages
  const TransferProgressCallback* progress = nullptr;
  std::optional<absl::Status> error;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t on_header(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<AttemptState*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(buffer, bytes);
  if (absl::StartsWith(to_absl_view(line), "HTTP/")) {
    // `HTTP/1.1 413 Payload Too Large`: the reason is after the code.
    state->reason.clear();
    state->retry_after.reset();
    const std::size_t code_start = line.find(' ');
    if (code_start != std::string_view::npos) {
      const std::size_t reason_start = line.find(' ', code_start + 1);
      if (reason_start != std::string_view::npos) {
        state->reason = std::string(trim(line.substr(reason_start + 1)));
      }
    }
  } else if (absl::StartsWithIgnoreCase(to_absl_view(line), "retry-after:")) {
    state->retry_after = std::string(trim(line.substr(12)));
  }
  return bytes;
}

void report(const TransferProgressCallback* progress, std::uint64_t bytes, std::uint64_t total) {
  if (progress != nullptr && *progress) (*progress)(bytes, total);
}

void keep_body(AttemptState* state, const char* data, std::size_t bytes) {
  if (state->body.size() < kMaxBodyBytes) {
    state->body.append(data, std::min(bytes, kMaxBodyBytes - state->body.size()));
  }
}

std::size_t on_body_to_memory(char* data, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<AttemptState*>(user);
  keep_body(state, data, size * count);
  return size * count;
}

std::size_t on_body_to_fd(char* data, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<AttemptState*>(user);
  const std::size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    keep_body(state, data, bytes);
    return bytes;
  }
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::write(state->fd, data + done, bytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      state->local_error =
          absl::Status(absl::ErrnoToStatusCode(error),
                       absl::StrCat("writing the downloaded bytes failed: ", std::strerror(error)));
      return 0;  // CURLE_WRITE_ERROR
    }
    done += static_cast<std::size_t>(n);
  }
  state->written += bytes;
  curl_off_t length = -1;
  curl_easy_getinfo(state->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  report(state->progress, state->written,
         length >= 0 ? static_cast<std::uint64_t>(length) : state->expected_size);
  return bytes;
}

std::size_t on_file_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* source = static_cast<FileSource*>(user);
  const std::uint64_t left = source->size - source->position;
  if (left == 0) return 0;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, left));
  ssize_t n;
  do {
    n = ::pread(source->fd, buffer, want, static_cast<off_t>(source->position));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int error = errno;
    source->error = absl::Status(absl::ErrnoToStatusCode(error),
                                 absl::StrCat("reading '", source->name,
                                              "' failed while uploading: ", std::strerror(error)));
    return CURL_READFUNC_ABORT;
  }
  if (n == 0) {
    source->error = absl::FailedPreconditionError(
        absl::StrCat("'", source->name, "' became shorter while uploading (", source->position,
                     " of ", source->size, " bytes read)"));
    return CURL_READFUNC_ABORT;
  }
  source->position += static_cast<std::uint64_t>(n);
  if (source->position > source->reported) {
    source->reported = source->position;
    report(source->progress, source->position, source->size);
  }
  return static_cast<std::size_t>(n);
}

int on_file_seek(void* user, curl_off_t offset, int origin) {
  auto* source = static_cast<FileSource*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > source->size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  source->position = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

TransportFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return TransportFailure::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return TransportFailure::kConnectionLost;
    default:
      return TransportFailure::kPermanent;
  }
}

void set_duration(CURL* curl, CURLoption option, std::chrono::milliseconds value) {
  if (value.count() > 0) curl_easy_setopt(curl, option, static_cast<long>(value.count()));
}

// Options every attempt shares.
void set_common(const HttpSettings& settings, const std::string& url, Handle* handle,
                AttemptState* state) {
  CURL* curl = handle->curl;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // safe in threaded programs
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle->error);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  static const std::string user_agent = absl::StrCat(kUserAgentProduct, "/", kSiftVersion);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  set_duration(curl, CURLOPT_CONNECTTIMEOUT_MS, settings.connect_timeout);
  set_duration(curl, CURLOPT_TIMEOUT_MS, settings.timeout);
  if (settings.stall_timeout.count() > 0) {
    // Fewer than 1 byte/s for this many whole seconds aborts the attempt.
    const long seconds = static_cast<long>((settings.stall_timeout.count() + 999) / 1000);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, seconds);
  }
  if (settings.ca_file.has_value()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file->c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, state);
  state->curl = curl;
}

struct AttemptResult {
  AttemptOutcome outcome;
  CURLcode code = CURLE_OK;
  std::string error;  // curl's text for a transport failure
};

AttemptResult finish(Handle* handle, CURLcode code, AttemptState* state) {
  AttemptResult result;
  result.code = code;
  curl_off_t sent = 0;
  curl_easy_getinfo(handle->curl, CURLINFO_SIZE_UPLOAD_T, &sent);
  result.outcome.body_bytes_sent = sent > 0 ? static_cast<std::uint64_t>(sent) : 0;
  long status = 0;
  curl_easy_getinfo(handle->curl, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK) {
    result.outcome.http_status = status;
    if (state->reason.empty()) state->reason = std::string(http_reason(status));
    return result;
  }
  result.outcome.failure = classify(code);
  result.error = handle->error[0] != '\0' ? handle->error : curl_easy_strerror(code);
  return result;
}

std::string attempts_text(int attempts) {
  return attempts == 1 ? "1 attempt" : absl::StrCat(attempts, " attempts");
}

absl::Status transport_status(const AttemptResult& result, std::string_view method,
                              const std::string& url, int attempts) {
  const absl::StatusCode code = result.outcome.failure == TransportFailure::kTimeout
                                    ? absl::StatusCode::kDeadlineExceeded
                                : result.outcome.failure == TransportFailure::kPermanent
                                    ? absl::StatusCode::kFailedPrecondition
                                    : absl::StatusCode::kUnavailable;
  return absl::Status(code, absl::StrCat(to_absl_view(method), " ", url_for_message(url), ": ",
                                         result.error, " (", attempts_text(attempts), ")"));
}

// Runs `attempt()` (returns AttemptResult, or a local error status) until it
// succeeds, fails for good, or the retries are used up.
template <typename Attempt, typename OnAnswer>
absl::StatusOr<HttpAnswer> with_retries(const HttpSettings& settings, HttpMethod method,
                                        const std::string& url, Attempt&& attempt,
                                        OnAnswer&& on_answer) {
  const std::string_view method_name = method == HttpMethod::kGet ? "GET" : "POST";
  const int max_retries = std::max(settings.retry.max_retries, 0);
  std::optional<std::chrono::milliseconds> retry_after;
  for (int number = 1;; ++number) {
    if (number > 1) {
      std::this_thread::sleep_for(retry_wait(settings.retry, number - 1, retry_after));
    }
    AttemptState state;
    absl::StatusOr<AttemptResult> result = attempt(&state);
    if (!result.ok()) return result.status();
    const bool again = number <= max_retries && should_retry(method, result->outcome);
    if (!again) {
      if (result->outcome.failure != TransportFailure::kNone) {
        return transport_status(*result, method_name, url, number);
      }
      HttpAnswer answer;
      answer.status = result->outcome.http_status;
      answer.reason = state.reason;
      answer.body = std::move(state.body);
      answer.attempts = number;
      on_answer(state, &answer);
      return answer;
    }
    retry_after.reset();
    const long status = result->outcome.http_status;
    if (result->outcome.failure == TransportFailure::kNone && (status == 429 || status == 503) &&
        state.retry_after.has_value()) {
      retry_after = parse_retry_after(*state.retry_after, std::chrono::system_clock::now());
    }
  }
}

int open_for_reading(const std::filesystem::path& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

}  // namespace

absl::Status ensure_curl_initialized() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result == CURLE_OK) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("curl_global_init failed: ", curl_easy_strerror(result)));
}

absl::StatusOr<HttpAnswer> http_post_form(const HttpSettings& settings, const std::string& url,
                                          const std::vector<FormPart>& parts,
                                          const TransferProgressCallback& progress) {
  if (absl::Status status = ensure_curl_initialized(); !status.ok()) return status;

  // The file stays open across attempts; each attempt reads it from 0.
  FileSource source;
  source.progress = &progress;
  const FormPart* file_part = nullptr;
  for (const FormPart& part : parts) {
    if (part.file_path.has_value()) file_part = &part;
  }
  if (file_part != nullptr) {
    source.name = file_part->file_path->string();
    source.size = file_part->file_size;
    source.fd = open_for_reading(*file_part->file_path);
    if (source.fd < 0) {
      const int error = errno;
      return absl::Status(absl::ErrnoToStatusCode(error),
                          absl::StrCat("cannot open '", source.name, "': ", std::strerror(error)));
    }
  }
  struct CloseFd {
    int fd;
    ~CloseFd() {
      if (fd >= 0) ::close(fd);
    }
  } close_fd{source.fd};

  const std::string authorization = absl::StrCat("Authorization: Bearer ", settings.apikey);

  auto attempt = [&](AttemptState* state) -> absl::StatusOr<AttemptResult> {
    Handle handle;
    if (handle.curl == nullptr) return absl::InternalError("curl_easy_init failed");
    set_common(settings, url, &handle, state);
    source.position = 0;
    source.reported = 0;
    source.error.reset();

    handle.mime = curl_mime_init(handle.curl);
    for (const FormPart& part : parts) {
      curl_mimepart* mime_part = curl_mime_addpart(handle.mime);
      curl_mime_name(mime_part, part.name.c_str());
      if (!part.file_path.has_value()) {
        curl_mime_data(mime_part, part.value.data(), part.value.size());
        continue;
      }
      curl_mime_filename(mime_part, part.file_name.c_str());
      curl_mime_type(mime_part, part.mime_type.c_str());
      if (!part.content_encoding.empty()) {
        curl_slist* part_headers = curl_slist_append(
            nullptr, absl::StrCat("Content-Encoding: ", part.content_encoding).c_str());
        curl_mime_headers(mime_part, part_headers, 1);
      }
      curl_mime_data_cb(mime_part, static_cast<curl_off_t>(part.file_size), &on_file_read,
                        &on_file_seek, nullptr, &source);
    }
    curl_easy_setopt(handle.curl, CURLOPT_MIMEPOST, handle.mime);
    // sift_py (requests) never sends `Expect: 100-continue`.
    handle.headers = curl_slist_append(handle.headers, authorization.c_str());
    handle.headers = curl_slist_append(handle.headers, "Expect:");
    curl_easy_setopt(handle.curl, CURLOPT_HTTPHEADER, handle.headers);
    curl_easy_setopt(handle.curl, CURLOPT_WRITEFUNCTION, &on_body_to_memory);
    curl_easy_setopt(handle.curl, CURLOPT_WRITEDATA, state);

    const CURLcode code = curl_easy_perform(handle.curl);
    if (source.error.has_value()) return *source.error;
    AttemptResult result = finish(&handle, code, state);
    // A server may answer (401, 413) and close before the whole body is
    // sent: the answer counts, not the broken send.
    if (result.outcome.failure != TransportFailure::kNone) {
      long status = 0;
      curl_easy_getinfo(handle.curl, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 400) {
        result.outcome.failure = TransportFailure::kNone;
        result.outcome.http_status = status;
        if (state->reason.empty()) state->reason = std::string(http_reason(status));
      }
    }
    return result;
  };
  return with_retries(settings, HttpMethod::kPost, url, attempt,
                      [](const AttemptState&, HttpAnswer*) {});
}

absl::StatusOr<HttpAnswer> http_get_to_fd(const HttpSettings& settings, const std::string& url,
                                          int fd, std::uint64_t expected_size,
                                          const TransferProgressCallback& progress) {
  if (absl::Status status = ensure_curl_initialized(); !status.ok()) return status;

  auto attempt = [&](AttemptState* state) -> absl::StatusOr<AttemptResult> {
    if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
      const int error = errno;
      return absl::Status(
          absl::ErrnoToStatusCode(error),
          absl::StrCat("cannot reset the temporary download file: ", std::strerror(error)));
    }
    Handle handle;
    if (handle.curl == nullptr) return absl::InternalError("curl_easy_init failed");
    set_common(settings, url, &handle, state);
    state->fd = fd;
    state->expected_size = expected_size;
    state->progress = &progress;
    // A presigned URL: no Authorization header (sift_py sends none).
    curl_easy_setopt(handle.curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(handle.curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle.curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(handle.curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle.curl, CURLOPT_WRITEFUNCTION, &on_body_to_fd);
    curl_easy_setopt(handle.curl, CURLOPT_WRITEDATA, state);

    const CURLcode code = curl_easy_perform(handle.curl);
    if (state->local_error.has_value()) return *state->local_error;
    AttemptResult result = finish(&handle, code, state);
    if (result.outcome.failure == TransportFailure::kNone && result.outcome.http_status == 200) {
      curl_off_t length = -1;
      curl_easy_getinfo(handle.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      if (length >= 0 && static_cast<std::uint64_t>(length) != state->written) {
        result.outcome.failure = TransportFailure::kConnectionLost;
        result.error = absl::StrCat("the body ended after ", state->written, " of ", length,
                                    " bytes (Content-Length)");
      }
    }
    if (result.outcome.failure == TransportFailure::kConnectionLost && result.error.empty()) {
      result.error = curl_easy_strerror(code);
    }
    if (result.code == CURLE_PARTIAL_FILE) {
      curl_off_t length = -1;
      curl_easy_getinfo(handle.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
      result.error = absl::StrCat("the connection closed after ", state->written, " of ",
                                  length >= 0 ? absl::StrCat(length) : std::string("?"), " bytes");
    }
    return result;
  };
  return with_retries(
      settings, HttpMethod::kGet, url, attempt,
      [](const AttemptState& state, HttpAnswer* answer) { answer->bytes = state.written; });
}

}  // namespace internal
}  // namespace sift
