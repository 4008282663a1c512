// Flows and flow payloads (spec section 1.6).
#include "sift/ingestion/flow.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sift {
namespace {

ChannelConfig channel(std::string name, ChannelDataType type,
                      std::optional<std::string> component = std::nullopt) {
  ChannelConfig config;
  config.name = std::move(name);
  config.data_type = type;
  config.component = std::move(component);
  return config;
}

FlowConfig reading_flow() {
  FlowConfig flow;
  flow.name = "reading";
  flow.channels = {
      channel("velocity", ChannelDataType::kDouble, "mainmotor"),
      channel("voltage", ChannelDataType::kInt32),
      channel("valve.pressure", ChannelDataType::kFloat),
      channel("log", ChannelDataType::kString, ""),
  };
  return flow;
}

TEST(FlowConfigTest, ChannelIndexByFqnInDeclaredOrder) {
  const FlowConfig flow = reading_flow();
  EXPECT_EQ(flow.channel_index("mainmotor.velocity"), 0u);
  EXPECT_EQ(flow.channel_index("voltage"), 1u);
  EXPECT_EQ(flow.channel_index("valve.pressure"), 2u);
  // An empty component is no component.
  EXPECT_EQ(flow.channel_index("log"), 3u);
}

TEST(FlowConfigTest, ChannelIndexMisses) {
  const FlowConfig flow = reading_flow();
  // The bare name of a channel with a component is not its FQN.
  EXPECT_EQ(flow.channel_index("velocity"), std::nullopt);
  EXPECT_EQ(flow.channel_index("mainmotor"), std::nullopt);
  // Dotted names are never split.
  EXPECT_EQ(flow.channel_index("pressure"), std::nullopt);
  EXPECT_EQ(flow.channel_index("valve"), std::nullopt);
  EXPECT_EQ(flow.channel_index("Voltage"), std::nullopt);
  EXPECT_EQ(flow.channel_index(""), std::nullopt);
  EXPECT_EQ(flow.channel_index(".log"), std::nullopt);
  EXPECT_EQ(FlowConfig{}.channel_index("voltage"), std::nullopt);
}

TEST(FlowConfigTest, ChannelIndexFindsFoldedAndDottedNamesAlike) {
  FlowConfig flow;
  flow.name = "f";
  flow.channels = {channel("a", ChannelDataType::kDouble),
                   channel("mainmotor.velocity", ChannelDataType::kDouble)};
  EXPECT_EQ(flow.channel_index("mainmotor.velocity"), 1u);
}

TEST(FlowConfigTest, ChannelIndexReturnsFirstOfDuplicates) {
  FlowConfig flow;
  flow.name = "f";
  flow.channels = {channel("x", ChannelDataType::kDouble), channel("y", ChannelDataType::kBool),
                   channel("y", ChannelDataType::kInt32)};
  EXPECT_EQ(flow.channel_index("y"), 1u);
}

TEST(FlowConfigTest, EqualityIsOrderSensitive) {
  const FlowConfig flow = reading_flow();
  EXPECT_EQ(flow, reading_flow());

  FlowConfig renamed = flow;
  renamed.name = "readings";
  EXPECT_NE(flow, renamed);

  FlowConfig swapped = flow;
  std::swap(swapped.channels[0], swapped.channels[1]);
  EXPECT_NE(flow, swapped);

  FlowConfig retyped = flow;
  retyped.channels[1].data_type = ChannelDataType::kInt64;
  EXPECT_NE(flow, retyped);

  FlowConfig shorter = flow;
  shorter.channels.pop_back();
  EXPECT_NE(flow, shorter);
}

TEST(ChannelValueTest, FqnFoldsComponent) {
  ChannelValue value{"velocity", std::nullopt, double_value(1.0)};
  EXPECT_EQ(value.fqn(), "velocity");
  value.component = "";
  EXPECT_EQ(value.fqn(), "velocity");
  value.component = "mainmotor";
  EXPECT_EQ(value.fqn(), "mainmotor.velocity");
  // The FQN of a keyed value is what channel_index looks up.
  EXPECT_EQ(reading_flow().channel_index(value.fqn()), 0u);
}

TEST(FlowTest, KeyedAndPositionalPayloads) {
  const Timestamp t = Timestamp(std::chrono::nanoseconds(1'700'000'000'123'456'789));

  Flow keyed;
  keyed.flow_name = "reading";
  keyed.timestamp = t;
  keyed.channel_values = {{"voltage", std::nullopt, int32_value(12)},
                          {"velocity", "mainmotor", double_value(3.5)}};
  ASSERT_EQ(keyed.channel_values.size(), 2u);
  EXPECT_EQ(keyed.channel_values[1].fqn(), "mainmotor.velocity");
  EXPECT_EQ(keyed.timestamp.time_since_epoch().count(), 1'700'000'000'123'456'789);

  FlowOrderedChannelValues ordered;
  ordered.flow_name = "reading";
  ordered.timestamp = t;
  ordered.channel_values = {double_value(3.5), empty_value(), float_value(1.0f),
                            string_value("ok")};
  ASSERT_EQ(ordered.channel_values.size(), reading_flow().channels.size());
  EXPECT_TRUE(ordered.channel_values[1].is_empty());
  EXPECT_TRUE(is_data_type(ordered.channel_values[2], ChannelDataType::kFloat));
}

}  // namespace
}  // namespace sift
