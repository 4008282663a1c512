// DataService::execute against the emulator over real gRPC: data ingested
// with IngestionService comes back as it was sent (every type, bit for bit),
// across many pages, windows, down-sampling, runs and calculated channels;
// unknown names fail naming them; progress, the concurrency bound, early
// stop on failure and the look-up cache are observed with a client
// interceptor on a TCP channel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/client_interceptor.h>

#include "sift/data/query.h"
#include "sift/data/result.h"
#include "sift/data/service.h"
#include "sift/data/table.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/service.h"
#include "sift/time.h"

namespace sift {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAsset[] = "NostromoLV426";
constexpr int64_t kBaseSeconds = 1'800'000'000;

Timestamp at_ns(int64_t ns) {
  return Timestamp(std::chrono::seconds(kBaseSeconds)) + std::chrono::nanoseconds(ns);
}
Timestamp at_ms(int64_t ms) { return at_ns(ms * 1'000'000); }
int64_t ns_of(Timestamp t) { return t.time_since_epoch().count(); }

ChannelConfig channel(std::string name, ChannelDataType type) {
  ChannelConfig c;
  c.name = std::move(name);
  c.data_type = type;
  return c;
}

// --- Call counting: a client interceptor on a TCP channel. ---------------

struct CallLog {
  std::mutex mu;
  std::map<std::string, int> started;  // by method path
  int get_data_in_flight = 0;
  int max_get_data_in_flight = 0;
  int get_data_calls = 0;
  // Knobs.
  std::chrono::milliseconds get_data_delay{0};
  int fail_get_data_call = -1;  // index of the GetData call whose status is replaced

  int count(const std::string& method) {
    std::lock_guard<std::mutex> lock(mu);
    return started[method];
  }
  int max_in_flight() {
    std::lock_guard<std::mutex> lock(mu);
    return max_get_data_in_flight;
  }
};

constexpr char kGetDataPath[] = "/sift.data.v2.DataService/GetData";

class CountingInterceptor : public grpc::experimental::Interceptor {
 public:
  CountingInterceptor(grpc::experimental::ClientRpcInfo* info, CallLog* log)
      : method_(info->method()), log_(log) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    const bool get_data = method_ == kGetDataPath;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::chrono::milliseconds delay{0};
      {
        std::lock_guard<std::mutex> lock(log_->mu);
        ++log_->started[method_];
        if (get_data) {
          index_ = log_->get_data_calls++;
          ++log_->get_data_in_flight;
          log_->max_get_data_in_flight =
              std::max(log_->max_get_data_in_flight, log_->get_data_in_flight);
          delay = log_->get_data_delay;
        }
      }
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS) && get_data) {
      std::lock_guard<std::mutex> lock(log_->mu);
      --log_->get_data_in_flight;
      if (index_ == log_->fail_get_data_call) {
        *methods->GetRecvStatus() = grpc::Status(grpc::StatusCode::INTERNAL, "injected failure");
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  CallLog* log_;
  int index_ = -1;
};

class CountingFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit CountingFactory(CallLog* log) : log_(log) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new CountingInterceptor(info, log_);
  }

 private:
  CallLog* log_;
};

SiftChannel counting_channel(const emulator::Emulator& emulator, CallLog* log) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<CountingFactory>(log));
  std::shared_ptr<grpc::Channel> channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      emulator.endpoint(), grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
      std::move(factories));
  return SiftChannel::from_grpc_channel(channel, emulator.endpoint(), std::chrono::seconds(30));
}

// --- Fixture ---------------------------------------------------------------

class DataServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = std::make_unique<emulator::Emulator>();
    ASSERT_TRUE(emulator_->start().ok());
  }

  // An ingestion service for one flow of `channels` on kAsset.
  std::unique_ptr<IngestionService> ingestion(const std::string& flow,
                                              std::vector<ChannelConfig> channels) {
    TelemetryConfig draft;
    draft.asset_name = kAsset;
    draft.ingestion_client_key = "data-service-test-" + flow;
    draft.flows = {FlowConfig{flow, std::move(channels)}};
    absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(std::move(draft));
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    auto service = IngestionService::create(emulator_->in_process_channel(), *config);
    EXPECT_TRUE(service.ok()) << service.status();
    return service.ok() ? *std::move(service) : nullptr;
  }

  // Sends rows[i] at times[i] through `flow` and waits for the acknowledgement.
  void send(IngestionService& service, const std::string& flow, const std::vector<Timestamp>& times,
            const std::vector<std::vector<TypedValue>>& rows) {
    ASSERT_EQ(times.size(), rows.size());
    std::vector<FlowOrderedChannelValues> batch;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      batch.push_back(FlowOrderedChannelValues{flow, times[i], rows[i]});
      if (batch.size() == 500 || i + 1 == rows.size()) {
        absl::Status sent = service.try_ingest_flows(absl::MakeConstSpan(batch));
        ASSERT_TRUE(sent.ok()) << sent;
        batch.clear();
      }
    }
    absl::Status flushed = service.flush(std::chrono::seconds(60));
    ASSERT_TRUE(flushed.ok()) << flushed;
    ASSERT_EQ(emulator_->rejected_rows(), 0u);
  }

  // A query over [at_ms(from), at_ms(to)).
  DataQuery query(std::vector<AnyChannelQuery> channels, int64_t from_ms = -1000,
                  int64_t to_ms = 1'000'000) {
    DataQuery q;
    q.asset_name = kAsset;
    q.start_time = at_ms(from_ms);
    q.end_time = at_ms(to_ms);
    q.channels = std::move(channels);
    return q;
  }

  DataService service(DataServiceOptions options = {}) {
    return DataService(emulator_->in_process_channel(), options);
  }

  // One double channel `voltage`, value i at i ms, for `count` rows.
  void send_voltage(int count, int64_t first_ms = 0, double first_value = 0) {
    auto ingest = ingestion("voltage_flow", {channel("voltage", ChannelDataType::kDouble)});
    ASSERT_NE(ingest, nullptr);
    std::vector<Timestamp> times;
    std::vector<std::vector<TypedValue>> rows;
    for (int i = 0; i < count; ++i) {
      times.push_back(at_ms(first_ms + i));
      rows.push_back({double_value(first_value + i)});
    }
    send(*ingest, "voltage_flow", times, rows);
  }

  std::unique_ptr<emulator::Emulator> emulator_;
};

ChannelQuery by_name(std::string name, std::optional<std::string> run = std::nullopt) {
  return ChannelQuery{std::move(name), std::nullopt, std::move(run)};
}

template <typename T>
std::vector<T> column(const ChannelTimeSeries& s) {
  const std::vector<T>* values = s.values_as<T>();
  EXPECT_NE(values, nullptr) << s.name;
  return values == nullptr ? std::vector<T>() : *values;
}

template <typename T>
T from_bits(uint64_t bits) {
  T out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

template <typename T>
void expect_same_bits(const std::vector<T>& got, const std::vector<T>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(std::memcmp(&got[i], &want[i], sizeof(T)), 0) << "point " << i;
  }
}

// --- Round trip --------------------------------------------------------------

