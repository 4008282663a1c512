// cpp-httplib adapter. Debian ships httplib compiled (libcpp-httplib.so, built
// with exceptions; it catches what handlers throw), and its header only
// declares, so this file builds with -fno-exceptions like the rest of the
// emulator; nothing here throws.
//
// Two things httplib does not do for us:
// - the upload form is parsed by our own streaming parser (multipart.h), since
//   httplib's drops part headers (Content-Encoding): the pre-routing handler
//   relabels the body as opaque bytes for the upload route;
// - a rejected upload's body is still read to the end (drained): closing a
//   socket with unread data sends a reset, and the client could see that
//   instead of our answer. Clients that send `Expect: 100-continue` are
//   answered before they send the body.
#include "http_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "file_upload.h"
#include "files.h"
#include "http_json.h"
#include "internal/rest_policy.h"
#include "multipart.h"

namespace sift {
namespace emulator {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// The upload's real Content-Type, kept aside while the body is relabelled.
constexpr char kFormTypeHeader[] = "X-Sift-Emulator-Form-Content-Type";
// What besides the file an upload body may carry (boundaries, ids, a
// description) before an announced Content-Length counts as too large.
constexpr std::uint64_t kFormOverhead = 1 << 20;
// Idle keep-alive connections hold stop() back this long at most.
constexpr time_t kKeepAliveSeconds = 1;
constexpr std::size_t kDownloadChunk = 64 * 1024;

// An answer decided before routing: status 0 means go ahead.
struct Verdict {
  int status = 0;
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string message;
};

// httplib hands a request's expect-100, pre-routing and route handlers the
// same Response; this header on it (removed before routing) says the
// request was admitted by expect_continue already.
constexpr char kContinuedHeader[] = "X-Sift-Emulator-Continued";

// The gRPC code an error body carries for an HTTP status: the SDK's own
// mapping, so a client reads back what the emulator meant.
absl::StatusCode code_for(int http_status) { return internal::http_status_code(http_status); }

int http_status_for(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

void reply(Response& res, int status, absl::StatusCode code, const std::string& message) {
  res.status = status;
  res.set_content(json_error(code, message), "application/json");
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

bool is_upload(const Request& req) { return req.method == "POST" && req.path == kUploadPath; }

// Stops early (dropping the connection) once the server is stopping.
void drain(const httplib::ContentReader& reader, const std::atomic<bool>& stopping) {
  reader([&stopping](const char*, std::size_t) { return !stopping.load(); });
}

std::string no_route(const Request& req) {
  return absl::StrCat("sift-emulator: no route ", req.method, " ", req.path, " (it serves POST ",
                      kUploadPath, " and GET ", kDownloadPathPrefix, "<remote file id>?token=...)");
}

// An open file a download streams from; closed when the response is done.
struct OpenFile {
  explicit OpenFile(int fd) : fd(fd), buffer(kDownloadChunk) {}
  ~OpenFile() { ::close(fd); }
  const int fd;
  std::vector<char> buffer;
};

}  // namespace

void HttpFaults::fail_next(int count, int http_status) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_ = std::max(count, 0);
  failure_status_ = http_status >= 100 && http_status <= 599 ? http_status : 500;
}

std::optional<int> HttpFaults::take_failure() {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_ == 0) return std::nullopt;
  --failures_;
  return failure_status_;
}

void HttpFaults::cut_next_download(std::uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  cut_ = bytes;
}

std::optional<std::uint64_t> HttpFaults::take_cut() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::uint64_t> cut = cut_;
  cut_.reset();
  return cut;
}

class HttpServer::Routes {
 public:
  Routes(const HttpServerOptions& options, const std::atomic<bool>& stopping)
      : options_(options), stopping_(stopping) {}

