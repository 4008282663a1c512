// FileAttachmentService against a real emulator: gRPC over 127.0.0.1 TCP and
// its HTTP listener for the REST upload and the download URLs (spec 9, issue
// 7). Entities are made with the raw RunService / AnnotationService /
// AnnotationLogService stubs; what is stored is checked with the emulator's
// own inspection calls, not only through the client under test.
#include "sift/file_attachment/service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/engine_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sift/annotation_logs/v1/annotation_logs.grpc.pb.h"
#include "sift/annotations/v1/annotations.grpc.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace sift {
namespace {

namespace fs = std::filesystem;
namespace annotation_logs_pb = sift::annotation_logs::v1;
namespace annotations_pb = sift::annotations::v1;
namespace runs_pb = sift::runs::v2;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kApiKey[] = "sk-attachments-0123456789abcdef";
constexpr char kTag[] = "attachments";

std::string random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const std::uint64_t word = random();
    for (std::size_t j = 0; j < 8 && i + j < size; ++j) {
      out[i + j] = static_cast<char>((word >> (8 * j)) & 0xFF);
    }
  }
  return out;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> directory_entries(const fs::path& directory) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> file_names(const std::vector<RemoteFile>& files) {
  std::vector<std::string> names;
  for (const RemoteFile& file : files) names.push_back(file.file_name);
  return names;
}

google::protobuf::Timestamp proto_time(std::int64_t seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  return ts;
}

