// IngestionService: building requests (spec 5), queueing them to the
// ingestion engine (internal/ingest_engine.h), lazy flow registration (4.4)
// and runtime flows (4.6).
#include "sift/ingestion/service.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/ingest_request.h"
#include "internal/ingestion_service_impl.h"
#include "sift/status.h"

namespace sift {
namespace {

absl::Status flow_not_found(const IngestionService::Impl& impl, const std::string& flow_name) {
  return absl::InvalidArgumentError(absl::StrCat(
      "Flow '", flow_name, "' could not be found among the flows of ingestion config '",
      impl.config.ingestion_client_key, "'"));
}

}  // namespace

IngestionService::IngestionService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IngestionService::~IngestionService() = default;

IngestRequest IngestionService::Impl::request_template(const std::string& flow_name) const {
  IngestRequest request;
  request.ingestion_config_id = ingestion_config_id;
  request.flow = flow_name;
  request.run_id = run_id.value_or("");
  request.end_stream_on_validation_error = options.end_stream_on_error;
  request.organization_id = organization_id;
  return request;
}

absl::Status IngestionService::Impl::register_lazy_flows(
    const std::vector<std::string>& flow_names) {
  std::lock_guard<std::mutex> registering(register_mu);
  std::vector<FlowConfig> pending;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& name : flow_names) {
      // Unknown names are sent anyway: the server rejects them (as sift_py).
      auto it = flows.find(name);
      if (it != flows.end() && created.count(name) == 0) pending.push_back(it->second);
    }
  }
  if (pending.empty()) return absl::OkStatus();

  bool size_exceeded = false;
  absl::Status status = create_flows_rpc(pending, &size_exceeded);
  if (size_exceeded || absl::IsAlreadyExists(status)) {
    // One at a time, skipping flows someone else registered already.
    for (const FlowConfig& flow : pending) {
      absl::Status one = create_flows_rpc(absl::MakeConstSpan(&flow, 1), nullptr);
      if (!one.ok() && !absl::IsAlreadyExists(one)) {
        return absl::Status(one.code(), absl::StrCat("registering flow '", flow.name,
                                                     "' (lazy flow creation): ", one.message()));
      }
    }
  } else if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("registering flows (lazy flow creation): ", status.message()));
  }
  std::lock_guard<std::mutex> lock(mu);
  for (const FlowConfig& flow : pending) created.insert(flow.name);
  return absl::OkStatus();
}

IngestRequest IngestionService::create_ingestion_request(
    const FlowOrderedChannelValues& flow) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  IngestRequest request = impl_->request_template(flow.flow_name);
  request.timestamp = flow.timestamp;
  request.channel_values = flow.channel_values;
  return request;
}

absl::StatusOr<IngestRequest> IngestionService::try_create_ingestion_request(
    const Flow& flow) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->flows.find(flow.flow_name);
  if (it == impl_->flows.end()) return flow_not_found(*impl_, flow.flow_name);
  SIFT_ASSIGN_OR_RETURN(std::vector<TypedValue> values,
                        internal::ordered_values_from_keyed(it->second, flow));
  IngestRequest request = impl_->request_template(flow.flow_name);
  request.timestamp = flow.timestamp;
  request.channel_values = std::move(values);
  return request;
}

absl::StatusOr<IngestRequest> IngestionService::try_create_ingestion_request(
    const FlowOrderedChannelValues& flow) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->flows.find(flow.flow_name);
  if (it == impl_->flows.end()) return flow_not_found(*impl_, flow.flow_name);
  SIFT_RETURN_IF_ERROR(internal::check_positional_values(it->second, flow));
  IngestRequest request = impl_->request_template(flow.flow_name);
  request.timestamp = flow.timestamp;
  request.channel_values = flow.channel_values;
  return request;
}

namespace {

// Per-thread scratch the rows of one call are encoded into before they are
// queued, so a call is validated completely before anything is queued.
internal::RowBlock& scratch() {
  thread_local internal::RowBlock block(internal::kRowBlockBytes);
  block.clear();
  return block;
}

}  // namespace

