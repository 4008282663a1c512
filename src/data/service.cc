// DataService::execute: validate, resolve names, plan, download.
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/data_plan.h"
#include "internal/data_service_impl.h"
#include "sift/data/service.h"
#include "sift/status.h"

namespace sift {

DataService::Impl::Impl(SiftChannel sift_channel, DataServiceOptions service_options)
    : channel(std::move(sift_channel)), options(service_options) {
  const std::shared_ptr<grpc::Channel>& grpc_channel = channel.grpc_channel();
  if (grpc_channel == nullptr) return;
  assets = assets::v1::AssetService::NewStub(grpc_channel);
  runs = runs::v2::RunService::NewStub(grpc_channel);
  channels = channels::v3::ChannelService::NewStub(grpc_channel);
  data = data::v2::DataService::NewStub(grpc_channel);
}

DataService::DataService(SiftChannel channel, DataServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(channel), options)) {}
DataService::~DataService() = default;
DataService::DataService(DataService&&) noexcept = default;
DataService& DataService::operator=(DataService&&) noexcept = default;

const DataServiceOptions& DataService::options() const { return impl_->options; }

void DataService::clear_cache() {
  std::lock_guard<std::mutex> lock(impl_->cache_mu);
  impl_->asset_ids.clear();
  impl_->run_ids_by_asset.clear();
  impl_->channels_by_asset.clear();
}

absl::StatusOr<DataQueryResult> DataService::execute(const DataQuery& query,
                                                     ProgressCallback progress) {
  if (impl_ == nullptr || impl_->data == nullptr) {
    return absl::FailedPreconditionError(
        "DataService has no channel (moved from, or built "
        "from a SiftChannel without a gRPC channel)");
  }
  if (impl_->options.max_concurrent_requests == 0) {
    return absl::InvalidArgumentError("DataServiceOptions::max_concurrent_requests is 0");
  }
  SIFT_RETURN_IF_ERROR(query.validate());

  std::vector<internal::WireQuery> plan;
  {
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (!impl_->options.enable_caching) {
      impl_->asset_ids.clear();
      impl_->run_ids_by_asset.clear();
      impl_->channels_by_asset.clear();
    }
    SIFT_ASSIGN_OR_RETURN(const std::string asset_id,
                          internal::lookup_asset_id(*impl_, query.asset_name));
    SIFT_ASSIGN_OR_RETURN(const auto run_ids,
                          internal::lookup_run_ids(*impl_, internal::data_run_names(query),
                                                   asset_id, query.asset_name));
    SIFT_ASSIGN_OR_RETURN(
        const internal::ListedChannels channels,
        internal::lookup_channels(*impl_, asset_id, internal::data_channel_names(query)));
    SIFT_ASSIGN_OR_RETURN(plan, internal::plan_wire_queries(query, channels, run_ids,
                                                            impl_->options.check_expressions));
  }
  return internal::fetch_all(*impl_, query, plan, progress);
}

}  // namespace sift
