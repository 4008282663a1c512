// Request validation and wire encoding without a server (spec 5.1, 5.2 and
// the checklist of ingestion/_internal/ingest_test.py).
#include "internal/ingest_request.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace internal {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ChannelConfig channel(std::string name, ChannelDataType type) {
  ChannelConfig config;
  config.name = std::move(name);
  config.data_type = type;
  return config;
}

FlowConfig readings() {
  return FlowConfig{
      "readings",
      {channel("velocity", ChannelDataType::kDouble), channel("count", ChannelDataType::kInt64),
       channel("log", ChannelDataType::kString)}};
}

Timestamp at(int64_t nanos) { return Timestamp(std::chrono::nanoseconds(nanos)); }

TEST(Keyed, OrdersValuesByTheFlowAndFillsEmpty) {
  Flow flow{
      "readings",
      at(0),
      {{"log", std::nullopt, string_value("hi")}, {"velocity", std::nullopt, double_value(1.5)}}};
  absl::StatusOr<std::vector<TypedValue>> values = ordered_values_from_keyed(readings(), flow);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(double_value(1.5), empty_value(), string_value("hi")));
}

TEST(Keyed, EmptyListIsRejected) {
  Flow flow{"readings", at(0), {}};
  absl::Status status = ordered_values_from_keyed(readings(), flow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("cannot be empty"), HasSubstr("readings")));
}

TEST(Keyed, TwoValuesForOneChannel) {
  Flow flow{
      "readings",
      at(0),
      {{"velocity", std::nullopt, double_value(1)}, {"velocity", std::nullopt, double_value(2)}}};
  absl::Status status = ordered_values_from_keyed(readings(), flow).status();
  EXPECT_THAT(status.message(), AllOf(HasSubstr("multiple values"), HasSubstr("'velocity'"),
                                      HasSubstr("'readings'")));
}

TEST(Keyed, WrongTypeNamesChannelFlowAndTypes) {
  Flow flow{"readings", at(0), {{"log", std::nullopt, int32_value(3)}}};
  absl::Status status = ordered_values_from_keyed(readings(), flow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              AllOf(HasSubstr("Expected value"), HasSubstr("'log'"), HasSubstr("'readings'"),
                    HasSubstr("'string'"), HasSubstr("'int32'")));
}

TEST(Keyed, UnexpectedChannelsAreListed) {
  Flow flow{"readings",
            at(0),
            {{"pressure", std::nullopt, double_value(1)},
             {"velocity", std::nullopt, double_value(1)},
             {"altitude", std::nullopt, double_value(1)}}};
  absl::Status status = ordered_values_from_keyed(readings(), flow).status();
  EXPECT_THAT(status.message(), AllOf(HasSubstr("Unexpected channel"), HasSubstr("'readings'"),
                                      HasSubstr("'pressure', 'altitude'")));
}

TEST(Keyed, ExplicitEmptyIsAccepted) {
  // sift_py rejects it ("Expected value"); an explicit "no sample" is harmless.
  Flow flow{"readings", at(0), {{"count", std::nullopt, empty_value()}}};
  absl::StatusOr<std::vector<TypedValue>> values = ordered_values_from_keyed(readings(), flow);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(empty_value(), empty_value(), empty_value()));
}

TEST(Keyed, ComponentIsPartOfTheName) {
  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  FlowConfig flow_config{"f", {velocity, channel("valve.pressure", ChannelDataType::kFloat)}};
  Flow flow{"f",
            at(0),
            {{"velocity", std::string("mainmotor"), double_value(2)},
             {"valve.pressure", std::nullopt, float_value(1)}}};
  absl::StatusOr<std::vector<TypedValue>> values = ordered_values_from_keyed(flow_config, flow);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(double_value(2), float_value(1)));

  Flow bare{"f", at(0), {{"velocity", std::nullopt, double_value(2)}}};
  EXPECT_THAT(ordered_values_from_keyed(flow_config, bare).status().message(),
              HasSubstr("Unexpected channel"));
}

TEST(Positional, TypedValuesInOrder) {
  FlowOrderedChannelValues flow{
      "readings", at(0), {double_value(1), int64_value(2), string_value("x")}};
  EXPECT_TRUE(check_positional_values(readings(), flow).ok());
  FlowOrderedChannelValues with_empty{"readings", at(0), {empty_value(), int64_value(2), {}}};
  EXPECT_TRUE(check_positional_values(readings(), with_empty).ok());
}

TEST(Positional, WrongTypeFirstOrLast) {
  FlowOrderedChannelValues first{
      "readings", at(0), {int32_value(1), int64_value(2), string_value("x")}};
  EXPECT_THAT(check_positional_values(readings(), first).message(),
              AllOf(HasSubstr("Expected value"), HasSubstr("'velocity'"), HasSubstr("position 0")));
  FlowOrderedChannelValues last{
      "readings", at(0), {double_value(1), int64_value(2), double_value(3)}};
  EXPECT_THAT(check_positional_values(readings(), last).message(),
              AllOf(HasSubstr("Expected value"), HasSubstr("'log'"), HasSubstr("'readings'")));
}

TEST(Positional, CountMustMatch) {
  FlowOrderedChannelValues flow{"readings", at(0), {double_value(1), int64_value(2)}};
  absl::Status status = check_positional_values(readings(), flow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("Expected 3 channel values"), HasSubstr("got 2")));
  FlowOrderedChannelValues none{"readings", at(0), {}};
  EXPECT_THAT(check_positional_values(readings(), none).message(), HasSubstr("cannot be empty"));
}

