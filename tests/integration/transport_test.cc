// Transport: the pure pieces (URI normalisation, configuration errors, status
// conversion, filter quoting), then the channel built by use_sift_channel
// over real gRPC: authorization and
// extra metadata, the user agent, sift_py's retry policy for unary calls (and
// none for the ingest stream), the SDK's unary deadline, and UNAUTHENTICATED
// from the emulator surfaced without the key. Retry counts need a server that
// fails on purpose, so those use small test services below; everything else
// runs against the real emulator.
#include "sift/grpc/transport.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/cel.h"
#include "internal/grpc_util.h"
#include "internal/version.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.grpc.pb.h"
#include "sift/ingestion/service.h"
#include "sift/ping/v1/ping.grpc.pb.h"

namespace sift {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// --- Without a server: URI normalisation (spec 10.2), configuration errors,
// status conversion, CEL quoting, the user-agent version. ------------------

TEST(NormalizeUri, KeepsHostAndPortOnly) {
  EXPECT_EQ(normalize_uri("localhost:50051"), "localhost:50051");
  EXPECT_EQ(normalize_uri("api.example.com/"), "api.example.com");
  EXPECT_EQ(normalize_uri("api.example.com:443/foo"), "api.example.com:443");
  EXPECT_EQ(normalize_uri("https://api.example.com"), "api.example.com");
  EXPECT_EQ(normalize_uri("https://api.example.com/"), "api.example.com");
  EXPECT_EQ(normalize_uri("http://localhost:50051/"), "localhost:50051");
  EXPECT_EQ(normalize_uri("https://api.example.com:443/a/b?x=1#frag"), "api.example.com:443");
  EXPECT_EQ(normalize_uri("127.0.0.1:0"), "127.0.0.1:0");
  EXPECT_EQ(normalize_uri("[::1]:50051"), "[::1]:50051");
}

TEST(NormalizeUri, NoPortIsAdded) {
  // gRPC's default (443 for TLS) applies.
  EXPECT_EQ(normalize_uri("https://grpc-api.siftstack.com"), "grpc-api.siftstack.com");
}

TEST(NormalizeUri, StripsAnySchemeAndSurroundingSpace) {
  // sift_py understands only http(s)://; like sift_client we strip any scheme.
  EXPECT_EQ(normalize_uri("grpc://host:443"), "host:443");
  EXPECT_EQ(normalize_uri("  https://host:1/  "), "host:1");
  EXPECT_EQ(normalize_uri(""), "");
  EXPECT_EQ(normalize_uri("https://"), "");
}

TEST(UseSiftChannel, RejectsAnEmptyUri) {
  SiftChannelConfig config;
  config.uri = " https:// ";
  config.apikey = "secret-key";
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channel.status().message(), AllOf(HasSubstr("uri"), Not(HasSubstr("secret-key"))));
}

TEST(UseSiftChannel, RejectsAnUnreadableRootCertificateFile) {
  SiftChannelConfig config;
  config.uri = "api.example.com:443";
  config.apikey = "secret-key";
  config.root_certs_path = "/nonexistent/roots.pem";
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channel.status().message(), HasSubstr("/nonexistent/roots.pem"));
}

TEST(UseSiftChannel, NormalisesTheTargetAndKeepsTheDeadline) {
  SiftChannelConfig config;
  config.uri = "http://localhost:50051/";
  config.apikey = "k";
  config.use_ssl = false;
  config.unary_deadline = std::chrono::seconds(5);
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ(channel->target(), "localhost:50051");
  EXPECT_EQ(channel->unary_deadline(), std::chrono::seconds(5));
  EXPECT_NE(channel->grpc_channel(), nullptr);
}

TEST(UseSiftChannel, DefaultsMatchSiftPy) {
  SiftChannelConfig config;
  EXPECT_TRUE(config.use_ssl);
  EXPECT_TRUE(config.enable_keepalive);
  EXPECT_EQ(config.unary_deadline, std::chrono::seconds(60));
}

