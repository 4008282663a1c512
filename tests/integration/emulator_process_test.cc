// The real `sift-emulator` binary: flags, the ready line, ingestion over TCP,
// SIGTERM and the exact --summary-on-exit lines.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "internal/auth_interceptor.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"
#include "sift/ping/v1/ping.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"

extern char** environ;

namespace {

namespace configs_pb = sift::ingestion_configs::v2;
namespace ingest_pb = sift::ingest::v1;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A child process with its stdout and stderr on pipes.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2];
    int err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    args.insert(args.begin(), SIFT_EMULATOR_BINARY);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, SIFT_EMULATOR_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
    if (err_ >= 0) close(err_);
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // One stdout line (without '\n'), or "" after `timeout` / EOF.
  std::string read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const std::size_t nl = out_buffer_.find('\n'); nl != std::string::npos) {
        std::string line = out_buffer_.substr(0, nl);
        out_buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(out_, &out_buffer_, static_cast<int>(left.count()))) {
        return std::string();
      }
    }
  }

  // Waits for exit; returns the exit code (-1 on a signal or timeout) and
  // collects the rest of stdout and stderr.
  int wait(std::chrono::milliseconds timeout, std::string* out, std::string* err) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool out_open = true;
    bool err_open = true;
    while ((out_open || err_open) && std::chrono::steady_clock::now() < deadline) {
      if (out_open) out_open = read_some(out_, &out_buffer_, 50);
      if (err_open) err_open = read_some(err_, &err_buffer_, 50);
    }
    *out = out_buffer_;
    *err = err_buffer_;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(10000);
    }
    return -1;
  }

 private:
  // False at EOF; true after data or a poll timeout.
  static bool read_some(int fd, std::string* buffer, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;
    char chunk[4096];
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  int out_ = -1;
  int err_ = -1;
  std::string out_buffer_;
  std::string err_buffer_;
};

ingest_pb::IngestWithConfigDataStreamRequest make_row(const std::string& config_id,
                                                      std::int64_t seconds, double value,
                                                      const std::string& run_id) {
  ingest_pb::IngestWithConfigDataStreamRequest row;
  row.set_ingestion_config_id(config_id);
  row.set_flow("readings");
  row.mutable_timestamp()->set_seconds(seconds);
  row.add_channel_values()->set_double_(value);
  row.add_channel_values()->mutable_empty();
  row.set_run_id(run_id);
  return row;
}

