// gRPC plumbing shared by the SDK's services: per-call deadlines, turning a
// grpc::Status into an absl::Status that names the method (and never the API
// key), and the channel's retry service config.
#ifndef SIFT_INTERNAL_GRPC_UTIL_H_
#define SIFT_INTERNAL_GRPC_UTIL_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "sift/grpc/transport.h"

namespace sift {
namespace internal {

struct SiftChannelAccess {
  static SiftChannel make(std::shared_ptr<grpc::Channel> channel, std::string target,
                          std::chrono::milliseconds unary_deadline,
                          std::shared_ptr<const std::string> apikey) {
    SiftChannel out =
        SiftChannel::from_grpc_channel(std::move(channel), std::move(target), unary_deadline);
    out.apikey_ = std::move(apikey);
    return out;
  }
  static const std::string* apikey(const SiftChannel& channel) { return channel.apikey_.get(); }
};

// sift_py's retry policy as a gRPC service config: every method retries
// (5 attempts, 0.05 s initial backoff, x4, 5 s max) on INTERNAL, UNKNOWN,
// UNAVAILABLE, ABORTED and DEADLINE_EXCEEDED, except sift.ingest.v1.IngestService:
// its client streams are replayed by the SDK itself, and gRPC's transparent
// retry only covers what still fits its small per-call buffer.
std::string retry_service_config_json();

// `text` with every occurrence of the channel's API key replaced.
std::string redact_apikey(std::string_view text, const SiftChannel& channel);

// The status of a call to `method` (e.g. "IngestionConfigService.ListIngestionConfigs"):
// same code, message "<method>: <server message>", API key scrubbed, and a hint
// for UNAUTHENTICATED.
absl::Status to_absl_status(const grpc::Status& status, std::string_view method,
                            const SiftChannel& channel);

// Applies the channel's unary deadline (if any) to a call about to start.
inline void set_unary_deadline(grpc::ClientContext* context, const SiftChannel& channel) {
  if (channel.unary_deadline().count() > 0) {
    context->set_deadline(std::chrono::system_clock::now() + channel.unary_deadline());
  }
}

// One unary call: `call(grpc::ClientContext*)` issues the RPC on a context
// that carries the unary deadline.
template <typename Call>
absl::Status unary_call(const SiftChannel& channel, std::string_view method, Call&& call) {
  grpc::ClientContext context;
  set_unary_deadline(&context, channel);
  const grpc::Status status = std::forward<Call>(call)(&context);
  return to_absl_status(status, method, channel);
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_GRPC_UTIL_H_
