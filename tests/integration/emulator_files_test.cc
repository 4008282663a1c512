// The emulator's file endpoints through raw HTTP (cpp-httplib's client and a
// bare socket) and raw gRPC stubs: the REST upload endpoint, download URLs,
// RemoteFileService, annotation logs as attachment entities, fault injection,
// and files surviving stop()/start().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "sift/annotation_logs/v1/annotation_logs.grpc.pb.h"
#include "sift/annotations/v1/annotations.grpc.pb.h"
#include "sift/assets/v1/assets.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/remote_files/v1/remote_files.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace {

namespace files_pb = sift::remote_files::v1;
namespace logs_pb = sift::annotation_logs::v1;
namespace annotations_pb = sift::annotations::v1;
namespace fs = std::filesystem;

using sift::emulator::Emulator;
using sift::emulator::EmulatorOptions;
using sift::emulator::RemoteFileInfo;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kApiKey[] = "files-test-key";
constexpr char kUploadPath[] = "/api/v0/remote-files/upload";

// ---- the multipart form, built by hand so part order and part headers
// (Content-Encoding) are exactly what a test says

struct Part {
  std::string name;
  std::string value;
  std::optional<std::string> filename;
  std::string content_type;
  std::vector<std::string> extra_headers;  // "Name: value"
};

Part text(std::string name, std::string value) { return Part{std::move(name), std::move(value)}; }

Part file(std::string filename, std::string bytes, std::string content_type,
          std::vector<std::string> extra_headers = {}) {
  return Part{"file", std::move(bytes), std::move(filename), std::move(content_type),
              std::move(extra_headers)};
}

constexpr char kBoundary[] = "sift-test-boundary-7MA4YWxkTrZu0gW";

std::string form_body(const std::vector<Part>& parts) {
  std::string body;
  for (const Part& part : parts) {
    body += std::string("--") + kBoundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"" + part.name + "\"";
    if (part.filename.has_value()) body += "; filename=\"" + *part.filename + "\"";
    body += "\r\n";
    if (!part.content_type.empty()) body += "Content-Type: " + part.content_type + "\r\n";
    for (const std::string& header : part.extra_headers) body += header + "\r\n";
    body += "\r\n" + part.value + "\r\n";
  }
  body += std::string("--") + kBoundary + "--\r\n";
  return body;
}

