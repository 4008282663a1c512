// The HTTP listener for Sift's REST file endpoints, on cpp-httplib: the
// upload endpoint (POST /api/v0/remote-files/upload) and the download URLs
// GetRemoteFileDownloadUrl hands out (GET /files/<id>?token=...). One
// HttpServer per Emulator::start()/stop() cycle, like the gRPC server.
#ifndef SIFT_EMULATOR_HTTP_SERVER_H_
#define SIFT_EMULATOR_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "auth.h"
#include "store.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace sift {
namespace emulator {

// Fault injection for REST client tests (Emulator::fail_next_http_requests,
// cut_next_download_after). Outlives the servers: armed faults survive a
// restart.
class HttpFaults {
 public:
  void fail_next(int count, int http_status);
  // The status to answer this request with, when a failure is armed.
  std::optional<int> take_failure();
  void cut_next_download(std::uint64_t bytes);
  std::optional<std::uint64_t> take_cut();

 private:
  std::mutex mu_;
  int failures_ = 0;
  int failure_status_ = 503;
  std::optional<std::uint64_t> cut_;
};

struct HttpServerOptions {
  Store* store = nullptr;
  std::shared_ptr<const Auth> auth;
  HttpFaults* faults = nullptr;
  std::string data_dir;
  std::uint64_t max_file_size = 0;
};

class HttpServer {
 public:
  // Binds host:port (port 0: any free port) and serves on a thread of its
  // own; UNAVAILABLE naming the address when it cannot bind.
  static absl::StatusOr<std::unique_ptr<HttpServer>> start(HttpServerOptions options,
                                                           const std::string& host, int port);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // Closes the listening socket and returns once the requests in progress
  // are answered.
  void stop();

 private:
  explicit HttpServer(HttpServerOptions options);
  class Routes;

  const HttpServerOptions options_;
  // Set by stop(): uploads in progress stop reading instead of holding
  // stop() (and the emulator) until their client is done.
  std::atomic<bool> stopping_{false};
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Routes> routes_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_HTTP_SERVER_H_
