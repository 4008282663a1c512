// IngestionService's state, shared by src/ingestion/service*.cc and
// BufferedIngestion (src/ingestion/buffer.cc).
#ifndef SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_
#define SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "internal/ingest_engine.h"
#include "internal/row_block.h"
#include "internal/wire_encoder.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/service.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace sift {

inline const std::string& flow_name_of(const IngestRequest& row) { return row.flow; }
inline const std::string& flow_name_of(const Flow& row) { return row.flow_name; }
inline const std::string& flow_name_of(const FlowOrderedChannelValues& row) {
  return row.flow_name;
}
inline const std::string& flow_name_of(const ingest::v1::IngestWithConfigDataStreamRequest& row) {
  return row.flow();
}

struct IngestionService::Impl {
  SiftChannel channel;
  TelemetryConfig config;
  IngestionServiceOptions options;

  // The ingestion config in use (set once by create()).
  std::string ingestion_config_id;
  std::string asset_id;
  std::string organization_id;  // the telemetry config's, "" if unset
  bool lazy = false;
  std::vector<std::string> reconciliation_warnings;

  std::unique_ptr<ingestion_configs::v2::IngestionConfigService::Stub> configs;
  std::unique_ptr<runs::v2::RunService::Stub> runs;

  // Guards the flow caches and the attached run: the interval flush of a
  // BufferedIngestion may build or send while the owner attaches a run.
  mutable std::mutex mu;
  std::map<std::string, FlowConfig> flows;  // sift_py's flow_configs_by_name
  std::set<std::string> created;            // sift_py's flow_configs_created
  std::optional<std::string> run_id;
  // Serialises lazy flow registration so concurrent senders register once.
  std::mutex register_mu;

  // The request fields every request carries, captured under `mu`.
  IngestRequest request_template(const std::string& flow_name) const;

  // Lazy registration (spec 4.4) of the named flows not registered yet.
  absl::Status register_lazy_flows(const std::vector<std::string>& flow_names);
  // The same for the flows `rows` use; free when every one is registered.
  template <typename Rows>
  absl::Status register_lazy_flows_for(const Rows& rows) {
    if (!lazy) return absl::OkStatus();
    std::vector<std::string> missing;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& row : rows) {
        const std::string& name = flow_name_of(row);
        if (created.count(name) == 0 && flows.count(name) != 0 &&
            std::find(missing.begin(), missing.end(), name) == missing.end()) {
          missing.push_back(name);
        }
      }
    }
    return missing.empty() ? absl::OkStatus() : register_lazy_flows(missing);
  }

  // The fields every request carries; `mu` held (the run may change).
  internal::wire::RowHeader row_header() const;
  // Validate and encode rows into `out` (appended; nothing on error but the
  // rows before the bad one). `mu` is taken inside.
  absl::Status encode(absl::Span<const Flow> flows, internal::RowBlock* out) const;
  absl::Status encode(absl::Span<const FlowOrderedChannelValues> flows, bool validate,
                      internal::RowBlock* out) const;
  void encode(absl::Span<const IngestRequest> requests, internal::RowBlock* out) const;
  void encode(absl::Span<const ingest::v1::IngestWithConfigDataStreamRequest> requests,
              internal::RowBlock* out) const;
  // Hands encoded rows to the engine (the backpressure policy applies).
  absl::Status queue(const internal::RowBlock& rows);

  // CreateIngestionConfigFlows with the size check; `*size_exceeded` tells
  // the caller that nothing was sent because the request was too big.
  absl::Status create_flows_rpc(absl::Span<const FlowConfig> flows, bool* size_exceeded);
  // ListIngestionConfigFlows, every page (1000 per page; page size 1 when the
  // first page is RESOURCE_EXHAUSTED).
  absl::StatusOr<std::vector<FlowConfig>> list_flows();

  // Created last by create(); declared last so it is destroyed first (its
  // destructor drains the queue while the rest is still alive).
  std::unique_ptr<internal::IngestEngine> engine;
};

}  // namespace sift

#endif  // SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_
