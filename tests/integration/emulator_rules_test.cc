// The emulator's rules, users, tags and annotations through raw gRPC stubs:
// rule CRUD and validation, and rule evaluation into annotations as rows
// arrive (each operator family, review and phase actions, runs, replays).
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "internal/auth_interceptor.h"
#include "sift/annotations/v1/annotations.grpc.pb.h"
#include "sift/assets/v1/assets.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"
#include "sift/rules/v1/rules.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"
#include "sift/tags/v2/tags.grpc.pb.h"
#include "sift/users/v2/users.grpc.pb.h"

extern char** environ;

namespace {

namespace annotations_pb = sift::annotations::v1;
namespace assets_pb = sift::assets::v1;
namespace configs_pb = sift::ingestion_configs::v2;
namespace ingest_pb = sift::ingest::v1;
namespace rules_pb = sift::rules::v1;
namespace runs_pb = sift::runs::v2;
namespace tags_pb = sift::tags::v2;
namespace users_pb = sift::users::v2;
namespace type_pb = sift::common::type::v1;

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using Row = ingest_pb::IngestWithConfigDataStreamRequest;
using Value = ingest_pb::IngestWithConfigDataChannelValue;

constexpr char kRipley[] = "ellen.ripley@weylandcorp.com";
constexpr char kDallas[] = "dallas@weylandcorp.com";

// Row i is at kT0 + i seconds; 1'700'000'000 s is 2023-11-14T22:13:20Z.
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;
constexpr std::int64_t at(std::int64_t i) { return kT0 + i * kSecond; }

// ---- values and rows

Value dbl(double v) {
  Value value;
  value.set_double_(v);
  return value;
}
Value text(const std::string& v) {
  Value value;
  value.set_string(v);
  return value;
}
Value enum_key(std::uint32_t key) {
  Value value;
  value.set_enum_(key);
  return value;
}
Value bits(std::uint8_t byte) {
  Value value;
  value.set_bit_field(std::string(1, static_cast<char>(byte)));
  return value;
}
Value boolean(bool v) {
  Value value;
  value.set_bool_(v);
  return value;
}

Row row_at(const std::string& config_id, const std::string& flow, std::int64_t time_ns,
           std::vector<Value> values, const std::string& run_id = "") {
  Row r;
  r.set_ingestion_config_id(config_id);
  r.set_flow(flow);
  r.mutable_timestamp()->set_seconds(time_ns / kSecond);
  r.mutable_timestamp()->set_nanos(static_cast<int>(time_ns % kSecond));
  for (Value& v : values) *r.add_channel_values() = std::move(v);
  r.set_run_id(run_id);
  r.set_end_stream_on_validation_error(true);
  return r;
}

// ---- flows: one channel per flow, named like the flow, so a rule over two
// channels samples values that arrive in different rows.

configs_pb::FlowConfig one_channel_flow(const std::string& name, type_pb::ChannelDataType type) {
  configs_pb::FlowConfig flow;
  flow.set_name(name);
  configs_pb::ChannelConfig* channel = flow.add_channels();
  channel->set_name(name);
  channel->set_data_type(type);
  return flow;
}

std::vector<configs_pb::FlowConfig> probe_flows() {
  std::vector<configs_pb::FlowConfig> flows;
  flows.push_back(one_channel_flow("temperature", type_pb::CHANNEL_DATA_TYPE_DOUBLE));
  flows.push_back(one_channel_flow("pressure", type_pb::CHANNEL_DATA_TYPE_DOUBLE));
  flows.push_back(one_channel_flow("log", type_pb::CHANNEL_DATA_TYPE_STRING));
  flows.push_back(one_channel_flow("ok", type_pb::CHANNEL_DATA_TYPE_BOOL));
  configs_pb::FlowConfig state = one_channel_flow("state", type_pb::CHANNEL_DATA_TYPE_ENUM);
  for (auto [name, key] : {std::pair<const char*, int>{"Idle", 0}, {"Running", 1}, {"Fault", 2}}) {
    type_pb::ChannelEnumType* e = state.mutable_channels(0)->add_enum_types();
    e->set_name(name);
    e->set_key(key);
  }
  flows.push_back(state);
  // flags: bit 0 = overheat, bits 1..3 = level.
  configs_pb::FlowConfig flags = one_channel_flow("flags", type_pb::CHANNEL_DATA_TYPE_BIT_FIELD);
  type_pb::ChannelBitFieldElement* overheat = flags.mutable_channels(0)->add_bit_field_elements();
  overheat->set_name("overheat");
  overheat->set_index(0);
  overheat->set_bit_count(1);
  type_pb::ChannelBitFieldElement* level = flags.mutable_channels(0)->add_bit_field_elements();
  level->set_name("level");
  level->set_index(1);
  level->set_bit_count(3);
  flows.push_back(flags);
  return flows;
}

// ---- rules

struct RuleSpec {
  std::string name;
  std::string client_key;
  std::string expression;
  std::map<std::string, std::string> refs;  // "$1" -> channel name
  std::vector<std::string> asset_ids;
  std::vector<std::string> asset_tag_ids;
  annotations_pb::AnnotationType type = annotations_pb::ANNOTATION_TYPE_DATA_REVIEW;
  std::string assignee_id;
  std::vector<std::string> tag_ids;
  std::string description = "a rule";
};

rules_pb::UpdateRuleRequest to_request(const RuleSpec& spec) {
  rules_pb::UpdateRuleRequest request;
  request.set_name(spec.name);
  request.set_description(spec.description);
  if (!spec.client_key.empty()) request.set_client_key(spec.client_key);
  for (const std::string& id : spec.asset_ids) {
    request.mutable_asset_configuration()->add_asset_ids(id);
  }
  for (const std::string& id : spec.asset_tag_ids) {
    request.mutable_asset_configuration()->add_tag_ids(id);
  }
  rules_pb::UpdateConditionRequest* condition = request.add_conditions();
  rules_pb::CalculatedChannelConfig* calculated =
      condition->mutable_expression()->mutable_calculated_channel();
  calculated->set_expression(spec.expression);
  for (const auto& [placeholder, channel] : spec.refs) {
    (*calculated->mutable_channel_references())[placeholder].set_name(channel);
  }
  rules_pb::UpdateActionRequest* action = condition->add_actions();
  action->set_action_type(rules_pb::ANNOTATION);
  rules_pb::AnnotationActionConfiguration* annotation =
      action->mutable_configuration()->mutable_annotation();
  annotation->set_annotation_type(spec.type);
  if (!spec.assignee_id.empty()) annotation->set_assigned_to_user_id(spec.assignee_id);
  for (const std::string& id : spec.tag_ids) annotation->add_tag_ids(id);
  return request;
}

// An annotation's span in nanoseconds since the epoch (end unset = open).
struct Span {
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  friend bool operator==(const Span& a, const Span& b) {
    return a.start == b.start && a.end == b.end;
  }
  friend std::ostream& operator<<(std::ostream& os, const Span& s) {
    os << "[t" << (s.start - kT0) / double(kSecond) << ", ";
    if (s.end) {
      os << "t" << (*s.end - kT0) / double(kSecond) << "]";
    } else {
      os << "open]";
    }
    return os;
  }
};
Span span(std::int64_t start, std::int64_t end) { return Span{at(start), at(end)}; }
Span open_span(std::int64_t start) { return Span{at(start), std::nullopt}; }

std::int64_t nanos(sift::Timestamp t) { return t.time_since_epoch().count(); }

class EmulatorRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sift::emulator::EmulatorOptions options;
    options.users = {kRipley, kDallas};
    options.tags = {"warning", "thruster"};
    emulator_ = std::make_unique<sift::emulator::Emulator>(options);
    ASSERT_TRUE(emulator_->start().ok());
    channel_ = emulator_->in_process_channel("test-key").grpc_channel();
  }

  configs_pb::IngestionConfig create_config(const std::string& asset,
                                            std::vector<configs_pb::FlowConfig> flows) {
    configs_pb::CreateIngestionConfigRequest request;
    request.set_asset_name(asset);
    for (auto& f : flows) *request.add_flows() = std::move(f);
    configs_pb::CreateIngestionConfigResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        configs_pb::IngestionConfigService::NewStub(channel_)->CreateIngestionConfig(
            &context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.ingestion_config();
  }

  // The probe flows on a fresh asset; returns the config (its asset_id too).
  configs_pb::IngestionConfig probe(const std::string& asset) {
    return create_config(asset, probe_flows());
  }

  void ingest(const std::vector<Row>& rows) {
    auto stub = ingest_pb::IngestService::NewStub(channel_);
    grpc::ClientContext context;
    ingest_pb::IngestWithConfigDataStreamResponse response;
    auto writer = stub->IngestWithConfigDataStream(&context, &response);
    for (const Row& r : rows) {
      if (!writer->Write(r)) break;
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Rows of one flow with one value each, at t(first), t(first + 1), ...
  void ingest_series(const configs_pb::IngestionConfig& config, const std::string& flow,
                     std::vector<Value> values, std::int64_t first = 0,
                     const std::string& run_id = "") {
    std::vector<Row> rows;
    for (std::size_t i = 0; i < values.size(); ++i) {
      rows.push_back(row_at(config.ingestion_config_id(), flow,
                            at(first + static_cast<std::int64_t>(i)), {values[i]}, run_id));
    }
    ingest(rows);
  }

  grpc::Status create_rule(const RuleSpec& spec, std::string* id = nullptr) {
    rules_pb::CreateRuleRequest request;
    *request.mutable_update() = to_request(spec);
    rules_pb::CreateRuleResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->CreateRule(&context, request, &response);
    if (id != nullptr) *id = response.rule_id();
    return status;
  }

  std::string must_create_rule(const RuleSpec& spec) {
    std::string id;
    grpc::Status status = create_rule(spec, &id);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return id;
  }

  grpc::Status update_rule(const rules_pb::UpdateRuleRequest& request, std::string* id = nullptr) {
    rules_pb::UpdateRuleResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->UpdateRule(&context, request, &response);
    if (id != nullptr) *id = response.rule_id();
    return status;
  }

  grpc::Status get_rule(const std::string& rule_id, const std::string& client_key,
                        rules_pb::Rule* out) {
    rules_pb::GetRuleRequest request;
    request.set_rule_id(rule_id);
    request.set_client_key(client_key);
    rules_pb::GetRuleResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->GetRule(&context, request, &response);
    *out = response.rule();
    return status;
  }

  std::vector<rules_pb::Rule> list_rules(const std::string& filter) {
    rules_pb::ListRulesRequest request;
    request.set_filter(filter);
    rules_pb::ListRulesResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->ListRules(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.rules().begin(), response.rules().end()};
  }

  std::string user_id(const std::string& name) {
    users_pb::ListActiveUsersRequest request;
    request.set_filter("name=='" + name + "'");
    users_pb::ListActiveUsersResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(users()->ListActiveUsers(&context, request, &response).ok());
    EXPECT_THAT(response.users(), SizeIs(1)) << name;
    return response.users_size() == 1 ? response.users(0).user_id() : "";
  }

  std::string tag_id(const std::string& name) {
    tags_pb::ListTagsRequest request;
    request.set_filter("name in [\"" + name + "\"]");
    request.set_tag_type(tags_pb::TAG_TYPE_ANNOTATION);
    tags_pb::ListTagsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(tags()->ListTags(&context, request, &response).ok());
    EXPECT_THAT(response.tags(), SizeIs(1)) << name;
    return response.tags_size() == 1 ? response.tags(0).tag_id() : "";
  }

  runs_pb::Run create_run(const std::string& name) {
    runs_pb::CreateRunRequest request;
    request.set_name(name);
    runs_pb::CreateRunResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        runs_pb::RunService::NewStub(channel_)->CreateRun(&context, request, &response).ok());
    return response.run();
  }

  std::vector<annotations_pb::Annotation> list_annotations(const std::string& filter,
                                                           grpc::Status* status_out = nullptr) {
    annotations_pb::ListAnnotationsRequest request;
    request.set_filter(filter);
    annotations_pb::ListAnnotationsResponse response;
    grpc::ClientContext context;
    grpc::Status status = annotations()->ListAnnotations(&context, request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return {response.annotations().begin(), response.annotations().end()};
  }

  // The spans of the annotations rule `name` created, in creation order.
  std::vector<Span> spans(const std::string& name) const {
    std::vector<Span> out;
    for (const auto& a : emulator_->annotations()) {
      if (a.name != name) continue;
      Span s{nanos(a.start), std::nullopt};
      if (a.end) s.end = nanos(*a.end);
      out.push_back(s);
    }
    return out;
  }

  std::unique_ptr<rules_pb::RuleService::Stub> rules() {
    return rules_pb::RuleService::NewStub(channel_);
  }
  std::unique_ptr<users_pb::UserService::Stub> users() {
    return users_pb::UserService::NewStub(channel_);
  }
  std::unique_ptr<tags_pb::TagService::Stub> tags() {
    return tags_pb::TagService::NewStub(channel_);
  }
  std::unique_ptr<annotations_pb::AnnotationService::Stub> annotations() {
    return annotations_pb::AnnotationService::NewStub(channel_);
  }

  std::unique_ptr<sift::emulator::Emulator> emulator_;
  std::shared_ptr<grpc::Channel> channel_;
};

RuleSpec overheating(const std::string& asset_id) {
  RuleSpec spec;
  spec.name = "overheating";
  spec.client_key = "overheating-key";
  spec.expression = "$1 > 400";
  spec.refs = {{"$1", "temperature"}};
  spec.asset_ids = {asset_id};
  return spec;
}

// ---- users and tags

TEST_F(EmulatorRulesTest, UsersAreTheKeysOwnUserPlusTheConfiguredOnes) {
  {
    users_pb::ListActiveUsersRequest request;
    users_pb::ListActiveUsersResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(users()->ListActiveUsers(&context, request, &response).ok());
    std::vector<std::string> names;
    for (const auto& u : response.users()) names.push_back(u.user_name());
    // By name, A to Z (Sift's default order).
    EXPECT_THAT(names, ElementsAre(kDallas, kRipley, "sift-emulator"));
    EXPECT_EQ(response.next_page_token(), "");
  }
  const std::string ripley = user_id(kRipley);
  ASSERT_FALSE(ripley.empty());
  {  // By id, and paging one at a time.
    users_pb::ListUsersRequest request;
    request.set_filter("user_id == \"" + ripley + "\"");
    users_pb::ListUsersResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(users()->ListUsers(&context, request, &response).ok());
    ASSERT_THAT(response.users(), SizeIs(1));
    EXPECT_EQ(response.users(0).user_name(), kRipley);
    EXPECT_THAT(response.users(0).organizations(), SizeIs(1));
  }
  {
    std::vector<std::string> names;
    std::string token;
    do {
      users_pb::ListUsersRequest request;
      request.set_page_size(1);
      request.set_page_token(token);
      users_pb::ListUsersResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(users()->ListUsers(&context, request, &response).ok());
      for (const auto& u : response.users()) names.push_back(u.user_name());
      token = response.next_page_token();
    } while (!token.empty());
    EXPECT_THAT(names, ElementsAre("sift-emulator", kRipley, kDallas));  // creation order
  }
  {
    users_pb::GetUserRequest request;
    request.set_user_id(ripley);
    users_pb::GetUserResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(users()->GetUser(&context, request, &response).ok());
    EXPECT_EQ(response.user().user_name(), kRipley);
  }
  {
    users_pb::GetUserRequest request;
    request.set_user_id("nobody");
    users_pb::GetUserResponse response;
    grpc::ClientContext context;
    grpc::Status status = users()->GetUser(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("nobody"));
  }
  {  // Filters on other fields are refused, naming the field.
    users_pb::ListActiveUsersRequest request;
    request.set_filter("email == 'x'");
    users_pb::ListActiveUsersResponse response;
    grpc::ClientContext context;
    grpc::Status status = users()->ListActiveUsers(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("email"));
  }
  {  // An unknown name is an empty list.
    users_pb::ListActiveUsersRequest request;
    request.set_filter("name=='ash@weylandcorp.com'");
    users_pb::ListActiveUsersResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(users()->ListActiveUsers(&context, request, &response).ok());
    EXPECT_THAT(response.users(), IsEmpty());
  }
}

TEST_F(EmulatorRulesTest, TagsAreSeededListedAndCreated) {
  {
    tags_pb::ListTagsRequest request;
    tags_pb::ListTagsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(tags()->ListTags(&context, request, &response).ok());
    ASSERT_THAT(response.tags(), SizeIs(2));
    EXPECT_EQ(response.tags(0).name(), "warning");  // oldest first
    EXPECT_EQ(response.tags(1).name(), "thruster");
  }
  std::string created_id;
  {
    tags_pb::CreateTagRequest request;
    request.set_name("coolant");
    tags_pb::CreateTagResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(tags()->CreateTag(&context, request, &response).ok());
    EXPECT_EQ(response.tag().name(), "coolant");
    EXPECT_FALSE(response.tag().tag_id().empty());
    created_id = response.tag().tag_id();
  }
  {
    tags_pb::CreateTagRequest request;
    request.set_name("warning");
    tags_pb::CreateTagResponse response;
    grpc::ClientContext context;
    grpc::Status status = tags()->CreateTag(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_THAT(status.error_message(), HasSubstr("warning"));
  }
  {
    tags_pb::CreateTagRequest request;
    tags_pb::CreateTagResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(tags()->CreateTag(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  for (tags_pb::TagType type : {tags_pb::TAG_TYPE_UNSPECIFIED, tags_pb::TAG_TYPE_ASSET,
                                tags_pb::TAG_TYPE_ANNOTATION}) {  // tag_type is ignored
    tags_pb::ListTagsRequest request;
    request.set_filter(R"(name in ["coolant", "thruster", "nope"])");
    request.set_tag_type(type);
    tags_pb::ListTagsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(tags()->ListTags(&context, request, &response).ok());
    std::vector<std::string> names;
    for (const auto& t : response.tags()) names.push_back(t.name());
    EXPECT_THAT(names, ElementsAre("thruster", "coolant"));
  }
  {
    tags_pb::ListTagsRequest request;
    request.set_filter("tag_id in [\"" + created_id + "\"]");
    tags_pb::ListTagsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(tags()->ListTags(&context, request, &response).ok());
    ASSERT_THAT(response.tags(), SizeIs(1));
    EXPECT_EQ(response.tags(0).name(), "coolant");
  }
}

// ---- rule create / get / update

TEST_F(EmulatorRulesTest, CreateGetUpdateKeepsIdAndBumpsVersion) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.assignee_id = user_id(kRipley);
  spec.tag_ids = {tag_id("warning")};
  const std::string id = must_create_rule(spec);
  ASSERT_FALSE(id.empty());

  rules_pb::Rule by_id;
  ASSERT_TRUE(get_rule(id, "", &by_id).ok());
  rules_pb::Rule by_key;
  ASSERT_TRUE(get_rule("", "overheating-key", &by_key).ok());
  EXPECT_EQ(by_key.rule_id(), id);
  EXPECT_EQ(by_id.name(), "overheating");
  EXPECT_EQ(by_id.client_key(), "overheating-key");
  EXPECT_EQ(by_id.rule_version().version(), "1");
  EXPECT_EQ(by_id.current_version_id(), by_id.rule_version().rule_version_id());
  EXPECT_THAT(by_id.asset_configuration().asset_ids(), ElementsAre(config.asset_id()));
  ASSERT_THAT(by_id.conditions(), SizeIs(1));
  const rules_pb::RuleCondition& condition = by_id.conditions(0);
  EXPECT_FALSE(condition.rule_condition_id().empty());
  EXPECT_FALSE(condition.rule_condition_version_id().empty());
  EXPECT_EQ(condition.rule_id(), id);
  EXPECT_EQ(condition.expression().calculated_channel().expression(), "$1 > 400");
  ASSERT_THAT(condition.actions(), SizeIs(1));
  EXPECT_FALSE(condition.actions(0).rule_action_id().empty());
  EXPECT_EQ(condition.actions(0).configuration().annotation().assigned_to_user_id(),
            spec.assignee_id);

  // Same client key again: ALREADY_EXISTS, nothing created.
  grpc::Status duplicate = create_rule(spec);
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(duplicate.error_message(), HasSubstr("overheating-key"));

  // UpdateRule by client key (sift_py sends rule_id = ""): same id, version 2.
  rules_pb::UpdateRuleRequest update = to_request(spec);
  update.set_rule_id("");
  update.set_description("hotter");
  update.mutable_conditions(0)->mutable_expression()->mutable_calculated_channel()->set_expression(
      "$1 > 450");
  std::string updated_id;
  ASSERT_TRUE(update_rule(update, &updated_id).ok());
  EXPECT_EQ(updated_id, id);
  rules_pb::Rule after;
  ASSERT_TRUE(get_rule(id, "", &after).ok());
  EXPECT_EQ(after.description(), "hotter");
  EXPECT_EQ(after.rule_version().version(), "2");
  EXPECT_NE(after.current_version_id(), by_id.current_version_id());
  EXPECT_NE(after.conditions(0).rule_condition_version_id(), condition.rule_condition_version_id());
  EXPECT_EQ(after.created_date().seconds(), by_id.created_date().seconds());
  EXPECT_EQ(after.created_date().nanos(), by_id.created_date().nanos());

  // By rule id, naming the existing condition: its id is kept.
  update.set_rule_id(id);
  update.mutable_conditions(0)->set_rule_condition_id(after.conditions(0).rule_condition_id());
  ASSERT_TRUE(update_rule(update).ok());
  rules_pb::Rule third;
  ASSERT_TRUE(get_rule(id, "", &third).ok());
  EXPECT_EQ(third.rule_version().version(), "3");
  EXPECT_EQ(third.conditions(0).rule_condition_id(), after.conditions(0).rule_condition_id());

  {  // Unknown rule id: NOT_FOUND.
    rules_pb::UpdateRuleRequest unknown = update;
    unknown.set_rule_id("no-such-rule");
    grpc::Status status = update_rule(unknown);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("no-such-rule"));
  }
  {  // The client key cannot change.
    rules_pb::UpdateRuleRequest rekey = update;
    rekey.set_client_key("other-key");
    EXPECT_EQ(update_rule(rekey).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {  // Neither a rule id nor a known client key: UpdateRule creates.
    rules_pb::UpdateRuleRequest fresh = to_request(spec);
    fresh.set_name("overheating 2");
    fresh.set_client_key("overheating-2");
    std::string fresh_id;
    ASSERT_TRUE(update_rule(fresh, &fresh_id).ok());
    EXPECT_NE(fresh_id, id);
    rules_pb::Rule created;
    ASSERT_TRUE(get_rule("", "overheating-2", &created).ok());
    EXPECT_EQ(created.rule_version().version(), "1");
  }
  {
    rules_pb::Rule missing;
    grpc::Status status = get_rule("", "no-such-key", &missing);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("no-such-key"));
    EXPECT_EQ(get_rule("", "", &missing).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {  // BatchGetRules: by id and by key, each once, unknown ones left out.
    rules_pb::BatchGetRulesRequest request;
    request.add_rule_ids(id);
    request.add_rule_ids("unknown");
    request.add_client_keys("overheating-key");
    request.add_client_keys("overheating-2");
    rules_pb::BatchGetRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->BatchGetRules(&context, request, &response).ok());
    std::vector<std::string> names;
    for (const auto& r : response.rules()) names.push_back(r.name());
    EXPECT_THAT(names, ElementsAre("overheating", "overheating 2"));
  }
}

TEST_F(EmulatorRulesTest, BatchUpdateRulesValidatesAllThenStoresAll) {
  const auto config = probe("rover");
  RuleSpec hot = overheating(config.asset_id());
  RuleSpec cold = overheating(config.asset_id());
  cold.name = "freezing";
  cold.client_key = "freezing-key";
  cold.expression = "$1 < -40";

  rules_pb::BatchUpdateRulesRequest request;
  *request.add_rules() = to_request(hot);
  *request.add_rules() = to_request(cold);
  {  // validate_only: the counts it would have, nothing stored.
    request.set_validate_only(true);
    rules_pb::BatchUpdateRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->BatchUpdateRules(&context, request, &response).ok());
    EXPECT_TRUE(response.success());
    EXPECT_TRUE(response.validate_only());
    EXPECT_EQ(response.rules_created_count(), 2);
    EXPECT_EQ(response.rules_updated_count(), 0);
    EXPECT_THAT(response.validation_results(), SizeIs(2));
    EXPECT_FALSE(response.validation_results(0).has_error());
    EXPECT_THAT(response.created_rule_identifiers(), IsEmpty());
    EXPECT_THAT(list_rules(""), IsEmpty());
  }
  request.set_validate_only(false);
  {
    rules_pb::BatchUpdateRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->BatchUpdateRules(&context, request, &response).ok());
    EXPECT_TRUE(response.success());
    EXPECT_EQ(response.rules_created_count(), 2);
    ASSERT_THAT(response.created_rule_identifiers(), SizeIs(2));
    EXPECT_EQ(response.created_rule_identifiers(0).name(), "overheating");
    EXPECT_EQ(response.created_rule_identifiers(0).client_key(), "overheating-key");
    EXPECT_EQ(response.created_rule_identifiers(1).name(), "freezing");
    rules_pb::Rule stored;
    ASSERT_TRUE(get_rule(response.created_rule_identifiers(1).rule_id(), "", &stored).ok());
    EXPECT_EQ(stored.client_key(), "freezing-key");
  }
  {  // One good update and one bad rule: success false, nothing changes.
    rules_pb::BatchUpdateRulesRequest mixed;
    rules_pb::UpdateRuleRequest good = to_request(hot);
    good.set_description("changed");
    *mixed.add_rules() = good;
    RuleSpec bad = cold;
    bad.name = "broken";
    bad.client_key = "broken-key";
    bad.refs = {{"$1", "no_such_channel"}};
    *mixed.add_rules() = to_request(bad);
    rules_pb::BatchUpdateRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->BatchUpdateRules(&context, mixed, &response).ok());
    EXPECT_FALSE(response.success());
    ASSERT_THAT(response.validation_results(), SizeIs(2));
    EXPECT_FALSE(response.validation_results(0).has_error());
    EXPECT_FALSE(response.validation_results(0).rule_id().empty());
    ASSERT_TRUE(response.validation_results(1).has_error());
    EXPECT_THAT(response.validation_results(1).error(),
                AllOf(HasSubstr("broken"), HasSubstr("no_such_channel"), HasSubstr("rover")));
    EXPECT_EQ(response.validation_results(1).rule_name(), "broken");
    ASSERT_THAT(response.validation_results(1).asset_expression_validation_results(), SizeIs(1));
    EXPECT_EQ(response.validation_results(1).asset_expression_validation_results(0).asset_name(),
              "rover");
    EXPECT_TRUE(response.validation_results(1).asset_expression_validation_results(0).has_error());
    rules_pb::Rule stored;
    ASSERT_TRUE(get_rule("", "overheating-key", &stored).ok());
    EXPECT_EQ(stored.description(), "a rule");
    EXPECT_EQ(stored.rule_version().version(), "1");
    EXPECT_THAT(list_rules(""), SizeIs(2));
  }
  {  // An update by client key counts as updated.
    rules_pb::BatchUpdateRulesRequest again;
    *again.add_rules() = to_request(hot);
    rules_pb::BatchUpdateRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->BatchUpdateRules(&context, again, &response).ok());
    EXPECT_TRUE(response.success());
    EXPECT_EQ(response.rules_created_count(), 0);
    EXPECT_EQ(response.rules_updated_count(), 1);
    EXPECT_THAT(response.created_rule_identifiers(), IsEmpty());
  }
}

TEST_F(EmulatorRulesTest, SearchAndListRules) {
  const auto rover = probe("rover");
  const auto lander = probe("lander");
  RuleSpec a = overheating(rover.asset_id());
  a.name = "Engine Overheating";
  a.client_key = "a";
  RuleSpec b = overheating(lander.asset_id());
  b.name = "engine stall";
  b.client_key = "b";
  b.expression = "$1 < 10";
  RuleSpec c = overheating(lander.asset_id());
  c.name = "Cabin pressure";
  c.client_key = "c";
  c.expression = "$1 < 0.5";
  c.refs = {{"$1", "pressure"}};
  const std::string id_a = must_create_rule(a);
  const std::string id_b = must_create_rule(b);
  const std::string id_c = must_create_rule(c);

  auto search = [&](const std::function<void(rules_pb::SearchRulesRequest&)>& set,
                    grpc::Status* status_out = nullptr) {
    rules_pb::SearchRulesRequest request;
    set(request);
    rules_pb::SearchRulesResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->SearchRules(&context, request, &response);
    if (status_out != nullptr) *status_out = status;
    std::vector<std::string> names;
    for (const auto& r : response.rules()) {
      names.push_back(r.name());
      EXPECT_THAT(r.conditions(), IsEmpty());  // search leaves conditions out
    }
    if (status.ok()) EXPECT_GE(response.count(), names.size());
    return names;
  };
  EXPECT_THAT(search([](auto& r) { r.set_name_matches("engine"); }),
              ElementsAre("Engine Overheating", "engine stall"));
  EXPECT_THAT(search([](auto& r) {
                r.set_name_matches("engine");
                r.set_case_sensitive(true);
              }),
              ElementsAre("engine stall"));
  EXPECT_THAT(search([](auto& r) {
                r.set_name_matches("^(engine|cabin) [ps]");
                r.set_regexp(true);
              }),
              ElementsAre("engine stall", "Cabin pressure"));
  EXPECT_THAT(search([&](auto& r) { r.add_asset_ids(lander.asset_id()); }),
              ElementsAre("engine stall", "Cabin pressure"));
  EXPECT_THAT(search([&](auto& r) {
                r.add_rule_ids(id_a);
                r.add_rule_ids(id_c);
              }),
              ElementsAre("Engine Overheating", "Cabin pressure"));
  EXPECT_THAT(search([](auto& r) {
                r.set_order_by("name");
                r.set_order(rules_pb::SEARCH_ORDER_DESC);
              }),
              ElementsAre("engine stall", "Engine Overheating", "Cabin pressure"));
  {  // limit / offset page, count is the total.
    rules_pb::SearchRulesRequest request;
    request.set_limit(1);
    request.set_offset(1);
    rules_pb::SearchRulesResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(rules()->SearchRules(&context, request, &response).ok());
    EXPECT_EQ(response.count(), 3u);
    ASSERT_THAT(response.rules(), SizeIs(1));
    EXPECT_EQ(response.rules(0).rule_id(), id_b);
  }
  {
    grpc::Status status;
    search(
        [](auto& r) {
          r.set_name_matches("(unclosed");
          r.set_regexp(true);
        },
        &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("(unclosed"));
  }

  // ListRules: newest first, filters on documented fields, paging.
  auto names = [](const std::vector<rules_pb::Rule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules) out.push_back(r.name());
    return out;
  };
  EXPECT_THAT(names(list_rules("")),
              ElementsAre("Cabin pressure", "engine stall", "Engine Overheating"));
  EXPECT_THAT(names(list_rules("client_key == 'b'")), ElementsAre("engine stall"));
  EXPECT_THAT(names(list_rules("asset_id == \"" + lander.asset_id() + "\"")),
              ElementsAre("Cabin pressure", "engine stall"));
  EXPECT_THAT(names(list_rules("rule_id in [\"" + id_a + "\"] && is_archived == 'false'")),
              ElementsAre("Engine Overheating"));
  {
    std::vector<std::string> paged;
    std::string token;
    do {
      rules_pb::ListRulesRequest request;
      request.set_page_size(2);
      request.set_page_token(token);
      rules_pb::ListRulesResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(rules()->ListRules(&context, request, &response).ok());
      for (const auto& r : response.rules()) paged.push_back(r.name());
      token = response.next_page_token();
    } while (!token.empty());
    EXPECT_THAT(paged, ElementsAre("Cabin pressure", "engine stall", "Engine Overheating"));
  }
  {
    rules_pb::ListRulesRequest request;
    request.set_filter("color == 'red'");
    rules_pb::ListRulesResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->ListRules(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("color"));
  }
  {  // A method it does not serve names itself.
    rules_pb::ArchiveRuleRequest request;
    rules_pb::ArchiveRuleResponse response;
    grpc::ClientContext context;
    grpc::Status status = rules()->ArchiveRule(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(), HasSubstr("sift.rules.v1.RuleService/ArchiveRule"));
  }
}

// ---- validation

TEST_F(EmulatorRulesTest, InvalidRulesAreRefusedNamingRuleAndProblem) {
  const auto config = probe("rover");
  const RuleSpec base = overheating(config.asset_id());
  struct Case {
    std::string what;
    std::function<void(RuleSpec&)> change;
    grpc::StatusCode code;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"unknown channel",
       [](RuleSpec& s) {
         s.refs = {{"$1", "temprature"}};
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "rover", "temprature", "$1"}},
      {"unknown user",
       [](RuleSpec& s) { s.assignee_id = "ash"; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "ash", "user"}},
      {"unknown tag",
       [](RuleSpec& s) { s.tag_ids = {"no-such-tag"}; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "no-such-tag", "tag"}},
      {"bad expression",
       [](RuleSpec& s) { s.expression = "$1 >"; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "column 5", "expected an operand after '>'"}},
      {"type error",
       [](RuleSpec& s) { s.expression = "$1 > \"hot\""; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "rover", "column 4", "cannot compare"}},
      {"unbound reference",
       [](RuleSpec& s) { s.expression = "$1 > $2"; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "$2"}},
      {"unknown enum label",
       [](RuleSpec& s) {
         s.expression = "$1 == \"Exploded\"";
         s.refs = {{"$1", "state"}};
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "Exploded"}},
      {"unknown bit-field element",
       [](RuleSpec& s) {
         s.refs = {{"$1", "flags.nope"}};
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "flags.nope"}},
      {"no name",
       [](RuleSpec& s) { s.name = ""; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating-key", "name"}},
      {"unknown asset",
       [](RuleSpec& s) { s.asset_ids = {"no-such-asset"}; },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "no-such-asset"}},
      {"no asset",
       [](RuleSpec& s) { s.asset_ids.clear(); },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "asset"}},
      {"phase with assignee",
       [&](RuleSpec& s) {
         s.type = annotations_pb::ANNOTATION_TYPE_PHASE;
         s.assignee_id = user_id(kRipley);
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "phase"}},
      {"bad placeholder",
       [](RuleSpec& s) {
         s.refs = {{"temperature", "temperature"}};
       },
       grpc::StatusCode::INVALID_ARGUMENT,
       {"overheating", "temperature"}},
  };
  for (const Case& c : cases) {
    RuleSpec spec = base;
    c.change(spec);
    grpc::Status status = create_rule(spec);
    EXPECT_EQ(status.error_code(), c.code) << c.what << ": " << status.error_message();
    for (const std::string& fragment : c.fragments) {
      EXPECT_THAT(status.error_message(), HasSubstr(fragment)) << c.what;
    }
    // UpdateRule validates the same way.
    EXPECT_EQ(update_rule(to_request(spec)).error_code(), c.code) << c.what;
  }
  {  // Two conditions, no action configuration, the deprecated comparison form.
    rules_pb::UpdateRuleRequest two = to_request(base);
    *two.add_conditions() = two.conditions(0);
    EXPECT_EQ(update_rule(two).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    rules_pb::UpdateRuleRequest bare = to_request(base);
    bare.mutable_conditions(0)->mutable_actions(0)->clear_configuration();
    EXPECT_EQ(update_rule(bare).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    rules_pb::UpdateRuleRequest legacy = to_request(base);
    // The point is to send the deprecated form.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    rules_pb::SingleChannelComparisonExpression* comparison =
        legacy.mutable_conditions(0)->mutable_expression()->mutable_single_channel_comparison();
#pragma GCC diagnostic pop
    comparison->set_channel_name("temperature");
    comparison->set_comparator(rules_pb::GREATER_THAN);
    comparison->set_double_(400);
    grpc::Status status = update_rule(legacy);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(), HasSubstr("single_channel_comparison"));
  }
  EXPECT_THAT(list_rules(""), IsEmpty());  // nothing was stored
  // Notification and webhook actions are stored (and never acted on).
  rules_pb::UpdateRuleRequest notify = to_request(base);
  rules_pb::UpdateActionRequest* action = notify.mutable_conditions(0)->add_actions();
  action->set_action_type(rules_pb::NOTIFICATION);
  action->mutable_configuration()->mutable_notification()->add_recipient_user_ids("x");
  ASSERT_TRUE(update_rule(notify).ok());
  rules_pb::Rule stored;
  ASSERT_TRUE(get_rule("", "overheating-key", &stored).ok());
  EXPECT_THAT(stored.conditions(0).actions(), SizeIs(2));
}

// ---- evaluation

TEST_F(EmulatorRulesTest, ComparisonOpensAndClosesAtTheRightRows) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.assignee_id = user_id(kRipley);
  spec.tag_ids = {tag_id("warning"), tag_id("thruster")};
  const std::string rule_id = must_create_rule(spec);
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380)});

  // Opens at the first row above 400 and ends at the last one above it.
  EXPECT_THAT(spans("overheating"), ElementsAre(span(1, 2)));
  const auto infos = emulator_->annotations();
  ASSERT_THAT(infos, SizeIs(1));
  EXPECT_EQ(infos[0].rule_id, rule_id);
  EXPECT_EQ(infos[0].kind, "review");
  EXPECT_EQ(infos[0].state, "open");
  EXPECT_EQ(infos[0].asset, "rover");
  EXPECT_EQ(infos[0].run_id, "");
  EXPECT_EQ(infos[0].assigned_to_user_id, spec.assignee_id);
  EXPECT_THAT(infos[0].tags, ElementsAre("warning", "thruster"));

  // The annotation on the wire: a data review, open, assigned, tagged by
  // name, pointing at the rule's condition and its version.
  rules_pb::Rule rule;
  ASSERT_TRUE(get_rule(rule_id, "", &rule).ok());
  annotations_pb::GetAnnotationRequest request;
  request.set_annotation_id(infos[0].annotation_id);
  annotations_pb::GetAnnotationResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(annotations()->GetAnnotation(&context, request, &response).ok());
  const annotations_pb::Annotation& a = response.annotation();
  EXPECT_EQ(a.name(), "overheating");
  EXPECT_EQ(a.description(), "a rule");
  EXPECT_EQ(a.annotation_type(), annotations_pb::ANNOTATION_TYPE_DATA_REVIEW);
  ASSERT_TRUE(a.has_state());
  EXPECT_EQ(a.state(), annotations_pb::ANNOTATION_STATE_OPEN);
  EXPECT_EQ(a.assigned_to_user_id(), spec.assignee_id);
  EXPECT_EQ(a.assigned_to_user().user_name(), kRipley);
  EXPECT_THAT(a.tags(), ElementsAre("warning", "thruster"));
  EXPECT_EQ(a.created_by_condition_id(), rule.conditions(0).rule_condition_id());
  EXPECT_EQ(a.created_by_rule_condition_version_id(),
            rule.conditions(0).rule_condition_version_id());
  EXPECT_THAT(a.asset_ids(), ElementsAre(config.asset_id()));
  EXPECT_FALSE(a.has_run_id());
  EXPECT_EQ(a.start_time().seconds(), at(1) / kSecond);
  EXPECT_EQ(a.end_time().seconds(), at(2) / kSecond);
  EXPECT_FALSE(a.pending());
  ASSERT_THAT(a.linked_channels(), SizeIs(1));
  EXPECT_TRUE(a.linked_channels(0).has_channel());
}

