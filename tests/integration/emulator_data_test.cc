// The emulator's sift.data.v2.DataService/GetData through raw gRPC stubs,
// over rows ingested with the SDK's IngestionService: every data type bit for
// bit (and as the SDK's decoder reads it), pagination across many pages and
// queries, time-window edges, sample_ms (LTTB), run filtering, unknown ids,
// out-of-order rows, and calculated channels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "internal/data_decode.h"
#include "sift/channels/v3/channels.grpc.pb.h"
#include "sift/data/v2/data.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/service.h"

namespace sift {
namespace {

namespace data_pb = ::sift::data::v2;
namespace calc_pb = ::sift::calculated_channels::v1;
namespace channels_pb = ::sift::channels::v3;
namespace type_pb = ::sift::common::type::v1;

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kAsset[] = "NostromoLV426";
// 1'700'000'000 s is 2023-11-14T22:13:20Z.
constexpr std::int64_t kBase = 1'700'000'000LL * 1'000'000'000LL;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

Timestamp at(std::int64_t ns_after_base) {
  return Timestamp(std::chrono::nanoseconds(kBase + ns_after_base));
}

google::protobuf::Timestamp wire_time(std::int64_t ns) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / kSecond);
  ts.set_nanos(static_cast<int>(ns % kSecond));
  return ts;
}

std::int64_t ns_of(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * kSecond + ts.nanos();
}

ChannelConfig ch(std::string name, ChannelDataType type) {
  ChannelConfig c;
  c.name = std::move(name);
  c.data_type = type;
  return c;
}

template <typename T>
T from_bits(std::uint64_t bits) {
  T out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

template <typename T>
std::uint64_t bits_of(T value) {
  std::uint64_t out = 0;
  std::memcpy(&out, &value, sizeof value);
  return out;
}

// The message in `any`, which must carry the canonical type URL.
template <typename M>
M unpack(const google::protobuf::Any& any) {
  M message;
  EXPECT_EQ(any.type_url(), "type.googleapis.com/" + M::descriptor()->full_name());
  EXPECT_TRUE(message.ParseFromString(any.value())) << any.type_url();
  return message;
}

template <typename M>
std::vector<std::int64_t> times_of(const M& message) {
  std::vector<std::int64_t> out;
  for (const auto& v : message.values()) out.push_back(ns_of(v.timestamp()) - kBase);
  return out;
}

template <typename M>
auto values_of(const M& message) {
  std::vector<std::decay_t<decltype(message.values(0).value())>> out;
  for (const auto& v : message.values()) out.push_back(v.value());
  return out;
}

// One series read off pages: times (after kBase) and values as doubles.
struct Points {
  std::vector<std::int64_t> times;
  std::vector<double> values;
};

// Every DoubleValues entry of `pages` whose channel id is `id`, concatenated.
Points double_points(const std::vector<data_pb::GetDataResponse>& pages, const std::string& id) {
  Points out;
  for (const auto& page : pages) {
    for (const auto& any : page.data()) {
      if (any.type_url() != "type.googleapis.com/sift.data.v2.DoubleValues") continue;
      const auto m = unpack<data_pb::DoubleValues>(any);
      if (m.metadata().channel().channel_id() != id) continue;
      for (const auto& v : m.values()) {
        out.times.push_back(ns_of(v.timestamp()) - kBase);
        out.values.push_back(v.value());
      }
    }
  }
  return out;
}

class EmulatorDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.start().ok());
    channel_ = emulator_.in_process_channel("key").grpc_channel();
    data_ = data_pb::DataService::NewStub(channel_);
  }

  // An ingestion service for `flows` on kAsset.
  std::unique_ptr<IngestionService> ingestion(std::vector<FlowConfig> flows) {
    TelemetryConfig draft;
    draft.asset_name = kAsset;
    draft.flows = std::move(flows);
    draft.ingestion_client_key = "emulator-data-test-" + draft.flows.front().name;
    absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(std::move(draft));
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    auto service = IngestionService::create(emulator_.in_process_channel("key"), *config);
    EXPECT_TRUE(service.ok()) << service.status();
    return service.ok() ? *std::move(service) : nullptr;
  }

  // Sends one row per time through `flow` and waits for the acknowledgement.
  void send(IngestionService& service, const std::string& flow,
            const std::vector<std::int64_t>& times,
            const std::vector<std::vector<TypedValue>>& rows) {
    ASSERT_EQ(times.size(), rows.size());
    std::vector<FlowOrderedChannelValues> batch;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      batch.push_back(FlowOrderedChannelValues{flow, at(times[i]), rows[i]});
      if (batch.size() == 1000 || i + 1 == rows.size()) {
        absl::Status sent = service.try_ingest_flows(absl::MakeConstSpan(batch));
        ASSERT_TRUE(sent.ok()) << sent;
        batch.clear();
      }
    }
    absl::Status flushed = service.flush(std::chrono::seconds(60));
    ASSERT_TRUE(flushed.ok()) << flushed;
    ASSERT_EQ(emulator_.rejected_rows(), 0u);
  }

  // A one-channel flow `name` of `type` sending value(i) at times[i].
  template <typename Make>
  std::string send_series(const std::string& name, ChannelDataType type,
                          const std::vector<std::int64_t>& times, Make value) {
    auto service = ingestion({FlowConfig{name, {ch(name, type)}}});
    if (service == nullptr) return "";
    std::vector<std::vector<TypedValue>> rows;
    for (std::size_t i = 0; i < times.size(); ++i) rows.push_back({value(i)});
    send(*service, name, times, rows);
    return channel_id(name);
  }

  std::string channel_id(const std::string& name) {
    channels_pb::ListChannelsRequest request;
    request.set_filter(absl::StrCat("name == \"", name, "\""));
    channels_pb::ListChannelsResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        channels_pb::ChannelService::NewStub(channel_)->ListChannels(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.channels_size(), 1) << name;
    return response.channels_size() == 1 ? response.channels(0).channel_id() : "";
  }

  // A request over [from, to) (after kBase).
  static data_pb::GetDataRequest request(std::int64_t from, std::int64_t to) {
    data_pb::GetDataRequest r;
    *r.mutable_start_time() = wire_time(kBase + from);
    *r.mutable_end_time() = wire_time(kBase + to);
    return r;
  }
  static data_pb::GetDataRequest request() { return request(-kSecond, 1000 * kSecond); }

  static data_pb::ChannelQuery* add_channel(data_pb::GetDataRequest& r, const std::string& id) {
    data_pb::ChannelQuery* q = r.add_queries()->mutable_channel();
    q->set_channel_id(id);
    return q;
  }

  grpc::Status get(const data_pb::GetDataRequest& r, data_pb::GetDataResponse* response) {
    grpc::ClientContext context;
    return data_->GetData(&context, r, response);
  }

  // Every page of `r`, following next_page_token.
  std::vector<data_pb::GetDataResponse> get_all(data_pb::GetDataRequest r) {
    std::vector<data_pb::GetDataResponse> pages;
    for (int i = 0; i < 10000; ++i) {
      data_pb::GetDataResponse page;
      grpc::Status status = get(r, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      pages.push_back(page);
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
    }
    return pages;
  }

  // The status of a request expected to fail.
  grpc::Status failure(const data_pb::GetDataRequest& r) {
    data_pb::GetDataResponse response;
    grpc::Status status = get(r, &response);
    EXPECT_EQ(response.data_size(), 0);
    return status;
  }

  emulator::Emulator emulator_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<data_pb::DataService::Stub> data_;
};