std::string form_type() { return std::string("multipart/form-data; boundary=") + kBoundary; }

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
  return bytes;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---- a bare HTTP/1.1 exchange, for `Expect: 100-continue`

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }

  bool connected() const { return connected_; }
  void send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // Reads until `marker` has arrived (or the peer closes / 5 s pass).
  std::string read_until(const std::string& marker) {
    while (buffer_.find(marker) == std::string::npos) {
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    std::string out;
    out.swap(buffer_);
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

int port_of(const std::string& endpoint) {
  return std::atoi(endpoint.substr(endpoint.rfind(':') + 1).c_str());
}

// ---- fixture: an emulator with an API key and an HTTP listener, a run, an
// annotation and an annotation log to attach files to

class EmulatorFilesTest : public ::testing::Test {
 protected:
  static EmulatorOptions options(std::uint64_t max_file_size = std::uint64_t{1} << 30) {
    EmulatorOptions o;
    o.api_key = kApiKey;
    o.http_listen = "127.0.0.1:0";
    o.max_file_size = max_file_size;
    return o;
  }

  void SetUp() override { start(options()); }

  void start(EmulatorOptions o) {
    emulator_ = std::make_unique<Emulator>(std::move(o));
    ASSERT_TRUE(emulator_->start().ok());
    channel_ = emulator_->in_process_channel(kApiKey).grpc_channel();
    files_ = files_pb::RemoteFileService::NewStub(channel_);
    run_id_ = create_run("drive");
    annotation_id_ = create_annotation();
    annotation_log_id_ = create_annotation_log(annotation_id_);
  }

  std::string create_run(const std::string& name) {
    sift::runs::v2::CreateRunRequest request;
    request.set_name(name);
    sift::runs::v2::CreateRunResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(sift::runs::v2::RunService::NewStub(channel_)
                    ->CreateRun(&context, request, &response)
                    .ok());
    return response.run().run_id();
  }

  std::string create_annotation() {
    {
      sift::assets::v1::CreateAssetRequest request;
      request.set_name("rover");
      sift::assets::v1::CreateAssetResponse response;
      grpc::ClientContext context;
      EXPECT_TRUE(sift::assets::v1::AssetService::NewStub(channel_)
                      ->CreateAsset(&context, request, &response)
                      .ok());
    }
    annotations_pb::CreateAnnotationRequest request;
    request.set_name("wheel slip");
    request.add_assets("rover");
    *request.mutable_start_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(100);
    *request.mutable_end_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(200);
    annotations_pb::CreateAnnotationResponse response;
    grpc::ClientContext context;
    grpc::Status status = annotations_pb::AnnotationService::NewStub(channel_)->CreateAnnotation(
        &context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.annotation().annotation_id();
  }

  std::string create_annotation_log(const std::string& annotation_id) {
    logs_pb::CreateAnnotationLogRequest request;
    request.set_annotation_id(annotation_id);
    request.set_kind(logs_pb::ANNOTATION_LOG_KIND_COMMENT);
    logs_pb::AnnotationCommentBodyElement* element = request.mutable_comment()->add_body();
    element->set_type(logs_pb::ANNOTATION_COMMENT_BODY_ELEMENT_TYPE_TEXT);
    element->set_text("see the attached video");
    logs_pb::CreateAnnotationLogResponse response;
    grpc::ClientContext context;
    grpc::Status status = logs_pb::AnnotationLogService::NewStub(channel_)->CreateAnnotationLog(
        &context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.annotation_log().annotation_log_id();
  }

  std::unique_ptr<httplib::Client> client() {
    auto c = std::make_unique<httplib::Client>("http://" + emulator_->http_endpoint());
    c->set_read_timeout(10, 0);
    c->set_write_timeout(10, 0);
    return c;
  }

  httplib::Result upload(const std::vector<Part>& parts,
                         std::optional<std::string> key = std::string(kApiKey),
                         httplib::Client* on = nullptr) {
    httplib::Headers headers;
    if (key.has_value()) headers.emplace("Authorization", "Bearer " + *key);
    std::unique_ptr<httplib::Client> fresh;
    if (on == nullptr) {
      fresh = client();
      on = fresh.get();
    }
    return on->Post(kUploadPath, headers, form_body(parts), form_type().c_str());
  }

  // Uploads `bytes` as `name` to the entity; returns the new file's id.
  std::string upload_ok(const std::string& entity_id, const std::string& entity_type,
                        const std::string& name, const std::string& bytes,
                        const std::string& content_type, std::vector<Part> extra = {}) {
    std::vector<Part> parts = {text("entityId", entity_id), text("entityType", entity_type),
                               file(name, bytes, content_type)};
    for (Part& p : extra) parts.push_back(std::move(p));
    httplib::Result result = upload(parts);
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return std::string();
    EXPECT_EQ(result->status, 200) << result->body;
    return parse_upload_response(result->body).remote_file_id();
  }

  // The upload answer is proto JSON of a RemoteFile under `remoteFile`.
  static files_pb::RemoteFile parse_upload_response(const std::string& json) {
    files_pb::GetRemoteFileResponse response;
    const auto status = google::protobuf::util::JsonStringToMessage(json, &response);
    EXPECT_TRUE(status.ok()) << status.ToString() << ": " << json;
    return response.remote_file();
  }

  grpc::Status get_file(const std::string& id, files_pb::RemoteFile* out) {
    files_pb::GetRemoteFileRequest request;
    request.set_remote_file_id(id);
    files_pb::GetRemoteFileResponse response;
    grpc::ClientContext context;
    grpc::Status status = files_->GetRemoteFile(&context, request, &response);
    *out = response.remote_file();
    return status;
  }

  std::vector<files_pb::RemoteFile> list(const std::string& filter, std::uint32_t page_size = 0) {
    std::vector<files_pb::RemoteFile> out;
    std::string token;
    do {
      files_pb::ListRemoteFilesRequest request;
      request.set_filter(filter);
      request.set_page_size(page_size);
      request.set_page_token(token);
      files_pb::ListRemoteFilesResponse response;
      grpc::ClientContext context;
      grpc::Status status = files_->ListRemoteFiles(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      out.insert(out.end(), response.remote_files().begin(), response.remote_files().end());
      token = response.next_page_token();
    } while (!token.empty());
    return out;
  }

  std::string download_url(const std::string& id) {
    files_pb::GetRemoteFileDownloadUrlRequest request;
    request.set_remote_file_id(id);
    files_pb::GetRemoteFileDownloadUrlResponse response;
    grpc::ClientContext context;
    grpc::Status status = files_->GetRemoteFileDownloadUrl(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.download_url();
  }

  // The path and query of a download URL, checked to point at this emulator.
  std::string url_path(const std::string& url) {
    const std::string prefix = "http://" + emulator_->http_endpoint();
    EXPECT_EQ(url.substr(0, prefix.size()), prefix) << url;
    return url.substr(prefix.size());
  }

  grpc::Status batch_delete(const std::vector<std::string>& ids) {
    files_pb::BatchDeleteRemoteFilesRequest request;
    for (const std::string& id : ids) request.add_remote_file_ids(id);
    files_pb::BatchDeleteRemoteFilesResponse response;
    grpc::ClientContext context;
    return files_->BatchDeleteRemoteFiles(&context, request, &response);
  }

  std::unique_ptr<Emulator> emulator_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<files_pb::RemoteFileService::Stub> files_;
  std::string run_id_;
  std::string annotation_id_;
  std::string annotation_log_id_;
};

std::string entity_filter(const std::string& id, const std::string& type) {
  return "entity_id==\"" + id + "\" && entity_type==\"" + type + "\"";
}

TEST_F(EmulatorFilesTest, UploadGetListAndDownloadAMultiMebibyteFileByteForByte) {
  const std::string bytes = random_bytes(6 * 1024 * 1024 + 123, 1);
  httplib::Result result = upload({text("entityId", run_id_), text("entityType", "runs"),
                                   file("telemetry.bin", bytes, "application/octet-stream"),
                                   text("description", "engine run \"3\"")});
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  // Sift's REST gateway JSON: camelCase, uint64 as a string.
  EXPECT_THAT(result->body,
              AllOf(HasSubstr("{\"remoteFile\":{"), HasSubstr("\"remoteFileId\":"),
                    HasSubstr("\"entityId\":\"" + run_id_ + "\""),
                    HasSubstr("\"entityType\":\"ENTITY_TYPE_RUN\""),
                    HasSubstr("\"fileName\":\"telemetry.bin\""),
                    HasSubstr("\"fileMimeType\":\"application/octet-stream\""),
                    HasSubstr("\"fileContentEncoding\":\"\""),
                    HasSubstr("\"fileSize\":\"" + std::to_string(bytes.size()) + "\"")));
  const files_pb::RemoteFile answered = parse_upload_response(result->body);

  std::vector<RemoteFileInfo> stored = emulator_->remote_files();
  ASSERT_THAT(stored, SizeIs(1));
  const std::string id = stored[0].remote_file_id;
  EXPECT_EQ(answered.remote_file_id(), id);
  EXPECT_EQ(stored[0].entity_type, "runs");
  EXPECT_EQ(stored[0].size, bytes.size());
  EXPECT_EQ(read_file(stored[0].path), bytes);

  files_pb::RemoteFile remote;
  ASSERT_TRUE(get_file(id, &remote).ok());
  EXPECT_EQ(remote.remote_file_id(), id);
  EXPECT_EQ(remote.entity_id(), run_id_);
  EXPECT_EQ(remote.entity_type(), files_pb::ENTITY_TYPE_RUN);
  EXPECT_EQ(remote.file_name(), "telemetry.bin");
  EXPECT_EQ(remote.file_mime_type(), "application/octet-stream");
  EXPECT_EQ(remote.file_content_encoding(), "");
  EXPECT_EQ(remote.file_size(), bytes.size());
  EXPECT_EQ(remote.description(), "engine run \"3\"");
  EXPECT_FALSE(remote.organization_id().empty());
  EXPECT_FALSE(remote.created_by_user_id().empty());
  EXPECT_TRUE(remote.has_created_date());
  EXPECT_EQ(remote.metadata_case(), files_pb::RemoteFile::METADATA_NOT_SET);
  EXPECT_EQ(remote.SerializeAsString(), answered.SerializeAsString());

  std::vector<files_pb::RemoteFile> listed = list(entity_filter(run_id_, "runs"));
  ASSERT_THAT(listed, SizeIs(1));
  EXPECT_EQ(listed[0].remote_file_id(), id);

  const std::string url = download_url(id);
  httplib::Result got = client()->Get(url_path(url).c_str());
  ASSERT_TRUE(got) << httplib::to_string(got.error());
  ASSERT_EQ(got->status, 200);
  EXPECT_EQ(got->get_header_value("Content-Length"), std::to_string(bytes.size()));
  EXPECT_TRUE(got->body == bytes) << "downloaded " << got->body.size() << " bytes";
}

TEST_F(EmulatorFilesTest, FilesAttachToRunsAnnotationsAndAnnotationLogsAndListPerEntity) {
  const std::string on_run = upload_ok(run_id_, "runs", "a.txt", "run file", "text/plain");
  const std::string on_annotation =
      upload_ok(annotation_id_, "annotations", "b.txt", "annotation file", "text/plain");
  const std::string on_log =
      upload_ok(annotation_log_id_, "annotation_logs", "c.mp4", "video", "video/mp4");
  const std::string second_on_run = upload_ok(run_id_, "runs", "d.txt", "again", "text/plain");

  auto ids = [](const std::vector<files_pb::RemoteFile>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(f.remote_file_id());
    return out;
  };
  // Newest first, as Sift lists.
  EXPECT_THAT(ids(list(entity_filter(run_id_, "runs"))), ElementsAre(second_on_run, on_run));
  EXPECT_THAT(ids(list(entity_filter(annotation_id_, "annotations"))), ElementsAre(on_annotation));
  EXPECT_THAT(ids(list(entity_filter(annotation_log_id_, "annotation_logs"))), ElementsAre(on_log));
  // The same id under another type is another entity.
  EXPECT_THAT(list(entity_filter(run_id_, "annotations")), IsEmpty());
  // The enum's names work too, and so do ids and names.
  EXPECT_THAT(ids(list("entity_type == 'ENTITY_TYPE_ANNOTATION_LOG'")), ElementsAre(on_log));
  EXPECT_THAT(ids(list("file_name == \"b.txt\"")), ElementsAre(on_annotation));
  EXPECT_THAT(ids(list("remote_file_id == \"" + on_run + "\"")), ElementsAre(on_run));
  // Paging.
  EXPECT_THAT(ids(list("", 1)), ElementsAre(second_on_run, on_log, on_annotation, on_run));

  files_pb::RemoteFile remote;
  ASSERT_TRUE(get_file(on_log, &remote).ok());
  EXPECT_EQ(remote.entity_type(), files_pb::ENTITY_TYPE_ANNOTATION_LOG);
  EXPECT_EQ(remote.entity_id(), annotation_log_id_);
  EXPECT_EQ(remote.remote_file_type(), files_pb::REMOTE_FILE_TYPE_VIDEO);

  files_pb::ListRemoteFilesRequest request;
  request.set_filter("entity == 'x'");
  files_pb::ListRemoteFilesResponse response;
  grpc::ClientContext context;
  grpc::Status status = files_->ListRemoteFiles(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("entity"));
}

TEST_F(EmulatorFilesTest, MetadataAndContentEncodingAreStored) {
  const std::string image = upload_ok(run_id_, "runs", "frame.png", "png bytes", "image/png",
                                      {text("metadata", R"({"height": 480, "width": 640})")});
  const std::string video =
      upload_ok(run_id_, "runs", "clip.mp4", "mp4 bytes", "video/mp4",
                {text("metadata", R"({"height": 1080, "width": 1920, "duration_seconds": 12.5,)"
                                  R"( "timestamp": "2024-05-01T12:00:00Z"})")});
  const std::string video_without_time =
      upload_ok(run_id_, "runs", "clip2.mp4", "mp4 bytes", "video/mp4",
                {text("metadata", R"({"height": 1, "width": 2, "duration_seconds": 3,)"
                                  R"( "timestamp": null})")});
  const std::string audio = upload_ok(run_id_, "runs", "voice.wav", "wav", "audio/wav",
                                      {text("metadata", R"({"duration_seconds": 4.25})")});

  httplib::Result gz =
      upload({text("entityId", run_id_), text("entityType", "runs"),
              file("log.csv.gz", "gzip bytes", "text/csv", {"Content-Encoding: gzip"})});
  ASSERT_TRUE(gz);
  ASSERT_EQ(gz->status, 200) << gz->body;

  files_pb::RemoteFile remote;
  ASSERT_TRUE(get_file(image, &remote).ok());
  ASSERT_TRUE(remote.has_image_metadata());
  EXPECT_EQ(remote.image_metadata().height(), 480u);
  EXPECT_EQ(remote.image_metadata().width(), 640u);
  EXPECT_EQ(remote.remote_file_type(), files_pb::REMOTE_FILE_TYPE_IMAGE);

  ASSERT_TRUE(get_file(video, &remote).ok());
  ASSERT_TRUE(remote.has_video_metadata());
  EXPECT_EQ(remote.video_metadata().width(), 1920u);
  EXPECT_FLOAT_EQ(remote.video_metadata().duration_seconds(), 12.5f);
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(remote.video_metadata().timestamp()),
            "2024-05-01T12:00:00Z");

  ASSERT_TRUE(get_file(video_without_time, &remote).ok());
  ASSERT_TRUE(remote.has_video_metadata());
  EXPECT_FALSE(remote.video_metadata().has_timestamp());

  ASSERT_TRUE(get_file(audio, &remote).ok());
  ASSERT_TRUE(remote.has_audio_metadata());
  EXPECT_FLOAT_EQ(remote.audio_metadata().duration_seconds(), 4.25f);

  std::vector<files_pb::RemoteFile> named = list("file_name == 'log.csv.gz'");
  ASSERT_THAT(named, SizeIs(1));
  EXPECT_EQ(named[0].file_content_encoding(), "gzip");
  EXPECT_EQ(named[0].file_mime_type(), "text/csv");

  // Metadata that does not fit the file's type is refused, naming the part.
  httplib::Result bad =
      upload({text("entityId", run_id_), text("entityType", "runs"),
              file("frame2.png", "png", "image/png"), text("metadata", R"({"height": "tall"})")});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("metadata"));
  bad = upload({text("entityId", run_id_), text("entityType", "runs"),
                file("frame3.png", "png", "image/png"), text("metadata", "[1, 2]")});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(EmulatorFilesTest, HttplibsOwnMultipartEncoderIsUnderstood) {
  httplib::MultipartFormDataItems items = {
      {"entityId", run_id_, "", ""},
      {"entityType", "runs", "", ""},
      {"file", std::string("a\r\n--not-a-boundary\r\n\0b", 24), "tricky.bin",
       "application/octet-stream"},
  };
  httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kApiKey}};
  httplib::Result result = client()->Post(kUploadPath, headers, items);
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  ASSERT_EQ(result->status, 200) << result->body;
  std::vector<RemoteFileInfo> stored = emulator_->remote_files();
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_EQ(read_file(stored[0].path), std::string("a\r\n--not-a-boundary\r\n\0b", 24));
  EXPECT_EQ(stored[0].file_name, "tricky.bin");
}

TEST_F(EmulatorFilesTest, UploadNeedsTheApiKeyAndNeverEchoesAWrongOne) {
  const std::vector<Part> parts = {text("entityId", run_id_), text("entityType", "runs"),
                                   file("a.txt", "x", "text/plain")};
  httplib::Result none = upload(parts, std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_THAT(none->body, HasSubstr("Authorization"));
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");

  httplib::Result wrong = upload(parts, std::string("super-secret-wrong-key"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, AllOf(HasSubstr("invalid API key"), Not(HasSubstr("super-secret"))));
  EXPECT_THAT(emulator_->remote_files(), IsEmpty());

  // RemoteFileService checks the key like every gRPC service.
  auto keyless =
      files_pb::RemoteFileService::NewStub(emulator_->in_process_channel().grpc_channel());
  files_pb::ListRemoteFilesResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(keyless->ListRemoteFiles(&context, {}, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(EmulatorFilesTest, BadFormsAndUnknownEntitiesAreRefusedNamingTheProblem) {
  struct Case {
    std::vector<Part> parts;
    int status;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {{text("entityId", "no-such-run"), text("entityType", "runs"),
        file("a.txt", "x", "text/plain")},
       404,
       "run 'no-such-run' not found"},
      {{text("entityId", "no-such"), text("entityType", "annotations"),
        file("a.txt", "x", "text/plain")},
       404,
       "annotation 'no-such' not found"},
      {{text("entityId", "no-such"), text("entityType", "annotation_logs"),
        file("a.txt", "x", "text/plain")},
       404,
       "annotation log 'no-such' not found"},
      // The entity after the file is checked too.
      {{file("a.txt", "x", "text/plain"), text("entityId", "late"), text("entityType", "runs")},
       404,
       "run 'late' not found"},
      {{text("entityId", run_id_), text("entityType", "ENTITY_TYPE_RUN"),
        file("a.txt", "x", "text/plain")},
       400,
       "entityType 'ENTITY_TYPE_RUN'"},
      {{text("entityType", "runs"), file("a.txt", "x", "text/plain")}, 400, "'entityId'"},
      {{text("entityId", run_id_), file("a.txt", "x", "text/plain")}, 400, "'entityType'"},
      {{text("entityId", run_id_), text("entityType", "runs")}, 400, "'file'"},
      {{text("entityId", run_id_), text("entityType", "runs"), file("", "x", "text/plain")},
       400,
       "no filename"},
      {{text("entityId", run_id_), text("entityType", "runs"), file("a.txt", "x", "text/plain"),
        text("entity_id", "x")},
       400,
       "unknown form part 'entity_id'"},
      {{text("entityId", run_id_), text("entityId", run_id_), text("entityType", "runs"),
        file("a.txt", "x", "text/plain")},
       400,
       "'entityId' appears twice"},
  };
  for (const Case& c : cases) {
    httplib::Result result = upload(c.parts);
    ASSERT_TRUE(result) << c.fragment;
    EXPECT_EQ(result->status, c.status) << c.fragment << ": " << result->body;
    EXPECT_THAT(result->body, HasSubstr(c.fragment));
    EXPECT_THAT(result->body, HasSubstr("\"code\""));
  }

  // Not a form at all, and a form cut short.
  httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kApiKey}};
  httplib::Result not_form = client()->Post(kUploadPath, headers, "{}", "application/json");
  ASSERT_TRUE(not_form);
  EXPECT_EQ(not_form->status, 400);
  EXPECT_THAT(not_form->body, HasSubstr("multipart/form-data"));
  std::string truncated = form_body(
      {text("entityId", run_id_), text("entityType", "runs"), file("a.txt", "xyz", "text/plain")});
  truncated.resize(truncated.size() - 10);
  httplib::Result cut = client()->Post(kUploadPath, headers, truncated, form_type().c_str());
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->status, 400);
  EXPECT_THAT(cut->body, HasSubstr("closing boundary"));

  // Nothing was stored, and no bytes were left behind.
  EXPECT_THAT(emulator_->remote_files(), IsEmpty());
}

TEST_F(EmulatorFilesTest, DownloadUrlsNeedTheirTokenAndUnknownRoutesAnswerJson) {
  const std::string id = upload_ok(run_id_, "runs", "a.txt", "hello", "text/plain");
  const std::string path = url_path(download_url(id));
  ASSERT_THAT(path, HasSubstr("?token="));
  const std::string bare = path.substr(0, path.find('?'));
  EXPECT_EQ(bare, "/files/" + id);

  httplib::Result missing = client()->Get(bare.c_str());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  httplib::Result wrong = client()->Get((bare + "?token=0123456789abcdef").c_str());
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  EXPECT_THAT(wrong->body, HasSubstr("token"));
  httplib::Result right = client()->Get(path.c_str());
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(right->body, "hello");
  EXPECT_EQ(right->get_header_value("Content-Type"), "text/plain");
  // As uploaded: no compression on the way, even for text a client would
  // accept compressed.
  EXPECT_EQ(right->get_header_value("Content-Length"), "5");
  EXPECT_FALSE(right->has_header("Content-Encoding"));
  httplib::Result compressed =
      client()->Get(path.c_str(), httplib::Headers{{"Accept-Encoding", "gzip, br"}});
  ASSERT_TRUE(compressed);
  EXPECT_FALSE(compressed->has_header("Content-Encoding"));
  EXPECT_EQ(compressed->body, "hello");

  httplib::Result nowhere = client()->Get("/api/v0/nothing");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_THAT(nowhere->body, HasSubstr("no route GET /api/v0/nothing"));
}

TEST_F(EmulatorFilesTest, BatchDeleteIsAllOrNothingAndRemovesTheBytes) {
  const std::string a = upload_ok(run_id_, "runs", "a.txt", "a", "text/plain");
  const std::string b = upload_ok(run_id_, "runs", "b.txt", "b", "text/plain");
  const std::string c = upload_ok(annotation_id_, "annotations", "c.txt", "c", "text/plain");
  std::vector<RemoteFileInfo> stored = emulator_->remote_files();
  ASSERT_THAT(stored, SizeIs(3));
  const std::string url_a = url_path(download_url(a));

  grpc::Status status = batch_delete({a, "ghost-1", b, "ghost-2"});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("ghost-1"), HasSubstr("ghost-2"),
                                            Not(HasSubstr(a)), HasSubstr("nothing was deleted")));
  EXPECT_THAT(emulator_->remote_files(), SizeIs(3));

  ASSERT_TRUE(batch_delete({a, b}).ok());
  EXPECT_THAT(list(entity_filter(run_id_, "runs")), IsEmpty());
  ASSERT_THAT(emulator_->remote_files(), SizeIs(1));
  EXPECT_EQ(emulator_->remote_files()[0].remote_file_id, c);
  EXPECT_FALSE(fs::exists(stored[0].path));
  EXPECT_FALSE(fs::exists(stored[1].path));
  EXPECT_TRUE(fs::exists(stored[2].path));

  files_pb::RemoteFile remote;
  status = get_file(a, &remote);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr(a));
  httplib::Result gone = client()->Get(url_a.c_str());
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);

  files_pb::DeleteRemoteFileRequest request;
  request.set_remote_file_id(c);
  files_pb::DeleteRemoteFileResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(files_->DeleteRemoteFile(&context, request, &response).ok());
  EXPECT_THAT(emulator_->remote_files(), IsEmpty());
  EXPECT_FALSE(fs::exists(stored[2].path));
}

TEST_F(EmulatorFilesTest, TooLargeUploadsAreRefusedNamingTheLimit) {
  start(options(1024));
  // One keep-alive connection for all three requests: each refused body is
  // read to its end, so the next request on it is understood.
  std::unique_ptr<httplib::Client> connection = client();
  connection->set_keep_alive(true);
  for (std::size_t size : {std::size_t{1025}, std::size_t{8} << 20}) {
    httplib::Result big =
        upload({text("entityId", run_id_), text("entityType", "runs"),
                file("big.bin", std::string(size, 'x'), "application/octet-stream")},
               std::string(kApiKey), connection.get());
    ASSERT_TRUE(big) << httplib::to_string(big.error());
    EXPECT_EQ(big->status, 413);
    EXPECT_THAT(big->body, HasSubstr("upload limit of 1024 bytes"));
  }
  EXPECT_THAT(emulator_->remote_files(), IsEmpty());
  httplib::Result fits = upload({text("entityId", run_id_), text("entityType", "runs"),
                                 file("fits.bin", std::string(1024, 'y'), "text/plain")},
                                std::string(kApiKey), connection.get());
  ASSERT_TRUE(fits) << httplib::to_string(fits.error());
  EXPECT_EQ(fits->status, 200) << fits->body;
  ASSERT_THAT(emulator_->remote_files(), SizeIs(1));
  // Exactly one file in the data directory: the refused one left nothing.
  const fs::path dir = fs::path(emulator_->remote_files()[0].path).parent_path();
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(EmulatorFilesTest, ExpectContinueIsAnsweredBeforeTheBody) {
  start(options(1024));
  const int port = port_of(emulator_->http_endpoint());
  auto headers = [&](const std::string& key, std::uint64_t length) {
    return std::string("POST ") + kUploadPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           "Authorization: Bearer " + key + "\r\nContent-Type: " + form_type() +
           "\r\nContent-Length: " + std::to_string(length) + "\r\nExpect: 100-continue\r\n\r\n";
  };
  {
    RawConnection connection(port);
    ASSERT_TRUE(connection.connected());
    connection.send(headers("wrong", 100));
    EXPECT_THAT(connection.read_until("}"),
                AllOf(HasSubstr("HTTP/1.1 401"), Not(HasSubstr("100 Continue"))));
  }
  {
    RawConnection connection(port);
    connection.send(headers(kApiKey, 1 << 30));
    EXPECT_THAT(connection.read_until("}"), AllOf(HasSubstr("HTTP/1.1 413"), HasSubstr("1024")));
  }
  {
    emulator_->fail_next_http_requests(1, 503);
    RawConnection connection(port);
    connection.send(headers(kApiKey, 100));
    EXPECT_THAT(connection.read_until("}"), HasSubstr("HTTP/1.1 503"));
  }
  {
    const std::string body = form_body({text("entityId", run_id_), text("entityType", "runs"),
                                        file("a.txt", "continued", "text/plain")});
    RawConnection connection(port);
    connection.send(headers(kApiKey, body.size()));
    EXPECT_THAT(connection.read_until("\r\n\r\n"), HasSubstr("HTTP/1.1 100 Continue"));
    connection.send(body);
    EXPECT_THAT(connection.read_until("}}"),
                AllOf(HasSubstr("HTTP/1.1 200"), HasSubstr("remoteFileId")));
  }
  ASSERT_THAT(emulator_->remote_files(), SizeIs(1));
  EXPECT_EQ(read_file(emulator_->remote_files()[0].path), "continued");
}

TEST_F(EmulatorFilesTest, FailNextHttpRequestsAnswersAnyRouteWithTheStatus) {
  const std::string id = upload_ok(run_id_, "runs", "a.txt", "abc", "text/plain");
  const std::string path = url_path(download_url(id));
  emulator_->fail_next_http_requests(3, 503);

  httplib::Result first = upload({text("entityId", run_id_), text("entityType", "runs"),
                                  file("b.txt", std::string(300000, 'b'), "text/plain")});
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  EXPECT_EQ(first->status, 503);
  EXPECT_THAT(first->body, HasSubstr("injected"));
  httplib::Result second = client()->Get(path.c_str());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  httplib::Result third = client()->Get("/anything");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  // The failures did nothing: one file, and the next requests work.
  EXPECT_THAT(emulator_->remote_files(), SizeIs(1));
  httplib::Result fourth = client()->Get(path.c_str());
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->status, 200);
  EXPECT_EQ(fourth->body, "abc");

  emulator_->fail_next_http_requests(1, 500);
  httplib::Result upload_500 = upload(
      {text("entityId", run_id_), text("entityType", "runs"), file("c.txt", "c", "text/plain")});
  ASSERT_TRUE(upload_500);
  EXPECT_EQ(upload_500->status, 500);
  EXPECT_NE(upload_ok(run_id_, "runs", "c.txt", "c", "text/plain"), "");
}

TEST_F(EmulatorFilesTest, CutDownloadSendsTheFullLengthThenDropsTheConnection) {
  const std::string bytes = random_bytes(3 * 1024 * 1024, 2);
  const std::string id = upload_ok(run_id_, "runs", "big.bin", bytes, "application/octet-stream");
  const std::string path = url_path(download_url(id));
  emulator_->cut_next_download_after(100000);

  std::string content_length;
  std::string received;
  httplib::Result cut = client()->Get(
      path.c_str(),
      [&](const httplib::Response& response) {
        content_length = response.get_header_value("Content-Length");
        return true;
      },
      [&](const char* data, std::size_t size) {
        received.append(data, size);
        return true;
      });
  EXPECT_FALSE(cut);  // the body ended before its Content-Length
  EXPECT_EQ(content_length, std::to_string(bytes.size()));
  EXPECT_EQ(received.size(), 100000u);
  EXPECT_TRUE(received == bytes.substr(0, 100000));

  // Only the next download is cut.
  httplib::Result whole = client()->Get(path.c_str());
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body == bytes);
}

