// RuleService's name <-> id look-ups: sift_py's filters, with quotes escaped
// (its defect 8) and every page followed (its defect 2).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/cel.h"
#include "internal/grpc_util.h"
#include "internal/paging.h"
#include "internal/rule_lookups.h"
#include "internal/rule_request.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

constexpr char kListAssets[] = "AssetService.ListAssets";
constexpr char kListTags[] = "TagService.ListTags";
constexpr char kListActiveUsers[] = "UserService.ListActiveUsers";
constexpr char kGetUser[] = "UserService.GetUser";
constexpr char kListChannels[] = "ChannelService.ListChannels";

// The entries of `wanted` not yet in `known` (by key), each once.
template <typename Map, typename KeyOf>
std::vector<std::string> unknown(const std::vector<std::string>& wanted, const Map& known,
                                 KeyOf key_of) {
  std::vector<std::string> out;
  for (const std::string& item : wanted) {
    if (known.count(key_of(item)) == 0 && std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
  }
  return out;
}

}  // namespace

RuleStubs::RuleStubs(SiftChannel sift_channel) : channel(std::move(sift_channel)) {
  const std::shared_ptr<grpc::Channel>& grpc_channel = channel.grpc_channel();
  if (grpc_channel == nullptr) return;
  rules = rules::v1::RuleService::NewStub(grpc_channel);
  assets = assets::v1::AssetService::NewStub(grpc_channel);
  tags = tags::v2::TagService::NewStub(grpc_channel);
  users = users::v2::UserService::NewStub(grpc_channel);
  channels = channels::v3::ChannelService::NewStub(grpc_channel);
}

void RuleLookups::clear() {
  asset_ids_.clear();
  asset_names_.clear();
  tag_ids_.clear();
  tag_names_.clear();
  user_ids_.clear();
  user_names_.clear();
  channels_.clear();
}

absl::Status RuleLookups::fetch_assets(const char* field, const std::vector<std::string>& values) {
  if (values.empty()) return absl::OkStatus();
  assets::v1::ListAssetsRequest request;
  request.set_filter(cel_in(field, values));
  request.set_page_size(kRuleLookupPageSize);
  return list_all(stubs_->channel, kListAssets,
                  [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
                    request.set_page_token(token);
                    assets::v1::ListAssetsResponse response;
                    grpc::Status status = stubs_->assets->ListAssets(context, request, &response);
                    for (const assets::v1::Asset& asset : response.assets()) {
                      std::vector<std::string>& ids = asset_ids_[asset.name()];
                      if (std::find(ids.begin(), ids.end(), asset.asset_id()) == ids.end()) {
                        ids.push_back(asset.asset_id());
                      }
                      asset_names_[asset.asset_id()] = asset.name();
                    }
                    *next = response.next_page_token();
                    return status;
                  });
}