// ---- every data type

TEST_F(EmulatorDataTest, EveryDataTypeRoundTripsBitForBit) {
  ChannelConfig state = ch("state", ChannelDataType::kEnum);
  state.enum_types = {{"open", 1, std::nullopt}, {"closed", 2, std::nullopt}};
  ChannelConfig gpio = ch("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 4}, {"heater", 4, 4}};
  ChannelConfig velocity = ch("velocity", ChannelDataType::kDouble);
  velocity.unit = "m/s";
  auto service = ingestion({FlowConfig{
      "all",
      {velocity, ch("float", ChannelDataType::kFloat), ch("string", ChannelDataType::kString),
       state, gpio, ch("bool", ChannelDataType::kBool), ch("int32", ChannelDataType::kInt32),
       ch("uint32", ChannelDataType::kUint32), ch("int64", ChannelDataType::kInt64),
       ch("uint64", ChannelDataType::kUint64), ch("bytes", ChannelDataType::kBytes)}}});
  ASSERT_NE(service, nullptr);

  const std::vector<double> doubles = {
      0.1, -0.0, std::numeric_limits<double>::infinity(), from_bits<double>(0x7ff8000000000123ULL),
      from_bits<double>(0xfff0000000000001ULL)};  // a quiet and a signalling NaN with payloads
  const std::vector<float> floats = {0.1f, -0.0f, -std::numeric_limits<float>::infinity(),
                                     from_bits<float>(0x7fc00123U),
                                     std::numeric_limits<float>::denorm_min()};
  const std::vector<std::string> strings = {"", "hello", "\xc3\xbc\"q\"", "line\nbreak",
                                            std::string(300, 'x')};
  const std::vector<std::uint32_t> states = {1, 2, 1, 7, 1};  // 7 has no label
  const std::vector<std::uint8_t> gpio_bytes = {0x00, 0xA3, 0xFF, 0x0F, 0xF0};
  const std::vector<bool> bools = {true, false, false, true, true};
  const std::vector<std::int32_t> int32s = {0, -1, std::numeric_limits<std::int32_t>::min(),
                                            std::numeric_limits<std::int32_t>::max(), 42};
  const std::vector<std::uint32_t> uint32s = {0, 1, std::numeric_limits<std::uint32_t>::max(), 7,
                                              65536};
  const std::vector<std::int64_t> int64s = {0, -1, std::numeric_limits<std::int64_t>::min(),
                                            std::numeric_limits<std::int64_t>::max(), 1LL << 53};
  const std::vector<std::uint64_t> uint64s = {0, 1, std::numeric_limits<std::uint64_t>::max(), 9,
                                              (1ULL << 63) + 1};
  const std::vector<std::string> bytes = {std::string("\0", 1), std::string("\0\xff\x10", 3), "",
                                          "plain", std::string("a\0b\0", 4)};
  std::vector<std::int64_t> times;
  std::vector<std::vector<TypedValue>> rows;
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    times.push_back(static_cast<std::int64_t>(i) * kMs + 123);  // nanosecond precision
    rows.push_back({double_value(doubles[i]), float_value(floats[i]), string_value(strings[i]),
                    enum_value(states[i]),
                    bit_field_value(std::string(1, static_cast<char>(gpio_bytes[i]))),
                    bool_value(bools[i]), int32_value(int32s[i]), uint32_value(uint32s[i]),
                    int64_value(int64s[i]), uint64_value(uint64s[i]), bytes_value(bytes[i])});
  }
  send(*service, "all", times, rows);

  const std::vector<std::string> names = {"velocity", "float",  "string", "state",  "gpio", "bool",
                                          "int32",    "uint32", "int64",  "uint64", "bytes"};
  data_pb::GetDataRequest r = request();
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    ids.push_back(channel_id(name));
    add_channel(r, ids.back());
  }
  data_pb::GetDataResponse page;
  grpc::Status status = get(r, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(page.next_page_token().empty());
  ASSERT_EQ(page.data_size(), 11);

  const auto check_metadata = [&](const data_pb::Metadata& m, int i, type_pb::ChannelDataType t) {
    EXPECT_EQ(m.data_type(), t) << names[i];
    EXPECT_EQ(m.sampled_ms(), 0u);
    EXPECT_EQ(m.asset().name(), kAsset);
    EXPECT_EQ(m.asset().asset_id(), service->asset_id());
    EXPECT_FALSE(m.has_run());
    EXPECT_EQ(m.channel().channel_id(), ids[i]);
    EXPECT_EQ(m.channel().name(), names[i]);
  };
  {
    const auto m = unpack<data_pb::DoubleValues>(page.data(0));
    check_metadata(m.metadata(), 0, type_pb::CHANNEL_DATA_TYPE_DOUBLE);
    EXPECT_EQ(m.metadata().channel().unit().name(), "m/s");
    EXPECT_EQ(m.metadata().channel().unit().abbreviated_name(), "m/s");
    EXPECT_THAT(times_of(m), ElementsAreArray(times));
    std::vector<std::uint64_t> got;
    std::vector<std::uint64_t> want;
    for (double v : values_of(m)) got.push_back(bits_of(v));
    for (double v : doubles) want.push_back(bits_of(v));
    EXPECT_THAT(got, ElementsAreArray(want));
  }
  {
    const auto m = unpack<data_pb::FloatValues>(page.data(1));
    check_metadata(m.metadata(), 1, type_pb::CHANNEL_DATA_TYPE_FLOAT);
    EXPECT_FALSE(m.metadata().channel().has_unit());
    std::vector<std::uint64_t> got;
    std::vector<std::uint64_t> want;
    for (float v : values_of(m)) got.push_back(bits_of(v));
    for (float v : floats) want.push_back(bits_of(v));
    EXPECT_THAT(got, ElementsAreArray(want));
  }
  {
    const auto m = unpack<data_pb::StringValues>(page.data(2));
    check_metadata(m.metadata(), 2, type_pb::CHANNEL_DATA_TYPE_STRING);
    EXPECT_THAT(values_of(m), ElementsAreArray(strings));
  }
  {
    const auto m = unpack<data_pb::EnumValues>(page.data(3));
    check_metadata(m.metadata(), 3, type_pb::CHANNEL_DATA_TYPE_ENUM);
    ASSERT_EQ(m.metadata().channel().enum_types_size(), 2);
    EXPECT_EQ(m.metadata().channel().enum_types(1).name(), "closed");
    EXPECT_EQ(m.metadata().channel().enum_types(1).key(), 2u);
    EXPECT_THAT(values_of(m), ElementsAreArray(states));
  }
  {
    const auto m = unpack<data_pb::BitFieldValues>(page.data(4));
    check_metadata(m.metadata(), 4, type_pb::CHANNEL_DATA_TYPE_BIT_FIELD);
    ASSERT_EQ(m.metadata().channel().bit_field_elements_size(), 2);
    EXPECT_EQ(m.metadata().channel().bit_field_elements(1).index(), 4);
    ASSERT_EQ(m.values_size(), 2);
    EXPECT_EQ(m.values(0).name(), "12v");
    EXPECT_EQ(m.values(1).name(), "heater");
    EXPECT_THAT(times_of(m.values(0)), ElementsAreArray(times));
    EXPECT_THAT(values_of(m.values(0)), ElementsAre(0x0u, 0x3u, 0xFu, 0xFu, 0x0u));
    EXPECT_THAT(values_of(m.values(1)), ElementsAre(0x0u, 0xAu, 0xFu, 0x0u, 0xFu));
  }
  {
    const auto m = unpack<data_pb::BoolValues>(page.data(5));
    check_metadata(m.metadata(), 5, type_pb::CHANNEL_DATA_TYPE_BOOL);
    EXPECT_THAT(values_of(m), ElementsAreArray(bools));
  }
  {
    const auto m = unpack<data_pb::Int32Values>(page.data(6));
    check_metadata(m.metadata(), 6, type_pb::CHANNEL_DATA_TYPE_INT_32);
    EXPECT_THAT(values_of(m), ElementsAreArray(int32s));
  }
  {
    const auto m = unpack<data_pb::Uint32Values>(page.data(7));
    check_metadata(m.metadata(), 7, type_pb::CHANNEL_DATA_TYPE_UINT_32);
    EXPECT_THAT(values_of(m), ElementsAreArray(uint32s));
  }
  {
    const auto m = unpack<data_pb::Int64Values>(page.data(8));
    check_metadata(m.metadata(), 8, type_pb::CHANNEL_DATA_TYPE_INT_64);
    EXPECT_THAT(values_of(m), ElementsAreArray(int64s));
  }
  {
    const auto m = unpack<data_pb::Uint64Values>(page.data(9));
    check_metadata(m.metadata(), 9, type_pb::CHANNEL_DATA_TYPE_UINT_64);
    EXPECT_THAT(values_of(m), ElementsAreArray(uint64s));
  }
  {
    const auto m = unpack<data_pb::BytesValues>(page.data(10));
    check_metadata(m.metadata(), 10, type_pb::CHANNEL_DATA_TYPE_BYTES);
    EXPECT_THAT(values_of(m), ElementsAreArray(bytes));
  }

  // The SDK's decoder reads the same page into the same series.
  internal::SeriesAccumulator accumulator;
  absl::Status decoded = accumulator.add_page(page, internal::PageContext{});
  ASSERT_TRUE(decoded.ok()) << decoded;
  const DataQueryResult result = std::move(accumulator).finish();
  EXPECT_THAT(result.all_channels(), SizeIs(12));  // the bit field is two series
  absl::StatusOr<const ChannelTimeSeries*> velocity_series = result.channel("velocity");
  ASSERT_TRUE(velocity_series.ok()) << velocity_series.status();
  EXPECT_EQ((*velocity_series)->unit, "m/s");
  std::vector<std::uint64_t> decoded_bits;
  for (double v : *(*velocity_series)->values_as<double>()) decoded_bits.push_back(bits_of(v));
  EXPECT_EQ(decoded_bits[3], 0x7ff8000000000123ULL);
  EXPECT_EQ(decoded_bits[1], bits_of(-0.0));
  absl::StatusOr<const ChannelTimeSeries*> heater = result.channel("gpio.heater");
  ASSERT_TRUE(heater.ok()) << heater.status();
  EXPECT_THAT(*(*heater)->values_as<std::uint32_t>(), ElementsAre(0x0u, 0xAu, 0xFu, 0x0u, 0xFu));
  absl::StatusOr<const ChannelTimeSeries*> blobs = result.channel("bytes");
  ASSERT_TRUE(blobs.ok()) << blobs.status();
  EXPECT_THAT(*(*blobs)->values_as<std::string>(), ElementsAreArray(bytes));
  absl::StatusOr<const ChannelTimeSeries*> labels = result.channel("state");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ((*labels)->enum_label(2), std::optional<std::string_view>("closed"));
  EXPECT_EQ((*labels)->time_ns.front(), kBase + 123);
}

