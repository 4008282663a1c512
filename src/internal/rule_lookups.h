// The name <-> id look-ups RuleService makes (ListAssets, ListTags,
// ListActiveUsers, GetUser, ListChannels), every page of each, remembered
// until clear(): sift_py's `enable_caching` keeps them for the service's
// lifetime, otherwise RuleService clears them at the start of each call.
#ifndef SIFT_INTERNAL_RULE_LOOKUPS_H_
#define SIFT_INTERNAL_RULE_LOOKUPS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/assets/v1/assets.grpc.pb.h"
#include "sift/channels/v3/channels.grpc.pb.h"
#include "sift/grpc/transport.h"
#include "sift/rule/expression.h"
#include "sift/rules/v1/rules.grpc.pb.h"
#include "sift/tags/v2/tags.grpc.pb.h"
#include "sift/users/v2/users.grpc.pb.h"

namespace sift {
namespace internal {

// Page size of every listing (sift_py's).
inline constexpr unsigned kRuleLookupPageSize = 1000;

struct RuleStubs {
  explicit RuleStubs(SiftChannel sift_channel);

  SiftChannel channel;
  std::unique_ptr<rules::v1::RuleService::Stub> rules;
  std::unique_ptr<assets::v1::AssetService::Stub> assets;
  std::unique_ptr<tags::v2::TagService::Stub> tags;
  std::unique_ptr<users::v2::UserService::Stub> users;
  std::unique_ptr<channels::v3::ChannelService::Stub> channels;
};

class RuleLookups {
 public:
  explicit RuleLookups(const RuleStubs* stubs) : stubs_(stubs) {}

  void clear();

  // Asset name -> ids (usually one) for the names that exist.
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> asset_ids(
      const std::vector<std::string>& names);
  // Asset id -> name for the ids that exist.
  absl::StatusOr<std::map<std::string, std::string>> asset_names(
      const std::vector<std::string>& ids);
  // Tag name -> id, among tags of `type`, for the names that exist.
  absl::StatusOr<std::map<std::string, std::string>> tag_ids(tags::v2::TagType type,
                                                             const std::vector<std::string>& names);
  // Tag id -> name, among tags of `type`, for the ids that exist.
  absl::StatusOr<std::map<std::string, std::string>> tag_names(tags::v2::TagType type,
                                                               const std::vector<std::string>& ids);
  // Ids of the active users with this name (sift_py wants exactly one).
  absl::StatusOr<std::vector<std::string>> user_ids(const std::string& name);
  // The user's name; nullopt when the server will not say (unknown user, no
  // permission, GetUser not served).
  absl::StatusOr<std::optional<std::string>> user_name(const std::string& user_id);
  // Channel name -> type for the channels of the asset with these names.
  absl::StatusOr<std::map<std::string, ExpressionChannel>> channels(
      const std::string& asset_id, const std::vector<std::string>& names);

 private:
  // One listing filtered by `field in values`; fills both directions' caches.
  absl::Status fetch_assets(const char* field, const std::vector<std::string>& values);
  absl::Status fetch_tags(tags::v2::TagType type, const char* field,
                          const std::vector<std::string>& values);

  const RuleStubs* stubs_;
  std::map<std::string, std::vector<std::string>> asset_ids_;
  std::map<std::string, std::string> asset_names_;
  std::map<std::pair<int, std::string>, std::string> tag_ids_;
  std::map<std::pair<int, std::string>, std::string> tag_names_;
  std::map<std::string, std::vector<std::string>> user_ids_;
  std::map<std::string, std::optional<std::string>> user_names_;
  std::map<std::string, std::map<std::string, ExpressionChannel>> channels_;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_RULE_LOOKUPS_H_