TEST_F(DataServiceTest, EveryDataTypeRoundTripsBitForBit) {
  ChannelConfig state = channel("state", ChannelDataType::kEnum);
  state.enum_types = {{"open", 1, std::nullopt}, {"closed", 2, std::nullopt}};
  ChannelConfig gpio = channel("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 4}};
  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  velocity.unit = "m/s";
  auto ingest = ingestion(
      "all_types",
      {channel("double", ChannelDataType::kDouble), channel("float", ChannelDataType::kFloat),
       channel("string", ChannelDataType::kString), state, gpio,
       channel("bool", ChannelDataType::kBool), channel("int32", ChannelDataType::kInt32),
       channel("uint32", ChannelDataType::kUint32), channel("int64", ChannelDataType::kInt64),
       channel("uint64", ChannelDataType::kUint64), channel("bytes", ChannelDataType::kBytes),
       velocity});
  ASSERT_NE(ingest, nullptr);

  const std::vector<double> doubles = {0.1, -0.0, std::numeric_limits<double>::infinity(),
                                       from_bits<double>(0x7ff8000000000123ULL),
                                       std::numeric_limits<double>::denorm_min()};
  const std::vector<float> floats = {0.1f, -0.0f, -std::numeric_limits<float>::infinity(),
                                     from_bits<float>(0x7fc00123U),
                                     std::numeric_limits<float>::max()};
  const std::vector<std::string> strings = {"", "hello, world",
                                            "\xc3\xbc"
                                            "n\xc3\xaf"
                                            "c\"q\"",
                                            "line\nbreak", std::string(300, 'x')};
  const std::vector<uint32_t> states = {1, 2, 1, 2, 1};
  const std::vector<uint8_t> gpio_bytes = {0x00, 0xA3, 0xFF, 0x0F, 0xF0};
  const std::vector<bool> bools = {true, false, false, true, true};
  const std::vector<int32_t> int32s = {0, -1, std::numeric_limits<int32_t>::min(),
                                       std::numeric_limits<int32_t>::max(), 42};
  const std::vector<uint32_t> uint32s = {0, 1, std::numeric_limits<uint32_t>::max(), 7, 65536};
  const std::vector<int64_t> int64s = {0, -1, std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max(), 1LL << 53};
  const std::vector<uint64_t> uint64s = {0, 1, std::numeric_limits<uint64_t>::max(), 9,
                                         (1ULL << 63) + 1};
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  const std::vector<std::string> bytes = {std::string("\0", 1), std::string("\0\xff\x10", 3),
                                          all_bytes, "plain", std::string("\xff", 1)};
  const std::vector<double> velocities = {1.5, 2.5, 3.5, 4.5, 5.5};

  std::vector<Timestamp> times;
  std::vector<std::vector<TypedValue>> rows;
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    // Nanosecond precision survives the round trip.
    times.push_back(at_ns(static_cast<int64_t>(i) * 1'000'000 + 123));
    rows.push_back({double_value(doubles[i]), float_value(floats[i]), string_value(strings[i]),
                    enum_value(states[i]),
                    bit_field_value(std::string(1, static_cast<char>(gpio_bytes[i]))),
                    bool_value(bools[i]), int32_value(int32s[i]), uint32_value(uint32s[i]),
                    int64_value(int64s[i]), uint64_value(uint64s[i]), bytes_value(bytes[i]),
                    double_value(velocities[i])});
  }
  send(*ingest, "all_types", times, rows);

  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(query(
      {by_name("double"), by_name("float"), by_name("string"), by_name("state"), by_name("gpio"),
       by_name("bool"), by_name("int32"), by_name("uint32"), by_name("int64"), by_name("uint64"),
       by_name("bytes"), ChannelQuery{"velocity", "mainmotor", std::nullopt}}));
  ASSERT_TRUE(result.ok()) << result.status();

  std::vector<int64_t> want_times;
  for (Timestamp t : times) want_times.push_back(ns_of(t));
  // Series come back in query order, the bit field as its two elements.
  std::vector<std::string> names;
  for (const ChannelTimeSeries& s : result->all_channels()) {
    names.push_back(s.name);
    EXPECT_EQ(s.time_ns, want_times) << s.name;
    EXPECT_EQ(s.asset_name, kAsset) << s.name;
    EXPECT_FALSE(s.run_name.has_value()) << s.name;
  }
  EXPECT_THAT(names,
              ElementsAre("double", "float", "string", "state", "gpio.12v", "gpio.heater", "bool",
                          "int32", "uint32", "int64", "uint64", "bytes", "mainmotor.velocity"));

  auto get = [&](const char* name) -> const ChannelTimeSeries& {
    absl::StatusOr<const ChannelTimeSeries*> s = result->channel(name);
    EXPECT_TRUE(s.ok()) << s.status();
    static const ChannelTimeSeries kEmpty;
    return s.ok() ? **s : kEmpty;
  };
  EXPECT_EQ(get("double").data_type, ChannelDataType::kDouble);
  expect_same_bits(column<double>(get("double")), doubles);
  EXPECT_EQ(get("float").data_type, ChannelDataType::kFloat);
  expect_same_bits(column<float>(get("float")), floats);
  EXPECT_EQ(column<std::string>(get("string")), strings);
  EXPECT_EQ(get("state").data_type, ChannelDataType::kEnum);
  EXPECT_EQ(column<uint32_t>(get("state")), states);
  EXPECT_EQ(get("state").enum_label(2), std::optional<std::string_view>("closed"));
  EXPECT_EQ(column<bool>(get("bool")), bools);
  EXPECT_EQ(column<int32_t>(get("int32")), int32s);
  EXPECT_EQ(column<uint32_t>(get("uint32")), uint32s);
  EXPECT_EQ(column<int64_t>(get("int64")), int64s);
  EXPECT_EQ(column<uint64_t>(get("uint64")), uint64s);
  EXPECT_EQ(get("bytes").data_type, ChannelDataType::kBytes);
  EXPECT_EQ(column<std::string>(get("bytes")), bytes);
  EXPECT_EQ(column<double>(get("mainmotor.velocity")), velocities);

  // Bit field: low nibble is `12v`, high nibble `heater`; no bare `gpio`.
  const ChannelTimeSeries& v12 = get("gpio.12v");
  EXPECT_EQ(v12.data_type, ChannelDataType::kBitField);
  EXPECT_EQ(v12.channel_name, "gpio");
  ASSERT_TRUE(v12.bit_field_element.has_value());
  EXPECT_EQ(v12.bit_field_element->bit_count, 4u);
  EXPECT_THAT(column<uint32_t>(v12), ElementsAre(0x0, 0x3, 0xF, 0xF, 0x0));
  EXPECT_THAT(column<uint32_t>(get("gpio.heater")), ElementsAre(0x0, 0xA, 0xF, 0x0, 0xF));
  absl::StatusOr<const ChannelTimeSeries*> bare = result->channel("gpio");
  EXPECT_EQ(bare.status().code(), absl::StatusCode::kNotFound);
}