absl::Status IngestionService::Impl::queue(const internal::RowBlock& rows) {
  return engine->append(rows);
}

absl::Status IngestionService::try_ingest_flows(absl::Span<const Flow> flows) {
  SIFT_RETURN_IF_ERROR(impl_->register_lazy_flows_for(flows));
  internal::RowBlock& rows = scratch();
  SIFT_RETURN_IF_ERROR(impl_->encode(flows, &rows));
  return impl_->queue(rows);
}

absl::Status IngestionService::try_ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  SIFT_RETURN_IF_ERROR(impl_->register_lazy_flows_for(flows));
  internal::RowBlock& rows = scratch();
  SIFT_RETURN_IF_ERROR(impl_->encode(flows, /*validate=*/true, &rows));
  return impl_->queue(rows);
}

absl::Status IngestionService::ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  SIFT_RETURN_IF_ERROR(impl_->register_lazy_flows_for(flows));
  internal::RowBlock& rows = scratch();
  SIFT_RETURN_IF_ERROR(impl_->encode(flows, /*validate=*/false, &rows));
  return impl_->queue(rows);
}

absl::Status IngestionService::ingest(absl::Span<const IngestRequest> requests) {
  SIFT_RETURN_IF_ERROR(impl_->register_lazy_flows_for(requests));
  internal::RowBlock& rows = scratch();
  impl_->encode(requests, &rows);
  return impl_->queue(rows);
}

absl::Status IngestionService::ingest(
    absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests) {
  SIFT_RETURN_IF_ERROR(impl_->register_lazy_flows_for(requests));
  internal::RowBlock& rows = scratch();
  impl_->encode(requests, &rows);
  return impl_->queue(rows);
}

absl::Status IngestionService::flush(std::chrono::milliseconds timeout) {
  return impl_->engine->flush(timeout);
}

IngestionMetrics IngestionService::metrics() const { return impl_->engine->metrics(); }

absl::Status IngestionService::shutdown(std::chrono::milliseconds timeout) {
  return impl_->engine->shutdown(timeout);
}

absl::Status IngestionService::try_create_flows(absl::Span<const FlowConfig> flows) {
  if (impl_->config.ingestion_client_key_is_generated) return create_flows(flows);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (const FlowConfig& flow : flows) {
      if (impl_->flows.count(flow.name) != 0) {
        return absl::AlreadyExistsError(absl::StrCat(
            "There is already a flow named '", flow.name, "' in ingestion config '",
            impl_->config.ingestion_client_key, "' (create_flows replaces the local definition)"));
      }
    }
  }
  return create_flows(flows);
}

absl::Status IngestionService::create_flows(absl::Span<const FlowConfig> flows) {
  if (impl_->config.ingestion_client_key_is_generated) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Flows of an ingestion config with a generated ingestion_client_key can not be updated at "
        "runtime (asset '",
        impl_->config.asset_name,
        "'): add the flows to the TelemetryConfig (a new key) or set an ingestion_client_key"));
  }
  if (flows.empty()) return absl::OkStatus();
  SIFT_RETURN_IF_ERROR(impl_->create_flows_rpc(flows, nullptr));
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const FlowConfig& flow : flows) {
    impl_->flows[flow.name] = flow;
    impl_->created.insert(flow.name);
  }
  return absl::OkStatus();
}

const std::string& IngestionService::ingestion_config_id() const {
  return impl_->ingestion_config_id;
}
const std::string& IngestionService::asset_id() const { return impl_->asset_id; }
const std::string& IngestionService::asset_name() const { return impl_->config.asset_name; }
const TelemetryConfig& IngestionService::config() const { return impl_->config; }
bool IngestionService::use_lazy_flow_creation() const { return impl_->lazy; }
const std::map<std::string, FlowConfig>& IngestionService::flow_configs_by_name() const {
  return impl_->flows;
}
const std::vector<std::string>& IngestionService::reconciliation_warnings() const {
  return impl_->reconciliation_warnings;
}

}  // namespace sift