TEST_F(EmulatorRulesTest, ArithmeticOverTwoChannelsSampledAcrossFlows) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.name = "delta";
  spec.expression = "($1 - $2) / 2 >= 10";
  spec.refs = {{"$1", "temperature"}, {"$2", "pressure"}};
  must_create_rule(spec);
  const std::string id = config.ingestion_config_id();
  ingest({
      row_at(id, "temperature", at(0), {dbl(100)}),  // no pressure yet: no value, false
      row_at(id, "pressure", at(1), {dbl(90)}),      // (100 - 90) / 2 = 5
      row_at(id, "temperature", at(2), {dbl(110)}),  // 10: opens
      row_at(id, "pressure", at(3), {dbl(85)}),      // 12.5
      row_at(id, "pressure", at(4), {dbl(95)}),      // 7.5: closes at t3
      row_at(id, "temperature", at(5), {dbl(200)}),  // 52.5: opens, never closes
  });
  EXPECT_THAT(spans("delta"), ElementsAre(span(2, 3), open_span(5)));
}

TEST_F(EmulatorRulesTest, LogicalOperators) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.name = "logic";
  spec.expression = "($1 > 400 && !$2) || $3 < 0";
  spec.refs = {{"$1", "temperature"}, {"$2", "ok"}, {"$3", "pressure"}};
  must_create_rule(spec);
  const std::string id = config.ingestion_config_id();
  ingest({
      row_at(id, "ok", at(0), {boolean(true)}),
      row_at(id, "temperature", at(1), {dbl(450)}),  // ok is true: false
      row_at(id, "ok", at(2), {boolean(false)}),     // true
      row_at(id, "ok", at(3), {boolean(true)}),      // false: closes at t2
      row_at(id, "pressure", at(4), {dbl(-1)}),      // the || side: true
      row_at(id, "pressure", at(5), {dbl(1)}),       // false: closes at t4
  });
  EXPECT_THAT(spans("logic"), ElementsAre(span(2, 2), span(4, 4)));
}

