// bench_download: decode throughput of DataService::execute() against a
// baseline that only parses the raw GetData responses, same run, same server.
//
// An in-process sift-emulator (on 127.0.0.1, real gRPC over TCP) is filled
// with `--points` values of the seed's readings flow (mainmotor.velocity,
// voltage, vehicle_state and the gpio bit field's four elements: 7 values a
// row). Each repetition then downloads all four channels twice, interleaved:
//   raw_parse: generated stubs, one thread per channel (the SDK's default
//              concurrency, 4), every page's payloads parsed into their
//              *Values messages and counted - nothing kept;
//   sdk:       DataService::execute(), typed, sorted columns in memory.
//   bench_download [--points N] [--reps R]
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/channels/v3/channels.grpc.pb.h"
#include "sift/data/query.h"
#include "sift/data/service.h"
#include "sift/data/v2/data.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/buffer.h"
#include "sift/ingestion/service.h"
#include "workload.h"

namespace {

constexpr int kValuesPerRow = 7;  // 3 scalar channels + 4 bit-field elements
const char* const kChannels[] = {"mainmotor.velocity", "voltage", "vehicle_state", "gpio"};

struct Args {
  std::uint64_t points = 10'000'000;
  int reps = 3;
};

[[noreturn]] void die(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "bench_download: %s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--points") == 0 && has_value) {
      args.points = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--reps") == 0 && has_value) {
      args.reps = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--points N] [--reps R]\n", argv[0]);
      std::exit(2);
    }
  }
  if (args.points < kValuesPerRow || args.reps < 1) {
    std::fprintf(stderr, "bench_download: --points must be >= %d and --reps >= 1\n", kValuesPerRow);
    std::exit(2);
  }
  return args;
}

void ingest(const sift::SiftChannel& channel, std::uint64_t rows) {
  absl::StatusOr<sift::TelemetryConfig> config = sift_bench::nostromo_config();
  if (!config.ok()) die("telemetry config", config.status());
  sift::IngestionServiceOptions options;
  options.engine.backpressure = sift::BackpressurePolicy::kBlock;
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(channel, *config, options);
  if (!service.ok()) die("ingestion service", service.status());
  sift::BufferedIngestion buffer = (*service)->buffered_ingestion();
  sift::FlowOrderedChannelValues row{sift_bench::kFlowName, sift_bench::row_time(0), {}};
  for (std::uint64_t i = 0; i < rows; ++i) {
    row.timestamp = sift_bench::row_time(i);
    row.channel_values = {sift::double_value(sift_bench::row_velocity(i)),
                          sift::int32_value(sift_bench::row_voltage(i)),
                          sift::enum_value(sift_bench::row_vehicle_state(i)),
                          sift::bit_field_value(std::string(1, sift_bench::row_gpio(i)))};
    if (absl::Status s = buffer.ingest_flows(row); !s.ok()) die("ingest_flows", s);
  }
  if (absl::Status s = buffer.flush(); !s.ok()) die("buffer flush", s);
  if (absl::Status s = (*service)->flush(std::chrono::minutes(10)); !s.ok()) die("flush", s);
}

// Channel ids of the asset, in kChannels order.
std::vector<std::string> channel_ids(const std::shared_ptr<grpc::Channel>& grpc_channel) {
  auto stub = sift::channels::v3::ChannelService::NewStub(grpc_channel);
  grpc::ClientContext context;
  sift::channels::v3::ListChannelsRequest request;
  request.set_page_size(100);
  sift::channels::v3::ListChannelsResponse response;
  grpc::Status status = stub->ListChannels(&context, request, &response);
  if (!status.ok()) die("ListChannels", absl::UnknownError(status.error_message()));
  std::vector<std::string> ids;
  for (const char* name : kChannels) {
    for (const auto& channel : response.channels()) {
      if (channel.name() == name) ids.push_back(channel.channel_id());
    }
  }
  if (ids.size() != std::size(kChannels)) die("ListChannels", absl::NotFoundError("a channel"));
  return ids;
}

// Values in one payload, parsed into its message and counted.
template <typename Message>
std::uint64_t parse_count(const google::protobuf::Any& any) {
  Message message;
  if (!message.ParseFromString(any.value())) die("parse", absl::DataLossError(any.type_url()));
  return static_cast<std::uint64_t>(message.values_size());
}

std::uint64_t parse_payload(const google::protobuf::Any& any) {
  namespace v2 = sift::data::v2;
  const std::string& url = any.type_url();
  const std::string name = url.substr(url.rfind('/') == std::string::npos ? 0 : url.rfind('/') + 1);
  if (name == "sift.data.v2.DoubleValues") return parse_count<v2::DoubleValues>(any);
  if (name == "sift.data.v2.Int32Values") return parse_count<v2::Int32Values>(any);
  if (name == "sift.data.v2.EnumValues") return parse_count<v2::EnumValues>(any);
  if (name == "sift.data.v2.BitFieldValues") {
    v2::BitFieldValues message;
    if (!message.ParseFromString(any.value())) die("parse", absl::DataLossError(url));
    std::uint64_t n = 0;
    for (const auto& element : message.values()) n += element.values_size();
    return n;
  }
  die("parse", absl::UnimplementedError(name));
}

