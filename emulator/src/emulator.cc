// Emulator: owns the store for its whole life and a gRPC server (plus the
// HTTP listener, when configured) per start()/stop() cycle, so a restart
// serves the same data on the same ports.
#include "sift/emulator/emulator.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "auth.h"
#include "files.h"
#include "gate.h"
#include "http_server.h"
#include "internal/auth_interceptor.h"
#include "services.h"
#include "store.h"

namespace sift {
namespace emulator {
namespace {

// How long stop() lets calls finish before cancelling them.
constexpr auto kShutdownGrace = std::chrono::milliseconds(250);

// `host:port` or `[v6]:port`; port 0..65535.
absl::Status split_listen(const std::string& listen, std::string* host, int* port) {
  const std::size_t colon = listen.rfind(':');
  int value = -1;
  if (colon == std::string::npos || colon + 1 == listen.size() ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &value) || value < 0 ||
      value > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("sift-emulator: listen address '", listen, "' is not HOST:PORT"));
  }
  *host = listen.substr(0, colon);
  *port = value;
  return absl::OkStatus();
}

Timestamp to_time(const google::protobuf::Timestamp& ts) {
  return Timestamp(std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos()));
}

FlowConfig to_flow_config(const configs_pb::FlowConfig& wire) {
  FlowConfig flow;
  flow.name = wire.name();
  for (const configs_pb::ChannelConfig& c : wire.channels()) {
    ChannelConfig channel;
    channel.name = c.name();
    channel.data_type = static_cast<ChannelDataType>(c.data_type());
    channel.description = c.description();
    channel.unit = c.unit();
    for (const auto& e : c.enum_types()) {
      channel.enum_types.push_back(ChannelEnumType{e.name(), e.key(), e.is_signed()});
    }
    for (const auto& b : c.bit_field_elements()) {
      channel.bit_field_elements.push_back(
          ChannelBitFieldElement{b.name(), b.index(), b.bit_count()});
    }
    flow.channels.push_back(std::move(channel));
  }
  return flow;
}

RunInfo to_run_info(const runs_pb::Run& run) {
  RunInfo info;
  info.run_id = run.run_id();
  info.name = run.name();
  info.description = run.description();
  if (run.has_client_key()) info.client_key = run.client_key();
  info.tags.assign(run.tags().begin(), run.tags().end());
  for (const auto& m : run.metadata()) {
    using Value = ::sift::metadata::v1::MetadataValue;
    switch (m.value_case()) {
      case Value::kStringValue:
        info.metadata.emplace_back(m.key().name(), m.string_value());
        break;
      case Value::kNumberValue:
        info.metadata.emplace_back(m.key().name(), m.number_value());
        break;
      case Value::kBooleanValue:
        info.metadata.emplace_back(m.key().name(), m.boolean_value());
        break;
      default:
        break;
    }
  }
  info.asset_ids.assign(run.asset_ids().begin(), run.asset_ids().end());
  info.is_pinned = run.is_pinned();
  if (run.has_start_time()) info.start_time = to_time(run.start_time());
  if (run.has_stop_time()) info.stop_time = to_time(run.stop_time());
  return info;
}

// A gRPC server and the adapters it points at.
struct Serving {
  std::unique_ptr<grpc::Server> server;
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<grpc::CallbackGenericService> unknown;
};

// Fresh adapters per server: gRPC ties a registered service to its server.
// `address` empty: no port (the in-process server).
std::unique_ptr<Serving> build_server(const ServiceDeps& deps, const std::string& address,
                                      int* bound) {
  auto serving = std::make_unique<Serving>();
  serving->services.push_back(make_ping_service(deps));
  serving->services.push_back(make_assets_service(deps));
  serving->services.push_back(make_ingestion_configs_service(deps));
  serving->services.push_back(make_ingest_service(deps));
  serving->services.push_back(make_runs_service(deps));
  serving->services.push_back(make_channels_service(deps));
  serving->services.push_back(make_rules_service(deps));
  serving->services.push_back(make_users_service(deps));
  serving->services.push_back(make_tags_service(deps));
  serving->services.push_back(make_annotations_service(deps));
  serving->services.push_back(make_data_service(deps));
  serving->services.push_back(make_remote_files_service(deps));
  serving->services.push_back(make_annotation_logs_service(deps));
  serving->unknown = make_unknown_method_service(deps);
  grpc::ServerBuilder builder;
  if (!address.empty()) {
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), bound);
    // Without this a second emulator on a taken port would silently share it.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  }
  // Accept the SDK's keepalive (a ping every 20 s, also while idle) as Sift
  // does; gRPC's default policy would answer it with GOAWAY too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  for (auto& service : serving->services) builder.RegisterService(service.get());
  builder.RegisterCallbackGenericService(serving->unknown.get());
  serving->server = builder.BuildAndStart();
  if (serving->server == nullptr) return nullptr;
  return serving;
}