TEST_F(EmulatorRulesTest, StringFunctions) {
  const auto config = probe("rover");
  for (const auto& [name, expression] :
       std::vector<std::pair<std::string, std::string>>{{"contains", "contains($1, \"ERROR\")"},
                                                        {"starts", "$1.startsWith(\"WARN\")"},
                                                        {"ends", "endsWith($1, \"!\")"}}) {
    RuleSpec spec = overheating(config.asset_id());
    spec.name = name;
    spec.client_key = name;
    spec.expression = expression;
    spec.refs = {{"$1", "log"}};
    must_create_rule(spec);
  }
  ingest_series(config, "log",
                {text("boot ok"), text("ERROR: pump"), text("WARN: ERROR later"), text("WARN low"),
                 text("done!"), text("idle")});
  EXPECT_THAT(spans("contains"), ElementsAre(span(1, 2)));
  EXPECT_THAT(spans("starts"), ElementsAre(span(2, 3)));
  EXPECT_THAT(spans("ends"), ElementsAre(span(4, 4)));
}

TEST_F(EmulatorRulesTest, EnumComparesByLabel) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.name = "fault";
  spec.expression = "$1 == \"Fault\"";
  spec.refs = {{"$1", "state"}};
  must_create_rule(spec);
  RuleSpec not_idle = spec;
  not_idle.name = "busy";
  not_idle.client_key = "busy";
  not_idle.expression = "$1 != \"Idle\"";
  must_create_rule(not_idle);
  // Idle, Fault, Fault, Running, Idle.
  ingest_series(config, "state", {enum_key(0), enum_key(2), enum_key(2), enum_key(1), enum_key(0)});
  EXPECT_THAT(spans("fault"), ElementsAre(span(1, 2)));
  EXPECT_THAT(spans("busy"), ElementsAre(span(1, 3)));
}