  void install(httplib::Server& server) {
    server.set_expect_100_continue_handler(
        [this](const Request& req, Response& res) { return expect_continue(req, res); });
    server.set_pre_routing_handler(httplib::Server::HandlerWithResponse(
        [this](const Request& req, Response& res) { return pre_routing(req, res); }));
    server.Post(kUploadPath,
                [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
                  upload(req, res, reader);
                });
    server.Get(absl::StrCat(kDownloadPathPrefix, "([^/]+)"),
               [this](const Request& req, Response& res) { download(req, res); });
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const Request& req, Response& res) { return on_error(req, res); }));
  }

 private:
  // Fault injection first, then the API key (the upload route only: download
  // URLs carry their own token).
  Verdict admit(const Request& req) {
    if (std::optional<int> status = options_.faults->take_failure(); status.has_value()) {
      return Verdict{
          *status, code_for(*status),
          absl::StrCat("sift-emulator: injected failure (fail_next_http_requests): HTTP ",
                       *status)};
    }
    if (is_upload(req)) {
      std::vector<std::string> authorization;
      for (std::size_t i = 0; i < req.get_header_value_count("Authorization"); ++i) {
        authorization.push_back(req.get_header_value("Authorization", i));
      }
      if (std::string why = options_.auth->check_http(authorization); !why.empty()) {
        return Verdict{401, absl::StatusCode::kUnauthenticated, std::move(why)};
      }
    }
    return Verdict();
  }

  // `Expect: 100-continue`: refuse before the body is sent when we can.
  int expect_continue(const Request& req, Response& res) {
    Verdict verdict = admit(req);
    std::uint64_t length = 0;
    if (verdict.status == 0 && is_upload(req) &&
        absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) &&
        length - std::min(length, kFormOverhead) > options_.max_file_size) {
      verdict = Verdict{413, absl::StatusCode::kResourceExhausted,
                        absl::StrCat("upload of ", length, " bytes is larger than the limit of ",
                                     options_.max_file_size,
                                     " bytes per file (sift-emulator --max-file-size, "
                                     "EmulatorOptions::max_file_size) plus the form")};
    }
    if (verdict.status != 0) {
      reply(res, verdict.status, verdict.code, verdict.message);
      return verdict.status;
    }
    res.set_header(kContinuedHeader, "1");
    return 100;
  }

  HandlerResponse pre_routing(const Request& req, Response& res) {
    const bool continued = res.has_header(kContinuedHeader);
    res.headers.erase(kContinuedHeader);
    const Verdict verdict = continued ? Verdict() : admit(req);
    if (is_upload(req)) {
      // The request object is httplib's own (non-const) one; handlers get a
      // const view. Relabelled, the body reaches upload() as raw bytes.
      Request& mutable_req = const_cast<Request&>(req);
      const std::string content_type = req.get_header_value("Content-Type");
      mutable_req.headers.erase(kFormTypeHeader);
      mutable_req.headers.erase("Content-Type");
      mutable_req.headers.emplace(kFormTypeHeader, content_type);
      mutable_req.headers.emplace("Content-Type", "application/octet-stream");
      // A refusal is written now; upload() sees it, drains the body and
      // leaves the answer as it is.
      if (verdict.status != 0) reply(res, verdict.status, verdict.code, verdict.message);
      return HandlerResponse::Unhandled;
    }
    if (verdict.status == 0 && has_body(req)) {
      // httplib would read a body for a route without a content reader into
      // memory before answering 404: refuse it unread and close.
      res.set_header("Connection", "close");
      reply(res, 404, absl::StatusCode::kNotFound, no_route(req));
      return HandlerResponse::Handled;
    }
    if (verdict.status == 0) return HandlerResponse::Unhandled;
    reply(res, verdict.status, verdict.code, verdict.message);
    return HandlerResponse::Handled;
  }

  static bool has_body(const Request& req) {
    std::uint64_t length = 0;
    return req.get_header_value("Transfer-Encoding") == "chunked" ||
           (absl::SimpleAtoi(req.get_header_value("Content-Length"), &length) && length > 0);
  }

  void upload(const Request& req, Response& res, const httplib::ContentReader& reader) {
    if (res.status != -1) {  // refused by pre_routing
      drain(reader, stopping_);
      return;
    }
    const std::string content_type = req.get_header_value(kFormTypeHeader);
    const std::optional<std::string> boundary = multipart_boundary(content_type);
    if (!boundary.has_value()) {
      drain(reader, stopping_);
      return reply(res, 400, absl::StatusCode::kInvalidArgument,
                   absl::StrCat("the upload must be multipart/form-data with a boundary, not "
                                "Content-Type '",
                                content_type, "'"));
    }
    FileUpload upload(*options_.store, options_.data_dir, options_.max_file_size);
    MultipartParser parser(*boundary, &upload);
    bool parsing = true;
    const bool complete = reader([&](const char* data, std::size_t size) {
      if (parsing) parsing = parser.feed(data, size);
      return !stopping_.load();  // keep reading (see the top of this file) unless stopping
    });
    if (!complete) {
      return reply(res, 400, absl::StatusCode::kInvalidArgument,
                   "the upload body ended early (connection closed or timed out)");
    }
    const HttpReply answer = upload.finish(parser.finish() ? std::string() : parser.error());
    res.status = answer.status;
    res.set_content(answer.json, "application/json");
  }

  void download(const Request& req, Response& res) {
    const std::string remote_file_id = req.matches[1];
    absl::StatusOr<Store::FileDownload> found =
        options_.store->remote_file_download(remote_file_id, req.get_param_value("token"));
    if (!found.ok()) {
      return reply(res, http_status_for(found.status().code()), found.status().code(),
                   std::string(found.status().message()));
    }
    const int fd = ::open(found->path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info;
    if (fd < 0 || ::fstat(fd, &info) != 0) {
      const std::string why = std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return reply(res, 500, absl::StatusCode::kInternal,
                   absl::StrCat("sift-emulator cannot read ", found->path, ": ", why));
    }
    auto file = std::make_shared<OpenFile>(fd);
    const auto size = static_cast<std::uint64_t>(info.st_size);
    // A cut sends the headers (with the full Content-Length) and `limit`
    // bytes, then fails the provider, which makes httplib drop the connection.
    const std::optional<std::uint64_t> cut = options_.faults->take_cut();
    const std::uint64_t limit = cut.has_value() ? std::min(*cut, size) : size;
    if (size == 0) return res.set_content(std::string(), found->mime_type);
    res.set_content_provider(
        static_cast<std::size_t>(size), found->mime_type,
        [file, limit](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          if (offset >= limit) return false;
          const std::size_t want =
              std::min<std::uint64_t>({length, file->buffer.size(), limit - offset});
          const ssize_t n =
              ::pread(file->fd, file->buffer.data(), want, static_cast<off_t>(offset));
          if (n <= 0) return false;
          return sink.write(file->buffer.data(), static_cast<std::size_t>(n));
        });
  }

  // Gives httplib's own errors (no route, malformed request) a JSON body;
  // answers that already have one are left alone.
  static HandlerResponse on_error(const Request& req, Response& res) {
    if (!res.body.empty()) return HandlerResponse::Unhandled;
    std::string message = absl::StrCat("sift-emulator: HTTP ", res.status);
    if (res.status == 404) {
      message = no_route(req);
    }
    res.set_content(json_error(code_for(res.status), message), "application/json");
    return HandlerResponse::Handled;
  }

  const HttpServerOptions& options_;
  const std::atomic<bool>& stopping_;
};

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()),
      routes_(std::make_unique<Routes>(options_, stopping_)) {}