// --- Pagination, windows, down-sampling ------------------------------------

TEST_F(DataServiceTest, PagesAreFollowedToTheEndInOrder) {
  constexpr int kRows = 2'500;
  auto ingest = ingestion("paged", {channel("voltage", ChannelDataType::kDouble),
                                    channel("log", ChannelDataType::kString)});
  ASSERT_NE(ingest, nullptr);
  std::vector<Timestamp> times;
  std::vector<std::vector<TypedValue>> rows;
  std::vector<double> volts;
  std::vector<std::string> logs;
  for (int i = 0; i < kRows; ++i) {
    times.push_back(at_ms(i));
    volts.push_back(i * 0.5);
    logs.push_back("line " + std::to_string(i));
    rows.push_back({double_value(volts.back()), string_value(logs.back())});
  }
  send(*ingest, "paged", times, rows);

  DataQuery q = query({by_name("voltage"), by_name("log")});
  q.page_size = 100;
  std::vector<DataProgress> reports;
  DataService data = service();
  absl::StatusOr<DataQueryResult> result =
      data.execute(q, [&](const DataProgress& p) { reports.push_back(p); });
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->all_channels().size(), 2u);
  EXPECT_EQ(column<double>(*result->channel("voltage").value()), volts);
  EXPECT_EQ(column<std::string>(*result->channel("log").value()), logs);
  std::vector<int64_t> want_times;
  for (Timestamp t : times) want_times.push_back(ns_of(t));
  EXPECT_EQ(result->channel("voltage").value()->time_ns, want_times);

  ASSERT_FALSE(reports.empty());
  // 25 pages per channel at least (a server may end with an empty page).
  EXPECT_GE(reports.back().pages, 50u);
  EXPECT_LE(reports.back().pages, 52u);
  EXPECT_EQ(reports.back().points, 2u * kRows);
  EXPECT_EQ(reports.back().queries_done, 2u);
  EXPECT_EQ(reports.back().queries_total, 2u);
}