TEST_F(EmulatorRulesTest, BitFieldElementsAreNumbers) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.name = "overheat bit";
  spec.expression = "$1 == 1";
  spec.refs = {{"$1", "flags.overheat"}};
  must_create_rule(spec);
  RuleSpec level = spec;
  level.name = "level";
  level.client_key = "level";
  level.expression = "$1 >= 5";
  level.refs = {{"$1", "flags.level"}};
  must_create_rule(level);
  // bit 0 = overheat, bits 1..3 = level: 0b0000, 0b0001, 0b1011 (level 5),
  // 0b1110 (level 7), 0b0010 (level 1).
  ingest_series(config, "flags", {bits(0x0), bits(0x1), bits(0xB), bits(0xE), bits(0x2)});
  EXPECT_THAT(spans("overheat bit"), ElementsAre(span(1, 2)));
  EXPECT_THAT(spans("level"), ElementsAre(span(2, 3)));
  const auto bit = list_annotations("name == 'overheat bit'");
  ASSERT_THAT(bit, SizeIs(1));
  ASSERT_THAT(bit[0].linked_channels(), SizeIs(1));
  EXPECT_EQ(bit[0].linked_channels(0).bit_field_element().bit_field_name(), "overheat");
}

TEST_F(EmulatorRulesTest, PhaseRulesMakePhaseAnnotations) {
  const auto config = probe("rover");
  RuleSpec spec = overheating(config.asset_id());
  spec.name = "burn";
  spec.type = annotations_pb::ANNOTATION_TYPE_PHASE;
  spec.tag_ids = {tag_id("thruster")};
  must_create_rule(spec);
  ingest_series(config, "temperature", {dbl(500), dbl(501), dbl(10)});
  const auto infos = emulator_->annotations();
  ASSERT_THAT(infos, SizeIs(1));
  EXPECT_EQ(infos[0].kind, "phase");
  EXPECT_EQ(infos[0].state, "none");
  EXPECT_EQ(infos[0].assigned_to_user_id, "");
  EXPECT_THAT(infos[0].tags, ElementsAre("thruster"));
  EXPECT_THAT(spans("burn"), ElementsAre(span(0, 1)));
  const auto listed = list_annotations("annotation_type == 'ANNOTATION_TYPE_PHASE'");
  ASSERT_THAT(listed, SizeIs(1));
  EXPECT_EQ(listed[0].annotation_type(), annotations_pb::ANNOTATION_TYPE_PHASE);
  EXPECT_FALSE(listed[0].has_state());
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre(HasSubstr("asset=rover channel=temperature"),
                          "annotation rule=burn kind=phase state=none asset=rover "
                          "start=2023-11-14T22:13:20Z end=2023-11-14T22:13:21Z"));
}

