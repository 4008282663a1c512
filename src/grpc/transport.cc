// The channel to Sift: URI normalisation, TLS, keepalive, sift_py's retry
// policy, the authorization interceptor, and gRPC -> absl status conversion.
#include "sift/grpc/transport.h"

#include <cctype>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <grpc/grpc.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/auth_interceptor.h"
#include "internal/grpc_util.h"
#include "internal/version.h"
#include "sift/ingestion/channel.h"  // internal::to_absl_view

namespace sift {
namespace {

constexpr int kMaxReceiveMessageBytes = 50 * 1024 * 1024;  // sift_client / sift_connect
constexpr int kKeepaliveTimeMs = 20000;
constexpr int kKeepaliveTimeoutMs = 20000;
// gRPC waits up to 120 s between reconnection attempts by default, so after a
// long outage the channel could stay down for minutes after the server is
// back; the ingestion engine retries on its own schedule (docs/transport.md).
constexpr int kMinReconnectBackoffMs = 200;
constexpr int kMaxReconnectBackoffMs = 5000;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string normalize_uri(std::string_view uri) {
  std::string_view text = trim(uri);
  // sift_py keeps only the network location of `http(s)://host:port/path`.
  // We strip any `scheme://` the same way (as sift_client at HEAD does):
  // sift_py would turn `grpc://host:443` into the nonsense target `grpc:`.
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    bool is_scheme = scheme_end > 0;
    for (std::size_t i = 0; i < scheme_end; ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') is_scheme = false;
    }
    if (is_scheme) text.remove_prefix(scheme_end + 3);
  }
  const std::size_t authority_end = text.find_first_of("/?#");
  if (authority_end != std::string_view::npos) text = text.substr(0, authority_end);
  return std::string(text);
}

SiftChannel SiftChannel::from_grpc_channel(std::shared_ptr<grpc::Channel> channel,
                                           std::string target,
                                           std::chrono::milliseconds unary_deadline) {
  SiftChannel out;
  out.channel_ = std::move(channel);
  out.target_ = std::move(target);
  out.unary_deadline_ = unary_deadline;
  return out;
}

absl::StatusOr<SiftChannel> use_sift_channel(const SiftChannelConfig& config) {
  std::string target = normalize_uri(config.uri);
  if (target.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SiftChannelConfig.uri '", internal::to_absl_view(trim(config.uri)),
                     "' has no host (expected host[:port], optionally with http(s)://)"));
  }
  if (config.unary_deadline.count() < 0) {
    return absl::InvalidArgumentError("SiftChannelConfig.unary_deadline must not be negative");
  }

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (config.use_ssl) {
    grpc::SslCredentialsOptions ssl;
    if (config.root_certs_path.has_value()) {
      std::ifstream file(*config.root_certs_path, std::ios::binary);
      std::ostringstream contents;
      if (file) contents << file.rdbuf();
      if (!file || contents.str().empty()) {
        return absl::InvalidArgumentError(absl::StrCat("could not read root certificates from '",
                                                       *config.root_certs_path,
                                                       "' (SiftChannelConfig.root_certs_path)"));
      }
      ssl.pem_root_certs = contents.str();
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  args.SetServiceConfigJSON(internal::retry_service_config_json());
  args.SetString(GRPC_ARG_SECONDARY_USER_AGENT_STRING,
                 absl::StrCat(internal::kUserAgentProduct, "/", internal::kSiftVersion));
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  if (config.enable_keepalive) {
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  }

  std::shared_ptr<grpc::Channel> channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials, args, internal::make_auth_interceptors(config.apikey, config.metadata));
  return internal::SiftChannelAccess::make(std::move(channel), std::move(target),
                                           config.unary_deadline,
                                           std::make_shared<const std::string>(config.apikey));
}

namespace internal {

std::string retry_service_config_json() {
  // The first entry is sift_py's policy verbatim (a wildcard name); the second
  // names the ingest service without a retryPolicy, which gRPC prefers over
  // the wildcard, so ingest streams are never transparently retried.
  return R"json({"methodConfig":[)json"
         R"json({"name":[{}],"retryPolicy":{"maxAttempts":5,"initialBackoff":"0.05s",)json"
         R"json("maxBackoff":"5s","backoffMultiplier":4,"retryableStatusCodes":)json"
         R"json(["INTERNAL","UNKNOWN","UNAVAILABLE","ABORTED","DEADLINE_EXCEEDED"]}},)json"
         R"json({"name":[{"service":"sift.ingest.v1.IngestService"}]}]})json";
}

std::string redact_apikey(std::string_view text, const SiftChannel& channel) {
  const std::string* key = SiftChannelAccess::apikey(channel);
  std::string out(text);
  if (key == nullptr || key->empty()) return out;
  std::size_t pos = 0;
  while ((pos = out.find(*key, pos)) != std::string::npos) {
    out.replace(pos, key->size(), "<redacted>");
    pos += 10;
  }
  return out;
}

absl::Status to_absl_status(const grpc::Status& status, std::string_view method,
                            const SiftChannel& channel) {
  if (status.ok()) return absl::OkStatus();
  // gRPC and absl share the canonical code numbers.
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string message = redact_apikey(status.error_message(), channel);
  if (message.empty()) message = absl::StatusCodeToString(code);
  std::string text = absl::StrCat(internal::to_absl_view(method), ": ", message);
  if (code == absl::StatusCode::kUnauthenticated) {
    absl::StrAppend(&text, " (check the API key: SiftChannelConfig.apikey)");
  }
  return absl::Status(code, text);
}

}  // namespace internal
}  // namespace sift