// ---- pagination

TEST_F(EmulatorDataTest, PagesResumeExactlyAcrossQueriesWithoutGapsOrDuplicates) {
  // 10,500 rows in threes of equal timestamps (so page boundaries of 1,000
  // fall between equal times), then 2,000 rows of a second channel.
  std::vector<std::int64_t> volt_times;
  for (int i = 0; i < 10500; ++i) volt_times.push_back((i / 3) * kMs);
  const std::string volts = send_series("volts", ChannelDataType::kDouble, volt_times,
                                        [](std::size_t i) { return double_value(i); });
  std::vector<std::int64_t> amp_times;
  for (int i = 0; i < 2000; ++i) amp_times.push_back(i * kMs);
  const std::string amps = send_series("amps", ChannelDataType::kDouble, amp_times,
                                       [](std::size_t i) { return double_value(-1.0 * i); });

  data_pb::GetDataRequest r = request();
  add_channel(r, volts);
  add_channel(r, amps);
  r.set_page_size(1000);
  const std::vector<data_pb::GetDataResponse> pages = get_all(r);
  ASSERT_THAT(pages, SizeIs(13));
  for (std::size_t p = 0; p < pages.size(); ++p) {
    std::size_t values = 0;
    for (const auto& any : pages[p].data()) {
      values += static_cast<std::size_t>(unpack<data_pb::DoubleValues>(any).values_size());
    }
    EXPECT_EQ(values, p + 1 < pages.size() ? 1000u : 500u) << "page " << p;
    EXPECT_EQ(pages[p].next_page_token().empty(), p + 1 == pages.size()) << "page " << p;
  }
  // Page 11 holds the end of the first query and the start of the second.
  ASSERT_EQ(pages[10].data_size(), 2);
  EXPECT_EQ(unpack<data_pb::DoubleValues>(pages[10].data(0)).values_size(), 500);

  const Points got_volts = double_points(pages, volts);
  EXPECT_EQ(got_volts.times, volt_times);
  std::vector<double> want_volts;
  for (int i = 0; i < 10500; ++i) want_volts.push_back(i);  // equal times keep arrival order
  EXPECT_EQ(got_volts.values, want_volts);
  const Points got_amps = double_points(pages, amps);
  EXPECT_EQ(got_amps.times, amp_times);

  // page_size 0 means 10,000.
  r.set_page_size(0);
  data_pb::GetDataResponse first;
  ASSERT_TRUE(get(r, &first).ok());
  ASSERT_EQ(first.data_size(), 1);
  EXPECT_EQ(unpack<data_pb::DoubleValues>(first.data(0)).values_size(), 10000);
  EXPECT_FALSE(first.next_page_token().empty());

  // A token only resumes the request it was issued for.
  data_pb::GetDataRequest changed = r;
  changed.set_page_token(first.next_page_token());
  changed.set_page_size(10);
  grpc::Status status = failure(changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
  changed = r;
  changed.set_page_token(first.next_page_token());
  *changed.mutable_end_time() = wire_time(kBase + 999 * kSecond);
  EXPECT_EQ(failure(changed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  changed = r;
  changed.set_page_token("not-a-token");
  EXPECT_EQ(failure(changed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  changed = r;
  changed.set_page_token(first.next_page_token());
  data_pb::GetDataResponse second;
  ASSERT_TRUE(get(changed, &second).ok());
  EXPECT_EQ(unpack<data_pb::DoubleValues>(second.data(0)).values(0).value(), 10000.0);
}

TEST_F(EmulatorDataTest, PageSizeIsClampedAt100000) {
  std::vector<std::int64_t> times;
  for (int i = 0; i < 100001; ++i) times.push_back(i * 1000);
  const std::string id = send_series("dense", ChannelDataType::kFloat, times,
                                     [](std::size_t i) { return float_value(i); });
  data_pb::GetDataRequest r = request();
  add_channel(r, id);
  r.set_page_size(1000000);
  const std::vector<data_pb::GetDataResponse> pages = get_all(r);
  ASSERT_THAT(pages, SizeIs(2));
  EXPECT_EQ(unpack<data_pb::FloatValues>(pages[0].data(0)).values_size(), 100000);
  EXPECT_EQ(unpack<data_pb::FloatValues>(pages[1].data(0)).values_size(), 1);
}

TEST_F(EmulatorDataTest, StringPagesStopAtAboutOneMegabyte) {
  std::vector<std::int64_t> times;
  for (int i = 0; i < 40; ++i) times.push_back(i * kMs);
  const std::string id = send_series("blob", ChannelDataType::kBytes, times, [](std::size_t i) {
    return bytes_value(std::string(100 * 1024, static_cast<char>(i)));
  });
  data_pb::GetDataRequest r = request();
  add_channel(r, id);
  const std::vector<data_pb::GetDataResponse> pages = get_all(r);
  ASSERT_THAT(pages, SizeIs(4));  // 11 values of 100 KiB pass 1 MiB
  std::vector<std::string> all;
  for (const auto& page : pages) {
    ASSERT_EQ(page.data_size(), 1);
    for (const std::string& v : values_of(unpack<data_pb::BytesValues>(page.data(0)))) {
      all.push_back(v);
    }
  }
  ASSERT_THAT(all, SizeIs(40));
  for (int i = 0; i < 40; ++i) EXPECT_EQ(all[i], std::string(100 * 1024, static_cast<char>(i)));
}

// ---- time windows

TEST_F(EmulatorDataTest, WindowIncludesStartAndExcludesEnd) {
  std::vector<std::int64_t> times;
  for (int i = 0; i < 10; ++i) times.push_back(i * kSecond);
  const std::string id = send_series("temp", ChannelDataType::kDouble, times,
                                     [](std::size_t i) { return double_value(i); });
  const auto window = [&](std::int64_t from, std::int64_t to) {
    data_pb::GetDataRequest r = request(from, to);
    add_channel(r, id);
    return double_points(get_all(r), id).values;
  };
  EXPECT_THAT(window(2 * kSecond, 5 * kSecond), ElementsAre(2, 3, 4));
  EXPECT_THAT(window(2 * kSecond + 1, 5 * kSecond + 1), ElementsAre(3, 4, 5));
  EXPECT_THAT(window(0, 1), ElementsAre(0));
  EXPECT_THAT(window(20 * kSecond, 30 * kSecond), IsEmpty());

  // Timestamps beyond what nanoseconds hold (years 1 and 9999) mean "everything".
  data_pb::GetDataRequest wide;
  wide.mutable_start_time()->set_seconds(-62135596800);
  wide.mutable_end_time()->set_seconds(253402300799);
  add_channel(wide, id);
  EXPECT_THAT(double_points(get_all(wide), id).values, SizeIs(10));

  const auto invalid = [&](data_pb::GetDataRequest r, const std::string& fragment) {
    add_channel(r, id);
    grpc::Status status = failure(r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << fragment;
    EXPECT_THAT(status.error_message(), HasSubstr(fragment));
  };
  invalid(request(5 * kSecond, 5 * kSecond), "must be after start_time");
  invalid(request(5 * kSecond, 4 * kSecond), "must be after start_time");
  data_pb::GetDataRequest no_start = request(0, kSecond);
  no_start.clear_start_time();
  invalid(no_start, "start_time must be set");
  data_pb::GetDataRequest no_end = request(0, kSecond);
  no_end.clear_end_time();
  invalid(no_end, "end_time must be set");
  data_pb::GetDataRequest bad_nanos = request(0, kSecond);
  bad_nanos.mutable_end_time()->set_nanos(-1);
  invalid(bad_nanos, "end_time has nanos -1");
}

// ---- down-sampling

TEST_F(EmulatorDataTest, SampleMsKeepsOnePointPerBucketChosenByLttb) {
  std::vector<std::int64_t> times;
  for (int i = 0; i < 1000; ++i) times.push_back(i * kMs);
  const std::string id = send_series("signal", ChannelDataType::kInt32, times, [](std::size_t i) {
    return int32_value(i == 537 ? 100 : i == 250 ? -50 : static_cast<int>(i % 3));
  });
  data_pb::GetDataRequest r = request(0, 1000 * kMs);
  add_channel(r, id);
  r.set_sample_ms(100);
  const std::vector<data_pb::GetDataResponse> one = get_all(r);
  ASSERT_THAT(one, SizeIs(1));
  ASSERT_EQ(one[0].data_size(), 1);
  const auto m = unpack<data_pb::Int32Values>(one[0].data(0));
  EXPECT_EQ(m.metadata().sampled_ms(), 100u);
  const std::vector<std::int64_t> got = times_of(m);
  ASSERT_THAT(got, SizeIs(10));
  for (int k = 0; k < 10; ++k) {
    EXPECT_GE(got[k], k * 100 * kMs) << "bucket " << k;
    EXPECT_LT(got[k], (k + 1) * 100 * kMs) << "bucket " << k;
  }
  EXPECT_EQ(got.front(), 0);         // the first point of the first bucket
  EXPECT_EQ(got.back(), 999 * kMs);  // the last point of the last bucket
  EXPECT_EQ(got[5], 537 * kMs);      // the spike makes the largest triangle
  EXPECT_EQ(m.values(5).value(), 100);
  EXPECT_EQ(got[2], 250 * kMs);
  EXPECT_EQ(m.values(2).value(), -50);

  // Paged, the same points: the token carries the last chosen point.
  r.set_page_size(3);
  const std::vector<data_pb::GetDataResponse> paged = get_all(r);
  ASSERT_THAT(paged, SizeIs(4));
  std::vector<std::int64_t> paged_times;
  for (const auto& page : paged) {
    for (std::int64_t t : times_of(unpack<data_pb::Int32Values>(page.data(0)))) {
      paged_times.push_back(t);
    }
  }
  EXPECT_EQ(paged_times, got);

  // Buckets are aligned on start_time.
  data_pb::GetDataRequest shifted = request(50 * kMs, 1000 * kMs);
  add_channel(shifted, id);
  shifted.set_sample_ms(100);
  const auto s = unpack<data_pb::Int32Values>(get_all(shifted)[0].data(0));
  ASSERT_EQ(s.values_size(), 10);
  EXPECT_EQ(times_of(s).front(), 50 * kMs);

  // Non-numeric channels keep full fidelity.
  const std::string words =
      send_series("words", ChannelDataType::kString, times,
                  [](std::size_t i) { return string_value(absl::StrCat("w", i)); });
  data_pb::GetDataRequest text = request(0, 1000 * kMs);
  add_channel(text, words);
  text.set_sample_ms(100);
  const auto w = unpack<data_pb::StringValues>(get_all(text)[0].data(0));
  EXPECT_EQ(w.values_size(), 1000);
  EXPECT_EQ(w.metadata().sampled_ms(), 0u);
}

// ---- runs

TEST_F(EmulatorDataTest, RunFilterSelectsARunOrDataOutsideRuns) {
  auto service = ingestion({FlowConfig{"env", {ch("pressure", ChannelDataType::kDouble)}}});
  ASSERT_NE(service, nullptr);
  const auto send_at = [&](std::vector<int> seconds) {
    std::vector<std::int64_t> times;
    std::vector<std::vector<TypedValue>> rows;
    for (int s : seconds) {
      times.push_back(s * kSecond);
      rows.push_back({double_value(s)});
    }
    send(*service, "env", times, rows);
  };
  send_at({0, 1, 2});
  ASSERT_TRUE(service->attach_run("alpha").ok());
  const std::string alpha = service->run_id().value_or("");
  send_at({3, 4, 5});
  ASSERT_TRUE(service->attach_run("beta").ok());
  const std::string beta = service->run_id().value_or("");
  send_at({6, 7, 8});
  service->detach_run();
  send_at({9});
  const std::string id = channel_id("pressure");

  // Unset: everything, one entry per run (outside any run first, then runs in
  // creation order).
  data_pb::GetDataRequest all = request();
  add_channel(all, id);
  const auto pages = get_all(all);
  ASSERT_THAT(pages, SizeIs(1));
  ASSERT_EQ(pages[0].data_size(), 3);
  const auto none = unpack<data_pb::DoubleValues>(pages[0].data(0));
  EXPECT_FALSE(none.metadata().has_run());
  EXPECT_THAT(values_of(none), ElementsAre(0, 1, 2, 9));
  const auto first = unpack<data_pb::DoubleValues>(pages[0].data(1));
  EXPECT_EQ(first.metadata().run().run_id(), alpha);
  EXPECT_EQ(first.metadata().run().name(), "alpha");
  EXPECT_THAT(values_of(first), ElementsAre(3, 4, 5));
  const auto second = unpack<data_pb::DoubleValues>(pages[0].data(2));
  EXPECT_EQ(second.metadata().run().name(), "beta");
  EXPECT_THAT(values_of(second), ElementsAre(6, 7, 8));

  data_pb::GetDataRequest outside = request();
  add_channel(outside, id)->set_run_id("");
  EXPECT_THAT(double_points(get_all(outside), id).values, ElementsAre(0, 1, 2, 9));

  data_pb::GetDataRequest in_beta = request();
  add_channel(in_beta, id)->set_run_id(beta);
  const auto b = get_all(in_beta);
  ASSERT_EQ(b[0].data_size(), 1);
  EXPECT_EQ(unpack<data_pb::DoubleValues>(b[0].data(0)).metadata().run().run_id(), beta);
  EXPECT_THAT(double_points(b, id).values, ElementsAre(6, 7, 8));

  // Runs page one after the other.
  all.set_page_size(2);
  EXPECT_THAT(double_points(get_all(all), id).values, ElementsAre(0, 1, 2, 9, 3, 4, 5, 6, 7, 8));
}

// ---- errors

TEST_F(EmulatorDataTest, UnknownIdsAndMalformedQueriesFailTheWholeRequest) {
  const std::string id = send_series("temp", ChannelDataType::kDouble, {0},
                                     [](std::size_t) { return double_value(1); });
  {
    data_pb::GetDataRequest r = request();
    add_channel(r, id);
    add_channel(r, "no-such-channel");
    grpc::Status status = failure(r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("queries[1]"));
    EXPECT_THAT(status.error_message(), HasSubstr("'no-such-channel'"));
  }
  {
    data_pb::GetDataRequest r = request();
    add_channel(r, id)->set_run_id("no-such-run");
    grpc::Status status = failure(r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("run 'no-such-run' not found"));
  }
  {
    data_pb::GetDataRequest r = request();
    grpc::Status status = failure(r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("queries"));
  }
  {
    data_pb::GetDataRequest r = request();
    add_channel(r, id);
    r.add_queries();
    grpc::Status status = failure(r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("queries[1] sets neither"));
  }
  {
    data_pb::GetDataRequest r = request();
    add_channel(r, "");
    EXPECT_EQ(failure(r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

// ---- arrival order

TEST_F(EmulatorDataTest, RowsIngestedOutOfOrderComeBackSorted) {
  auto service = ingestion({FlowConfig{"late", {ch("late", ChannelDataType::kDouble)}}});
  ASSERT_NE(service, nullptr);
  send(*service, "late", {5 * kSecond, 1 * kSecond, 3 * kSecond},
       {{double_value(50)}, {double_value(10)}, {double_value(30)}});
  const std::string id = channel_id("late");
  data_pb::GetDataRequest r = request();
  add_channel(r, id);
  Points got = double_points(get_all(r), id);
  EXPECT_THAT(got.values, ElementsAre(10, 30, 50));

  // Older rows after a read are merged in; equal times keep arrival order.
  send(*service, "late", {4 * kSecond, 0, 3 * kSecond, 6 * kSecond},
       {{double_value(40)}, {double_value(0)}, {double_value(31)}, {double_value(60)}});
  got = double_points(get_all(r), id);
  EXPECT_THAT(got.times, ElementsAre(0, kSecond, 3 * kSecond, 3 * kSecond, 4 * kSecond, 5 * kSecond,
                                     6 * kSecond));
  EXPECT_THAT(got.values, ElementsAre(0, 10, 30, 31, 40, 50, 60));
  r.set_page_size(1);
  EXPECT_THAT(double_points(get_all(r), id).values, ElementsAre(0, 10, 30, 31, 40, 50, 60));
}

// ---- calculated channels

class EmulatorCalculatedDataTest : public EmulatorDataTest {
 protected:
  // a (double) at 0, 2, 4 s; b (int32) at 1, 2, 5 s; mode (enum) at 0, 3 s.
  void SetUp() override {
    EmulatorDataTest::SetUp();
    ChannelConfig mode = ch("mode", ChannelDataType::kEnum);
    mode.enum_types = {{"idle", 0, std::nullopt}, {"thrust", 1, std::nullopt}};
    ChannelConfig gpio = ch("gpio", ChannelDataType::kBitField);
    gpio.bit_field_elements = {{"12v", 0, 4}};
    service_ = ingestion({FlowConfig{"a", {ch("a", ChannelDataType::kDouble)}},
                          FlowConfig{"b", {ch("b", ChannelDataType::kInt32)}},
                          FlowConfig{"mode", {mode}}, FlowConfig{"gpio", {gpio}}});
    ASSERT_NE(service_, nullptr);
    IngestionService& service = *service_;
    send(service, "a", {0, 2 * kSecond, 4 * kSecond},
         {{double_value(1.5)}, {double_value(2.5)}, {double_value(4.5)}});
    send(service, "b", {kSecond, 2 * kSecond, 5 * kSecond},
         {{int32_value(10)}, {int32_value(20)}, {int32_value(50)}});
    send(service, "mode", {0, 3 * kSecond}, {{enum_value(0)}, {enum_value(1)}});
    send(service, "gpio", {0}, {{bit_field_value(std::string("\x01", 1))}});
    a_ = channel_id("a");
    b_ = channel_id("b");
    mode_ = channel_id("mode");
    gpio_ = channel_id("gpio");
  }

  static data_pb::CalculatedChannelQuery* add_calculated(
      data_pb::GetDataRequest& r, const std::string& key, const std::string& expression,
      const std::vector<std::pair<std::string, std::string>>& references) {
    data_pb::CalculatedChannelQuery* q = r.add_queries()->mutable_calculated_channel();
    q->set_channel_key(key);
    q->mutable_expression()->set_expression(expression);
    for (const auto& [placeholder, id] : references) {
      calc_pb::ExpressionChannelReference* ref =
          q->mutable_expression()->add_expression_channel_references();
      ref->set_channel_reference(placeholder);
      ref->set_channel_id(id);
    }
    return q;
  }

  std::unique_ptr<IngestionService> service_;
  std::string a_, b_, mode_, gpio_;
};

TEST_F(EmulatorCalculatedDataTest, EvaluatesAsOfAtTheUnionOfTimestamps) {
  data_pb::GetDataRequest r = request();
  add_calculated(r, "sum", "$1 + $2", {{"$1", a_}, {"$2", b_}});
  const auto pages = get_all(r);
  ASSERT_THAT(pages, SizeIs(1));
  ASSERT_EQ(pages[0].data_size(), 1);
  const auto m = unpack<data_pb::DoubleValues>(pages[0].data(0));
  EXPECT_EQ(m.metadata().data_type(), type_pb::CHANNEL_DATA_TYPE_DOUBLE);
  EXPECT_EQ(m.metadata().channel().channel_id(), "sum");
  EXPECT_EQ(m.metadata().channel().name(), "sum");
  EXPECT_EQ(m.metadata().asset().name(), kAsset);
  // At 0 s b has no value yet, so there is no point.
  EXPECT_THAT(times_of(m), ElementsAre(kSecond, 2 * kSecond, 4 * kSecond, 5 * kSecond));
  EXPECT_THAT(values_of(m), ElementsAre(1.5 + 10, 2.5 + 20, 4.5 + 20, 4.5 + 50));

  // Paged one point at a time, the same series; the window is as for channels.
  r.set_page_size(1);
  EXPECT_THAT(double_points(get_all(r), "sum").values,
              ElementsAre(1.5 + 10, 2.5 + 20, 4.5 + 20, 4.5 + 50));
  data_pb::GetDataRequest window = request(2 * kSecond, 5 * kSecond);
  add_calculated(window, "sum", "$1 + $2", {{"$1", a_}, {"$2", b_}});
  EXPECT_THAT(double_points(get_all(window), "sum").values, ElementsAre(2.5 + 20, 4.5 + 20));
  // sample_ms down-samples a numeric result like a channel: buckets of 3 s
  // from -1 s hold {1 s}, {2 s, 4 s} and {5 s}.
  data_pb::GetDataRequest sampled = request();
  add_calculated(sampled, "sum", "$1 + $2", {{"$1", a_}, {"$2", b_}});
  sampled.set_sample_ms(3000);
  const auto s = unpack<data_pb::DoubleValues>(get_all(sampled)[0].data(0));
  EXPECT_EQ(s.metadata().sampled_ms(), 3000u);
  ASSERT_EQ(s.values_size(), 3);
  EXPECT_EQ(times_of(s).front(), kSecond);
  EXPECT_EQ(times_of(s).back(), 5 * kSecond);
  // The legacy placeholder map binds too.
  data_pb::GetDataRequest legacy = request();
  auto* q = add_calculated(legacy, "twice", "$1 * 2", {});
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  (*q->mutable_expression()->mutable_channel_references())["$1"] = a_;
#pragma GCC diagnostic pop
  EXPECT_THAT(double_points(get_all(legacy), "twice").values, ElementsAre(3, 5, 9));

  // The SDK's decoder names the series after the key.
  internal::SeriesAccumulator accumulator;
  ASSERT_TRUE(
      accumulator.add_page(pages[0], internal::PageContext{std::nullopt, true, "sum"}).ok());
  const DataQueryResult result = std::move(accumulator).finish();
  ASSERT_TRUE(result.channel("sum").ok());
}

TEST_F(EmulatorCalculatedDataTest, ResultTypeFollowsTheExpression) {
  data_pb::GetDataRequest r = request();
  add_calculated(r, "high", "$1 > 2", {{"$1", a_}});
  add_calculated(r, "label", "$1", {{"$1", mode_}});
  add_calculated(r, "thrusting", "$1 == \"thrust\" && $2 > 15", {{"$1", mode_}, {"$2", b_}});
  const auto pages = get_all(r);
  ASSERT_THAT(pages, SizeIs(1));
  ASSERT_EQ(pages[0].data_size(), 3);
  const auto high = unpack<data_pb::BoolValues>(pages[0].data(0));
  EXPECT_THAT(values_of(high), ElementsAre(false, true, true));
  const auto label = unpack<data_pb::StringValues>(pages[0].data(1));
  EXPECT_EQ(label.metadata().data_type(), type_pb::CHANNEL_DATA_TYPE_STRING);
  EXPECT_THAT(values_of(label), ElementsAre("idle", "thrust"));
  const auto thrusting = unpack<data_pb::BoolValues>(pages[0].data(2));
  EXPECT_THAT(times_of(thrusting), ElementsAre(0, kSecond, 2 * kSecond, 3 * kSecond, 5 * kSecond));
  EXPECT_THAT(values_of(thrusting), ElementsAre(false, false, false, true, true));
}

TEST_F(EmulatorCalculatedDataTest, RunsAreSeparateUnlessCombined) {
  IngestionService* service = service_.get();
  ASSERT_TRUE(service->attach_run("r1").ok());
  const std::string r1 = service->run_id().value_or("");
  send(*service, "a", {10 * kSecond, 11 * kSecond}, {{double_value(100)}, {double_value(110)}});
  ASSERT_TRUE(service->attach_run("r2").ok());
  send(*service, "a", {12 * kSecond}, {{double_value(120)}});

  data_pb::GetDataRequest per_run = request();
  add_calculated(per_run, "half", "$1 / 2", {{"$1", a_}});
  const auto pages = get_all(per_run);
  ASSERT_EQ(pages[0].data_size(), 3);  // outside runs, r1, r2
  EXPECT_FALSE(unpack<data_pb::DoubleValues>(pages[0].data(0)).metadata().has_run());
  EXPECT_THAT(values_of(unpack<data_pb::DoubleValues>(pages[0].data(0))),
              ElementsAre(0.75, 1.25, 2.25));
  const auto first = unpack<data_pb::DoubleValues>(pages[0].data(1));
  EXPECT_EQ(first.metadata().run().run_id(), r1);
  EXPECT_THAT(values_of(first), ElementsAre(50, 55));
  EXPECT_THAT(values_of(unpack<data_pb::DoubleValues>(pages[0].data(2))), ElementsAre(60));

  data_pb::GetDataRequest in_r1 = request();
  add_calculated(in_r1, "half", "$1 / 2", {{"$1", a_}})->set_run_id(r1);
  EXPECT_THAT(double_points(get_all(in_r1), "half").values, ElementsAre(50, 55));

  data_pb::GetDataRequest combined = request();
  add_calculated(combined, "half", "$1 / 2", {{"$1", a_}})->set_combine_run_data(true);
  const auto c = get_all(combined);
  ASSERT_EQ(c[0].data_size(), 1);
  EXPECT_FALSE(unpack<data_pb::DoubleValues>(c[0].data(0)).metadata().has_run());
  EXPECT_THAT(double_points(c, "half").values, ElementsAre(0.75, 1.25, 2.25, 50, 55, 60));
}

TEST_F(EmulatorCalculatedDataTest, RejectsWhatItCannotEvaluateNamingIt) {
  const auto status_of = [&](const std::function<void(data_pb::CalculatedChannelQuery*)>& edit,
                             const std::string& expression = "$1 * 2") {
    data_pb::GetDataRequest r = request();
    edit(add_calculated(r, "calc", expression, {{"$1", a_}}));
    return failure(r);
  };
  const auto none = [](data_pb::CalculatedChannelQuery*) {};
  const auto expect = [](const grpc::Status& status, grpc::StatusCode code,
                         const std::string& fragment) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(fragment));
  };
  expect(status_of(none, "$1 *"), grpc::StatusCode::INVALID_ARGUMENT, "column 5");
  expect(status_of(none, "$1 + $2"), grpc::StatusCode::INVALID_ARGUMENT,
         "$2 is not bound to a channel reference");
  expect(status_of(none, "2 * 3"), grpc::StatusCode::INVALID_ARGUMENT, "$1 is bound but not used");
  expect(status_of(none, "contains($1, \"x\")"), grpc::StatusCode::INVALID_ARGUMENT,
         "contains() needs strings");
  expect(status_of([](auto* q) { q->clear_channel_key(); }), grpc::StatusCode::INVALID_ARGUMENT,
         "channel_key");
  expect(
      status_of([](auto* q) {
        q->mutable_expression()->mutable_expression_channel_references(0)->set_channel_id("nope");
      }),
      grpc::StatusCode::NOT_FOUND, "channel 'nope' (bound to $1) not found");
  expect(status_of([](auto* q) {
           q->mutable_expression()->mutable_expression_channel_references(0)->set_channel_reference(
               "x1");
         }),
         grpc::StatusCode::INVALID_ARGUMENT, "'x1' is not of the form $1");
  expect(status_of([](auto* q) { q->set_run_id("nope"); }), grpc::StatusCode::NOT_FOUND,
         "run 'nope' not found");
  expect(status_of([](auto* q) { q->set_mode(calc_pb::EXPRESSION_MODE_RULER); }),
         grpc::StatusCode::UNIMPLEMENTED, "EXPRESSION_MODE_RULER");
  expect(status_of([](auto* q) {
           q->mutable_expression()
               ->mutable_expression_channel_references(0)
               ->mutable_calculated_channel()
               ->set_expression("1");
         }),
         grpc::StatusCode::UNIMPLEMENTED, "nested calculated channel");
  expect(status_of([](auto* q) { q->mutable_expression()->add_function_dependencies(); }),
         grpc::StatusCode::UNIMPLEMENTED, "user-defined functions");
  expect(status_of([&](auto* q) {
           q->mutable_expression()->mutable_expression_channel_references(0)->set_channel_id(gpio_);
         }),
         grpc::StatusCode::UNIMPLEMENTED, "bit_field channel 'gpio'");
}

}  // namespace
}  // namespace sift