TEST_F(EmulatorRulesTest, RunsKeepTheirOwnState) {
  const auto config = probe("rover");
  must_create_rule(overheating(config.asset_id()));
  const std::string a = create_run("run a").run_id();
  const std::string b = create_run("run b").run_id();
  const std::string id = config.ingestion_config_id();
  ingest({
      row_at(id, "temperature", at(0), {dbl(500)}, a),  // a opens
      row_at(id, "temperature", at(1), {dbl(100)}, b),  // b is false: a stays open
      row_at(id, "temperature", at(2), {dbl(100)}, a),  // a closes at t0
      row_at(id, "temperature", at(3), {dbl(600)}, b),  // b opens
      row_at(id, "temperature", at(4), {dbl(700)}),     // no run: its own state
  });
  const auto infos = emulator_->annotations();
  ASSERT_THAT(infos, SizeIs(3));
  EXPECT_EQ(infos[0].run_id, a);
  EXPECT_EQ(nanos(infos[0].start), at(0));
  ASSERT_TRUE(infos[0].end.has_value());
  EXPECT_EQ(nanos(*infos[0].end), at(0));
  EXPECT_EQ(infos[1].run_id, b);
  EXPECT_EQ(nanos(infos[1].start), at(3));
  EXPECT_FALSE(infos[1].end.has_value());
  EXPECT_EQ(infos[2].run_id, "");
  EXPECT_FALSE(infos[2].end.has_value());

  const auto in_b = list_annotations("run_id == \"" + b + "\"");
  ASSERT_THAT(in_b, SizeIs(1));
  EXPECT_EQ(in_b[0].run_id(), b);
  EXPECT_TRUE(in_b[0].pending());
  EXPECT_FALSE(in_b[0].has_end_time());
}

