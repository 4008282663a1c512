// sift.ingest.v1.IngestService: each streamed row is validated and stored on
// its own, so rows accepted before a bad one stay stored whatever happens.
// In count-only mode (benchmarks) rows are parsed and counted, nothing more.
#include <cstdint>
#include <utility>

#include "services.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

// Rows a stream reads before it adds them to the shared counters.
constexpr std::uint64_t kPublishEvery = 1024;

class IngestService final : public ingest_pb::IngestService::Service {
 public:
  explicit IngestService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status IngestWithConfigDataStream(
      grpc::ServerContext* context,
      grpc::ServerReader<ingest_pb::IngestWithConfigDataStreamRequest>* reader,
      ingest_pb::IngestWithConfigDataStreamResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    ingest_pb::IngestWithConfigDataStreamRequest row;
    // Counted per stream and published once per batch: one shared atomic add
    // per row would make concurrent streams contend.
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    auto publish = [&] {
      deps_.ingest_counters->rows.fetch_add(rows, std::memory_order_relaxed);
      deps_.ingest_counters->bytes.fetch_add(bytes, std::memory_order_relaxed);
      rows = 0;
      bytes = 0;
    };
    while (reader->Read(&row)) {
      ++rows;
      bytes += row.ByteSizeLong();
      if (rows == kPublishEvery) publish();
      if (deps_.ingest_count_only) continue;
      absl::Status status = deps_.store->ingest(row);
      if (status.ok()) continue;
      // Sift parks bad rows and keeps going unless the client asked to stop.
      if (row.end_stream_on_validation_error()) {
        publish();
        return to_grpc(status);
      }
      deps_.store->count_rejected(status);
    }
    publish();
    // Cut off (stop(), client cancel): the rows read so far are stored, but
    // the caller must not take this for a complete delivery.
    if (context->IsCancelled())
      return grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled");
    return grpc::Status::OK;
  }

  grpc::Status IngestArbitraryProtobufDataStream(
      grpc::ServerContext* context,
      grpc::ServerReader<ingest_pb::IngestArbitraryProtobufDataStreamRequest>*,
      ingest_pb::IngestArbitraryProtobufDataStreamResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    return unimplemented("sift.ingest.v1.IngestService/IngestArbitraryProtobufDataStream");
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_ingest_service(const ServiceDeps& deps) {
  return std::make_unique<IngestService>(deps);
}

}  // namespace emulator
}  // namespace sift
