// The one seam through which IngestionService sends data. Today every call
// is one IngestWithConfigDataStream client stream carrying the whole batch
// (what sift_py does); the ingestion engine replaces this implementation
// with a long-lived stream without touching the callers.
#ifndef SIFT_INTERNAL_REQUEST_SENDER_H_
#define SIFT_INTERNAL_REQUEST_SENDER_H_

#include <chrono>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sift/grpc/transport.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/request.h"

namespace sift {
namespace internal {

struct SendOptions {
  // Unset: no deadline (sift_py sets none on the ingest stream).
  std::optional<std::chrono::system_clock::time_point> deadline;
};

class RequestSender {
 public:
  virtual ~RequestSender() = default;
  // Sends the requests in order; OK once the server has acknowledged all of
  // them. Safe to call from several threads.
  virtual absl::Status send(absl::Span<const IngestRequest> requests,
                            const SendOptions& options) = 0;
  virtual absl::Status send(
      absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests,
      const SendOptions& options) = 0;
};

// One client stream per send() call.
std::unique_ptr<RequestSender> make_stream_request_sender(const SiftChannel& channel);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_REQUEST_SENDER_H_
