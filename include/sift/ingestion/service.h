// Sending data to Sift: sift_py's `sift_py.ingestion.service`.
#ifndef SIFT_INGESTION_SERVICE_H_
#define SIFT_INGESTION_SERVICE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/buffer.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/engine.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/request.h"

namespace sift {
namespace ingest {
namespace v1 {
class IngestWithConfigDataStreamRequest;  // sift::protos, for ingest() of raw requests
}  // namespace v1
}  // namespace ingest

struct IngestionServiceOptions {
  // Attach this run id from the start, without any RPC.
  std::optional<std::string> run_id;
  // Copied into every request: the server ends the stream on the first
  // invalid row instead of parking it (debugging only: it costs throughput).
  bool end_stream_on_error = false;
  // Register flows on first use instead of at create().
  bool force_lazy_flow_creation = false;
  // Queue limits, backpressure, checkpoints, retries, disk backup.
  IngestionEngineOptions engine;
};

// Run metadata value: text, number or boolean (sift_py's metadata types).
using MetadataValue = std::variant<std::string, double, bool>;
using Metadata = std::vector<std::pair<std::string, MetadataValue>>;

struct RunOptions {
  std::string description;
  std::vector<std::string> tags;
  Metadata metadata;
  std::optional<std::string> organization_id;
  // Create a new run even if one with this name exists.
  bool force_new = false;
};

class IngestionService {
 public:
  // sift_py's construction: get-or-create the ingestion config by client key
  // (race-safe: ALREADY_EXISTS means look it up), create missing flows,
  // refuse changes that need a new client key (naming the flow, channel and
  // change), then use the server's flow definitions, then create or update
  // the config's rules with RuleService (scoped to the config's asset; a rule
  // without a client key gets derived_rule_client_key(asset, rule name)).
  // A rule that cannot be resolved or checked fails create() before any rule
  // is written (see docs/ingestion_service.md).
  static absl::StatusOr<std::unique_ptr<IngestionService>> create(
      SiftChannel channel, TelemetryConfig config, IngestionServiceOptions options = {});

  ~IngestionService();
  IngestionService(const IngestionService&) = delete;
  IngestionService& operator=(const IngestionService&) = delete;

  // Each sending call below encodes its rows into the engine's bounded queue
  // and returns: a background sender streams them (docs/ingestion_engine.md)
  // and flush() waits for the server's acknowledgement. A call is all or
  // nothing: when the queue has no room for every row of it, the
  // backpressure policy applies (by default RESOURCE_EXHAUSTED, nothing
  // queued). With lazy flow creation, new flows are registered first (one
  // blocking RPC per new flow). Safe to call from several threads.
  //
  // Validated, keyed form (sift_py's checks in its order; errors name the
  // flow and channel). All-or-nothing: nothing is sent if any flow fails.
  absl::Status try_ingest_flows(absl::Span<const Flow> flows);
  absl::Status try_ingest_flows(std::initializer_list<Flow> flows) {
    return try_ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }
  // Validated, positional form: one typed value per channel, in flow order,
  // each matching its channel's type (or empty).
  absl::Status try_ingest_flows(absl::Span<const FlowOrderedChannelValues> flows);
  absl::Status try_ingest_flows(std::initializer_list<FlowOrderedChannelValues> flows) {
    return try_ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }
  // Positional and unvalidated: the fast path for trusted producers.
  absl::Status ingest_flows(absl::Span<const FlowOrderedChannelValues> flows);
  absl::Status ingest_flows(std::initializer_list<FlowOrderedChannelValues> flows) {
    return ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }
  // One or several flows as separate arguments (each a Flow, or each a
  // FlowOrderedChannelValues); several are copied once into an array.
  template <typename T, typename... More, typename = internal::EnableIfFlows<T, More...>>
  absl::Status try_ingest_flows(const T& first, const More&... more) {
    return internal::with_flow_span(
        [this](absl::Span<const T> flows) { return try_ingest_flows(flows); }, first, more...);
  }
  template <typename... More, typename = internal::EnableIfFlows<FlowOrderedChannelValues, More...>>
  absl::Status ingest_flows(const FlowOrderedChannelValues& first, const More&... more) {
    return internal::with_flow_span(
        [this](absl::Span<const FlowOrderedChannelValues> flows) { return ingest_flows(flows); },
        first, more...);
  }

  // Prebuilt requests, queued as they are.
  absl::Status ingest(absl::Span<const IngestRequest> requests);
  absl::Status ingest(absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests);

  // Request builders (sift_py's create_ingestion_request /
  // try_create_ingestion_request).
  IngestRequest create_ingestion_request(const FlowOrderedChannelValues& flow) const;
  absl::StatusOr<IngestRequest> try_create_ingestion_request(const Flow& flow) const;
  absl::StatusOr<IngestRequest> try_create_ingestion_request(
      const FlowOrderedChannelValues& flow) const;

  // Reuses the run with this name unless options.force_new; else creates it.
  // Requests built afterwards carry its id.
  absl::Status attach_run(const std::string& run_name, const RunOptions& options = {});
  void detach_run();
  std::optional<std::string> run_id() const;

  // Registers flows at runtime. try_create_flows refuses names that exist;
  // both refuse with a generated client key ("can not be updated at runtime").
  absl::Status try_create_flows(absl::Span<const FlowConfig> flows);
  absl::Status create_flows(absl::Span<const FlowConfig> flows);

  // Returns once every row accepted before this call is acknowledged by the
  // server (OK), or when `timeout` passes (DEADLINE_EXCEEDED saying how many
  // rows are still unacknowledged and the last error). Rows given up on
  // (dropped) make it fail with the reason. Forces a checkpoint.
  absl::Status flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // A snapshot of the engine's counters.
  IngestionMetrics metrics() const;
  // Stops accepting rows, waits up to `timeout` for the queue to drain and
  // stops the sender. Returns what could not be sent (rows still on disk
  // with disk backup are named, and replayed by the next process). The
  // destructor calls it with options.engine.drain_timeout and prints a
  // non-OK result to stderr. Later ingest calls fail with FAILED_PRECONDITION.
  absl::Status shutdown(std::chrono::milliseconds timeout);

  // A RAII buffer over this service's queue: it stages up to `buffer_size`
  // rows and hands them to the engine when full, every `flush_interval` if
  // set, on flush() and on destruction.
  BufferedIngestion buffered_ingestion(
      std::size_t buffer_size = kDefaultBufferSize,
      std::optional<std::chrono::milliseconds> flush_interval = std::nullopt,
      BufferedIngestion::OnError on_error = nullptr);

  const std::string& ingestion_config_id() const;
  const std::string& asset_id() const;
  const std::string& asset_name() const;
  const TelemetryConfig& config() const;
  bool use_lazy_flow_creation() const;
  // The flows in use (the server's definitions for a user key). Not safe to
  // read while another thread runs create_flows() or lazy registration.
  const std::map<std::string, FlowConfig>& flow_configs_by_name() const;
  // Differences create() found between the local flows and the registered
  // ones that sift_py ignores silently (a channel removed or reordered, a
  // changed unit, description, enum or bit-field layout). The registered
  // definition is used in each case; positional values follow its order.
  const std::vector<std::string>& reconciliation_warnings() const;

  struct Impl;

 private:
  explicit IngestionService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_INGESTION_SERVICE_H_