// A loopback TCP socket bound to a free port (not listening: connections
// to it are refused until listen()).
class LoopbackSocket {
 public:
  LoopbackSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  int fd() const { return fd_; }
  int port() const { return port_; }  // 0 when binding failed
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A server that echoes what it was sent: every request is read to the end
// and answered with `status` and a JSON message quoting the request's
// Authorization header, as a careless proxy might.
class EchoServer {
 public:
  explicit EchoServer(int status) : status_(status) {
    if (socket_.port() == 0 || ::listen(socket_.fd(), 8) != 0) return;
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoServer() {
    ::shutdown(socket_.fd(), SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
  }

  std::string url() const { return socket_.url(); }
  int requests() const { return requests_.load(); }
  // The last request as received: head, blank line, body.
  std::string last_request() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

 private:
  void serve() {
    while (true) {
      const int connection = ::accept(socket_.fd(), nullptr, nullptr);
      if (connection < 0) return;
      answer(connection);
      ::close(connection);
    }
  }

  static std::string header(const std::string& head, const std::string& name) {
    std::string lower_head = head;
    std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::size_t at = lower_head.find("\r\n" + name + ":");
    if (at == std::string::npos) return "";
    const std::size_t start = at + 2 + name.size() + 1;
    const std::size_t end = head.find("\r\n", start);
    std::string value = head.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }

  void answer(int connection) {
    std::string request;
    char buffer[65536];
    std::size_t head_end;
    while ((head_end = request.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string head = request.substr(0, head_end);
    std::uint64_t body_left = std::strtoull(header(head, "content-length").c_str(), nullptr, 10);
    const std::uint64_t have = request.size() - head_end - 4;
    body_left = body_left > have ? body_left - have : 0;
    while (body_left > 0) {
      const ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
      body_left -= std::min<std::uint64_t>(body_left, static_cast<std::uint64_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_request_ = request;
    }
    ++requests_;
    const std::string body = absl::StrCat(R"({"message": "rejected Authorization: )",
                                          header(head, "authorization"), R"("})");
    const std::string response =
        absl::StrCat("HTTP/1.1 ", status_, " Echo\r\nContent-Type: application/json\r\n",
                     "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
    std::size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n =
          ::send(connection, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  const int status_;
  LoopbackSocket socket_;
  std::thread thread_;
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::string last_request_;
};

class FileAttachmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::EmulatorOptions options;
    options.api_key = kApiKey;
    options.http_listen = "127.0.0.1:0";
    options.tags = {kTag};
    emu_ = std::make_unique<emulator::Emulator>(options);
    ASSERT_TRUE(emu_->start().ok());
    ASSERT_FALSE(emu_->http_endpoint().empty());
    ASSERT_FALSE(dir_.path().empty());
    raw_ = emu_->in_process_channel(kApiKey).grpc_channel();
  }

  SiftChannelConfig channel_config(std::string apikey = kApiKey) const {
    SiftChannelConfig config;
    config.uri = emu_->endpoint();
    config.apikey = std::move(apikey);
    config.use_ssl = false;
    return config;
  }

  // Retries wait milliseconds, not sift_py's seconds.
  FileAttachmentServiceOptions fast_options() const {
    FileAttachmentServiceOptions options;
    options.rest_uri = "http://" + emu_->http_endpoint();
    options.retry.backoff_factor = std::chrono::milliseconds(2);
    options.connect_timeout = std::chrono::seconds(5);
    options.timeout = std::chrono::seconds(60);
    return options;
  }

  FileAttachmentService service(std::string apikey = kApiKey) const {
    absl::StatusOr<FileAttachmentService> created =
        FileAttachmentService::create(channel_config(std::move(apikey)), fast_options());
    EXPECT_TRUE(created.ok()) << created.status();
    return *std::move(created);
  }

  std::string create_run(const std::string& name) {
    auto stub = runs_pb::RunService::NewStub(raw_);
    runs_pb::CreateRunRequest request;
    request.set_name(name);
    runs_pb::CreateRunResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub->CreateRun(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.run().run_id();
  }

  std::string create_annotation(const std::string& name) {
    auto stub = annotations_pb::AnnotationService::NewStub(raw_);
    annotations_pb::CreateAnnotationRequest request;
    request.set_name(name);
    *request.mutable_start_time() = proto_time(1'700'000'000);
    *request.mutable_end_time() = proto_time(1'700'000'010);
    request.add_tags(kTag);
    annotations_pb::CreateAnnotationResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub->CreateAnnotation(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.annotation().annotation_id();
  }

  std::string create_annotation_log(const std::string& annotation_id) {
    auto stub = annotation_logs_pb::AnnotationLogService::NewStub(raw_);
    annotation_logs_pb::CreateAnnotationLogRequest request;
    request.set_annotation_id(annotation_id);
    request.set_kind(annotation_logs_pb::ANNOTATION_LOG_KIND_COMMENT);
    annotation_logs_pb::AnnotationCommentBodyElement* text = request.mutable_comment()->add_body();
    text->set_type(annotation_logs_pb::ANNOTATION_COMMENT_BODY_ELEMENT_TYPE_TEXT);
    text->set_text("see the attached plot");
    annotation_logs_pb::CreateAnnotationLogResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub->CreateAnnotationLog(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.annotation_log().annotation_log_id();
  }

  fs::path root() const { return fs::path(dir_.path()); }

  fs::path make_file(const std::string& name, const std::string& bytes) {
    const fs::path path = root() / "in" / name;
    fs::create_directories(path.parent_path());
    write_file(path, bytes);
    return path;
  }

  fs::path out_dir(const std::string& name) {
    const fs::path path = root() / name;
    fs::create_directories(path);
    return path;
  }

  testing_util::TempDir dir_{"sift-attachments"};
  std::unique_ptr<emulator::Emulator> emu_;
  std::shared_ptr<grpc::Channel> raw_;
};

TEST_F(FileAttachmentServiceTest, MultiMebibyteRoundTripIsByteIdentical) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("hot-fire-7");
  const std::string bytes = random_bytes(5 * 1024 * 1024 + 123, 7);
  const fs::path path = make_file("telemetry.bin", bytes);

  std::vector<std::pair<std::uint64_t, std::uint64_t>> upload_progress;
  UploadOptions upload;
  upload.progress = [&](std::uint64_t done, std::uint64_t total) {
    upload_progress.emplace_back(done, total);
  };
  absl::StatusOr<RemoteFile> uploaded =
      files.upload_attachment(path, Entity::run(run_id), {}, "raw frames", upload);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  EXPECT_FALSE(uploaded->remote_file_id.empty());
  EXPECT_EQ(uploaded->entity, Entity::run(run_id));
  EXPECT_EQ(uploaded->file_name, "telemetry.bin");
  EXPECT_EQ(uploaded->mime_type, "application/octet-stream");
  EXPECT_EQ(uploaded->content_encoding, "");
  EXPECT_EQ(uploaded->file_size, bytes.size());
  EXPECT_EQ(uploaded->description, "raw frames");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(uploaded->metadata));

  // Progress: several calls, never backwards, ending at the file size.
  ASSERT_GT(upload_progress.size(), 2u);
  EXPECT_EQ(upload_progress.back(), std::make_pair<std::uint64_t>(bytes.size(), bytes.size()));
  EXPECT_TRUE(std::is_sorted(upload_progress.begin(), upload_progress.end()));

  // The emulator holds exactly these bytes.
  const std::vector<emulator::RemoteFileInfo> stored = emu_->remote_files();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].remote_file_id, uploaded->remote_file_id);
  EXPECT_EQ(stored[0].entity_type, "runs");
  EXPECT_EQ(stored[0].description, "raw frames");
  EXPECT_EQ(read_file(stored[0].path), bytes);

  std::uint64_t last_done = 0;
  std::uint64_t last_total = 0;
  const fs::path target = out_dir("out") / "copy.bin";
  absl::StatusOr<fs::path> downloaded =
      files.download_attachment(*uploaded, target, [&](std::uint64_t done, std::uint64_t total) {
        EXPECT_GE(done, last_done);
        last_done = done;
        last_total = total;
      });
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(*downloaded, target);
  EXPECT_EQ(read_file(target), bytes);
  EXPECT_EQ(last_done, bytes.size());
  EXPECT_EQ(last_total, bytes.size());
  EXPECT_THAT(directory_entries(target.parent_path()), ElementsAre("copy.bin"));
}

TEST_F(FileAttachmentServiceTest, DownloadByIdIntoADirectoryUsesTheRemoteName) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("run");
  const fs::path path = make_file("notes.txt", "liftoff at T+0\n");
  absl::StatusOr<RemoteFile> uploaded = files.upload_attachment(path, Entity::run(run_id));
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  EXPECT_EQ(uploaded->mime_type, "text/plain");
  EXPECT_FALSE(uploaded->description.has_value() && !uploaded->description->empty());

  const fs::path directory = out_dir("by-id");
  absl::StatusOr<fs::path> downloaded =
      files.download_attachment(uploaded->remote_file_id, directory);
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(*downloaded, directory / "notes.txt");
  EXPECT_EQ(read_file(*downloaded), "liftoff at T+0\n");

  absl::StatusOr<fs::path> missing = files.download_attachment(std::string("no-such-file"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
}

TEST_F(FileAttachmentServiceTest, MetadataTypesAndEncodingsAreStored) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("imaging");

  absl::StatusOr<RemoteFile> image = files.upload_attachment(
      make_file("frame.png", random_bytes(2000, 1)), Entity::run(run_id), ImageMetadata{640, 480});
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->mime_type, "image/png");
  ASSERT_TRUE(std::holds_alternative<ImageMetadata>(image->metadata));
  EXPECT_EQ(std::get<ImageMetadata>(image->metadata).width, 640u);
  EXPECT_EQ(std::get<ImageMetadata>(image->metadata).height, 480u);

  const Timestamp start = Timestamp(std::chrono::seconds(1'720'000'000));
  absl::StatusOr<RemoteFile> video =
      files.upload_attachment(make_file("onboard.mp4", random_bytes(3000, 2)), Entity::run(run_id),
                              VideoMetadata{1920, 1080, 12.5f, start}, "onboard camera");
  ASSERT_TRUE(video.ok()) << video.status();
  EXPECT_EQ(video->mime_type, "video/mp4");
  ASSERT_TRUE(std::holds_alternative<VideoMetadata>(video->metadata));
  const VideoMetadata& stored_video = std::get<VideoMetadata>(video->metadata);
  EXPECT_EQ(stored_video.width, 1920u);
  EXPECT_EQ(stored_video.height, 1080u);
  EXPECT_EQ(stored_video.duration_seconds, 12.5f);
  EXPECT_EQ(stored_video.timestamp, start);

  absl::StatusOr<RemoteFile> csv = files.upload_attachment(
      make_file("pressures.csv.gz", random_bytes(500, 3)), Entity::run(run_id));
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->mime_type, "text/csv");
  EXPECT_EQ(csv->content_encoding, "gzip");

  // Read back through the listing as well.
  absl::StatusOr<std::vector<RemoteFile>> listed = files.retrieve_attachments(Entity::run(run_id));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(file_names(*listed),
              UnorderedElementsAre("frame.png", "onboard.mp4", "pressures.csv.gz"));
  for (const RemoteFile& file : *listed) {
    if (file.file_name == "onboard.mp4") {
      EXPECT_EQ(file.description, "onboard camera");
      EXPECT_TRUE(std::holds_alternative<VideoMetadata>(file.metadata));
    }
  }
}

TEST_F(FileAttachmentServiceTest, ListingIsPerEntity) {
  FileAttachmentService files = service();
  const std::string run_a = create_run("a");
  const std::string run_b = create_run("b");
  const std::string annotation = create_annotation("overpressure");
  const std::string log = create_annotation_log(annotation);
  ASSERT_FALSE(log.empty());

  auto upload = [&](const std::string& name, const Entity& entity) {
    absl::StatusOr<RemoteFile> file = files.upload_attachment(make_file(name, "x" + name), entity);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->entity, entity);
  };
  upload("a1.txt", Entity::run(run_a));
  upload("a2.csv", Entity::run(run_a));
  upload("b1.json", Entity::run(run_b));
  upload("plot.png", Entity::annotation(annotation));
  upload("comment.pdf", Entity::annotation_log(log));

  auto names = [&](const Entity& entity) {
    absl::StatusOr<std::vector<RemoteFile>> listed = files.retrieve_attachments(entity);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? file_names(*listed) : std::vector<std::string>{};
  };
  EXPECT_THAT(names(Entity::run(run_a)), UnorderedElementsAre("a1.txt", "a2.csv"));
  EXPECT_THAT(names(Entity::run(run_b)), ElementsAre("b1.json"));
  EXPECT_THAT(names(Entity::annotation(annotation)), ElementsAre("plot.png"));
  EXPECT_THAT(names(Entity::annotation_log(log)), ElementsAre("comment.pdf"));
  // The same id under another entity type matches nothing.
  EXPECT_THAT(names(Entity::annotation(run_a)), IsEmpty());

  std::vector<std::string> stored_types;
  for (const emulator::RemoteFileInfo& info : emu_->remote_files()) {
    stored_types.push_back(info.entity_type);
  }
  EXPECT_THAT(stored_types, ElementsAre("runs", "runs", "runs", "annotations", "annotation_logs"));
}

TEST_F(FileAttachmentServiceTest, DeleteRemovesOnlyTheNamedFiles) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("cleanup");
  std::vector<RemoteFile> uploaded;
  for (const char* name : {"keep.txt", "drop1.txt", "drop2.txt"}) {
    absl::StatusOr<RemoteFile> file =
        files.upload_attachment(make_file(name, name), Entity::run(run_id));
    ASSERT_TRUE(file.ok()) << file.status();
    uploaded.push_back(*file);
  }
  ASSERT_TRUE(files.delete_attachments(std::vector<RemoteFile>{uploaded[1]}).ok());
  ASSERT_TRUE(files.delete_file_attachments({uploaded[2].remote_file_id}).ok());
  ASSERT_TRUE(files.delete_attachments(std::vector<std::string>{}).ok());

  absl::StatusOr<std::vector<RemoteFile>> left = files.retrieve_attachments(Entity::run(run_id));
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_THAT(file_names(*left), ElementsAre("keep.txt"));
  ASSERT_EQ(emu_->remote_files().size(), 1u);
  EXPECT_EQ(emu_->remote_files()[0].file_name, "keep.txt");

  absl::StatusOr<RemoteFile> gone = files.get_attachment(uploaded[1].remote_file_id);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(files.delete_attachments(std::vector<std::string>{""}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FileAttachmentServiceTest, UnknownEntityIsRefusedAndNothingStored) {
  FileAttachmentService files = service();
  const fs::path path = make_file("orphan.txt", "nobody owns me");
  absl::StatusOr<RemoteFile> file = files.upload_attachment(path, Entity::run("no-such-run"));
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("no-such-run"));
  EXPECT_THAT(file.status().message(), HasSubstr("HTTP 4"));
  EXPECT_THAT(file.status().message(), Not(HasSubstr(kApiKey)));
  EXPECT_THAT(emu_->remote_files(), IsEmpty());

  const std::string annotation = create_annotation("real");
  // A run id is not an annotation.
  const std::string run_id = create_run("real-run");
  EXPECT_FALSE(files.upload_attachment(path, Entity::annotation(run_id)).ok());
  EXPECT_FALSE(files.upload_attachment(path, Entity::annotation_log(annotation)).ok());
  EXPECT_THAT(emu_->remote_files(), IsEmpty());
}

TEST_F(FileAttachmentServiceTest, UploadWithoutOrWithAWrongKeyIsUnauthenticated) {
  const std::string run_id = create_run("secure");
  const fs::path path = make_file("a.txt", "a");
  const std::string wrong_key = "sk-wrong-key-fedcba9876543210";
  for (const std::string& key : {std::string(), wrong_key}) {
    // gRPC goes through the in-process channel with the right key: only the
    // REST side carries `key`.
    absl::StatusOr<FileAttachmentService> files = FileAttachmentService::create(
        emu_->in_process_channel(kApiKey), channel_config(key), fast_options());
    ASSERT_TRUE(files.ok()) << files.status();
    absl::StatusOr<RemoteFile> file = files->upload_attachment(path, Entity::run(run_id));
    ASSERT_FALSE(file.ok()) << "key '" << key << "'";
    EXPECT_EQ(file.status().code(), absl::StatusCode::kUnauthenticated) << file.status();
    EXPECT_THAT(file.status().message(), HasSubstr("HTTP 401"));
    EXPECT_THAT(file.status().message(), HasSubstr("SiftChannelConfig.apikey"));
    EXPECT_THAT(file.status().message(), Not(HasSubstr(kApiKey)));
    if (!key.empty()) EXPECT_THAT(file.status().message(), Not(HasSubstr(key)));
  }
  EXPECT_THAT(emu_->remote_files(), IsEmpty());
}

TEST_F(FileAttachmentServiceTest, ServerErrorsAreRetriedThenSucceed) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("flaky");
  const std::string bytes = random_bytes(300 * 1024, 11);

  emu_->fail_next_http_requests(2, 503);
  absl::StatusOr<RemoteFile> file =
      files.upload_attachment(make_file("flaky.bin", bytes), Entity::run(run_id));
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(emu_->remote_files().size(), 1u);

  // Downloads are retried too (a 500 as well: a GET is idempotent).
  emu_->fail_next_http_requests(1, 500);
  const fs::path target = out_dir("retried") / "flaky.bin";
  absl::StatusOr<fs::path> downloaded = files.download_attachment(*file, target);
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(read_file(target), bytes);
}

TEST_F(FileAttachmentServiceTest, RetriesRunOutWithTheLastAnswer) {
  FileAttachmentServiceOptions options = fast_options();
  options.retry.max_retries = 1;
  absl::StatusOr<FileAttachmentService> files =
      FileAttachmentService::create(channel_config(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  const std::string run_id = create_run("down");

  emu_->fail_next_http_requests(2, 503);
  absl::StatusOr<RemoteFile> file =
      files->upload_attachment(make_file("x.txt", "x"), Entity::run(run_id));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(file.status().message(), HasSubstr("HTTP 503 Service Unavailable"));
  EXPECT_THAT(file.status().message(), HasSubstr("fail_next_http_requests"));  // server's text
  EXPECT_THAT(file.status().message(), HasSubstr("2 attempts"));
  EXPECT_THAT(file.status().message(), Not(HasSubstr(kApiKey)));
  EXPECT_THAT(emu_->remote_files(), IsEmpty());
}

TEST_F(FileAttachmentServiceTest, ServerAndGatewayErrorsOnUploadAreNotRetried) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("once");
  const fs::path path = make_file("once.txt", "once");

  // One injected error each: a retry would have succeeded (and, behind a real
  // gateway, might have stored the file twice).
  for (int status : {500, 502, 504}) {
    emu_->fail_next_http_requests(1, status);
    absl::StatusOr<RemoteFile> file = files.upload_attachment(path, Entity::run(run_id));
    ASSERT_FALSE(file.ok()) << status;
    EXPECT_EQ(file.status().code(),
              status == 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnavailable);
    EXPECT_THAT(file.status().message(), HasSubstr("HTTP " + std::to_string(status)));
    EXPECT_THAT(file.status().message(), HasSubstr("1 attempt"));
    EXPECT_THAT(emu_->remote_files(), IsEmpty());
  }

  EXPECT_TRUE(files.upload_attachment(path, Entity::run(run_id)).ok());
}

TEST_F(FileAttachmentServiceTest, ACutDownloadLeavesNoFileBehind) {
  FileAttachmentServiceOptions options = fast_options();
  options.retry.max_retries = 0;
  absl::StatusOr<FileAttachmentService> files =
      FileAttachmentService::create(channel_config(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  const std::string run_id = create_run("cut");
  const std::string bytes = random_bytes(3 * 1024 * 1024, 5);
  absl::StatusOr<RemoteFile> file =
      files->upload_attachment(make_file("big.bin", bytes), Entity::run(run_id));
  ASSERT_TRUE(file.ok()) << file.status();

  const fs::path directory = out_dir("cut");
  emu_->cut_next_download_after(1024 * 1024);
  absl::StatusOr<fs::path> downloaded = files->download_attachment(*file, directory / "big.bin");
  ASSERT_FALSE(downloaded.ok());
  EXPECT_EQ(downloaded.status().code(), absl::StatusCode::kUnavailable) << downloaded.status();
  EXPECT_THAT(downloaded.status().message(), HasSubstr(file->remote_file_id));
  EXPECT_THAT(downloaded.status().message(), Not(HasSubstr("token=")));  // presigned query
  EXPECT_THAT(directory_entries(directory), IsEmpty());

  // An existing target is left as it was.
  write_file(directory / "big.bin", "previous contents");
  emu_->cut_next_download_after(10);
  EXPECT_FALSE(files->download_attachment(*file, directory / "big.bin").ok());
  EXPECT_THAT(directory_entries(directory), ElementsAre("big.bin"));
  EXPECT_EQ(read_file(directory / "big.bin"), "previous contents");
}

TEST_F(FileAttachmentServiceTest, ACutDownloadIsRetriedFromTheStart) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("cut-retry");
  const std::string bytes = random_bytes(2 * 1024 * 1024, 9);
  absl::StatusOr<RemoteFile> file =
      files.upload_attachment(make_file("big.bin", bytes), Entity::run(run_id));
  ASSERT_TRUE(file.ok()) << file.status();

  const fs::path directory = out_dir("cut-retry");
  emu_->cut_next_download_after(512 * 1024);
  absl::StatusOr<fs::path> downloaded = files.download_attachment(*file, directory / "big.bin");
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(read_file(directory / "big.bin"), bytes);
  EXPECT_THAT(directory_entries(directory), ElementsAre("big.bin"));
}

TEST_F(FileAttachmentServiceTest, LocalProblemsAreCaughtBeforeAnyRequest) {
  FileAttachmentService files = service();
  const std::string run_id = create_run("local");

  absl::StatusOr<RemoteFile> directory = files.upload_attachment(root(), Entity::run(run_id));
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(directory.status().message(), HasSubstr("does not point to a regular file"));
  EXPECT_THAT(
      files.upload_attachment(root() / "missing.png", Entity::run(run_id)).status().message(),
      HasSubstr("does not point to a regular file"));

  const fs::path mcap = make_file("flight.mcap", "mcap");
  absl::StatusOr<RemoteFile> unknown = files.upload_attachment(mcap, Entity::run(run_id));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("MIME"));
  EXPECT_THAT(files.upload_attachment(mcap, Entity::run("")).status().message(),
              HasSubstr("entity id is empty"));
  EXPECT_THAT(emu_->remote_files(), IsEmpty());

  // With an explicit type, or a fallback, the same file goes up.
  UploadOptions typed;
  typed.mime_type = "application/x-mcap";
  absl::StatusOr<RemoteFile> explicit_type =
      files.upload_attachment(mcap, Entity::run(run_id), {}, std::nullopt, typed);
  ASSERT_TRUE(explicit_type.ok()) << explicit_type.status();
  EXPECT_EQ(explicit_type->mime_type, "application/x-mcap");
  typed.mime_type = "text/plain\r\nX-Injected: 1";
  EXPECT_EQ(
      files.upload_attachment(mcap, Entity::run(run_id), {}, std::nullopt, typed).status().code(),
      absl::StatusCode::kInvalidArgument);

  FileAttachmentServiceOptions options = fast_options();
  options.fallback_mime_type = "application/octet-stream";
  absl::StatusOr<FileAttachmentService> lenient =
      FileAttachmentService::create(channel_config(), options);
  ASSERT_TRUE(lenient.ok());
  absl::StatusOr<RemoteFile> fallback =
      lenient->upload_attachment(make_file("flight.mcap.gz", "gz"), Entity::run(run_id));
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_EQ(fallback->mime_type, "application/octet-stream");
  EXPECT_EQ(fallback->content_encoding, "gzip");
}

TEST_F(FileAttachmentServiceTest, UnreachableRestEndpointIsRetriedThenUnavailable) {
  // A port that is bound but not listening refuses connections.
  LoopbackSocket socket;
  ASSERT_NE(socket.port(), 0);
  const std::string closed = socket.url();

  FileAttachmentServiceOptions options = fast_options();
  options.rest_uri = closed;
  absl::StatusOr<FileAttachmentService> files =
      FileAttachmentService::create(channel_config(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->rest_base_url(), closed);
  absl::StatusOr<RemoteFile> file =
      files->upload_attachment(make_file("a.txt", "a"), Entity::run(create_run("r")));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kUnavailable) << file.status();
  EXPECT_THAT(file.status().message(), HasSubstr("4 attempts"));
  EXPECT_THAT(file.status().message(), HasSubstr(closed + "/api/v0/remote-files/upload"));
  EXPECT_THAT(file.status().message(), Not(HasSubstr(kApiKey)));
}

TEST_F(FileAttachmentServiceTest, TheUploadRequestIsSiftPys) {
  EchoServer echo(400);
  FileAttachmentServiceOptions options = fast_options();
  options.rest_uri = echo.url() + "/prefix/";
  absl::StatusOr<FileAttachmentService> files =
      FileAttachmentService::create(channel_config(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  UploadOptions upload;
  upload.organization_id = "org-7";
  const std::string bytes = random_bytes(100 * 1024, 21);
  ASSERT_FALSE(files
                   ->upload_attachment(make_file("frame.png.gz", bytes), Entity::annotation("a-1"),
                                       ImageMetadata{64, 48}, "thermal", upload)
                   .ok());

  const std::string request = echo.last_request();
  const std::size_t head_end = request.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = request.substr(0, head_end);
  const std::string body = request.substr(head_end + 4);
  EXPECT_THAT(head, ::testing::StartsWith("POST /prefix/api/v0/remote-files/upload HTTP/1.1\r\n"));
  EXPECT_THAT(head, HasSubstr(absl::StrCat("\r\nAuthorization: Bearer ", kApiKey, "\r\n")));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: multipart/form-data; boundary="));
  EXPECT_THAT(head, HasSubstr(absl::StrCat("\r\nContent-Length: ", body.size(), "\r\n")));
  EXPECT_THAT(head, Not(HasSubstr("Expect:")));

  // Parts in sift_py's order, each where the previous one ended.
  const std::vector<std::string> in_order = {
      "name=\"entityId\"\r\n\r\na-1\r\n",
      "name=\"entityType\"\r\n\r\nannotations\r\n",
      "name=\"file\"; filename=\"frame.png.gz\"\r\n",
      "Content-Type: image/png\r\n",
      "Content-Encoding: gzip\r\n\r\n" + bytes + "\r\n",
      "name=\"metadata\"\r\n\r\n{\"height\": 48, \"width\": 64}\r\n",
      "name=\"organizationId\"\r\n\r\norg-7\r\n",
      "name=\"description\"\r\n\r\nthermal\r\n",
  };
  std::size_t at = 0;
  for (const std::string& piece : in_order) {
    const std::size_t found = body.find(piece, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << piece.substr(0, 60);
    at = found + piece.size();
  }
}

TEST_F(FileAttachmentServiceTest, AnEchoedApiKeyIsScrubbedFromMessages) {
  const std::string run_id = create_run("echo");
  const fs::path path = make_file("a.txt", "a");
  for (int status : {400, 200}) {
    EchoServer echo(status);
    FileAttachmentServiceOptions options = fast_options();
    options.rest_uri = echo.url();
    absl::StatusOr<FileAttachmentService> files =
        FileAttachmentService::create(channel_config(), options);
    ASSERT_TRUE(files.ok()) << files.status();
    absl::StatusOr<RemoteFile> file = files->upload_attachment(path, Entity::run(run_id));
    ASSERT_FALSE(file.ok()) << status;
    EXPECT_EQ(echo.requests(), 1);
    // The server did quote the header; the key is gone from the message.
    EXPECT_THAT(file.status().message(), HasSubstr("Bearer <redacted>")) << file.status();
    EXPECT_THAT(file.status().message(), Not(HasSubstr(kApiKey)));
    EXPECT_THAT(file.status().message(), Not(HasSubstr("0123456789abcdef")));
  }
}

TEST_F(FileAttachmentServiceTest, CreateChecksItsInputs) {
  SiftChannelConfig config = channel_config();
  FileAttachmentServiceOptions options;
  options.rest_uri = "ftp://files.example.com";
  EXPECT_EQ(FileAttachmentService::create(config, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = {};
  options.retry.max_retries = -1;
  EXPECT_EQ(FileAttachmentService::create(config, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = {};
  config.root_certs_path = (root() / "missing.pem").string();
  EXPECT_EQ(FileAttachmentService::create(config, options).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Without rest_uri: sift_py's derivation from the gRPC uri.
  absl::StatusOr<FileAttachmentService> derived =
      FileAttachmentService::create(channel_config(), {});
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(derived->rest_base_url(), "http://" + emu_->endpoint());

  // A moved-from service answers with a status.
  FileAttachmentService moved = *std::move(derived);
  EXPECT_EQ(derived->retrieve_attachments(Entity::run("x")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(moved.retrieve_attachments(Entity::run(create_run("m"))).ok());
}

TEST(FileAttachmentLimits, AFileOverTheServerLimitIsResourceExhausted) {
  emulator::EmulatorOptions options;
  options.http_listen = "127.0.0.1:0";
  options.max_file_size = 64 * 1024;
  emulator::Emulator emu(options);
  ASSERT_TRUE(emu.start().ok());
  testing_util::TempDir dir("sift-attachments-limit");
  ASSERT_FALSE(dir.path().empty());
  const fs::path path = fs::path(dir.path()) / "big.bin";
  write_file(path, random_bytes(256 * 1024, 3));

  SiftChannelConfig config;
  config.uri = emu.endpoint();
  config.use_ssl = false;
  FileAttachmentServiceOptions service_options;
  service_options.rest_uri = "http://" + emu.http_endpoint();
  absl::StatusOr<FileAttachmentService> files =
      FileAttachmentService::create(config, service_options);
  ASSERT_TRUE(files.ok()) << files.status();

  auto runs = runs_pb::RunService::NewStub(emu.in_process_channel().grpc_channel());
  runs_pb::CreateRunRequest request;
  request.set_name("limit");
  runs_pb::CreateRunResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(runs->CreateRun(&context, request, &response).ok());

  absl::StatusOr<RemoteFile> file =
      files->upload_attachment(path, Entity::run(response.run().run_id()));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kResourceExhausted) << file.status();
  EXPECT_THAT(file.status().message(), HasSubstr("HTTP 413"));
  EXPECT_THAT(emu.remote_files(), IsEmpty());
}

}  // namespace
}  // namespace sift