TEST_F(EmulatorRulesTest, ReplayedAndLateRowsDoNotRetrigger) {
  const auto config = probe("rover");
  must_create_rule(overheating(config.asset_id()));
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380)});
  // A reconnect replays everything; a late row would have opened another.
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380)});
  ingest({row_at(config.ingestion_config_id(), "temperature", at(2) + 1, {dbl(999)})});
  EXPECT_THAT(spans("overheating"), ElementsAre(span(1, 2)));
  // t0..t2 again and the late row: older than t3; t3 itself is re-evaluated.
  EXPECT_EQ(emulator_->out_of_order_rows(), 4u);
  // They are stored all the same.
  EXPECT_THAT(emulator_->rows("rover", "temperature"), SizeIs(9));
}

// Two producers: a whole batch of one flow, then an older batch of another.
// Each rule sees the rows carrying its channels, in their own order.
TEST_F(EmulatorRulesTest, FlowsArrivingLateForOtherRulesAreStillEvaluated) {
  const auto config = probe("rover");
  must_create_rule(overheating(config.asset_id()));
  RuleSpec pressure = overheating(config.asset_id());
  pressure.name = "overpressure";
  pressure.client_key = "overpressure-key";
  pressure.expression = "$1 > 50";
  pressure.refs = {{"$1", "pressure"}};
  must_create_rule(pressure);
  const std::string id = config.ingestion_config_id();
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380), dbl(300)});
  ingest({
      row_at(id, "pressure", at(1), {dbl(10)}),
      row_at(id, "pressure", at(2), {dbl(60)}),
      row_at(id, "pressure", at(3), {dbl(70)}),
      row_at(id, "pressure", at(4), {dbl(20)}),
  });
  EXPECT_THAT(spans("overheating"), ElementsAre(span(1, 2)));
  EXPECT_THAT(spans("overpressure"), ElementsAre(span(2, 3)));
  EXPECT_EQ(emulator_->out_of_order_rows(), 0u);
}