TEST(Encode, EveryValueMember) {
  using Wire = ingest::v1::IngestWithConfigDataChannelValue;
  const std::vector<std::pair<TypedValue, Wire::TypeCase>> cases = {
      {string_value("s"), Wire::kString},
      {double_value(1), Wire::kDouble},
      {float_value(2), Wire::kFloat},
      {bool_value(true), Wire::kBool},
      {int32_value(-3), Wire::kInt32},
      {uint32_value(4), Wire::kUint32},
      {int64_value(-5), Wire::kInt64},
      {uint64_value(6), Wire::kUint64},
      {bit_field_value(std::string("\x09", 1)), Wire::kBitField},
      {enum_value(7), Wire::kEnum},
      {bytes_value(std::string("\0b", 2)), Wire::kBytes},
      {empty_value(), Wire::kEmpty},
  };
  for (const auto& [value, member] : cases) {
    Wire wire;
    encode_value(value, &wire);
    EXPECT_EQ(wire.type_case(), member) << value_kind_name(value);
    EXPECT_EQ(decode_value(wire), value) << value_kind_name(value);
  }
  Wire keyword;
  encode_value(double_value(2.5), &keyword);
  EXPECT_EQ(keyword.double_(), 2.5);
}

TEST(Encode, RequestFieldsAndReuse) {
  IngestRequest request;
  request.ingestion_config_id = "cfg";
  request.flow = "readings";
  request.timestamp = at(1'700'000'000'123'456'789);
  request.channel_values = {double_value(1), empty_value()};
  request.run_id = "run-1";
  request.end_stream_on_validation_error = true;
  request.organization_id = "org";

  ingest::v1::IngestWithConfigDataStreamRequest wire;
  encode_request(request, &wire);
  EXPECT_EQ(wire.ingestion_config_id(), "cfg");
  EXPECT_EQ(wire.flow(), "readings");
  EXPECT_EQ(wire.timestamp().seconds(), 1'700'000'000);
  EXPECT_EQ(wire.timestamp().nanos(), 123'456'789);
  ASSERT_EQ(wire.channel_values_size(), 2);
  EXPECT_TRUE(wire.channel_values(1).has_empty());
  EXPECT_EQ(wire.run_id(), "run-1");
  EXPECT_TRUE(wire.end_stream_on_validation_error());
  EXPECT_EQ(wire.organization_id(), "org");

  IngestRequest second;
  second.flow = "other";
  second.channel_values = {int32_value(1)};
  encode_request(second, &wire);  // reused message: nothing of the first left
  EXPECT_EQ(wire.ingestion_config_id(), "");
  EXPECT_EQ(wire.run_id(), "");
  EXPECT_EQ(wire.channel_values_size(), 1);
}

TEST(Encode, TimestampsBefore1970HaveNonNegativeNanos) {
  google::protobuf::Timestamp wire;
  encode_timestamp(at(-1), &wire);
  EXPECT_EQ(wire.seconds(), -1);
  EXPECT_EQ(wire.nanos(), 999'999'999);
}

TEST(FlowConversion, RoundTripsAndFoldsTheComponent) {
  ChannelConfig velocity = channel("velocity", ChannelDataType::kDouble);
  velocity.component = "mainmotor";
  velocity.unit = "m/s";
  ChannelConfig state = channel("state", ChannelDataType::kEnum);
  state.enum_types = {{"on", 1, std::nullopt}, {"off", 0, true}};
  ChannelConfig gpio = channel("gpio", ChannelDataType::kBitField);
  gpio.bit_field_elements = {{"12v", 0, 4}, {"led", 4, 4}};
  FlowConfig flow{"f", {velocity, state, gpio}};

  ingestion_configs::v2::FlowConfig wire;
  encode_flow(flow, &wire);
  ASSERT_EQ(wire.channels_size(), 3);
  EXPECT_EQ(wire.channels(0).name(), "mainmotor.velocity");
  EXPECT_EQ(wire.channels(0).data_type(), common::type::v1::CHANNEL_DATA_TYPE_DOUBLE);
  EXPECT_EQ(wire.channels(1).enum_types(0).is_signed(), false);

  absl::StatusOr<FlowConfig> back = decode_flow(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->channels[0].name, "mainmotor.velocity");
  EXPECT_FALSE(back->channels[0].component.has_value());
  EXPECT_EQ(back->channels[0].unit, std::optional<std::string>("m/s"));
  // Unset description comes back as "", as in sift_py.
  EXPECT_EQ(back->channels[0].description, std::optional<std::string>(""));
  EXPECT_EQ(back->channels[1].enum_types[1].is_signed, std::optional<bool>(true));
  EXPECT_EQ(back->channels[2].bit_field_elements, gpio.bit_field_elements);
}

TEST(FlowConversion, UnknownDataTypeNamesFlowAndChannel) {
  ingestion_configs::v2::FlowConfig wire;
  wire.set_name("f");
  wire.add_channels()->set_name("c");  // data type 0: unspecified
  absl::Status status = decode_flow(wire).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("'f'"), HasSubstr("'c'")));
}

}  // namespace
}  // namespace internal
}  // namespace sift