TEST(ToAbslStatus, KeepsTheCodeNamesTheMethodAndScrubsTheKey) {
  SiftChannelConfig config;
  config.uri = "localhost:1";
  config.apikey = "super-secret";
  config.use_ssl = false;
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  ASSERT_TRUE(channel.ok());

  absl::Status status = internal::to_absl_status(
      grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token 'Bearer super-secret'"),
      "PingService.Ping", *channel);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("PingService.Ping"), HasSubstr("bad token"),
                                      HasSubstr("API key"), Not(HasSubstr("super-secret"))));

  absl::Status unavailable = internal::to_absl_status(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, ""), "RunService.ListRuns", *channel);
  EXPECT_EQ(unavailable.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unavailable.message(), HasSubstr("RunService.ListRuns: UNAVAILABLE"));

  EXPECT_TRUE(internal::to_absl_status(grpc::Status::OK, "x", *channel).ok());
}

TEST(RetryServiceConfig, IsSiftPysPolicyExceptForTheIngestService) {
  const std::string json = internal::retry_service_config_json();
  EXPECT_THAT(json, HasSubstr(R"("name":[{}],"retryPolicy":{"maxAttempts":5,)"));
  EXPECT_THAT(json,
              HasSubstr(R"("initialBackoff":"0.05s","maxBackoff":"5s","backoffMultiplier":4)"));
  EXPECT_THAT(json,
              HasSubstr(R"(["INTERNAL","UNKNOWN","UNAVAILABLE","ABORTED","DEADLINE_EXCEEDED"])"));
  EXPECT_THAT(json, HasSubstr(R"({"name":[{"service":"sift.ingest.v1.IngestService"}]})"));
}