TEST_F(EmulatorRulesTest, OpenAtEndOfDataAndExactSummaryLine) {
  const auto config = probe("rover");
  must_create_rule(overheating(config.asset_id()));
  const std::string id = config.ingestion_config_id();
  ingest({
      row_at(id, "temperature", at(0) + 500'000'000, {dbl(401)}),
      row_at(id, "temperature", at(1) + 250'000'000, {dbl(402)}),
      row_at(id, "temperature", at(2), {dbl(1)}),
      row_at(id, "temperature", at(3) + 1, {dbl(403)}),
  });
  EXPECT_THAT(emulator_->summary_lines(),
              ElementsAre("asset=rover channel=temperature rows=4 runs=1",
                          "annotation rule=overheating kind=review state=open asset=rover "
                          "start=2023-11-14T22:13:20.500Z end=2023-11-14T22:13:21.250Z",
                          "annotation rule=overheating kind=review state=open asset=rover "
                          "start=2023-11-14T22:13:23.000000001Z end=open"));
}

TEST_F(EmulatorRulesTest, UpdateResetsStateAndNewRulesSeeOnlyLaterRows) {
  const auto config = probe("rover");
  // Rows before any rule exists are never evaluated.
  ingest_series(config, "temperature", {dbl(500), dbl(500)});
  RuleSpec spec = overheating(config.asset_id());
  must_create_rule(spec);
  EXPECT_THAT(spans("overheating"), IsEmpty());
  ingest_series(config, "temperature", {dbl(500), dbl(501)}, 2);  // opens at t2
  EXPECT_THAT(spans("overheating"), ElementsAre(open_span(2)));

  // An update closes the open annotation at its last true row and starts over.
  rules_pb::UpdateRuleRequest update = to_request(spec);
  update.set_description("updated");
  ASSERT_TRUE(update_rule(update).ok());
  EXPECT_THAT(spans("overheating"), ElementsAre(span(2, 3)));
  ingest_series(config, "temperature", {dbl(502)}, 4);
  EXPECT_THAT(spans("overheating"), ElementsAre(span(2, 3), open_span(4)));

  // Archived rules are not evaluated.
  update.set_is_archived(true);
  ASSERT_TRUE(update_rule(update).ok());
  EXPECT_THAT(spans("overheating"), ElementsAre(span(2, 3), span(4, 4)));
  ingest_series(config, "temperature", {dbl(1), dbl(600)}, 5);
  EXPECT_THAT(spans("overheating"), SizeIs(2));
}

TEST_F(EmulatorRulesTest, AssetTagsScopeRules) {
  {
    assets_pb::CreateAssetRequest request;
    request.set_name("tagged");
    request.add_tags("thruster");
    assets_pb::CreateAssetResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(
        assets_pb::AssetService::NewStub(channel_)->CreateAsset(&context, request, &response).ok());
  }
  const auto tagged = probe("tagged");
  const auto untagged = probe("untagged");
  RuleSpec spec = overheating("");
  spec.asset_ids.clear();
  spec.asset_tag_ids = {tag_id("thruster")};
  const std::string rule_id = must_create_rule(spec);
  ingest_series(tagged, "temperature", {dbl(500)});
  ingest_series(untagged, "temperature", {dbl(500)});
  const auto infos = emulator_->annotations();
  ASSERT_THAT(infos, SizeIs(1));
  EXPECT_EQ(infos[0].asset, "tagged");
  EXPECT_THAT(list_rules("asset_id == \"" + tagged.asset_id() + "\""), SizeIs(1));
  EXPECT_THAT(list_rules("asset_id == \"" + untagged.asset_id() + "\""), IsEmpty());
}

TEST_F(EmulatorRulesTest, RulesFireOverTcpToo) {
  channel_ = grpc::experimental::CreateCustomChannelWithInterceptors(
      emulator_->endpoint(), grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
      sift::internal::make_auth_interceptors("tcp-key"));
  const auto config = probe("rover");
  must_create_rule(overheating(config.asset_id()));
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380)});
  EXPECT_THAT(spans("overheating"), ElementsAre(span(1, 2)));
  EXPECT_THAT(list_annotations(""), SizeIs(1));
}

// ---- annotations service