// A running server whose gate is closed for good, kept reachable until the
// process exits because an in-process channel to it outlived its emulator:
// shutting it down would make that channel's next call crash inside gRPC.
void keep_forever(std::unique_ptr<Serving> serving) {
  static std::mutex* mu = new std::mutex;
  static auto* kept = new std::vector<std::unique_ptr<Serving>>;
  std::lock_guard<std::mutex> lock(*mu);
  kept->push_back(std::move(serving));
}

}  // namespace

struct Emulator::Impl {
  explicit Impl(EmulatorOptions opts)
      : options(std::move(opts)),
        auth(std::make_shared<const Auth>(options.api_key)),
        gate(std::make_shared<Gate>()),
        http_address(std::make_shared<HttpAddress>()) {
    deps.store = &store;
    deps.ingest_counters = &ingest_counters;
    deps.ingest_count_only = options.ingest_count_only;
    deps.auth = auth;
    deps.gate = gate;
    deps.http_address = http_address;
    store.seed(options.users, options.tags);
  }

  ~Impl() {
    if (in_process == nullptr) return;
    bool channel_alive = false;
    for (const auto& channel : channels) channel_alive |= !channel.expired();
    if (channel_alive) {
      keep_forever(std::move(in_process));
      return;
    }
    in_process->server->Shutdown();
    in_process->server->Wait();
  }

  // The address clients dial: wildcard hosts are reached through loopback.
  static std::string dial_address(const std::string& host, int port) {
    if (port <= 0) return std::string();
    const bool wildcard = host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::";
    return absl::StrCat(wildcard ? "127.0.0.1" : host, ":", port);
  }
  std::string endpoint_locked() const { return dial_address(host, port); }

  // The HTTP listener, when options.http_listen is set; mu held.
  absl::Status start_http_locked() {
    if (!options.http_listen.has_value()) return absl::OkStatus();
    if (!http_parsed) {
      if (absl::Status s = split_listen(*options.http_listen, &http_host, &http_port); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("sift-emulator: HTTP listen address '",
                                                       *options.http_listen, "' is not HOST:PORT"));
      }
      http_parsed = true;
    }
    if (data_dir == nullptr) {
      absl::StatusOr<std::unique_ptr<DataDir>> dir = DataDir::open(options.data_dir);
      if (!dir.ok()) return dir.status();
      data_dir = std::move(*dir);
    }
    HttpServerOptions http_options;
    http_options.store = &store;
    http_options.auth = auth;
    http_options.faults = &http_faults;
    http_options.data_dir = data_dir->path();
    http_options.max_file_size = options.max_file_size;
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::start(std::move(http_options), http_host, http_port);
    if (!server.ok()) return server.status();
    http_port = (*server)->port();
    http = std::move(*server);
    http_address->set(dial_address(http_host, http_port));
    return absl::OkStatus();
  }

  const EmulatorOptions options;
  Store store;
  IngestCounters ingest_counters;
  const std::shared_ptr<const Auth> auth;
  const std::shared_ptr<Gate> gate;  // open exactly while started
  const std::shared_ptr<HttpAddress> http_address;
  HttpFaults http_faults;
  // Declared before `http`: the listener writes into it while it runs.
  std::unique_ptr<DataDir> data_dir;  // from the first start() with HTTP on
  ServiceDeps deps;

  mutable std::mutex mu;
  bool parsed = false;
  std::string host;
  int port = 0;                         // configured, then the first port actually bound
  std::unique_ptr<Serving> tcp;         // while started
  std::unique_ptr<Serving> in_process;  // from the first in_process_channel() on
  std::vector<std::weak_ptr<grpc::Channel>> channels;  // handed-out in-process channels
  bool http_parsed = false;
  std::string http_host;
  int http_port = 0;                 // configured, then the first port actually bound
  std::unique_ptr<HttpServer> http;  // while started, when configured
};

Emulator::Emulator(EmulatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

absl::Status Emulator::start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->tcp != nullptr) return absl::OkStatus();
  if (!impl_->parsed) {
    if (absl::Status s = split_listen(impl_->options.listen, &impl_->host, &impl_->port); !s.ok()) {
      return s;
    }
    impl_->parsed = true;
  }
  const std::string address = absl::StrCat(impl_->host, ":", impl_->port);
  int bound = 0;
  std::unique_ptr<Serving> tcp = build_server(impl_->deps, address, &bound);
  if (tcp == nullptr || bound == 0) {
    if (tcp != nullptr) tcp->server->Shutdown();
    return absl::UnavailableError(absl::StrCat("sift-emulator cannot listen on ", address));
  }
  if (absl::Status s = impl_->start_http_locked(); !s.ok()) {
    tcp->server->Shutdown(std::chrono::system_clock::now());
    tcp->server->Wait();
    return s;
  }
  impl_->port = bound;
  impl_->tcp = std::move(tcp);
  impl_->gate->open();
  return absl::OkStatus();
}

void Emulator::stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->tcp == nullptr) return;
  // Both servers answer UNAVAILABLE from here on; open calls get a short
  // grace, then are cancelled (long-lived ingest streams never end alone).
  impl_->gate->close(kShutdownGrace);
  impl_->tcp->server->Shutdown(std::chrono::system_clock::now());
  impl_->tcp->server->Wait();
  impl_->tcp.reset();
  if (impl_->http != nullptr) {
    impl_->http->stop();
    impl_->http.reset();
  }
}

