// One IngestWithConfigDataStream call that writes already-encoded rows: the
// engine's rows are wire bytes, so they go out as byte buffers without being
// parsed into messages again.
#ifndef SIFT_INTERNAL_RAW_INGEST_STREAM_H_
#define SIFT_INTERNAL_RAW_INGEST_STREAM_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/impl/serialization_traits.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>
#include <grpcpp/support/status.h>
#include <grpcpp/support/sync_stream.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "internal/row_block.h"
#include "sift/grpc/transport.h"

namespace sift {
namespace internal {

// One encoded row as a gRPC message: its bytes go into the call's byte
// buffer directly (grpc::ByteBuffer as the message type would be copied once
// more per row by its serialization traits).
struct WireRow {
  absl::string_view bytes;
};

}  // namespace internal
}  // namespace sift

template <>
class grpc::SerializationTraits<sift::internal::WireRow, void> {
 public:
  static grpc::Status Serialize(const sift::internal::WireRow& row, grpc::ByteBuffer* buffer,
                                bool* own_buffer) {
    grpc::Slice slice(row.bytes.data(), row.bytes.size());
    grpc::ByteBuffer built(&slice, 1);
    buffer->Swap(&built);
    *own_buffer = true;
    return grpc::Status::OK;
  }
  static grpc::Status Deserialize(grpc::ByteBuffer*, sift::internal::WireRow*) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "WireRow is write-only");
  }
};

namespace sift {
namespace internal {

class RawIngestStream {
 public:
  // Opens the call; it fails at `deadline` if not finished by then.
  RawIngestStream(const SiftChannel& channel, std::chrono::system_clock::time_point deadline);
  ~RawIngestStream();  // cancels an unfinished call

  // Rows [from, block.rows()) of a block. The last row is written without
  // the buffer hint so the batch goes out now.
  // False once the call is broken (finish() says why).
  bool write_block(const RowBlock& block, std::size_t from = 0);
  // One row (replay from disk), buffered until a later write without the hint.
  bool write_row(absl::string_view row, bool buffer_hint);
  // Half-closes and waits for the server's status: OK is the acknowledgement
  // of every row written on this call.
  absl::Status finish();
  // From any thread: makes a blocked write or finish return.
  void cancel();

 private:
  const SiftChannel channel_;
  grpc::ClientContext context_;
  grpc::ByteBuffer response_;
  std::unique_ptr<grpc::ClientWriter<WireRow>> writer_;
  bool finished_ = false;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_RAW_INGEST_STREAM_H_
