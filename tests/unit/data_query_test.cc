// DataQuery: defaults, RFC 3339 helpers, validate().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sift/data/query.h"

namespace sift {
namespace {

using ::testing::HasSubstr;

Timestamp at(int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

DataQuery valid_query() {
  DataQuery q;
  q.asset_name = "NostromoLV426";
  q.start_time = at(0);
  q.end_time = at(1);
  q.channels = {ChannelQuery{"voltage", std::nullopt, std::string("run-1")}};
  return q;
}

void expect_invalid(const DataQuery& q, const std::string& fragment) {
  absl::Status status = q.validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << fragment;
  EXPECT_THAT(status.message(), HasSubstr(fragment));
}

TEST(DataQueryTest, DefaultsFollowSiftPy) {
  DataQuery q;
  EXPECT_EQ(q.sample_ms, 0u);
  EXPECT_EQ(q.page_size, 100'000u);
  EXPECT_EQ(kDefaultPageSize, 100'000u);
  EXPECT_TRUE(valid_query().validate().ok());
}

TEST(DataQueryTest, ComponentIsFoldedIntoTheName) {
  ChannelQuery velocity{"velocity", std::string("mainmotor"), std::nullopt};
  EXPECT_EQ(velocity.fqn(), "mainmotor.velocity");
  EXPECT_EQ((ChannelQuery{"valve.pressure", std::string(""), std::nullopt}).fqn(),
            "valve.pressure");
  EXPECT_EQ(
      (ExpressionChannelReference{"$1", "velocity", std::string("mainmotor"), std::nullopt}).fqn(),
      "mainmotor.velocity");
}

TEST(DataQueryTest, CreateParsesRfc3339) {
  absl::StatusOr<DataQuery> q = DataQuery::create(
      "NostromoLV426", "2024-07-04T18:09:08.555-07:00", "2024-07-04T18:09:11.556-07:00",
      {ChannelQuery{"voltage"}, ChannelQuery{"velocity", std::string("mainmotor")},
       ChannelQuery{"gpio"}},
      10);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(to_rfc3339(q->start_time), "2024-07-05T01:09:08.555Z");
  EXPECT_EQ(to_rfc3339(q->end_time), "2024-07-05T01:09:11.556Z");
  EXPECT_EQ(q->sample_ms, 10u);
  EXPECT_EQ(q->page_size, kDefaultPageSize);
  EXPECT_EQ(q->channels.size(), 3u);
}

TEST(DataQueryTest, CreateNamesTheBadTime) {
  absl::StatusOr<DataQuery> q =
      DataQuery::create("a", "2024-07-04 18:09:08", "2024-07-05T00:00:00Z", {ChannelQuery{"x"}});
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(q.status().message(), HasSubstr("start_time"));
  EXPECT_THAT(q.status().message(), HasSubstr("'2024-07-04 18:09:08'"));

  q = DataQuery::create("a", "2024-07-04T00:00:00Z", "tomorrow", {ChannelQuery{"x"}});
  EXPECT_THAT(q.status().message(), HasSubstr("end_time"));

  // create() validates too.
  q = DataQuery::create("a", at(5), at(5), {ChannelQuery{"x"}});
  EXPECT_THAT(q.status().message(), HasSubstr("is not after start_time"));
}

TEST(DataQueryTest, SettersParse) {
  DataQuery q = valid_query();
  ASSERT_TRUE(q.set_start_time("1970-01-01T00:00:01Z").ok());
  ASSERT_TRUE(q.set_end_time("1970-01-01T01:00:00+01:00").ok());
  EXPECT_EQ(q.start_time, at(1'000'000'000));
  EXPECT_EQ(q.end_time, at(0));
  EXPECT_FALSE(q.set_end_time("").ok());
  EXPECT_EQ(q.end_time, at(0));
}

TEST(DataQueryTest, ValidateNamesTheProblem) {
  DataQuery q = valid_query();
  q.asset_name.clear();
  expect_invalid(q, "empty asset_name");

  q = valid_query();
  q.end_time = q.start_time;
  expect_invalid(q, "end_time 1970-01-01T00:00:00Z is not after start_time 1970-01-01T00:00:00Z");
  q.end_time = at(-1);
  expect_invalid(q, "is not after start_time");

  q = valid_query();
  q.channels.clear();
  expect_invalid(q, "DataQuery for asset 'NostromoLV426' has no channels");

  q = valid_query();
  q.page_size = 0;
  expect_invalid(q, "page_size 0");

  q = valid_query();
  q.channels.push_back(ChannelQuery{""});
  expect_invalid(q, "channels[1] (ChannelQuery '') has an empty channel_name");

  q = valid_query();
  q.channels.push_back(ChannelQuery{"x", std::nullopt, std::string()});
  expect_invalid(q, "channels[1] (ChannelQuery 'x') has an empty run_name");
}

TEST(DataQueryTest, ValidateRejectsDuplicates) {
  DataQuery q = valid_query();
  q.channels.push_back(ChannelQuery{"voltage", std::nullopt, std::string("run-2")});
  EXPECT_TRUE(q.validate().ok());
  q.channels.push_back(ChannelQuery{"voltage"});
  EXPECT_TRUE(q.validate().ok());
  q.channels.push_back(ChannelQuery{"voltage", std::string(""), std::string("run-2")});
  expect_invalid(q, "channels[1] and channels[3] both query channel 'voltage' for run 'run-2'");

  q = valid_query();
  q.channels.push_back(ChannelQuery{"velocity", std::string("mainmotor")});
  q.channels.push_back(ChannelQuery{"mainmotor.velocity"});
  expect_invalid(q, "both query channel 'mainmotor.velocity'");

  q = valid_query();
  q.channels.push_back(CalculatedChannelQuery{"k", "$1 + 1", {{"$1", "voltage"}}});
  q.channels.push_back(CalculatedChannelQuery{"k", "$1 * 2", {{"$1", "voltage"}}});
  expect_invalid(q, "channels[1] and channels[2] both use channel_key 'k'");
}

TEST(DataQueryTest, ValidateCalculatedChannels) {
  auto with = [](CalculatedChannelQuery calc) {
    DataQuery q = valid_query();
    q.channels.push_back(std::move(calc));
    return q;
  };
  EXPECT_TRUE(with(CalculatedChannelQuery{
                       "sum",
                       "$1 + $12",
                       {{"$1", "voltage"},
                        {"$12", "velocity", std::string("mainmotor"), ChannelDataType::kFloat}},
                       std::string("run-1")})
                  .validate()
                  .ok());
  expect_invalid(with(CalculatedChannelQuery{"", "$1", {{"$1", "voltage"}}}),
                 "channels[1] (CalculatedChannelQuery '') has an empty channel_key");
  expect_invalid(with(CalculatedChannelQuery{"k", "", {{"$1", "voltage"}}}), "empty expression");
  for (const char* bad : {"1", "$", "$a", "$1a", " $1", "${1}"}) {
    expect_invalid(with(CalculatedChannelQuery{"k", "$1", {{bad, "voltage"}}}),
                   std::string("Invalid channel reference key '") + bad + "'");
  }
  expect_invalid(with(CalculatedChannelQuery{"k", "$1", {{"$1", ""}}}),
                 "reference '$1' has an empty channel_name");
  expect_invalid(
      with(CalculatedChannelQuery{"k", "$1 + $1", {{"$1", "voltage"}, {"$1", "velocity"}}}),
      "reference '$1' is bound twice");
  expect_invalid(with(CalculatedChannelQuery{"k", "$1", {{"$1", "v"}}, std::string()}),
                 "(CalculatedChannelQuery 'k') has an empty run_name");
}

}  // namespace
}  // namespace sift