bool Emulator::running() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->tcp != nullptr;
}

std::string Emulator::endpoint() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->endpoint_locked();
}

SiftChannel Emulator::in_process_channel(const std::string& apikey) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->in_process == nullptr) {
    int unused = 0;
    impl_->in_process = build_server(impl_->deps, "", &unused);
  }
  std::shared_ptr<grpc::Channel> channel;
  grpc::ChannelArguments args;
  if (impl_->in_process != nullptr) {
    channel = impl_->in_process->server->experimental().InProcessChannelWithInterceptors(
        args, internal::make_auth_interceptors(apikey));
    auto& channels = impl_->channels;
    channels.erase(
        std::remove_if(channels.begin(), channels.end(), [](const auto& c) { return c.expired(); }),
        channels.end());
    channels.push_back(channel);
  } else {
    // gRPC could not build a port-less server (it always can in practice):
    // fall back to loopback TCP rather than hand out nothing.
    channel = grpc::experimental::CreateCustomChannelWithInterceptors(
        impl_->port > 0 ? impl_->endpoint_locked() : "127.0.0.1:0",
        grpc::InsecureChannelCredentials(), args, internal::make_auth_interceptors(apikey));
  }
  return SiftChannel::from_grpc_channel(std::move(channel), "in-process", std::chrono::seconds(60));
}

std::vector<ChannelSummary> Emulator::channel_summaries() const {
  return impl_->store.channel_summaries();
}

std::vector<std::string> Emulator::summary_lines() const {
  std::vector<std::string> lines;
  for (const ChannelSummary& s : channel_summaries()) {
    lines.push_back(absl::StrCat("asset=", s.asset, " channel=", s.channel, " rows=", s.rows,
                                 " runs=", s.runs));
  }
  for (const AnnotationInfo& a : annotations()) {
    lines.push_back(absl::StrCat("annotation rule=", a.name, " kind=", a.kind, " state=", a.state,
                                 " asset=", a.asset, " start=", to_rfc3339(a.start),
                                 " end=", a.end.has_value() ? to_rfc3339(*a.end) : "open"));
  }
  return lines;
}

std::vector<AnnotationInfo> Emulator::annotations() const {
  return impl_->store.annotation_infos();
}

std::uint64_t Emulator::out_of_order_rows() const { return impl_->store.out_of_order_rows(); }

std::uint64_t Emulator::rejected_rows() const { return impl_->store.rejected_rows(); }

std::vector<std::string> Emulator::rejected_row_errors() const {
  return impl_->store.rejected_row_errors();
}

std::vector<StoredRow> Emulator::rows(const std::string& asset, const std::string& channel) const {
  return impl_->store.rows(asset, channel);
}

std::vector<std::string> Emulator::asset_names() const {
  std::vector<assets_pb::Asset> assets =
      impl_->store.assets([](const assets_pb::Asset&) { return true; });
  std::vector<std::string> names;
  // The store lists newest first, as Sift does; inspection reads oldest first.
  for (auto it = assets.rbegin(); it != assets.rend(); ++it) names.push_back(it->name());
  return names;
}

std::vector<IngestionConfigInfo> Emulator::ingestion_configs() const {
  std::vector<IngestionConfigInfo> out;
  const auto all = [](const auto&) { return true; };
  for (const configs_pb::IngestionConfig& config : impl_->store.ingestion_configs(all)) {
    IngestionConfigInfo info;
    info.ingestion_config_id = config.ingestion_config_id();
    info.asset_id = config.asset_id();
    info.client_key = config.client_key();
    if (auto asset = impl_->store.asset(config.asset_id()); asset.ok()) {
      info.asset_name = asset->name();
    }
    if (auto flows = impl_->store.flows(config.ingestion_config_id(), all); flows.ok()) {
      for (const configs_pb::FlowConfig& flow : *flows) {
        info.flows.push_back(to_flow_config(flow));
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<RunInfo> Emulator::runs() const {
  std::vector<runs_pb::Run> runs = impl_->store.runs([](const runs_pb::Run&) { return true; });
  std::vector<RunInfo> out;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) out.push_back(to_run_info(*it));
  return out;
}

std::string Emulator::http_endpoint() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->options.http_listen.has_value()) return std::string();
  return Impl::dial_address(impl_->http_host, impl_->http_port);
}

std::vector<RemoteFileInfo> Emulator::remote_files() const {
  return impl_->store.remote_file_infos();
}

void Emulator::fail_next_http_requests(int count, int http_status) {
  impl_->http_faults.fail_next(count, http_status);
}

void Emulator::cut_next_download_after(std::uint64_t bytes) {
  impl_->http_faults.cut_next_download(bytes);
}

IngestCounts Emulator::ingest_counts() const {
  IngestCounts counts;
  counts.rows = impl_->ingest_counters.rows.load(std::memory_order_relaxed);
  counts.bytes = impl_->ingest_counters.bytes.load(std::memory_order_relaxed);
  return counts;
}

}  // namespace emulator
}  // namespace sift