TEST_F(EmulatorRulesTest, ListGetAndCreateAnnotations) {
  const auto rover = probe("rover");
  const auto lander = probe("lander");
  const std::string hot = must_create_rule(overheating(rover.asset_id()));
  RuleSpec cold_spec = overheating(lander.asset_id());
  cold_spec.name = "freezing";
  cold_spec.client_key = "freezing";
  cold_spec.expression = "$1 < 0";
  const std::string cold = must_create_rule(cold_spec);
  const std::string run = create_run("drive").run_id();
  ingest_series(rover, "temperature", {dbl(500), dbl(1), dbl(500)}, 0, run);
  ingest_series(lander, "temperature", {dbl(-5)}, 5);

  auto names = [](const std::vector<annotations_pb::Annotation>& list) {
    std::vector<std::string> out;
    for (const auto& a : list) {
      out.push_back(a.name() + "@" + std::to_string((a.start_time().seconds() - kT0 / kSecond)));
    }
    return out;
  };
  // Newest first.
  EXPECT_THAT(names(list_annotations("")),
              ElementsAre("freezing@5", "overheating@2", "overheating@0"));
  EXPECT_THAT(names(list_annotations("rule_id == '" + hot + "'")),
              ElementsAre("overheating@2", "overheating@0"));
  EXPECT_THAT(names(list_annotations("rule_id == '" + cold + "'")), ElementsAre("freezing@5"));
  EXPECT_THAT(names(list_annotations("run_id == '" + run + "'")),
              ElementsAre("overheating@2", "overheating@0"));
  EXPECT_THAT(names(list_annotations("asset_name == 'lander'")), ElementsAre("freezing@5"));
  EXPECT_THAT(
      names(list_annotations("asset_id == '" + rover.asset_id() + "' && pending == 'true'")),
      ElementsAre("overheating@2"));
  EXPECT_THAT(names(list_annotations("state == 'ANNOTATION_STATE_OPEN' && name == 'freezing'")),
              ElementsAre("freezing@5"));
  rules_pb::Rule cold_rule;
  ASSERT_TRUE(get_rule(cold, "", &cold_rule).ok());
  EXPECT_THAT(names(list_annotations("created_by_rule_condition_version_id == '" +
                                     cold_rule.conditions(0).rule_condition_version_id() + "'")),
              ElementsAre("freezing@5"));
  const auto first = list_annotations("")[2];
  EXPECT_THAT(names(list_annotations("annotation_id == '" + first.annotation_id() + "'")),
              ElementsAre("overheating@0"));
  {  // Paging.
    std::vector<std::string> paged;
    std::string token;
    do {
      annotations_pb::ListAnnotationsRequest request;
      request.set_page_size(2);
      request.set_page_token(token);
      annotations_pb::ListAnnotationsResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(annotations()->ListAnnotations(&context, request, &response).ok());
      for (const auto& a : response.annotations()) paged.push_back(a.name());
      token = response.next_page_token();
    } while (!token.empty());
    EXPECT_THAT(paged, ElementsAre("freezing", "overheating", "overheating"));
  }
  {
    grpc::Status status;
    list_annotations("color == 'red'", &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("color"));
  }
  {
    annotations_pb::GetAnnotationRequest request;
    request.set_annotation_id("nope");
    annotations_pb::GetAnnotationResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(annotations()->GetAnnotation(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }

  // A plain, user-made annotation.
  annotations_pb::CreateAnnotationRequest request;
  request.set_name("wheel slip");
  request.set_description("seen on camera");
  request.mutable_start_time()->set_seconds(kT0 / kSecond + 10);
  request.mutable_end_time()->set_seconds(kT0 / kSecond + 12);
  request.add_assets("rover");
  request.add_tags("warning");
  request.set_run_id(run);
  request.set_assign_to_user_id(user_id(kDallas));
  request.set_annotation_type(annotations_pb::ANNOTATION_TYPE_DATA_REVIEW);
  std::string created_id;
  {
    annotations_pb::CreateAnnotationResponse response;
    grpc::ClientContext context;
    grpc::Status status = annotations()->CreateAnnotation(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const annotations_pb::Annotation& a = response.annotation();
    created_id = a.annotation_id();
    EXPECT_EQ(a.name(), "wheel slip");
    EXPECT_THAT(a.asset_ids(), ElementsAre(rover.asset_id()));
    EXPECT_EQ(a.state(), annotations_pb::ANNOTATION_STATE_OPEN);
    EXPECT_EQ(a.assigned_to_user_id(), request.assign_to_user_id());
    EXPECT_EQ(a.run_id(), run);
  }
  {
    annotations_pb::GetAnnotationRequest get;
    get.set_annotation_id(created_id);
    annotations_pb::GetAnnotationResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(annotations()->GetAnnotation(&context, get, &response).ok());
    EXPECT_EQ(response.annotation().description(), "seen on camera");
    EXPECT_THAT(response.annotation().tags(), ElementsAre("warning"));
  }
  const auto infos = emulator_->annotations();
  ASSERT_THAT(infos, SizeIs(4));
  EXPECT_EQ(infos[3].rule_id, "");
  EXPECT_EQ(infos[3].name, "wheel slip");
  EXPECT_THAT(names(list_annotations("tag_name == 'warning'")), ElementsAre("wheel slip@10"));

  struct Bad {
    std::string what;
    std::function<void(annotations_pb::CreateAnnotationRequest&)> change;
    std::string fragment;
  };
  const std::vector<Bad> bad = {
      {"unknown asset", [](auto& r) { r.set_assets(0, "nowhere"); }, "nowhere"},
      {"unknown tag", [](auto& r) { r.add_tags("nope"); }, "nope"},
      {"unknown run", [](auto& r) { r.set_run_id("no-run"); }, "no-run"},
      {"unknown user", [](auto& r) { r.set_assign_to_user_id("ash"); }, "ash"},
      {"end before start", [](auto& r) { r.mutable_end_time()->set_seconds(1); }, "end_time"},
      {"no name", [](auto& r) { r.set_name(""); }, "name"},
      {"phase with state",
       [](auto& r) {
         r.clear_assign_to_user_id();
         r.set_annotation_type(annotations_pb::ANNOTATION_TYPE_PHASE);
         r.set_state(annotations_pb::ANNOTATION_STATE_OPEN);
       },
       "phase"},
      {"nothing to annotate",
       [](auto& r) {
         r.clear_assets();
         r.clear_tags();
       },
       "at least one"},
  };
  for (const Bad& b : bad) {
    annotations_pb::CreateAnnotationRequest changed = request;
    b.change(changed);
    annotations_pb::CreateAnnotationResponse response;
    grpc::ClientContext context;
    grpc::Status status = annotations()->CreateAnnotation(&context, changed, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.what;
    EXPECT_THAT(status.error_message(), HasSubstr(b.fragment)) << b.what;
  }
  EXPECT_THAT(emulator_->annotations(), SizeIs(4));  // none of those was stored
}

// ---- the binary: --user, --tag and the annotation lines of --summary-on-exit

// `sift-emulator ARGS` with stdout on a pipe; killed if still running at the end.
class EmulatorProcess {
 public:
  explicit EmulatorProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    args.insert(args.begin(), SIFT_EMULATOR_BINARY);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, SIFT_EMULATOR_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    out_ = out[0];
  }
  ~EmulatorProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // One stdout line, or "" at EOF or after 10 s.
  std::string read_line() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      if (const std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (std::chrono::steady_clock::now() > deadline) return "";
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char chunk[4096];
      const ssize_t n = read(out_, chunk, sizeof(chunk));
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Everything left on stdout until EOF (or 10 s).
  std::string read_all() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char chunk[4096];
      const ssize_t n = read(out_, chunk, sizeof(chunk));
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return std::move(buffer_);
  }

  // SIGTERM (unless `signal` is false), then the rest of stdout; the exit
  // code (-1: none).
  int stop(std::string* out, bool signal = true) {
    if (signal) kill(pid_, SIGTERM);
    *out = read_all();
    int status = 0;
    const pid_t done = waitpid(pid_, &status, 0);
    pid_ = -1;
    return done > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

TEST_F(EmulatorRulesTest, BinaryTakesUsersAndTagsAndPrintsAnnotations) {
  EmulatorProcess process({"--listen", "127.0.0.1:0", "--summary-on-exit", "--user", kRipley,
                           "--tag=warning", "--tag", "thruster"});
  const std::string ready = process.read_line();
  ASSERT_THAT(ready, HasSubstr("sift-emulator listening on 127.0.0.1:"));
  channel_ = grpc::experimental::CreateCustomChannelWithInterceptors(
      ready.substr(ready.rfind(' ') + 1), grpc::InsecureChannelCredentials(),
      grpc::ChannelArguments(), sift::internal::make_auth_interceptors("k"));
  const auto config = probe("nostromo");
  RuleSpec spec = overheating(config.asset_id());
  spec.assignee_id = user_id(kRipley);
  spec.tag_ids = {tag_id("warning"), tag_id("thruster")};
  must_create_rule(spec);
  ingest_series(config, "temperature", {dbl(327), dbl(405), dbl(412), dbl(380)});

  std::string out;
  EXPECT_EQ(process.stop(&out), 0);
  EXPECT_THAT(absl::StrSplit(out, '\n', absl::SkipEmpty()),
              ElementsAre("asset=nostromo channel=temperature rows=4 runs=1",
                          "annotation rule=overheating kind=review state=open "
                          "asset=nostromo start=2023-11-14T22:13:21Z "
                          "end=2023-11-14T22:13:22Z"));
}

TEST(EmulatorRulesBinary, UsageNamesTheNewFlags) {
  EmulatorProcess help({"--help"});
  std::string usage;
  EXPECT_EQ(help.stop(&usage, /*signal=*/false), 0);
  EXPECT_THAT(usage, AllOf(HasSubstr("--user NAME"), HasSubstr("--tag NAME"),
                           HasSubstr("annotation rule=<rule>")));
  EmulatorProcess empty_name({"--user="});
  std::string out;
  EXPECT_EQ(empty_name.stop(&out, /*signal=*/false), 2);
}

}  // namespace
