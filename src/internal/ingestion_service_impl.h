// IngestionService's state, shared by src/ingestion/service*.cc and
// BufferedIngestion (src/ingestion/buffer.cc).
#ifndef SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_
#define SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_

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
#include "internal/request_sender.h"
#include "sift/ingestion/service.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace sift {

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
  std::unique_ptr<internal::RequestSender> sender;

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

  // Lazy registration (spec 4.4) of the named flows, then one send.
  absl::Status ingest(absl::Span<const IngestRequest> requests,
                      const internal::SendOptions& options);
  absl::Status register_lazy_flows(const std::vector<std::string>& flow_names);

  // CreateIngestionConfigFlows with the size check; `*size_exceeded` tells
  // the caller that nothing was sent because the request was too big.
  absl::Status create_flows_rpc(absl::Span<const FlowConfig> flows, bool* size_exceeded);
  // ListIngestionConfigFlows, every page (1000 per page; page size 1 when the
  // first page is RESOURCE_EXHAUSTED).
  absl::StatusOr<std::vector<FlowConfig>> list_flows();
};

}  // namespace sift

#endif  // SIFT_INTERNAL_INGESTION_SERVICE_IMPL_H_
