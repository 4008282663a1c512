// FileAttachmentService's pure request pieces: REST base URL (spec 9.1,
// 10.2), list filter (9.3, escaped), metadata JSON and the upload response
// (9.2), the RemoteFile conversion, and the small JSON reader behind them.
#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/file_attachment_request.h"
#include "internal/json.h"
#include "sift/file_attachment/service.h"
#include "sift/remote_files/v1/remote_files.pb.h"

namespace sift {
namespace internal {
namespace {

using ::testing::HasSubstr;

SiftChannelConfig config(std::string uri, bool use_ssl) {
  SiftChannelConfig out;
  out.uri = std::move(uri);
  out.apikey = "key";
  out.use_ssl = use_ssl;
  return out;
}

TEST(RestBaseUrl, DerivedFromTheGrpcUriLikeSiftPy) {
  EXPECT_EQ(*rest_base_url(config("api.example.com", true), std::nullopt),
            "https://api.example.com");
  EXPECT_EQ(*rest_base_url(config("api.example.com/", true), std::nullopt),
            "https://api.example.com");
  EXPECT_EQ(*rest_base_url(config("api.example.com:443/foo", true), std::nullopt),
            "https://api.example.com:443");
  EXPECT_EQ(*rest_base_url(config("localhost:50051", false), std::nullopt),
            "http://localhost:50051");
  // The scheme follows use_ssl, not the text.
  EXPECT_EQ(*rest_base_url(config("http://example.com:8080/x", true), std::nullopt),
            "https://example.com:8080");
  EXPECT_EQ(*rest_base_url(config("https://example.com", false), std::nullopt),
            "http://example.com");
}

TEST(RestBaseUrl, NoHostIsAnError) {
  absl::StatusOr<std::string> url = rest_base_url(config("  ", true), std::nullopt);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(url.status().message(), HasSubstr("rest_uri"));
}

TEST(RestBaseUrl, OverrideWinsAndKeepsItsSchemeAndPath) {
  const SiftChannelConfig grpc = config("grpc-api.example.com", true);
  EXPECT_EQ(*rest_base_url(grpc, std::string("https://api.example.com")),
            "https://api.example.com");
  EXPECT_EQ(*rest_base_url(grpc, std::string("http://127.0.0.1:8080/")), "http://127.0.0.1:8080");
  EXPECT_EQ(*rest_base_url(grpc, std::string("HTTPS://proxy.example.com/sift//")),
            "https://proxy.example.com/sift");
  // Without a scheme: by use_ssl.
  EXPECT_EQ(*rest_base_url(grpc, std::string("api.example.com")), "https://api.example.com");
  EXPECT_EQ(*rest_base_url(config("x", false), std::string("127.0.0.1:1")), "http://127.0.0.1:1");
}

TEST(RestBaseUrl, BadOverridesAreErrors) {
  const SiftChannelConfig grpc = config("grpc-api.example.com", true);
  for (const char* bad : {"ftp://host", "grpc://host:443", "https://", "https:///path",
                          "https://host/?token=1", "host#frag", ""}) {
    absl::StatusOr<std::string> url = rest_base_url(grpc, std::string(bad));
    EXPECT_FALSE(url.ok()) << bad << " -> " << *url;
    if (!url.ok()) EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(EntityFilter, SiftPyTextWithWireStrings) {
  EXPECT_EQ(entity_filter(Entity::run("r1")), R"(entity_id=="r1" && entity_type=="runs")");
  EXPECT_EQ(entity_filter(Entity::annotation("a1")),
            R"(entity_id=="a1" && entity_type=="annotations")");
  EXPECT_EQ(entity_filter(Entity::annotation_log("l1")),
            R"(entity_id=="l1" && entity_type=="annotation_logs")");
}

TEST(EntityFilter, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(entity_filter(Entity::run(R"(a"b\c)")),
            R"(entity_id=="a\"b\\c" && entity_type=="runs")");
}

TEST(EntityType, NamesAndHandles) {
  EXPECT_EQ(entity_type_name(EntityType::kRun), "runs");
  EXPECT_EQ(entity_type_name(EntityType::kAnnotation), "annotations");
  EXPECT_EQ(entity_type_name(EntityType::kAnnotationLog), "annotation_logs");
  EXPECT_EQ(entity_type_name(static_cast<EntityType>(3)), "");
  EXPECT_EQ(Entity::annotation_log("x"), (Entity{"x", EntityType::kAnnotationLog}));
  EXPECT_NE(Entity::run("x"), Entity::annotation("x"));
  // Enumerators are the wire numbers.
  EXPECT_EQ(static_cast<int>(EntityType::kRun), remote_files::v1::ENTITY_TYPE_RUN);
  EXPECT_EQ(static_cast<int>(EntityType::kAnnotation), remote_files::v1::ENTITY_TYPE_ANNOTATION);
  EXPECT_EQ(static_cast<int>(EntityType::kAnnotationLog),
            remote_files::v1::ENTITY_TYPE_ANNOTATION_LOG);
}

TEST(MetadataJson, SiftPyKeysOrderAndSeparators) {
  EXPECT_EQ(*metadata_json(AttachmentMetadata{}), "");
  EXPECT_EQ(*metadata_json(ImageMetadata{640, 480}), R"({"height": 480, "width": 640})");

  VideoMetadata video{1920, 1080, 12.5f, std::nullopt};
  EXPECT_EQ(*metadata_json(video),
            R"({"height": 1080, "width": 1920, "duration_seconds": 12.5, "timestamp": null})");
  video.duration_seconds = 10;
  video.timestamp = Timestamp(std::chrono::seconds(1720141748) + std::chrono::milliseconds(555));
  EXPECT_EQ(*metadata_json(video), R"({"height": 1080, "width": 1920, "duration_seconds": 10.0, )"
                                   R"("timestamp": "2024-07-05T01:09:08.555Z"})");

  // The float's shortest text, not the double's.
  EXPECT_EQ(*metadata_json(AudioMetadata{0.1f, std::nullopt}),
            R"({"duration_seconds": 0.1, "timestamp": null})");
}

TEST(MetadataJson, NonFiniteDurationIsRejected) {
  absl::StatusOr<std::string> json =
      metadata_json(VideoMetadata{1, 1, std::numeric_limits<float>::infinity(), std::nullopt});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(json.status().message(), HasSubstr("VideoMetadata.duration_seconds"));
  EXPECT_FALSE(metadata_json(AudioMetadata{std::nanf(""), std::nullopt}).ok());
}

TEST(UploadResponse, ReadsRemoteFileId) {
  EXPECT_EQ(*upload_response_file_id(R"({"remoteFile": {"remoteFileId": "abc-123"}})"), "abc-123");
  // Other members and whitespace anywhere.
  EXPECT_EQ(*upload_response_file_id(
                "\n{ \"x\": [1, 2.5e3, true, null],\r\n \"remoteFile\" : {\"fileName\": "
                "\"a.png\", \"fileSize\": \"12\", \"remoteFileId\": \"id\\u0031\"} }  "),
            "id1");
}

TEST(UploadResponse, MissingIdIsInternalQuotingTheBody) {
  for (const char* body : {"", "not json", "{}", R"({"remoteFile": "x"})", R"({"remoteFile": {}})",
                           R"({"remoteFile": {"remoteFileId": 5}})",
                           R"({"remoteFile": {"remoteFileId": ""}})", "[1]"}) {
    absl::StatusOr<std::string> id = upload_response_file_id(body);
    ASSERT_FALSE(id.ok()) << body;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInternal) << body;
    EXPECT_THAT(id.status().message(), HasSubstr("remoteFile")) << body;
  }
  EXPECT_THAT(upload_response_file_id("<html>gateway</html>").status().message(),
              HasSubstr("<html>gateway</html>"));
}

TEST(Json, ParsesValues) {
  absl::StatusOr<JsonValue> json =
      parse_json(R"({"a": [1, -2.5, 3e2], "b": {"c": "d\"\\\/\n\u00e9\ud83d\ude00"}, "t": true,)"
                 R"( "f": false, "n": null, "e": {}, "l": []})");
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_TRUE(json->is_object());
  const JsonValue* a = json->find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 3u);
  EXPECT_EQ(a->items[1].number, -2.5);
  EXPECT_EQ(a->items[2].number, 300);
  EXPECT_EQ(json->find("b")->find("c")->text, "d\"\\/\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(json->find("t")->boolean);
  EXPECT_EQ(json->find("f")->kind, JsonValue::Kind::kBool);
  EXPECT_EQ(json->find("n")->kind, JsonValue::Kind::kNull);
  EXPECT_TRUE(json->find("e")->is_object());
  EXPECT_EQ(json->find("l")->kind, JsonValue::Kind::kArray);
  EXPECT_EQ(json->find("missing"), nullptr);
}

TEST(Json, RejectsMalformedInputWithTheOffset) {
  for (const char* bad : {"{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "01x", "1.", "-",
                          "{\"a\":1} x", "\"\\q\"", "\"a\x01\""}) {
    absl::StatusOr<JsonValue> json = parse_json(bad);
    ASSERT_FALSE(json.ok()) << bad;
    EXPECT_THAT(json.status().message(), HasSubstr("at byte")) << bad;
  }
}

TEST(Json, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  absl::StatusOr<JsonValue> json = parse_json(deep);
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("nesting"));
  EXPECT_TRUE(parse_json(std::string(60, '[') + std::string(60, ']')).ok());
}

TEST(Json, WritesEscapedStrings) {
  std::string out;
  append_json_string(&out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(FromProto, CopiesEveryField) {
  remote_files::v1::RemoteFile wire;
  wire.set_remote_file_id("f1");
  wire.set_organization_id("org");
  wire.set_entity_id("r1");
  wire.set_entity_type(remote_files::v1::ENTITY_TYPE_ANNOTATION_LOG);
  wire.set_file_name("a.mp4");
  wire.set_file_mime_type("video/mp4");
  wire.set_file_content_encoding("gzip");
  wire.set_file_size(1234);
  wire.set_description("launch");
  wire.mutable_video_metadata()->set_width(640);
  wire.mutable_video_metadata()->set_height(480);
  wire.mutable_video_metadata()->set_duration_seconds(2.5f);
  wire.mutable_video_metadata()->mutable_timestamp()->set_seconds(100);
  wire.set_created_by_user_id("u1");
  wire.mutable_created_date()->set_seconds(1700000000);
  wire.mutable_created_date()->set_nanos(5);
  wire.mutable_modified_date()->set_seconds(1700000001);

  const RemoteFile file = from_proto(wire);
  EXPECT_EQ(file.remote_file_id, "f1");
  EXPECT_EQ(file.organization_id, "org");
  EXPECT_EQ(file.entity, Entity::annotation_log("r1"));
  EXPECT_EQ(file.file_name, "a.mp4");
  EXPECT_EQ(file.mime_type, "video/mp4");
  EXPECT_EQ(file.content_encoding, "gzip");
  EXPECT_EQ(file.file_size, 1234u);
  EXPECT_EQ(file.description, "launch");
  ASSERT_TRUE(std::holds_alternative<VideoMetadata>(file.metadata));
  const auto& video = std::get<VideoMetadata>(file.metadata);
  EXPECT_EQ(video.width, 640u);
  EXPECT_EQ(video.height, 480u);
  EXPECT_EQ(video.duration_seconds, 2.5f);
  EXPECT_EQ(video.timestamp, Timestamp(std::chrono::seconds(100)));
  EXPECT_EQ(file.created_by_user_id, "u1");
  EXPECT_EQ(file.created_date,
            Timestamp(std::chrono::seconds(1700000000) + std::chrono::nanoseconds(5)));
  EXPECT_EQ(file.modified_date, Timestamp(std::chrono::seconds(1700000001)));

  wire.clear_description();
  wire.mutable_image_metadata()->set_width(3);
  wire.mutable_image_metadata()->set_height(4);
  const RemoteFile image = from_proto(wire);
  EXPECT_FALSE(image.description.has_value());
  ASSERT_TRUE(std::holds_alternative<ImageMetadata>(image.metadata));
  EXPECT_EQ(std::get<ImageMetadata>(image.metadata).width, 3u);
  EXPECT_EQ(std::get<ImageMetadata>(image.metadata).height, 4u);

  wire.mutable_audio_metadata()->set_duration_seconds(1);
  EXPECT_TRUE(std::holds_alternative<AudioMetadata>(from_proto(wire).metadata));
  wire.clear_audio_metadata();
  EXPECT_TRUE(std::holds_alternative<std::monostate>(from_proto(wire).metadata));
  // Another kind of entity keeps its wire number.
  wire.set_entity_type(remote_files::v1::ENTITY_TYPE_ASSET);
  EXPECT_EQ(static_cast<int>(from_proto(wire).entity.entity_type), 3);
}

}  // namespace
}  // namespace internal
}  // namespace sift