TEST(Cel, QuotesAndEscapes) {
  EXPECT_EQ(internal::cel_quote("abc"), R"("abc")");
  EXPECT_EQ(internal::cel_quote(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(internal::cel_equals("client_key", "k1"), R"(client_key=="k1")");
  EXPECT_EQ(internal::cel_equals("name", R"(run "1")"), R"(name=="run \"1\"")");
}

TEST(Version, MatchesTheProjectVersion) {
  std::ifstream file(std::string(SIFT_SOURCE_DIR) + "/CMakeLists.txt");
  std::stringstream text;
  text << file.rdbuf();
  std::smatch match;
  const std::string contents = text.str();
  ASSERT_TRUE(std::regex_search(contents, match, std::regex(R"(project\(sift VERSION ([0-9.]+))")));
  EXPECT_EQ(match[1].str(), internal::kSiftVersion);
}

// --- Over real gRPC -----------------------------------------------------

// Fails the first `failures` calls with `code`, then answers; remembers the
// metadata of the last call.
class ScriptedPing final : public ping::v1::PingService::Service {
 public:
  ScriptedPing(int failures, grpc::StatusCode code, std::chrono::milliseconds delay = {})
      : failures_(failures), code_(code), delay_(delay) {}

  grpc::Status Ping(grpc::ServerContext* context, const ping::v1::PingRequest*,
                    ping::v1::PingResponse* response) override {
    const int call = ++calls;
    {
      std::lock_guard<std::mutex> lock(mu_);
      metadata_.clear();
      for (const auto& [key, value] : context->client_metadata()) {
        metadata_.emplace(std::string(key.data(), key.size()),
                          std::string(value.data(), value.size()));
      }
    }
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    if (call <= failures_) return grpc::Status(code_, "induced failure");
    response->set_response("pong");
    return grpc::Status::OK;
  }

  std::multimap<std::string, std::string> metadata() const {
    std::lock_guard<std::mutex> lock(mu_);
    return metadata_;
  }

  std::atomic<int> calls{0};

 private:
  const int failures_;
  const grpc::StatusCode code_;
  const std::chrono::milliseconds delay_;
  mutable std::mutex mu_;
  std::multimap<std::string, std::string> metadata_;
};

// Every ingest stream fails with UNAVAILABLE (retryable under sift_py's policy).
class UnavailableIngest final : public ingest::v1::IngestService::Service {
 public:
  grpc::Status IngestWithConfigDataStream(
      grpc::ServerContext*, grpc::ServerReader<ingest::v1::IngestWithConfigDataStreamRequest>*,
      ingest::v1::IngestWithConfigDataStreamResponse*) override {
    ++calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "induced failure");
  }
  std::atomic<int> calls{0};
};

class TestServer {
 public:
  explicit TestServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
  }
  ~TestServer() { server_->Shutdown(std::chrono::system_clock::now()); }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

SiftChannel channel_to(const std::string& uri, const std::string& apikey = "test-key") {
  SiftChannelConfig config;
  config.uri = uri;
  config.apikey = apikey;
  config.use_ssl = false;
  config.metadata = {{"x-extra", "extra-value"}};
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return *channel;
}

absl::Status ping(const SiftChannel& channel) {
  auto stub = ping::v1::PingService::NewStub(channel.grpc_channel());
  ping::v1::PingRequest request;
  ping::v1::PingResponse response;
  return internal::unary_call(channel, "PingService.Ping", [&](grpc::ClientContext* context) {
    return stub->Ping(context, request, &response);
  });
}

absl::Status ingest_once(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = ingest::v1::IngestService::NewStub(channel);
  grpc::ClientContext context;
  ingest::v1::IngestWithConfigDataStreamResponse response;
  auto writer = stub->IngestWithConfigDataStream(&context, &response);
  ingest::v1::IngestWithConfigDataStreamRequest request;
  request.set_flow("f");
  writer->Write(request);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

TEST(Transport, SendsAuthorizationExtraMetadataAndUserAgent) {
  ScriptedPing service(0, grpc::StatusCode::OK);
  TestServer server(&service);
  ASSERT_TRUE(ping(channel_to("http://" + server.endpoint() + "/", "my-key")).ok());
  const auto metadata = service.metadata();
  ASSERT_EQ(metadata.count("authorization"), 1u);
  EXPECT_EQ(metadata.find("authorization")->second, "Bearer my-key");
  ASSERT_EQ(metadata.count("x-extra"), 1u);
  EXPECT_EQ(metadata.find("x-extra")->second, "extra-value");
  ASSERT_EQ(metadata.count("user-agent"), 1u);
  EXPECT_THAT(metadata.find("user-agent")->second, HasSubstr("sift-cpp/"));
}

// grpc/transport_test.py: UNKNOWN or INTERNAL 4 times, then success on the
// 5th attempt; 7 failures fail after exactly 5 attempts. (Each case waits for
// up to ~4 s of backoff, so they run side by side.)
TEST(Transport, UnaryCallsAreRetriedFiveTimes) {
  std::vector<std::thread> cases;
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNKNOWN, grpc::StatusCode::INTERNAL, grpc::StatusCode::UNAVAILABLE}) {
    cases.emplace_back([code] {
      ScriptedPing recovers(4, code);
      TestServer server(&recovers);
      EXPECT_TRUE(ping(channel_to(server.endpoint())).ok()) << code;
      EXPECT_EQ(recovers.calls.load(), 5) << code;
    });
    cases.emplace_back([code] {
      ScriptedPing keeps_failing(7, code);
      TestServer server(&keeps_failing);
      absl::Status status = ping(channel_to(server.endpoint()));
      EXPECT_EQ(static_cast<int>(status.code()), static_cast<int>(code));
      EXPECT_THAT(status.message(), HasSubstr("PingService.Ping: induced failure"));
      EXPECT_EQ(keeps_failing.calls.load(), 5) << code;
    });
  }
  for (std::thread& t : cases) t.join();
}

