// The `raw` baseline, written the way Sift's official C++ example streams
// data: a generated IngestWithConfigDataStreamRequest built per row and
// written with one Write per row (with a buffer hint) on a sync client
// stream, then WritesDone and Finish. Only the ingestion config comes from
// the SDK (untimed setup).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "child.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"
#include "sift/ingestion/service.h"
#include "workload.h"

namespace sift_bench {
namespace {

namespace ingest_pb = ::sift::ingest::v1;

// The ingestion config id of the nostromo config (created if needed).
absl::StatusOr<std::string> ingestion_config_id(const sift::SiftChannel& channel) {
  absl::StatusOr<sift::TelemetryConfig> config = nostromo_config();
  if (!config.ok()) return config.status();
  auto service = sift::IngestionService::create(channel, *config);
  if (!service.ok()) return service.status();
  return (*service)->ingestion_config_id();
}

}  // namespace

int run_raw_client(const ChildArgs& args) {
  absl::StatusOr<sift::SiftChannel> channel = bench_channel(args.uri);
  if (!channel.ok()) return child_fail("channel", channel.status());
  absl::StatusOr<std::string> config_id = ingestion_config_id(*channel);
  if (!config_id.ok()) return child_fail("ingestion config", config_id.status());
  std::unique_ptr<ingest_pb::IngestService::Stub> stub =
      ingest_pb::IngestService::NewStub(channel->grpc_channel());

  TimedRegion timed;
  timed.start();
  grpc::ClientContext context;
  ingest_pb::IngestWithConfigDataStreamResponse response;
  std::unique_ptr<grpc::ClientWriter<ingest_pb::IngestWithConfigDataStreamRequest>> writer =
      stub->IngestWithConfigDataStream(&context, &response);
  for (std::uint64_t i = 0; i < args.rows; ++i) {
    ingest_pb::IngestWithConfigDataStreamRequest request;
    request.set_ingestion_config_id(*config_id);
    request.set_flow(kFlowName);
    const std::int64_t ns = row_time(i).time_since_epoch().count();
    request.mutable_timestamp()->set_seconds(ns / 1000000000);
    request.mutable_timestamp()->set_nanos(static_cast<std::int32_t>(ns % 1000000000));
    request.add_channel_values()->set_double_(row_velocity(i));
    request.add_channel_values()->set_int32(row_voltage(i));
    request.add_channel_values()->set_enum_(row_vehicle_state(i));
    request.add_channel_values()->set_bit_field(std::string(1, row_gpio(i)));
    // false: the stream is broken; Finish() says why.
    if (!writer->Write(request, grpc::WriteOptions().set_buffer_hint())) break;
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  timed.stop();
  if (!status.ok()) {
    return child_fail(
        "IngestWithConfigDataStream",
        absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message()));
  }
  timed.report(args.rows);
  return 0;
}

}  // namespace sift_bench
