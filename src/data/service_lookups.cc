// DataService's name -> id look-ups: sift_py's filters with quotes escaped
// (its defect 8) and every page followed, ListChannels included (sift_py's
// page-token bug).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/cel.h"
#include "internal/data_service_impl.h"
#include "internal/grpc_util.h"
#include "internal/paging.h"
#include "internal/rule_request.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

constexpr char kListAssets[] = "AssetService.ListAssets";
constexpr char kListRuns[] = "RunService.ListRuns";
constexpr char kListChannels[] = "ChannelService.ListChannels";

// sift_py's page size for runs and channels.
constexpr unsigned kLookupPageSize = 1000;

}  // namespace

absl::StatusOr<std::string> lookup_asset_id(DataService::Impl& impl, const std::string& name) {
  if (auto it = impl.asset_ids.find(name); it != impl.asset_ids.end()) return it->second;
  assets::v1::ListAssetsRequest request;
  request.set_filter(cel_equals("name", name));
  request.set_page_size(1);
  assets::v1::ListAssetsResponse response;
  SIFT_RETURN_IF_ERROR(unary_call(impl.channel, kListAssets, [&](grpc::ClientContext* context) {
    return impl.assets->ListAssets(context, request, &response);
  }));
  if (response.assets_size() == 0 || response.assets(0).asset_id().empty()) {
    return absl::NotFoundError(absl::StrCat("Asset '", name, "' does not exist"));
  }
  impl.asset_ids[name] = response.assets(0).asset_id();
  return response.assets(0).asset_id();
}

absl::StatusOr<std::map<std::string, std::string>> lookup_run_ids(
    DataService::Impl& impl, const std::vector<std::string>& names, const std::string& asset_id,
    const std::string& asset_name) {
  std::map<std::string, std::string>& known = impl.run_ids_by_asset[asset_id];
  std::vector<std::string> ask;
  for (const std::string& name : names) {
    if (known.count(name) == 0) ask.push_back(name);
  }
  if (!ask.empty()) {
    runs::v2::ListRunsRequest request;
    request.set_filter(cel_in("name", ask));
    request.set_page_size(kLookupPageSize);
    std::vector<ListedRun> listed;
    SIFT_RETURN_IF_ERROR(
        list_all(impl.channel, kListRuns,
                 [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
                   request.set_page_token(token);
                   runs::v2::ListRunsResponse response;
                   grpc::Status status = impl.runs->ListRuns(context, request, &response);
                   for (const runs::v2::Run& run : response.runs()) {
                     listed.push_back(ListedRun{
                         run.run_id(), run.name(),
                         std::vector<std::string>(run.asset_ids().begin(), run.asset_ids().end())});
                   }
                   *next = response.next_page_token();
                   return status;
                 }));
    SIFT_ASSIGN_OR_RETURN(auto picked, pick_runs(ask, listed, asset_id, asset_name));
    known.insert(picked.begin(), picked.end());
  }
  std::map<std::string, std::string> out;
  for (const std::string& name : names) out[name] = known.at(name);
  return out;
}

absl::StatusOr<ListedChannels> lookup_channels(DataService::Impl& impl, const std::string& asset_id,
                                               const std::vector<std::string>& names) {
  ListedChannels& known = impl.channels_by_asset[asset_id];
  std::vector<std::string> ask;
  for (const std::string& name : names) {
    if (known.count(name) == 0) ask.push_back(name);
  }
  if (!ask.empty()) {
    channels::v3::ListChannelsRequest request;
    request.set_filter(absl::StrCat(cel_equals("asset_id", asset_id), " && ", cel_in("name", ask)));
    request.set_page_size(kLookupPageSize);
    ListedChannels found;
    absl::Status decoded = absl::OkStatus();
    SIFT_RETURN_IF_ERROR(
        list_all(impl.channel, kListChannels,
                 [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
                   request.set_page_token(token);
                   channels::v3::ListChannelsResponse response;
                   grpc::Status status = impl.channels->ListChannels(context, request, &response);
                   for (const channels::v3::Channel& channel : response.channels()) {
                     absl::StatusOr<ExpressionChannel> type = expression_channel_from_wire(channel);
                     if (!type.ok()) {
                       if (decoded.ok()) decoded = type.status();
                       continue;
                     }
                     found[channel.name()].push_back(
                         ListedChannel{channel.channel_id(), channel.name(), *std::move(type)});
                   }
                   *next = response.next_page_token();
                   return status;
                 }));
    SIFT_RETURN_IF_ERROR(decoded);
    // Names not found stay unknown, so a later call asks again (as sift_py).
    for (auto& [name, channels] : found) known[name] = std::move(channels);
  }
  ListedChannels out;
  for (const std::string& name : names) {
    if (auto it = known.find(name); it != known.end()) out[name] = it->second;
  }
  return out;
}

}  // namespace internal
}  // namespace sift
