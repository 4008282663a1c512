// DataService's state and the two server-facing halves of execute(): the
// name look-ups (with sift_py's optional cache) and the bounded concurrent
// GetData download.
#ifndef SIFT_INTERNAL_DATA_SERVICE_IMPL_H_
#define SIFT_INTERNAL_DATA_SERVICE_IMPL_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "internal/data_plan.h"
#include "sift/assets/v1/assets.grpc.pb.h"
#include "sift/channels/v3/channels.grpc.pb.h"
#include "sift/data/service.h"
#include "sift/data/v2/data.grpc.pb.h"
#include "sift/grpc/transport.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace sift {

struct DataService::Impl {
  Impl(SiftChannel sift_channel, DataServiceOptions service_options);

  SiftChannel channel;
  DataServiceOptions options;
  std::unique_ptr<assets::v1::AssetService::Stub> assets;
  std::unique_ptr<runs::v2::RunService::Stub> runs;
  std::unique_ptr<channels::v3::ChannelService::Stub> channels;
  std::unique_ptr<data::v2::DataService::Stub> data;

  // Look-ups, kept across calls only with options.enable_caching. The lock
  // is held for a whole resolution, RPCs included.
  std::mutex cache_mu;
  std::map<std::string, std::string> asset_ids;  // asset name -> id
  // Asset id -> run name -> the run chosen for that asset.
  std::map<std::string, std::map<std::string, std::string>> run_ids_by_asset;
  std::map<std::string, internal::ListedChannels>
      channels_by_asset;  // asset id -> name -> channels
};

namespace internal {

// The asset's id: ListAssets `name=="<name>"`. NOT_FOUND "Asset '<name>' does
// not exist".
absl::StatusOr<std::string> lookup_asset_id(DataService::Impl& impl, const std::string& name);

// Run name -> id for `names` (ListRuns `name in [...]`, every page; see
// pick_runs()).
absl::StatusOr<std::map<std::string, std::string>> lookup_run_ids(
    DataService::Impl& impl, const std::vector<std::string>& names, const std::string& asset_id,
    const std::string& asset_name);

// The asset's channels with these names (ListChannels `asset_id=="<id>" &&
// name in [...]`, every page); names the asset lacks are absent.
absl::StatusOr<ListedChannels> lookup_channels(DataService::Impl& impl, const std::string& asset_id,
                                               const std::vector<std::string>& names);

// Every page of every wire query, at most options.max_concurrent_requests at
// once, decoded into one accumulator per query and combined in query order.
// The first failure cancels the rest and is returned prefixed with the
// query's label.
absl::StatusOr<DataQueryResult> fetch_all(DataService::Impl& impl, const DataQuery& query,
                                          const std::vector<WireQuery>& wire_queries,
                                          const ProgressCallback& progress);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_DATA_SERVICE_IMPL_H_
