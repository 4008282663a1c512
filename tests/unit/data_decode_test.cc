// Decoding GetData pages: every payload type under every type URL form,
// bit-field splitting, pages appended, and refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "google/protobuf/any.pb.h"
#include "internal/data_decode.h"
#include "sift/data/result.h"
#include "sift/data/v2/data.pb.h"

namespace sift {
namespace {

namespace pb = ::sift::data::v2;
using internal::PageContext;
using internal::SeriesAccumulator;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The forms a type URL takes: Sift's bare name, protobuf's default prefix,
// and any other prefix.
const char* const kPrefixes[] = {"", "type.googleapis.com/", "example.com/any/types/"};

template <typename Message>
google::protobuf::Any pack(const Message& message, const std::string& prefix) {
  google::protobuf::Any any;
  any.set_type_url(prefix + Message::descriptor()->full_name());
  any.set_value(message.SerializeAsString());
  return any;
}

pb::Metadata metadata(const std::string& name, int data_type, const std::string& id = "") {
  pb::Metadata m;
  m.set_data_type(static_cast<sift::common::type::v1::ChannelDataType>(data_type));
  m.mutable_asset()->set_asset_id("asset-1");
  m.mutable_asset()->set_name("NostromoLV426");
  m.mutable_channel()->set_channel_id(id.empty() ? "id-" + name : id);
  m.mutable_channel()->set_name(name);
  return m;
}

template <typename Sample>
void stamp(Sample* sample, int64_t seconds, int32_t nanos) {
  sample->mutable_timestamp()->set_seconds(seconds);
  sample->mutable_timestamp()->set_nanos(nanos);
}

DataQueryResult decode(const std::vector<google::protobuf::Any>& entries,
                       const PageContext& context = {}) {
  SeriesAccumulator acc;
  for (const auto& any : entries) {
    absl::Status status = acc.add_any(any, context);
    EXPECT_TRUE(status.ok()) << status;
  }
  return std::move(acc).finish();
}

const ChannelTimeSeries& only(const DataQueryResult& result) {
  EXPECT_EQ(result.all_channels().size(), 1u);
  return result.all_channels().front();
}

TEST(DataDecodeTest, TypeNameIsTheTextAfterTheLastSlash) {
  EXPECT_EQ(internal::any_type_name("sift.data.v2.DoubleValues"), "sift.data.v2.DoubleValues");
  EXPECT_EQ(internal::any_type_name("type.googleapis.com/sift.data.v2.DoubleValues"),
            "sift.data.v2.DoubleValues");
  EXPECT_EQ(internal::any_type_name("a/b/c/sift.data.v2.BytesValues"), "sift.data.v2.BytesValues");
  EXPECT_EQ(internal::any_type_name("trailing/"), "");
}

TEST(DataDecodeTest, DoubleValuesUnderEveryPrefix) {
  for (const char* prefix : kPrefixes) {
    SCOPED_TRACE(prefix);
    pb::DoubleValues m;
    *m.mutable_metadata() = metadata("voltage", 1);
    m.mutable_metadata()->mutable_channel()->mutable_unit()->set_name("volt");
    auto* a = m.add_values();
    stamp(a, 1'720'141'748, 47'512'000);
    a->set_value(12.5);
    auto* b = m.add_values();
    stamp(b, 1'720'141'748, 47'512'001);
    b->set_value(-0.1);
    DataQueryResult result = decode({pack(m, prefix)});
    const ChannelTimeSeries& s = only(result);
    EXPECT_EQ(s.name, "voltage");
    EXPECT_EQ(s.channel_name, "voltage");
    EXPECT_EQ(s.channel_id, "id-voltage");
    EXPECT_EQ(s.asset_name, "NostromoLV426");
    EXPECT_EQ(s.unit, "volt");
    EXPECT_EQ(s.data_type, ChannelDataType::kDouble);
    EXPECT_FALSE(s.calculated);
    EXPECT_FALSE(s.run_name.has_value());
    EXPECT_THAT(s.time_ns, ElementsAre(1'720'141'748'047'512'000, 1'720'141'748'047'512'001));
    ASSERT_NE(s.values_as<double>(), nullptr);
    EXPECT_THAT(*s.values_as<double>(), ElementsAre(12.5, -0.1));
  }
}

TEST(DataDecodeTest, FloatsAndDoublesAreBitExact) {
  const double doubles[] = {-0.0, std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::quiet_NaN(),
                            -std::numeric_limits<double>::infinity(), 0.1};
  const float floats[] = {-0.0f, std::numeric_limits<float>::denorm_min(),
                          std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity(), 0.1f};
  pb::DoubleValues d;
  *d.mutable_metadata() = metadata("d", 1);
  pb::FloatValues f;
  *f.mutable_metadata() = metadata("f", 6);
  for (int i = 0; i < 5; ++i) {
    auto* dv = d.add_values();
    stamp(dv, i, 0);
    dv->set_value(doubles[i]);
    auto* fv = f.add_values();
    stamp(fv, i, 0);
    fv->set_value(floats[i]);
  }
  DataQueryResult result = decode({pack(d, ""), pack(f, "type.googleapis.com/")});
  ASSERT_EQ(result.all_channels().size(), 2u);
  const auto& dcol = *result.all_channels()[0].values_as<double>();
  const auto& fcol = *result.all_channels()[1].values_as<float>();
  EXPECT_EQ(result.all_channels()[1].data_type, ChannelDataType::kFloat);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(std::memcmp(&dcol[i], &doubles[i], sizeof(double)), 0) << i;
    EXPECT_EQ(std::memcmp(&fcol[i], &floats[i], sizeof(float)), 0) << i;
  }
}

TEST(DataDecodeTest, EveryScalarType) {
  for (const char* prefix : kPrefixes) {
    SCOPED_TRACE(prefix);
    std::vector<google::protobuf::Any> entries;
    {
      pb::StringValues m;
      *m.mutable_metadata() = metadata("log", 2);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value("hello, \"world\"");
      entries.push_back(pack(m, prefix));
    }
    {
      pb::BoolValues m;
      *m.mutable_metadata() = metadata("armed", 5);
      for (bool b : {true, false, true}) {
        auto* v = m.add_values();
        stamp(v, m.values_size(), 0);  // 1, 2, 3
        v->set_value(b);
      }
      entries.push_back(pack(m, prefix));
    }
    {
      pb::Int32Values m;
      *m.mutable_metadata() = metadata("i32", 7);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value(std::numeric_limits<int32_t>::min());
      entries.push_back(pack(m, prefix));
    }
    {
      pb::Uint32Values m;
      *m.mutable_metadata() = metadata("u32", 8);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value(std::numeric_limits<uint32_t>::max());
      entries.push_back(pack(m, prefix));
    }
    {
      pb::Int64Values m;
      *m.mutable_metadata() = metadata("i64", 9);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value(std::numeric_limits<int64_t>::min());
      entries.push_back(pack(m, prefix));
    }
    {
      pb::Uint64Values m;
      *m.mutable_metadata() = metadata("u64", 10);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value(std::numeric_limits<uint64_t>::max());
      entries.push_back(pack(m, prefix));
    }
    {
      pb::BytesValues m;
      *m.mutable_metadata() = metadata("blob", 11);
      auto* v = m.add_values();
      stamp(v, 1, 0);
      v->set_value(std::string("\x00\xff\x10", 3));
      entries.push_back(pack(m, prefix));
    }
    DataQueryResult result = decode(entries);
    const auto& all = result.all_channels();
    ASSERT_EQ(all.size(), 7u);
    EXPECT_EQ(all[0].data_type, ChannelDataType::kString);
    EXPECT_THAT(*all[0].values_as<std::string>(), ElementsAre("hello, \"world\""));
    EXPECT_EQ(all[1].data_type, ChannelDataType::kBool);
    EXPECT_THAT(*all[1].values_as<bool>(), ElementsAre(true, false, true));
    EXPECT_THAT(all[1].time_ns, ElementsAre(1'000'000'000, 2'000'000'000, 3'000'000'000));
    EXPECT_EQ(all[2].data_type, ChannelDataType::kInt32);
    EXPECT_THAT(*all[2].values_as<int32_t>(), ElementsAre(std::numeric_limits<int32_t>::min()));
    EXPECT_EQ(all[3].data_type, ChannelDataType::kUint32);
    EXPECT_THAT(*all[3].values_as<uint32_t>(), ElementsAre(std::numeric_limits<uint32_t>::max()));
    EXPECT_EQ(all[4].data_type, ChannelDataType::kInt64);
    EXPECT_THAT(*all[4].values_as<int64_t>(), ElementsAre(std::numeric_limits<int64_t>::min()));
    EXPECT_EQ(all[5].data_type, ChannelDataType::kUint64);
    EXPECT_THAT(*all[5].values_as<uint64_t>(), ElementsAre(std::numeric_limits<uint64_t>::max()));
    EXPECT_EQ(all[6].data_type, ChannelDataType::kBytes);
    EXPECT_THAT(*all[6].values_as<std::string>(), ElementsAre(std::string("\x00\xff\x10", 3)));
  }
}

TEST(DataDecodeTest, EnumKeepsKeysAndLabels) {
  pb::EnumValues m;
  *m.mutable_metadata() = metadata("state", 3);
  auto* e = m.mutable_metadata()->mutable_channel()->add_enum_types();
  e->set_name("idle");
  e->set_key(0);
  e = m.mutable_metadata()->mutable_channel()->add_enum_types();
  e->set_name("boost");
  e->set_key(7);
  e->set_is_signed(true);
  for (uint32_t key : {7u, 0u, 9u}) {
    auto* v = m.add_values();
    stamp(v, 10 + m.values_size(), 0);
    v->set_value(key);
  }
  DataQueryResult result = decode({pack(m, "type.googleapis.com/")});
  const ChannelTimeSeries& s = only(result);
  EXPECT_EQ(s.data_type, ChannelDataType::kEnum);
  EXPECT_THAT(*s.values_as<uint32_t>(), ElementsAre(7u, 0u, 9u));
  EXPECT_THAT(s.enum_types,
              ElementsAre(ChannelEnumType{"idle", 0, false}, ChannelEnumType{"boost", 7, true}));
  EXPECT_EQ(s.enum_label(7), "boost");
  EXPECT_EQ(s.enum_label(0), "idle");
  EXPECT_FALSE(s.enum_label(9).has_value());
}

pb::BitFieldValues gpio_page(int64_t first_second) {
  pb::BitFieldValues m;
  *m.mutable_metadata() = metadata("gpio", 4);
  auto* layout = m.mutable_metadata()->mutable_channel()->add_bit_field_elements();
  layout->set_name("12v");
  layout->set_index(0);
  layout->set_bit_count(4);
  layout = m.mutable_metadata()->mutable_channel()->add_bit_field_elements();
  layout->set_name("heater");
  layout->set_index(4);
  layout->set_bit_count(4);
  auto* v12 = m.add_values();
  v12->set_name("12v");
  auto* heater = m.add_values();
  heater->set_name("heater");
  for (int i = 0; i < 2; ++i) {
    auto* a = v12->add_values();
    stamp(a, first_second + i, 0);
    a->set_value(static_cast<uint32_t>(first_second + i));
    auto* b = heater->add_values();
    stamp(b, first_second + i, 0);
    b->set_value(static_cast<uint32_t>(15 - i));
  }
  return m;
}

TEST(DataDecodeTest, BitFieldBecomesOneSeriesPerElement) {
  for (const char* prefix : kPrefixes) {
    SCOPED_TRACE(prefix);
    DataQueryResult result = decode({pack(gpio_page(1), prefix)});
    const auto& all = result.all_channels();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "gpio.12v");
    EXPECT_EQ(all[1].name, "gpio.heater");
    for (const ChannelTimeSeries& s : all) {
      EXPECT_EQ(s.data_type, ChannelDataType::kBitField);
      EXPECT_EQ(s.channel_name, "gpio");
      ASSERT_TRUE(s.bit_field_element.has_value());
    }
    EXPECT_EQ(*all[0].bit_field_element, (ChannelBitFieldElement{"12v", 0, 4}));
    EXPECT_EQ(*all[1].bit_field_element, (ChannelBitFieldElement{"heater", 4, 4}));
    EXPECT_THAT(*all[0].values_as<uint32_t>(), ElementsAre(1u, 2u));
    EXPECT_THAT(*all[1].values_as<uint32_t>(), ElementsAre(15u, 14u));
    EXPECT_THAT(all[1].time_ns, ElementsAre(1'000'000'000, 2'000'000'000));
    EXPECT_FALSE(result.channel("gpio").ok());
  }
}

TEST(DataDecodeTest, PagesOfOneChannelAreAppendedInOrder) {
  SeriesAccumulator acc;
  for (int64_t page = 0; page < 3; ++page) {
    pb::GetDataResponse response;
    pb::Int64Values m;
    *m.mutable_metadata() = metadata("counter", 9);
    for (int i = 0; i < 2; ++i) {
      auto* v = m.add_values();
      stamp(v, page * 2 + i, 0);
      v->set_value(page * 2 + i);
    }
    *response.add_data() = pack(m, page % 2 == 0 ? "" : "type.googleapis.com/");
    *response.add_data() = pack(gpio_page(page * 2), "");
    ASSERT_TRUE(acc.add_page(response, {}).ok());
  }
  EXPECT_EQ(acc.points(), 18u);
  DataQueryResult result = std::move(acc).finish();
  ASSERT_EQ(result.all_channels().size(), 3u);
  const ChannelTimeSeries& counter = result.all_channels()[0];
  EXPECT_THAT(*counter.values_as<int64_t>(), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(counter.time_ns, ElementsAre(0, 1'000'000'000, 2'000'000'000, 3'000'000'000,
                                           4'000'000'000, 5'000'000'000));
  EXPECT_THAT(*result.all_channels()[1].values_as<uint32_t>(), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(DataDecodeTest, EntriesOfSeveralRunsAreMergedAndSortedStably) {
  // No run asked for: the server sends one entry per run; they form one
  // series, sorted by time, equal times in arrival order.
  pb::DoubleValues run_a;
  *run_a.mutable_metadata() = metadata("voltage", 1);
  run_a.mutable_metadata()->mutable_run()->set_name("a");
  pb::DoubleValues run_b = run_a;
  run_b.mutable_metadata()->mutable_run()->set_name("b");
  for (int64_t s : {1, 3, 5}) {
    auto* v = run_a.add_values();
    stamp(v, s, 0);
    v->set_value(static_cast<double>(s));
  }
  for (int64_t s : {0, 3, 4}) {
    auto* v = run_b.add_values();
    stamp(v, s, 0);
    v->set_value(static_cast<double>(s) + 0.5);
  }
  DataQueryResult result = decode({pack(run_a, ""), pack(run_b, "")});
  const ChannelTimeSeries& s = only(result);
  EXPECT_THAT(s.time_ns, ElementsAre(0, 1'000'000'000, 3'000'000'000, 3'000'000'000, 4'000'000'000,
                                     5'000'000'000));
  EXPECT_THAT(*s.values_as<double>(), ElementsAre(0.5, 1.0, 3.0, 3.5, 4.5, 5.0));
}

TEST(DataDecodeTest, QueriesForDifferentRunsStaySeparate) {
  pb::DoubleValues m;
  *m.mutable_metadata() = metadata("voltage", 1);
  auto* v = m.add_values();
  stamp(v, 1, 0);
  v->set_value(1.0);
  SeriesAccumulator first;
  ASSERT_TRUE(first.add_any(pack(m, ""), PageContext{std::string("run-a"), false, ""}).ok());
  SeriesAccumulator second;
  ASSERT_TRUE(second.add_any(pack(m, ""), PageContext{std::string("run-b"), false, ""}).ok());
  ASSERT_TRUE(second.add_any(pack(m, ""), PageContext{std::string("run-a"), false, ""}).ok());
  first.merge_from(std::move(second));
  EXPECT_EQ(first.points(), 3u);
  DataQueryResult result = std::move(first).finish();
  ASSERT_EQ(result.all_channels().size(), 2u);
  EXPECT_EQ(result.all_channels()[0].run_name, "run-a");
  EXPECT_EQ(result.all_channels()[0].size(), 2u);
  EXPECT_EQ(result.all_channels()[1].run_name, "run-b");
  EXPECT_EQ(result.all_channels()[1].size(), 1u);
}

TEST(DataDecodeTest, NamesFallBackToChannelIdThenContext) {
  pb::DoubleValues m;
  *m.mutable_metadata() = metadata("", 1, "speed-key");
  auto* v = m.add_values();
  stamp(v, 1, 0);
  v->set_value(2.0);
  EXPECT_EQ(only(decode({pack(m, "")})).name, "speed-key");

  m.mutable_metadata()->clear_channel();
  DataQueryResult result = decode({pack(m, "")}, PageContext{std::nullopt, true, "my_calc"});
  EXPECT_EQ(only(result).name, "my_calc");
  EXPECT_TRUE(only(result).calculated);

  SeriesAccumulator acc;
  absl::Status status = acc.add_any(pack(m, ""), {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("without a channel name"));
}

TEST(DataDecodeTest, TimesBeforeTheEpoch) {
  pb::Int32Values m;
  *m.mutable_metadata() = metadata("t", 7);
  auto* v = m.add_values();
  stamp(v, -1, 500'000'000);
  v->set_value(1);
  EXPECT_THAT(only(decode({pack(m, "")})).time_ns, ElementsAre(-500'000'000));
}

TEST(DataDecodeTest, RefusesUnknownPayloadTypes) {
  for (const char* url : {"type.googleapis.com/sift.data.v2.ComplexValues",
                          "sift.data.v3.DoubleValues", "type.googleapis.com/", ""}) {
    google::protobuf::Any any;
    any.set_type_url(url);
    SeriesAccumulator acc;
    absl::Status status = acc.add_any(any, {});
    EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << url;
    EXPECT_THAT(status.message(), HasSubstr(std::string("type URL '") + url + "'"));
    EXPECT_EQ(acc.series_count(), 0u);
  }
}

TEST(DataDecodeTest, RefusesAPayloadThatDoesNotParse) {
  google::protobuf::Any any;
  any.set_type_url("sift.data.v2.DoubleValues");
  any.set_value("\xff\xff\xff");
  SeriesAccumulator acc;
  absl::Status status = acc.add_any(any, {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("sift.data.v2.DoubleValues"));
}

TEST(DataDecodeTest, RefusesMetadataOfAnotherType) {
  pb::DoubleValues m;
  *m.mutable_metadata() = metadata("voltage", 6);
  SeriesAccumulator acc;
  absl::Status status = acc.add_any(pack(m, ""), {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("'voltage'"));
  EXPECT_THAT(status.message(), HasSubstr("float"));
  // Unset (0) is accepted: the payload type decides.
  *m.mutable_metadata() = metadata("voltage", 0);
  EXPECT_EQ(only(decode({pack(m, "")})).data_type, ChannelDataType::kDouble);
}

TEST(DataDecodeTest, BadTimestampKeepsNothingOfTheEntry) {
  pb::DoubleValues m;
  *m.mutable_metadata() = metadata("voltage", 1);
  auto* good = m.add_values();
  stamp(good, 1, 0);
  auto* bad = m.add_values();
  stamp(bad, 1, 1'000'000'000);  // nanos out of range
  SeriesAccumulator acc;
  absl::Status status = acc.add_any(pack(m, ""), {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("'voltage'"));
  EXPECT_THAT(status.message(), HasSubstr("point 1"));
  EXPECT_EQ(acc.series_count(), 0u);
  EXPECT_EQ(acc.points(), 0u);

  stamp(bad, int64_t{10'000'000'000}, 0);  // year 2286: beyond int64 nanoseconds
  status = acc.add_any(pack(m, ""), {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(acc.series_count(), 0u);
}

}  // namespace
}  // namespace sift