TEST_F(DataServiceTest, TheWindowIncludesItsStartAndExcludesItsEnd) {
  send_voltage(10, 0, 0);  // value i at i ms
  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(query({by_name("voltage")}, 2, 5));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(column<double>(*result->channel("voltage").value()), ElementsAre(2, 3, 4));

  // One nanosecond later at both ends.
  DataQuery shifted = query({by_name("voltage")});
  shifted.start_time = at_ms(2) + std::chrono::nanoseconds(1);
  shifted.end_time = at_ms(5) + std::chrono::nanoseconds(1);
  result = data.execute(shifted);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(column<double>(*result->channel("voltage").value()), ElementsAre(3, 4, 5));

  // A window with no data gives an empty series or none, never an error.
  result = data.execute(query({by_name("voltage")}, 100, 200));
  ASSERT_TRUE(result.ok()) << result.status();
  for (const ChannelTimeSeries& s : result->all_channels()) EXPECT_EQ(s.size(), 0u);
}

// Two flows sampled at different times, downloaded, merged as of each time
// and written out: the CSV is the hand-computed table.
TEST_F(DataServiceTest, DownloadedSeriesMergeAsOfIntoTheHandComputedTable) {
  auto volts = ingestion("volts", {channel("voltage", ChannelDataType::kDouble)});
  ChannelConfig gpio = channel("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 1}, {"led", 1, 3}};
  auto pins = ingestion("pins", {gpio});
  ASSERT_NE(volts, nullptr);
  ASSERT_NE(pins, nullptr);
  send(*volts, "volts", {at_ms(0), at_ms(10), at_ms(20)},
       {{double_value(1.5)}, {double_value(2)}, {double_value(-3.25)}});
  // 12v is bit 0, led bits 1-3.
  send(*pins, "pins", {at_ms(5), at_ms(10), at_ms(25)},
       {{bit_field_value(std::string(1, '\x01'))},
        {bit_field_value(std::string(1, '\x06'))},
        {bit_field_value(std::string(1, '\x03'))}});

  DataService data = service();
  absl::StatusOr<DataQueryResult> result =
      data.execute(query({by_name("voltage"), by_name("gpio")}));
  ASSERT_TRUE(result.ok()) << result.status();
  absl::StatusOr<std::vector<const ChannelTimeSeries*>> columns =
      result->channels({"voltage", "gpio.12v", "gpio.led"});
  ASSERT_TRUE(columns.ok()) << columns.status();
  absl::StatusOr<Table> table = merge_asof(*columns);
  ASSERT_TRUE(table.ok()) << table.status();

  const std::string path = testing::TempDir() + "data_service_merge.csv";
  CsvOptions csv;
  csv.time_format = CsvOptions::TimeFormat::kUnixNanos;
  ASSERT_TRUE(write_csv(*table, path, csv).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto ns = [](int64_t ms) { return std::to_string(ns_of(at_ms(ms))); };
  EXPECT_EQ(text.str(), "time,voltage,gpio.12v,gpio.led\n" +  //
                            ns(0) + ",1.5,,\n" +              // no pin sample yet
                            ns(5) + ",1.5,1,0\n" +            // volts as of 0 ms
                            ns(10) + ",2,0,3\n" +             // both at 10 ms
                            ns(20) + ",-3.25,0,3\n" +         // pins as of 10 ms
                            ns(25) + ",-3.25,1,1\n");
  std::remove(path.c_str());
}

TEST_F(DataServiceTest, SampleMsDownSamplesNumericChannelsOnly) {
  constexpr int kRows = 1'000;
  auto ingest = ingestion("sampled", {channel("voltage", ChannelDataType::kDouble),
                                      channel("log", ChannelDataType::kString)});
  ASSERT_NE(ingest, nullptr);
  std::vector<Timestamp> times;
  std::vector<std::vector<TypedValue>> rows;
  std::map<int64_t, double> sent;
  for (int i = 0; i < kRows; ++i) {
    times.push_back(at_ms(i));
    const double v = std::sin(i / 25.0) * 100;
    sent[ns_of(times.back())] = v;
    rows.push_back({double_value(v), string_value(std::to_string(i))});
  }
  send(*ingest, "sampled", times, rows);

  DataQuery q = query({by_name("voltage"), by_name("log")}, 0, kRows);
  q.sample_ms = 100;
  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(q);
  ASSERT_TRUE(result.ok()) << result.status();
  const ChannelTimeSeries& voltage = *result->channel("voltage").value();
  EXPECT_GT(voltage.size(), 0u);
  EXPECT_LT(voltage.size(), 100u);
  // Down-sampling picks stored points; it does not invent values.
  const std::vector<double> values = column<double>(voltage);
  for (std::size_t i = 0; i < voltage.size(); ++i) {
    auto it = sent.find(voltage.time_ns[i]);
    ASSERT_NE(it, sent.end()) << "point " << i;
    EXPECT_EQ(it->second, values[i]);
  }
  EXPECT_EQ(result->channel("log").value()->size(), static_cast<std::size_t>(kRows));
}

// --- Runs --------------------------------------------------------------------

TEST_F(DataServiceTest, RunsSelectTheirOwnRows) {
  auto ingest = ingestion("voltage_flow", {channel("voltage", ChannelDataType::kDouble)});
  ASSERT_NE(ingest, nullptr);
  auto rows_from = [](int first, int count, std::vector<Timestamp>* times) {
    std::vector<std::vector<TypedValue>> rows;
    times->clear();
    for (int i = first; i < first + count; ++i) {
      times->push_back(at_ms(i));
      rows.push_back({double_value(i)});
    }
    return rows;
  };
  std::vector<Timestamp> times;
  ASSERT_TRUE(ingest->attach_run("burn-1").ok());
  auto rows = rows_from(0, 3, &times);
  send(*ingest, "voltage_flow", times, rows);
  ASSERT_TRUE(ingest->attach_run("burn-2").ok());
  rows = rows_from(10, 2, &times);
  send(*ingest, "voltage_flow", times, rows);
  ingest->detach_run();
  rows = rows_from(20, 1, &times);
  send(*ingest, "voltage_flow", times, rows);

  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(
      query({by_name("voltage", "burn-1"), by_name("voltage", "burn-2"), by_name("voltage")}));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->all_channels().size(), 3u);

  SeriesLookup burn_1("voltage");
  burn_1.run_name = "burn-1";
  EXPECT_THAT(column<double>(*result->channel(burn_1).value()), ElementsAre(0, 1, 2));
  SeriesLookup burn_2("voltage");
  burn_2.run_name = "burn-2";
  EXPECT_THAT(column<double>(*result->channel(burn_2).value()), ElementsAre(10, 11));
  // Unset = all of the channel's data, in runs or not.
  const ChannelTimeSeries& all = result->all_channels()[2];
  EXPECT_FALSE(all.run_name.has_value());
  EXPECT_THAT(column<double>(all), ElementsAre(0, 1, 2, 10, 11, 20));
  // The bare name is ambiguous: three series have it.
  EXPECT_EQ(result->channel("voltage").status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Unknown names -----------------------------------------------------------

TEST_F(DataServiceTest, UnknownNamesFailNamingThem) {
  send_voltage(3);
  DataService data = service();

  DataQuery unknown_asset = query({by_name("voltage")});
  unknown_asset.asset_name = "Sulaco";
  absl::StatusOr<DataQueryResult> result = data.execute(unknown_asset);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("Asset 'Sulaco' does not exist"));

  result = data.execute(query({by_name("voltage"), by_name("current"), by_name("gpio")}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(),
              HasSubstr("Asset 'NostromoLV426' has no channel named 'current' (channels[1]), "
                        "'gpio' (channels[2])"));

  result = data.execute(query({by_name("voltage", "burn-9"), by_name("voltage", "burn-8")}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("Runs 'burn-9', 'burn-8' do not exist"));

  // An invalid query never reaches the server.
  result = data.execute(query({by_name("voltage")}, 5, 5));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Calculated channels -------------------------------------------------------

TEST_F(DataServiceTest, CalculatedChannelIsEvaluatedByTheServer) {
  send_voltage(5, 0, 1);  // 1, 2, 3, 4, 5
  CalculatedChannelQuery doubled;
  doubled.channel_key = "double_voltage";
  doubled.expression = "$1 * 2";
  doubled.expression_channel_references = {{"$1", "voltage", std::nullopt, std::nullopt}};
  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(query({doubled, by_name("voltage")}));
  ASSERT_TRUE(result.ok()) << result.status();
  absl::StatusOr<const ChannelTimeSeries*> series = result->channel("double_voltage");
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_TRUE((*series)->calculated);
  EXPECT_EQ((*series)->channel_id, "double_voltage");
  EXPECT_THAT(column<double>(**series), ElementsAre(2, 4, 6, 8, 10));
  EXPECT_EQ((*series)->time_ns, result->channel("voltage").value()->time_ns);
}

TEST_F(DataServiceTest, CalculatedExpressionsAreCheckedBeforeAnythingIsFetched) {
  send_voltage(3);
  CallLog log;
  DataService data(counting_channel(*emulator_, &log));
  CalculatedChannelQuery bad;
  bad.channel_key = "bad";
  bad.expression = "$1 + \"V\"";
  bad.expression_channel_references = {{"$1", "voltage", std::nullopt, std::nullopt}};
  absl::StatusOr<DataQueryResult> result = data.execute(query({by_name("voltage"), bad}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(),
              HasSubstr("CalculatedChannelQuery 'bad'): column 4: arithmetic '+' needs numbers"));
  EXPECT_THAT(result.status().message(), HasSubstr("(expression: '$1 + \"V\"')"));
  EXPECT_EQ(log.count(kGetDataPath), 0);
}

// --- Progress, concurrency, failures, cache ------------------------------------

TEST_F(DataServiceTest, ProgressIsReportedOnTheCallingThreadAndOnlyGrows) {
  constexpr int kRows = 1'200;
  send_voltage(kRows);
  DataQuery q = query({by_name("voltage")});
  q.page_size = 100;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<DataProgress> reports;
  bool other_thread = false;
  DataService data = service();
  absl::StatusOr<DataQueryResult> result = data.execute(q, [&](const DataProgress& p) {
    other_thread = other_thread || std::this_thread::get_id() != caller;
    reports.push_back(p);
  });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(other_thread);
  ASSERT_FALSE(reports.empty());
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].pages, reports[i - 1].pages);
    EXPECT_GE(reports[i].points, reports[i - 1].points);
  }
  EXPECT_EQ(reports.back().points, static_cast<std::size_t>(kRows));
  EXPECT_GE(reports.back().pages, 12u);
  EXPECT_EQ(reports.back().queries_done, 1u);
}

class DataServiceConcurrencyTest : public DataServiceTest {
 protected:
  // Eight double channels c0..c7, ten rows each.
  void send_eight() {
    std::vector<ChannelConfig> channels;
    for (int c = 0; c < 8; ++c) {
      channels.push_back(channel("c" + std::to_string(c), ChannelDataType::kDouble));
    }
    auto ingest = ingestion("eight", channels);
    ASSERT_NE(ingest, nullptr);
    std::vector<Timestamp> times;
    std::vector<std::vector<TypedValue>> rows;
    for (int i = 0; i < 10; ++i) {
      times.push_back(at_ms(i));
      std::vector<TypedValue> row;
      for (int c = 0; c < 8; ++c) row.push_back(double_value(c * 100 + i));
      rows.push_back(row);
    }
    send(*ingest, "eight", times, rows);
  }

  DataQuery eight_query() {
    std::vector<AnyChannelQuery> channels;
    for (int c = 0; c < 8; ++c) channels.push_back(by_name("c" + std::to_string(c)));
    return query(channels);
  }
};

TEST_F(DataServiceConcurrencyTest, NoMoreCallsInFlightThanTheBound) {
  send_eight();
  for (std::size_t bound : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    SCOPED_TRACE(bound);
    CallLog log;
    log.get_data_delay = std::chrono::milliseconds(40);
    DataServiceOptions options;
    options.max_concurrent_requests = bound;
    DataService data(counting_channel(*emulator_, &log), options);
    absl::StatusOr<DataQueryResult> result = data.execute(eight_query());
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(log.count(kGetDataPath), 8);
    EXPECT_EQ(log.max_in_flight(), static_cast<int>(bound));
    // Query order, whatever order the calls finished in.
    ASSERT_EQ(result->all_channels().size(), 8u);
    for (int c = 0; c < 8; ++c) {
      const ChannelTimeSeries& s = result->all_channels()[c];
      EXPECT_EQ(s.name, "c" + std::to_string(c));
      EXPECT_EQ(column<double>(s).front(), c * 100);
    }
  }
}

TEST_F(DataServiceConcurrencyTest, TheFirstFailureStopsTheDownloadAndNamesTheChannel) {
  send_eight();
  CallLog log;
  log.fail_get_data_call = 2;
  DataServiceOptions options;
  options.max_concurrent_requests = 1;
  DataService data(counting_channel(*emulator_, &log), options);
  std::size_t reports_after_failure = 0;
  absl::StatusOr<DataQueryResult> result = data.execute(eight_query(), [&](const DataProgress& p) {
    if (p.queries_done > 2) ++reports_after_failure;
  });
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("channel 'c2' (channels[2])"));
  EXPECT_THAT(result.status().message(), HasSubstr("injected failure"));
  EXPECT_EQ(log.count(kGetDataPath), 3);  // c0, c1, c2; nothing after
  EXPECT_EQ(reports_after_failure, 0u);
}

TEST_F(DataServiceConcurrencyTest, LookUpsAreRememberedOnlyWithCaching) {
  send_eight();
  const std::string list_assets = "/sift.assets.v1.AssetService/ListAssets";
  const std::string list_channels = "/sift.channels.v3.ChannelService/ListChannels";
  {
    CallLog log;
    DataService data(counting_channel(*emulator_, &log));
    ASSERT_TRUE(data.execute(eight_query()).ok());
    ASSERT_TRUE(data.execute(eight_query()).ok());
    EXPECT_EQ(log.count(list_assets), 2);
    EXPECT_EQ(log.count(list_channels), 2);
  }
  CallLog log;
  DataServiceOptions options;
  options.enable_caching = true;
  DataService data(counting_channel(*emulator_, &log), options);
  ASSERT_TRUE(data.execute(eight_query()).ok());
  ASSERT_TRUE(data.execute(eight_query()).ok());
  EXPECT_EQ(log.count(list_assets), 1);
  EXPECT_EQ(log.count(list_channels), 1);
  EXPECT_EQ(log.count(kGetDataPath), 16);
  data.clear_cache();
  ASSERT_TRUE(data.execute(eight_query()).ok());
  EXPECT_EQ(log.count(list_assets), 2);
}

TEST_F(DataServiceTest, ChannelListingsAreFollowedAcrossPages) {
  // More channels than one ListChannels page (1,000) holds.
  constexpr int kChannels = 1'005;
  std::vector<ChannelConfig> channels;
  std::vector<TypedValue> row;
  std::vector<AnyChannelQuery> wanted;
  for (int c = 0; c < kChannels; ++c) {
    channels.push_back(channel("sensor_" + std::to_string(c), ChannelDataType::kInt32));
    row.push_back(int32_value(c));
    wanted.push_back(by_name("sensor_" + std::to_string(c)));
  }
  auto ingest = ingestion("wide", channels);
  ASSERT_NE(ingest, nullptr);
  send(*ingest, "wide", {at_ms(0)}, {row});

  CallLog log;
  DataService data(counting_channel(*emulator_, &log));
  absl::StatusOr<DataQueryResult> result = data.execute(query(wanted));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(log.count("/sift.channels.v3.ChannelService/ListChannels"), 2);
  ASSERT_EQ(result->all_channels().size(), static_cast<std::size_t>(kChannels));
  for (int c = 0; c < kChannels; ++c) {
    const ChannelTimeSeries& s = result->all_channels()[c];
    EXPECT_EQ(s.name, "sensor_" + std::to_string(c));
    EXPECT_THAT(column<int32_t>(s), ElementsAre(c));
  }
}

TEST(DataServiceWithoutServerTest, AServiceWithoutAChannelFails) {
  DataService data(SiftChannel{});
  DataQuery q;
  q.asset_name = kAsset;
  q.start_time = at_ms(0);
  q.end_time = at_ms(1);
  q.channels = {by_name("voltage")};
  EXPECT_EQ(data.execute(q).status().code(), absl::StatusCode::kFailedPrecondition);
  DataServiceOptions zero;
  zero.max_concurrent_requests = 0;
  emulator::Emulator emulator;
  DataService bounded(emulator.in_process_channel(), zero);
  EXPECT_EQ(bounded.execute(q).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sift