TEST(EmulatorProcessTest, ServesIngestsAndPrintsSummaryOnSigterm) {
  Child child({"--listen", "127.0.0.1:0", "--api-key", "process-key", "--summary-on-exit"});
  ASSERT_TRUE(child.started());
  const std::string ready = child.read_line(std::chrono::seconds(20));
  ASSERT_THAT(ready, StartsWith("sift-emulator listening on 127.0.0.1:"));
  const std::string endpoint = ready.substr(std::string("sift-emulator listening on ").size());
  EXPECT_NE(endpoint, "127.0.0.1:0");

  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      endpoint, grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
      sift::internal::make_auth_interceptors("process-key"));

  configs_pb::CreateIngestionConfigRequest create;
  create.set_asset_name("rover-1");
  create.set_client_key("process");
  auto* flow = create.add_flows();
  flow->set_name("readings");
  auto* volts = flow->add_channels();
  volts->set_name("power.volts");
  volts->set_data_type(sift::common::type::v1::CHANNEL_DATA_TYPE_DOUBLE);
  auto* label = flow->add_channels();
  label->set_name("label");
  label->set_data_type(sift::common::type::v1::CHANNEL_DATA_TYPE_STRING);
  configs_pb::CreateIngestionConfigResponse created;
  {
    grpc::ClientContext context;
    grpc::Status status =
        configs_pb::IngestionConfigService::NewStub(channel)->CreateIngestionConfig(
            &context, create, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  sift::runs::v2::CreateRunResponse run;
  {
    sift::runs::v2::CreateRunRequest request;
    request.set_name("drive");
    grpc::ClientContext context;
    ASSERT_TRUE(
        sift::runs::v2::RunService::NewStub(channel)->CreateRun(&context, request, &run).ok());
  }
  {
    const std::string& id = created.ingestion_config().ingestion_config_id();
    grpc::ClientContext context;
    ingest_pb::IngestWithConfigDataStreamResponse response;
    auto writer =
        ingest_pb::IngestService::NewStub(channel)->IngestWithConfigDataStream(&context, &response);
    writer->Write(make_row(id, 1, 11.5, ""));
    writer->Write(make_row(id, 2, 11.6, run.run().run_id()));
    writer->Write(make_row(id, 3, 11.7, run.run().run_id()));
    writer->Write(make_row("bogus", 4, 0, ""));  // dropped, reported on stderr
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  {  // The key is enforced.
    grpc::ClientContext context;
    sift::ping::v1::PingResponse response;
    auto keyless = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
    EXPECT_EQ(
        sift::ping::v1::PingService::NewStub(keyless)->Ping(&context, {}, &response).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }

  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  std::string out;
  std::string err;
  EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 0) << err;
  EXPECT_THAT(absl::StrSplit(out, '\n', absl::SkipEmpty()),
              ElementsAre("asset=rover-1 channel=power.volts rows=3 runs=2"))
      << out;
  EXPECT_THAT(err, HasSubstr("1 rows failed validation"));
  EXPECT_THAT(err, Not(HasSubstr("process-key")));
}

TEST(EmulatorProcessTest, IngestCountOnlyCountsAndReportsOnStderr) {
  Child child({"--listen", "127.0.0.1:0", "--ingest-count-only", "--summary-on-exit"});
  ASSERT_TRUE(child.started());
  const std::string ready = child.read_line(std::chrono::seconds(20));
  ASSERT_THAT(ready, StartsWith("sift-emulator listening on 127.0.0.1:"));
  const std::string endpoint = ready.substr(std::string("sift-emulator listening on ").size());
  auto channel = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  std::size_t bytes = 0;
  {
    grpc::ClientContext context;
    ingest_pb::IngestWithConfigDataStreamResponse response;
    auto writer =
        ingest_pb::IngestService::NewStub(channel)->IngestWithConfigDataStream(&context, &response);
    // No such config: counted all the same, never validated.
    for (int i = 0; i < 5; ++i) {
      const auto row = make_row("no-such-config", i, 1.5, "");
      bytes += row.ByteSizeLong();
      writer->Write(row);
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  std::string out;
  std::string err;
  EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 0) << err;
  EXPECT_EQ(out, "");  // nothing stored
  EXPECT_THAT(err, HasSubstr("ingested rows=5 bytes=" + std::to_string(bytes)));
  EXPECT_THAT(err, Not(HasSubstr("failed validation")));
}

TEST(EmulatorProcessTest, SigintStopsCleanlyWithoutSummaryFlag) {
  Child child({"--listen=127.0.0.1:0"});
  ASSERT_TRUE(child.started());
  ASSERT_THAT(child.read_line(std::chrono::seconds(20)),
              StartsWith("sift-emulator listening on 127.0.0.1:"));
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  std::string out;
  std::string err;
  EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 0) << err;
  EXPECT_EQ(out, "");
}

TEST(EmulatorProcessTest, HelpAndBadArguments) {
  {
    Child child({"--help"});
    std::string out;
    std::string err;
    EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 0);
    EXPECT_THAT(out, HasSubstr("--listen HOST:PORT"));
    EXPECT_THAT(out, HasSubstr("--summary-on-exit"));
    EXPECT_THAT(out, HasSubstr("--ingest-count-only"));
  }
  {
    Child child({"--bogus"});
    std::string out;
    std::string err;
    EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 2);
    EXPECT_THAT(err, HasSubstr("unknown argument: --bogus"));
  }
  {
    Child child({"--listen"});
    std::string out;
    std::string err;
    EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 2);
    EXPECT_THAT(err, HasSubstr("--listen needs a value"));
  }
  {
    Child child({"--listen", "nonsense"});
    std::string out;
    std::string err;
    EXPECT_EQ(child.wait(std::chrono::seconds(20), &out, &err), 1);
    EXPECT_THAT(err, HasSubstr("not HOST:PORT"));
  }
}

}  // namespace