absl::Status RuleLookups::fetch_tags(tags::v2::TagType type, const char* field,
                                     const std::vector<std::string>& values) {
  if (values.empty()) return absl::OkStatus();
  const int kind = static_cast<int>(type);
  tags::v2::ListTagsRequest request;
  request.set_filter(cel_in(field, values));
  request.set_tag_type(type);
  request.set_page_size(kRuleLookupPageSize);
  return list_all(stubs_->channel, kListTags,
                  [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
                    request.set_page_token(token);
                    tags::v2::ListTagsResponse response;
                    grpc::Status status = stubs_->tags->ListTags(context, request, &response);
                    for (const tags::v2::Tag& tag : response.tags()) {
                      tag_ids_[{kind, tag.name()}] = tag.tag_id();
                      tag_names_[{kind, tag.tag_id()}] = tag.name();
                    }
                    *next = response.next_page_token();
                    return status;
                  });
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> RuleLookups::asset_ids(
    const std::vector<std::string>& names) {
  SIFT_RETURN_IF_ERROR(
      fetch_assets("name", unknown(names, asset_ids_, [](const std::string& n) { return n; })));
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& name : names) {
    if (auto it = asset_ids_.find(name); it != asset_ids_.end()) out[name] = it->second;
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> RuleLookups::asset_names(
    const std::vector<std::string>& ids) {
  SIFT_RETURN_IF_ERROR(
      fetch_assets("asset_id", unknown(ids, asset_names_, [](const std::string& i) { return i; })));
  std::map<std::string, std::string> out;
  for (const std::string& id : ids) {
    if (auto it = asset_names_.find(id); it != asset_names_.end()) out[id] = it->second;
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> RuleLookups::tag_ids(
    tags::v2::TagType type, const std::vector<std::string>& names) {
  const int kind = static_cast<int>(type);
  SIFT_RETURN_IF_ERROR(fetch_tags(type, "name", unknown(names, tag_ids_, [&](const std::string& n) {
                                    return std::make_pair(kind, n);
                                  })));
  std::map<std::string, std::string> out;
  for (const std::string& name : names) {
    if (auto it = tag_ids_.find({kind, name}); it != tag_ids_.end()) out[name] = it->second;
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> RuleLookups::tag_names(
    tags::v2::TagType type, const std::vector<std::string>& ids) {
  const int kind = static_cast<int>(type);
  SIFT_RETURN_IF_ERROR(fetch_tags(
      type, "tag_id",
      unknown(ids, tag_names_, [&](const std::string& i) { return std::make_pair(kind, i); })));
  std::map<std::string, std::string> out;
  for (const std::string& id : ids) {
    if (auto it = tag_names_.find({kind, id}); it != tag_names_.end()) out[id] = it->second;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> RuleLookups::user_ids(const std::string& name) {
  if (auto it = user_ids_.find(name); it != user_ids_.end()) return it->second;
  users::v2::ListActiveUsersRequest request;
  request.set_filter(cel_equals("name", name));
  request.set_page_size(kRuleLookupPageSize);
  std::vector<std::string> ids;
  SIFT_RETURN_IF_ERROR(
      list_all(stubs_->channel, kListActiveUsers,
               [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
                 request.set_page_token(token);
                 users::v2::ListActiveUsersResponse response;
                 grpc::Status status = stubs_->users->ListActiveUsers(context, request, &response);
                 for (const auto& user : response.users()) {
                   ids.push_back(user.user_id());
                   user_names_[user.user_id()] = user.user_name();
                 }
                 *next = response.next_page_token();
                 return status;
               }));
  // Only a unique match is worth remembering; anything else is an error now.
  if (ids.size() == 1) user_ids_[name] = ids;
  return ids;
}

absl::StatusOr<std::optional<std::string>> RuleLookups::user_name(const std::string& user_id) {
  if (auto it = user_names_.find(user_id); it != user_names_.end()) return it->second;
  users::v2::GetUserRequest request;
  request.set_user_id(user_id);
  users::v2::GetUserResponse response;
  absl::Status status = unary_call(stubs_->channel, kGetUser, [&](grpc::ClientContext* context) {
    return stubs_->users->GetUser(context, request, &response);
  });
  if (absl::IsNotFound(status) || absl::IsPermissionDenied(status) ||
      absl::IsUnimplemented(status) || absl::IsInvalidArgument(status)) {
    return std::nullopt;
  }
  SIFT_RETURN_IF_ERROR(status);
  std::optional<std::string> name;
  if (!response.user().user_name().empty()) name = response.user().user_name();
  user_names_[user_id] = name;
  return name;
}

absl::StatusOr<std::map<std::string, ExpressionChannel>> RuleLookups::channels(
    const std::string& asset_id, const std::vector<std::string>& names) {
  std::map<std::string, ExpressionChannel>& known = channels_[asset_id];
  const std::vector<std::string> ask =
      unknown(names, known, [](const std::string& name) { return name; });
  if (!ask.empty()) {
    channels::v3::ListChannelsRequest request;
    request.set_filter(absl::StrCat(cel_equals("asset_id", asset_id), " && ", cel_in("name", ask)));
    request.set_page_size(kRuleLookupPageSize);
    absl::Status decoded = absl::OkStatus();
    SIFT_RETURN_IF_ERROR(list_all(
        stubs_->channel, kListChannels,
        [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
          request.set_page_token(token);
          channels::v3::ListChannelsResponse response;
          grpc::Status status = stubs_->channels->ListChannels(context, request, &response);
          for (const channels::v3::Channel& channel : response.channels()) {
            absl::StatusOr<ExpressionChannel> type = expression_channel_from_wire(channel);
            if (type.ok()) {
              known[channel.name()] = *std::move(type);
            } else if (decoded.ok()) {
              decoded = type.status();
            }
          }
          *next = response.next_page_token();
          return status;
        }));
    SIFT_RETURN_IF_ERROR(decoded);
  }
  std::map<std::string, ExpressionChannel> out;
  for (const std::string& name : names) {
    if (auto it = known.find(name); it != known.end()) out[name] = it->second;
  }
  return out;
}

}  // namespace internal
}  // namespace sift
