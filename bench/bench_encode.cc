// Micro benches for one "readings" row (the workload of bench_ingest):
// encoding it with the SDK's wire encoder into a reused buffer versus
// building a protobuf message and serializing it into a reused string, and
// the SDK's two validations (keyed -> positional, positional check).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "internal/ingest_request.h"
#include "internal/wire_encoder.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "workload.h"

namespace {

namespace ingest_pb = ::sift::ingest::v1;
using sift_bench::kFlowName;

// A realistic id (the emulator's are UUIDs).
constexpr char kConfigId[] = "5f0c8e4a-1d2b-4c3e-9f8a-7b6c5d4e3f21";

const sift::FlowConfig& readings_config() {
  static const sift::FlowConfig* flow = [] {
    absl::StatusOr<sift::TelemetryConfig> config = sift_bench::nostromo_config();
    if (!config.ok()) std::abort();
    for (const sift::FlowConfig& f : config->flows) {
      if (f.name == kFlowName) return new sift::FlowConfig(f);
    }
    std::abort();
  }();
  return *flow;
}

void set_positional(sift::FlowOrderedChannelValues& row, std::uint64_t i) {
  row.timestamp = sift_bench::row_time(i);
  row.channel_values[0] = sift::double_value(sift_bench::row_velocity(i));
  row.channel_values[1] = sift::int32_value(sift_bench::row_voltage(i));
  row.channel_values[2] = sift::enum_value(sift_bench::row_vehicle_state(i));
  row.channel_values[3] = sift::bit_field_value(std::string(1, sift_bench::row_gpio(i)));
}

sift::FlowOrderedChannelValues positional_row() {
  sift::FlowOrderedChannelValues row{kFlowName, {}, std::vector<sift::TypedValue>(4)};
  set_positional(row, 0);
  return row;
}

void fill_request(ingest_pb::IngestWithConfigDataStreamRequest& request, std::uint64_t i) {
  request.set_ingestion_config_id(kConfigId);
  request.set_flow(kFlowName);
  const std::int64_t ns = sift_bench::row_time(i).time_since_epoch().count();
  request.mutable_timestamp()->set_seconds(ns / 1000000000);
  request.mutable_timestamp()->set_nanos(static_cast<std::int32_t>(ns % 1000000000));
  request.add_channel_values()->set_double_(sift_bench::row_velocity(i));
  request.add_channel_values()->set_int32(sift_bench::row_voltage(i));
  request.add_channel_values()->set_enum_(sift_bench::row_vehicle_state(i));
  request.add_channel_values()->set_bit_field(std::string(1, sift_bench::row_gpio(i)));
}

// The SDK's hot path: values -> bytes in a reused buffer.
void BM_EncodeWire(benchmark::State& state) {
  sift::FlowOrderedChannelValues row = positional_row();
  const sift::internal::wire::RowHeader header{kConfigId, kFlowName, {}, {}, false};
  std::vector<char> buffer(256);
  std::uint64_t i = 0;
  for (auto _ : state) {
    set_positional(row, i++);
    const auto value_at = [&](std::size_t c) { return &row.channel_values[c]; };
    const std::size_t size = sift::internal::wire::request_size(header, row.timestamp, 4, value_at);
    if (size > buffer.size()) buffer.resize(size);
    char* end =
        sift::internal::wire::encode_request(buffer.data(), header, row.timestamp, 4, value_at);
    benchmark::DoNotOptimize(end);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeWire);

// The raw baseline's way: a message built per row, serialized into a reused string.
void BM_EncodeProtobufFreshMessage(benchmark::State& state) {
  std::string out;
  std::uint64_t i = 0;
  for (auto _ : state) {
    ingest_pb::IngestWithConfigDataStreamRequest request;
    fill_request(request, i++);
    request.SerializeToString(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeProtobufFreshMessage);

// The best protobuf can do: one message cleared and refilled per row.
void BM_EncodeProtobufReusedMessage(benchmark::State& state) {
  ingest_pb::IngestWithConfigDataStreamRequest request;
  std::string out;
  std::uint64_t i = 0;
  for (auto _ : state) {
    request.Clear();
    fill_request(request, i++);
    request.SerializeToString(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeProtobufReusedMessage);

// try_ingest_flows(Flow): keyed values -> positional, with sift_py's checks.
void BM_ValidateKeyed(benchmark::State& state) {
  const sift::FlowConfig& config = readings_config();
  const sift::Flow flow{kFlowName,
                        sift_bench::row_time(0),
                        {{"velocity", "mainmotor", sift::double_value(1.5)},
                         {"voltage", std::nullopt, sift::int32_value(12)},
                         {"vehicle_state", std::nullopt, sift::enum_value(1)},
                         {"gpio", std::nullopt, sift::bit_field_value(std::string(1, 9))}}};
  for (auto _ : state) {
    absl::StatusOr<std::vector<sift::TypedValue>> values =
        sift::internal::ordered_values_from_keyed(config, flow);
    if (!values.ok()) state.SkipWithError("ordered_values_from_keyed failed");
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateKeyed);

// try_ingest_flows(FlowOrderedChannelValues): the positional type check.
void BM_CheckPositional(benchmark::State& state) {
  const sift::FlowConfig& config = readings_config();
  const sift::FlowOrderedChannelValues row = positional_row();
  for (auto _ : state) {
    absl::Status status = sift::internal::check_positional_values(config, row);
    if (!status.ok()) state.SkipWithError("check_positional_values failed");
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckPositional);

}  // namespace

BENCHMARK_MAIN();