// The baseline: every page of every channel, one thread per channel.
std::uint64_t raw_parse(const std::shared_ptr<grpc::Channel>& grpc_channel,
                        const std::vector<std::string>& ids, std::uint64_t rows) {
  auto stub = sift::data::v2::DataService::NewStub(grpc_channel);
  std::atomic<std::uint64_t> points{0};
  std::vector<std::thread> threads;
  for (const std::string& id : ids) {
    threads.emplace_back([&, id] {
      sift::data::v2::GetDataRequest request;
      request.add_queries()->mutable_channel()->set_channel_id(id);
      request.mutable_start_time()->set_seconds(sift_bench::kStartSeconds);
      const std::int64_t end_ms = static_cast<std::int64_t>(rows);
      request.mutable_end_time()->set_seconds(sift_bench::kStartSeconds + end_ms / 1000);
      request.mutable_end_time()->set_nanos(static_cast<std::int32_t>(end_ms % 1000 * 1'000'000));
      request.set_page_size(sift::kDefaultPageSize);
      do {
        grpc::ClientContext context;
        sift::data::v2::GetDataResponse response;
        grpc::Status status = stub->GetData(&context, request, &response);
        if (!status.ok()) die("GetData", absl::UnknownError(status.error_message()));
        for (const auto& any : response.data()) points += parse_payload(any);
        request.set_page_token(response.next_page_token());
      } while (!request.page_token().empty());
    });
  }
  for (std::thread& thread : threads) thread.join();
  return points.load();
}

std::uint64_t sdk_execute(sift::DataService& service, std::uint64_t rows) {
  sift::DataQuery query;
  query.asset_name = "NostromoLV426";
  query.start_time = sift_bench::row_time(0);
  query.end_time = sift_bench::row_time(rows);
  for (const char* name : kChannels) query.channels.push_back(sift::ChannelQuery{name});
  absl::StatusOr<sift::DataQueryResult> result = service.execute(query);
  if (!result.ok()) die("execute", result.status());
  std::uint64_t points = 0;
  for (const sift::ChannelTimeSeries& series : result->all_channels()) points += series.size();
  return points;
}

template <typename F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  const std::uint64_t rows = (args.points + kValuesPerRow - 1) / kValuesPerRow;
  const std::uint64_t expected = rows * kValuesPerRow;

  sift::emulator::Emulator emulator;
  if (absl::Status s = emulator.start(); !s.ok()) die("emulator", s);
  sift::SiftChannelConfig config;
  config.uri = emulator.endpoint();
  config.use_ssl = false;
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(config);
  if (!channel.ok()) die("channel", channel.status());
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(-1);
  std::shared_ptr<grpc::Channel> raw_channel = grpc::CreateCustomChannel(
      emulator.endpoint(), grpc::InsecureChannelCredentials(), channel_args);

  std::printf("ingesting %llu rows (%llu values)...\n", static_cast<unsigned long long>(rows),
              static_cast<unsigned long long>(expected));
  ingest(*channel, rows);
  const std::vector<std::string> ids = channel_ids(raw_channel);
  sift::DataService service(*channel);
  // Untimed warm-up: the emulator builds its time index on the first read.
  raw_parse(raw_channel, ids, rows);

  std::vector<double> raw_s, sdk_s;
  for (int rep = 0; rep < args.reps; ++rep) {
    std::uint64_t raw_points = 0, sdk_points = 0;
    raw_s.push_back(seconds([&] { raw_points = raw_parse(raw_channel, ids, rows); }));
    sdk_s.push_back(seconds([&] { sdk_points = sdk_execute(service, rows); }));
    if (raw_points != expected || sdk_points != expected) {
      std::fprintf(stderr, "bench_download: expected %llu points, raw_parse %llu, sdk %llu\n",
                   static_cast<unsigned long long>(expected),
                   static_cast<unsigned long long>(raw_points),
                   static_cast<unsigned long long>(sdk_points));
      return 1;
    }
    std::printf("rep %d: raw_parse %.3f s (%.0f points/s), sdk %.3f s (%.0f points/s)\n", rep + 1,
                raw_s.back(), expected / raw_s.back(), sdk_s.back(), expected / sdk_s.back());
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double raw_rate = expected / median(raw_s);
  const double sdk_rate = expected / median(sdk_s);
  std::printf(
      "median: raw_parse %.0f points/s, sdk %.0f points/s; peak RSS %ld MiB (emulator "
      "included)\n",
      raw_rate, sdk_rate, usage.ru_maxrss / 1024);
  std::printf("RESULT sdk_vs_raw_parse_throughput=%.2f\n", sdk_rate / raw_rate);
  return 0;
}
