// The RequestSender of this release: one IngestWithConfigDataStream client
// stream per batch, as sift_py sends.
#include <cstddef>
#include <memory>
#include <utility>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/grpc_util.h"
#include "internal/ingest_request.h"
#include "internal/request_sender.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"

namespace sift {
namespace internal {
namespace {

constexpr char kMethod[] = "IngestService.IngestWithConfigDataStream";

class StreamRequestSender final : public RequestSender {
 public:
  explicit StreamRequestSender(const SiftChannel& channel)
      : channel_(channel), stub_(ingest::v1::IngestService::NewStub(channel.grpc_channel())) {}

  absl::Status send(absl::Span<const IngestRequest> requests, const SendOptions& options) override {
    ingest::v1::IngestWithConfigDataStreamRequest message;
    return stream(
        requests.size(), options, [&](std::size_t i) -> const auto& {
          encode_request(requests[i], &message);
          return message;
        });
  }

  absl::Status send(absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests,
                    const SendOptions& options) override {
    return stream(requests.size(), options,
                  [&](std::size_t i) -> const ingest::v1::IngestWithConfigDataStreamRequest& {
                    return requests[i];
                  });
  }

 private:
  template <typename Get>
  absl::Status stream(std::size_t count, const SendOptions& options, Get&& get) {
    grpc::ClientContext context;
    if (options.deadline.has_value()) context.set_deadline(*options.deadline);
    ingest::v1::IngestWithConfigDataStreamResponse response;
    std::unique_ptr<grpc::ClientWriter<ingest::v1::IngestWithConfigDataStreamRequest>> writer =
        stub_->IngestWithConfigDataStream(&context, &response);
    std::size_t written = 0;
    for (; written < count; ++written) {
      // A failed write means the stream is already broken; Finish() says why.
      if (!writer->Write(get(written))) break;
    }
    if (written == count) writer->WritesDone();
    absl::Status status = to_absl_status(writer->Finish(), kMethod, channel_);
    if (status.ok()) return status;
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " (stream of ", count,
                                     " requests; the server may hold any part of it)"));
  }

  SiftChannel channel_;
  std::unique_ptr<ingest::v1::IngestService::Stub> stub_;
};

}  // namespace

std::unique_ptr<RequestSender> make_stream_request_sender(const SiftChannel& channel) {
  return std::make_unique<StreamRequestSender>(channel);
}

}  // namespace internal
}  // namespace sift