TEST_F(EmulatorFilesTest, StopRefusesHttpAndStartServesTheSameFilesOnTheSamePort) {
  const std::string bytes = random_bytes(2 * 1024 * 1024, 3);
  const std::string id = upload_ok(run_id_, "runs", "keep.bin", bytes, "application/octet-stream");
  const std::string endpoint = emulator_->http_endpoint();
  const std::string path = url_path(download_url(id));

  // An idle keep-alive connection holds stop() back briefly, not for long.
  std::unique_ptr<httplib::Client> idle = client();
  idle->set_keep_alive(true);
  ASSERT_TRUE(idle->Get(path.c_str()));
  const auto stopping = std::chrono::steady_clock::now();
  emulator_->stop();
  // About 1 s (the keep-alive poll); generous for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(10));
  httplib::Client stopped("http://" + endpoint);
  stopped.set_connection_timeout(2, 0);
  httplib::Result refused = stopped.Get(path.c_str());
  EXPECT_FALSE(refused);

  ASSERT_TRUE(emulator_->start().ok());
  EXPECT_EQ(emulator_->http_endpoint(), endpoint);
  httplib::Result again = client()->Get(path.c_str());
  ASSERT_TRUE(again) << httplib::to_string(again.error());
  EXPECT_EQ(again->status, 200);
  EXPECT_TRUE(again->body == bytes);
  files_pb::RemoteFile remote;
  EXPECT_TRUE(get_file(id, &remote).ok());
  EXPECT_NE(upload_ok(run_id_, "runs", "after.txt", "after", "text/plain"), "");
}

