// sift.ingest.v1.IngestService: each streamed row is validated and stored on
// its own, so rows accepted before a bad one stay stored whatever happens.
#include <utility>

#include "services.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

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
    while (reader->Read(&row)) {
      absl::Status status = deps_.store->ingest(row);
      if (status.ok()) continue;
      // Sift parks bad rows and keeps going unless the client asked to stop.
      if (row.end_stream_on_validation_error()) return to_grpc(status);
      deps_.store->count_rejected(status);
    }
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
