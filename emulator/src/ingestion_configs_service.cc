// sift.ingestion_configs.v2.IngestionConfigService: configs found again by
// client key, and their flows.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/ingestion_configs/v2/ingestion_configs.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

class IngestionConfigsService final : public configs_pb::IngestionConfigService::Service {
 public:
  explicit IngestionConfigsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateIngestionConfig(grpc::ServerContext* context,
                                     const configs_pb::CreateIngestionConfigRequest* request,
                                     configs_pb::CreateIngestionConfigResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<configs_pb::IngestionConfig> config =
        deps_.store->create_ingestion_config(*request);
    if (!config.ok()) return to_grpc(config.status());
    *response->mutable_ingestion_config() = std::move(*config);
    return grpc::Status::OK;
  }

  grpc::Status GetIngestionConfig(grpc::ServerContext* context,
                                  const configs_pb::GetIngestionConfigRequest* request,
                                  configs_pb::GetIngestionConfigResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<configs_pb::IngestionConfig> config =
        deps_.store->ingestion_config(request->ingestion_config_id());
    if (!config.ok()) return to_grpc(config.status());
    *response->mutable_ingestion_config() = std::move(*config);
    return grpc::Status::OK;
  }

  grpc::Status ListIngestionConfigs(grpc::ServerContext* context,
                                    const configs_pb::ListIngestionConfigsRequest* request,
                                    configs_pb::ListIngestionConfigsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListIngestionConfigs", request->filter(),
                         {"client_key", "ingestion_config_id", "asset_id"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page = parse_page("ListIngestionConfigs", request->page_size(),
                                           request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<configs_pb::IngestionConfig> configs =
        deps_.store->ingestion_configs([&](const configs_pb::IngestionConfig& config) {
          return filter->matches([&](const std::string& field) {
            if (field == "client_key") return config.client_key();
            if (field == "asset_id") return config.asset_id();
            return config.ingestion_config_id();
          });
        });
    response->set_next_page_token(
        take_page(configs, *page, [&](configs_pb::IngestionConfig&& config) {
          *response->add_ingestion_configs() = std::move(config);
        }));
    return grpc::Status::OK;
  }

  grpc::Status CreateIngestionConfigFlows(
      grpc::ServerContext* context, const configs_pb::CreateIngestionConfigFlowsRequest* request,
      configs_pb::CreateIngestionConfigFlowsResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    return to_grpc(deps_.store->create_flows(request->ingestion_config_id(), request->flows()));
  }

  grpc::Status ListIngestionConfigFlows(
      grpc::ServerContext* context, const configs_pb::ListIngestionConfigFlowsRequest* request,
      configs_pb::ListIngestionConfigFlowsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListIngestionConfigFlows", request->filter(), {"flow_name"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page = parse_page("ListIngestionConfigFlows", request->page_size(),
                                           request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    absl::StatusOr<std::vector<configs_pb::FlowConfig>> flows =
        deps_.store->flows(request->ingestion_config_id(), [&](const configs_pb::FlowConfig& flow) {
          return filter->matches([&](const std::string&) { return flow.name(); });
        });
    if (!flows.ok()) return to_grpc(flows.status());
    response->set_next_page_token(take_page(*flows, *page, [&](configs_pb::FlowConfig&& flow) {
      *response->add_flows() = std::move(flow);
    }));
    return grpc::Status::OK;
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_ingestion_configs_service(const ServiceDeps& deps) {
  return std::make_unique<IngestionConfigsService>(deps);
}

}  // namespace emulator
}  // namespace sift