TEST_F(EmulatorFilesTest, TemporaryDataDirectoryGoesWithTheEmulatorAGivenOneStays) {
  upload_ok(run_id_, "runs", "a.txt", "temporary", "text/plain");
  const fs::path temporary = fs::path(emulator_->remote_files()[0].path).parent_path();
  EXPECT_TRUE(fs::is_directory(temporary));
  emulator_.reset();
  EXPECT_FALSE(fs::exists(temporary));

  char pattern[] = "/tmp/sift-files-test-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path given = fs::path(pattern) / "nested" / "data";
  EmulatorOptions o = options();
  o.data_dir = given.string();
  start(o);
  const std::string id = upload_ok(run_id_, "runs", "b.txt", "kept", "text/plain");
  const std::string stored = emulator_->remote_files()[0].path;
  EXPECT_EQ(fs::path(stored).parent_path(), given);
  emulator_.reset();
  EXPECT_EQ(read_file(stored), "kept");
  fs::remove_all(pattern);
}

TEST_F(EmulatorFilesTest, AnHttpPortInUseFailsStartNamingIt) {
  EmulatorOptions o = options();
  o.http_listen = emulator_->http_endpoint();
  Emulator second(o);
  absl::Status status = second.start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("HTTP on " + emulator_->http_endpoint()));
  EXPECT_FALSE(second.running());

  o.http_listen = "no-port";
  Emulator third(o);
  EXPECT_EQ(third.start().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EmulatorFilesTest, RemoteFileServiceEdges) {
  files_pb::RemoteFile remote;
  grpc::Status status = get_file("nope", &remote);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("remote file 'nope' not found"));

  {
    files_pb::CreateRemoteFileRequest request;
    files_pb::CreateRemoteFileResponse response;
    grpc::ClientContext context;
    status = files_->CreateRemoteFile(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_THAT(status.error_message(),
                AllOf(HasSubstr("CreateRemoteFile"), HasSubstr("/api/v0/remote-files/upload")));
  }
  {
    files_pb::GetRemoteFileDownloadUrlRequest request;
    request.set_remote_file_id("nope");
    files_pb::GetRemoteFileDownloadUrlResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(files_->GetRemoteFileDownloadUrl(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }

  // Without an HTTP listener there is nothing to download from (and nothing
  // uploaded), but the service answers.
  EmulatorOptions no_http;
  no_http.api_key = kApiKey;
  Emulator plain(no_http);
  ASSERT_TRUE(plain.start().ok());
  EXPECT_EQ(plain.http_endpoint(), "");
  auto stub =
      files_pb::RemoteFileService::NewStub(plain.in_process_channel(kApiKey).grpc_channel());
  files_pb::ListRemoteFilesResponse listed;
  grpc::ClientContext list_context;
  EXPECT_TRUE(stub->ListRemoteFiles(&list_context, {}, &listed).ok());
  EXPECT_THAT(listed.remote_files(), IsEmpty());
}

TEST_F(EmulatorFilesTest, AnnotationLogsAreCreatedAndListedPerAnnotation) {
  // A second entry, an assignment, on the same annotation; one on another.
  logs_pb::CreateAnnotationLogRequest request;
  request.set_annotation_id(annotation_id_);
  request.set_kind(logs_pb::ANNOTATION_LOG_KIND_STATE_UPDATE);
  request.mutable_state_update()->set_state(logs_pb::ANNOTATION_LOG_STATE_RESOLVED);
  logs_pb::CreateAnnotationLogResponse created;
  auto stub = logs_pb::AnnotationLogService::NewStub(channel_);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->CreateAnnotationLog(&context, request, &created).ok());
  }
  // The oneof member arrives under its result number (9, not 4).
  EXPECT_EQ(created.annotation_log().properties_case(),
            logs_pb::AnnotationLogSearchResult::kStateUpdate);
  EXPECT_EQ(created.annotation_log().state_update().state(),
            logs_pb::ANNOTATION_LOG_STATE_RESOLVED);
  EXPECT_EQ(created.annotation_log().created_by_user_name(), "sift-emulator");

  {
    logs_pb::ListAnnotationLogsRequest list_request;
    list_request.set_annotation_id(annotation_id_);
    logs_pb::ListAnnotationLogsResponse listed;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->ListAnnotationLogs(&context, list_request, &listed).ok());
    ASSERT_THAT(listed.annotation_logs(), SizeIs(2));
    EXPECT_EQ(listed.annotation_logs(0).annotation_log_id(), annotation_log_id_);
    EXPECT_EQ(listed.annotation_logs(0).comment().body(0).text(), "see the attached video");
    EXPECT_EQ(listed.annotation_logs(1).kind(), logs_pb::ANNOTATION_LOG_KIND_STATE_UPDATE);
  }
  {
    logs_pb::ListAnnotationLogsRequest list_request;
    list_request.set_filter("kind == 'ANNOTATION_LOG_KIND_COMMENT'");
    logs_pb::ListAnnotationLogsResponse listed;
    grpc::ClientContext context;
    ASSERT_TRUE(stub->ListAnnotationLogs(&context, list_request, &listed).ok());
    ASSERT_THAT(listed.annotation_logs(), SizeIs(1));
  }
  {
    // A kind without its properties, and an unknown annotation.
    logs_pb::CreateAnnotationLogRequest bad;
    bad.set_annotation_id(annotation_id_);
    bad.set_kind(logs_pb::ANNOTATION_LOG_KIND_ASSIGNED);
    bad.mutable_comment();
    grpc::ClientContext context;
    grpc::Status status = stub->CreateAnnotationLog(&context, bad, &created);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("ANNOTATION_LOG_KIND_ASSIGNED"));
  }
  {
    logs_pb::CreateAnnotationLogRequest bad = request;
    bad.set_annotation_id("no-such-annotation");
    grpc::ClientContext context;
    grpc::Status status = stub->CreateAnnotationLog(&context, bad, &created);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(status.error_message(), HasSubstr("no-such-annotation"));
  }
}

}  // namespace
