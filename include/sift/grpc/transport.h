// The gRPC channel to Sift: sift_py's `sift_py.grpc.transport`.
#ifndef SIFT_GRPC_TRANSPORT_H_
#define SIFT_GRPC_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace sift {
namespace internal {
struct SiftChannelAccess;
}  // namespace internal

struct SiftChannelConfig {
  // host[:port], with or without http(s):// and a path (see normalize_uri).
  std::string uri;
  // Sent as `authorization: Bearer <apikey>` on every call; never logged.
  std::string apikey;
  // false only for local development (the emulator).
  bool use_ssl = true;
  // PEM file with root certificates; unset = gRPC's default roots.
  std::optional<std::string> root_certs_path;
  // Extra call metadata, sent after `authorization` on every call.
  std::vector<std::pair<std::string, std::string>> metadata;
  // sift_py's keepalive: ping every 20 s, 20 s timeout, also while idle.
  bool enable_keepalive = true;
  // Deadline of every unary call the SDK makes; zero = none. Never applied
  // to the ingest stream.
  std::chrono::milliseconds unary_deadline = std::chrono::seconds(60);
};

// sift_py's URI rule: keep only host[:port] of `http(s)://host:port/path`;
// text without a scheme is read as if it had one (`api.example.com/` ->
// `api.example.com`, `localhost:50051` stays).
std::string normalize_uri(std::string_view uri);

// A configured channel to Sift (or the emulator). Cheap to copy: copies share
// one underlying gRPC channel.
class SiftChannel {
 public:
  // The underlying gRPC channel, for calling raw stubs from sift::protos
  // (include <grpcpp/grpcpp.h> yourself). Its calls already carry the
  // authorization metadata.
  const std::shared_ptr<grpc::Channel>& grpc_channel() const { return channel_; }
  // The normalised target (`host:port`).
  const std::string& target() const { return target_; }
  std::chrono::milliseconds unary_deadline() const { return unary_deadline_; }

  // Wraps an existing gRPC channel whose calls already carry authorization
  // (e.g. the emulator's in-process channel).
  static SiftChannel from_grpc_channel(std::shared_ptr<grpc::Channel> channel, std::string target,
                                       std::chrono::milliseconds unary_deadline);

 private:
  friend struct internal::SiftChannelAccess;

  std::shared_ptr<grpc::Channel> channel_;
  std::string target_;
  std::chrono::milliseconds unary_deadline_{0};
  // Only to scrub the key out of server messages before they reach a Status
  // (a server may echo what it was sent); never printed.
  std::shared_ptr<const std::string> apikey_;
};

// Builds the channel: TLS (unless use_ssl is false) with the retry policy of
// sift_py (5 attempts, 0.05 s initial backoff, x4, 5 s max, on INTERNAL,
// UNKNOWN, UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED), keepalive, and the
// authorization metadata on every call. INVALID_ARGUMENT for an empty URI or
// an unreadable root certificate file.
absl::StatusOr<SiftChannel> use_sift_channel(const SiftChannelConfig& config);

}  // namespace sift

#endif  // SIFT_GRPC_TRANSPORT_H_