TEST(Transport, NonRetryableCodesAreNotRetried) {
  ScriptedPing service(1, grpc::StatusCode::INVALID_ARGUMENT);
  TestServer server(&service);
  EXPECT_EQ(ping(channel_to(server.endpoint())).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(service.calls.load(), 1);
}

TEST(Transport, IngestStreamsAreNotRetried) {
  UnavailableIngest service;
  TestServer server(&service);
  EXPECT_EQ(ingest_once(channel_to(server.endpoint()).grpc_channel()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(service.calls.load(), 1);

  // Control: with sift_py's wildcard-only config the same stream is retried,
  // so the count above really shows the ingest service is excluded.
  UnavailableIngest control;
  TestServer control_server(&control);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetServiceConfigJSON(
      R"({"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":5,"initialBackoff":"0.05s",)"
      R"("maxBackoff":"5s","backoffMultiplier":4,"retryableStatusCodes":["UNAVAILABLE"]}}]})");
  auto raw = grpc::CreateCustomChannel(control_server.endpoint(),
                                       grpc::InsecureChannelCredentials(), args);
  EXPECT_EQ(ingest_once(raw).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(control.calls.load(), 5);
}

TEST(Transport, UnaryDeadlineAppliesPerCall) {
  ScriptedPing slow(0, grpc::StatusCode::OK, std::chrono::milliseconds(1500));
  TestServer server(&slow);
  SiftChannelConfig config;
  config.uri = server.endpoint();
  config.apikey = "k";
  config.use_ssl = false;
  config.unary_deadline = std::chrono::milliseconds(200);
  absl::StatusOr<SiftChannel> channel = use_sift_channel(config);
  ASSERT_TRUE(channel.ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ping(*channel).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));

  config.unary_deadline = std::chrono::milliseconds(0);  // none
  channel = use_sift_channel(config);
  ASSERT_TRUE(channel.ok());
  EXPECT_TRUE(ping(*channel).ok());
}

TEST(Transport, UnreachableServerIsUnavailableAndNamesTheMethod) {
  // Nothing listens on port 1; the retries end with UNAVAILABLE.
  absl::Status status = ping(channel_to("127.0.0.1:1"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("PingService.Ping"));
}

enum class Transport { kInProcess, kTcp };

class EmulatorAuth : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    emulator::EmulatorOptions options;
    options.api_key = "right-key";
    emulator_ = std::make_unique<emulator::Emulator>(options);
    ASSERT_TRUE(emulator_->start().ok());
  }

  SiftChannel channel(const std::string& apikey) {
    if (GetParam() == Transport::kInProcess) return emulator_->in_process_channel(apikey);
    return channel_to(emulator_->endpoint(), apikey);
  }

  std::unique_ptr<emulator::Emulator> emulator_;
};

TEST_P(EmulatorAuth, RightKeyIsAccepted) { EXPECT_TRUE(ping(channel("right-key")).ok()); }

TEST_P(EmulatorAuth, WrongOrEmptyKeyIsUnauthenticatedWithoutTheKey) {
  for (const std::string key : {"wrong-key-1234", ""}) {
    absl::Status status = ping(channel(key));
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
    EXPECT_THAT(status.message(), AllOf(HasSubstr("PingService.Ping"), HasSubstr("API key"),
                                        Not(HasSubstr("right-key"))));
    if (!key.empty()) EXPECT_THAT(status.message(), Not(HasSubstr(key)));
  }
}

TEST_P(EmulatorAuth, WrongKeyFailsIngestionServiceCreateClearly) {
  TelemetryConfig config;
  config.asset_name = "auth-asset";
  config.ingestion_client_key = "auth-key";
  config.flows = {FlowConfig{"f", {ChannelConfig{"c", std::nullopt, ChannelDataType::kDouble}}}};
  auto service = IngestionService::create(channel("wrong-key-1234"), config);
  ASSERT_FALSE(service.ok());
  EXPECT_EQ(service.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(
      service.status().message(),
      AllOf(HasSubstr("IngestionConfigService.ListIngestionConfigs"), HasSubstr("auth-asset"),
            HasSubstr("API key"), Not(HasSubstr("wrong-key-1234")), Not(HasSubstr("right-key"))));
}

INSTANTIATE_TEST_SUITE_P(Transports, EmulatorAuth,
                         ::testing::Values(Transport::kInProcess, Transport::kTcp),
                         [](const auto& info) {
                           return info.param == Transport::kInProcess ? "InProcess" : "Tcp";
                         });

}  // namespace
}  // namespace sift
