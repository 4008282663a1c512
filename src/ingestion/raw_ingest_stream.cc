// IngestWithConfigDataStream over grpc::ByteBuffer: the engine's rows are
// already protobuf wire bytes.
#include "internal/raw_ingest_stream.h"

#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/slice.h>

#include "internal/grpc_util.h"

namespace sift {
namespace internal {
namespace {

constexpr char kPath[] = "/sift.ingest.v1.IngestService/IngestWithConfigDataStream";
constexpr char kMethod[] = "IngestService.IngestWithConfigDataStream";
// A write without the buffer hint every this many rows: gRPC completes hinted
// writes at once and holds their messages, so without it a whole block's
// worth of per-message overhead would pile up inside the transport.
constexpr std::size_t kRowsPerFlush = 128;

}  // namespace

RawIngestStream::RawIngestStream(const SiftChannel& channel,
                                 std::chrono::system_clock::time_point deadline)
    : channel_(channel) {
  context_.set_deadline(deadline);
  const grpc::internal::RpcMethod method(kPath, grpc::internal::RpcMethod::CLIENT_STREAMING);
  writer_.reset(grpc::internal::ClientWriterFactory<WireRow>::Create(
      channel_.grpc_channel().get(), method, &context_, &response_));
}

RawIngestStream::~RawIngestStream() {
  if (!finished_) {
    context_.TryCancel();
    (void)writer_->Finish();
  }
}

bool RawIngestStream::write_block(const RowBlock& block, std::size_t from) {
  // Each row gets its own small slice (in WireRow's serialization): small
  // allocations come from the allocator's caches, where one block-sized copy
  // per block kept faulting fresh pages in.
  const std::size_t last = block.rows() - 1;
  for (std::size_t i = from; i < block.rows(); ++i) {
    const bool flush = i == last || (i + 1) % kRowsPerFlush == 0;
    if (!write_row(block.row(i), /*buffer_hint=*/!flush)) return false;
  }
  return true;
}

bool RawIngestStream::write_row(absl::string_view row, bool buffer_hint) {
  grpc::WriteOptions options;
  if (buffer_hint) options.set_buffer_hint();
  return writer_->Write(WireRow{row}, options);
}

absl::Status RawIngestStream::finish() {
  (void)writer_->WritesDone();
  finished_ = true;
  return to_absl_status(writer_->Finish(), kMethod, channel_);
}

void RawIngestStream::cancel() { context_.TryCancel(); }

}  // namespace internal
}  // namespace sift