HttpServer::~HttpServer() { stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options,
                                                              const std::string& host, int port) {
  std::unique_ptr<HttpServer> http(new HttpServer(std::move(options)));
  httplib::Server& server = *http->server_;
  // Unlike httplib's default, no SO_REUSEPORT: a second emulator on a taken
  // port must fail to bind rather than silently share it.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_keep_alive_timeout(kKeepAliveSeconds);
  http->routes_->install(server);

  // httplib wants IPv6 hosts without brackets.
  std::string bind_host = host;
  if (bind_host.size() >= 2 && bind_host.front() == '[' && bind_host.back() == ']') {
    bind_host = bind_host.substr(1, bind_host.size() - 2);
  }
  int bound = -1;
  if (port == 0) {
    bound = server.bind_to_any_port(bind_host);
  } else if (server.bind_to_port(bind_host, port)) {
    bound = port;
  }
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("sift-emulator cannot listen for HTTP on ", host, ":", port));
  }
  http->port_ = bound;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  http->thread_ = std::thread([&server, finished] {
    server.listen_after_bind();
    finished->store(true);
  });
  // httplib's stop() does nothing until the accept loop runs: wait for it.
  while (!server.is_running() && !finished->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (finished->load()) {  // nobody stopped it: the accept loop failed
    return absl::UnavailableError(
        absl::StrCat("sift-emulator cannot serve HTTP on ", host, ":", bound));
  }
  return http;
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  server_->stop();
  thread_.join();
}

}  // namespace emulator
}  // namespace sift
