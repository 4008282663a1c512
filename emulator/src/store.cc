// Store: assets, channels, rejection counters and inspection. Ingestion
// configs and rows are in store_ingestion.cc, runs in store_runs.cc, users
// and tags in store_people.cc, rules in store_rules.cc and
// store_rule_check.cc, their evaluation in store_eval.cc, annotations in
// store_annotations.cc.
#include "store.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::size_t kRejectionLogSize = 100;
// The name of the user every API key stands for.
constexpr char kOwnUserName[] = "sift-emulator";

}  // namespace

Store::Store() {
  organization_id_ = ids_.next();
  user_id_ = ids_.next();
  add_user(kOwnUserName, user_id_);
}

void Store::stamp(google::protobuf::Timestamp* created, google::protobuf::Timestamp* modified) {
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  google::protobuf::Timestamp ts;
  ts.set_seconds(now / 1000000000);
  ts.set_nanos(static_cast<int>(now % 1000000000));
  if (created != nullptr) *created = ts;
  if (modified != nullptr) *modified = ts;
}

// ---- assets

std::size_t Store::asset_for_name(const std::string& name) {
  if (auto it = asset_by_name_.find(name); it != asset_by_name_.end()) return it->second;
  assets_pb::Asset asset;
  asset.set_asset_id(ids_.next());
  asset.set_name(name);
  asset.set_organization_id(organization_id_);
  asset.set_created_by_user_id(user_id_);
  asset.set_modified_by_user_id(user_id_);
  stamp(asset.mutable_created_date(), asset.mutable_modified_date());
  const std::size_t index = assets_.size();
  asset_by_id_[asset.asset_id()] = index;
  asset_by_name_[name] = index;
  assets_.push_back(std::move(asset));
  return index;
}

absl::StatusOr<assets_pb::Asset> Store::create_asset(const assets_pb::CreateAssetRequest& request) {
  if (request.name().empty()) return absl::InvalidArgumentError("asset name must not be empty");
  std::lock_guard<std::mutex> lock(mu_);
  if (asset_by_name_.count(request.name()) != 0) {
    return absl::AlreadyExistsError(absl::StrCat("asset '", request.name(), "' already exists"));
  }
  assets_pb::Asset& asset = assets_[asset_for_name(request.name())];
  asset.mutable_tags()->CopyFrom(request.tags());
  asset.mutable_metadata()->CopyFrom(request.metadata());
  // Rules scoped to an asset tag cover the new asset from now on.
  if (!rules_.empty()) rebuild_rule_index();
  return asset;
}

absl::StatusOr<assets_pb::Asset> Store::asset(const std::string& asset_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = asset_by_id_.find(asset_id);
  if (it == asset_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("asset '", asset_id, "' not found"));
  }
  return assets_[it->second];
}

std::vector<assets_pb::Asset> Store::assets(const Predicate<assets_pb::Asset>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<assets_pb::Asset> out;
  for (auto it = assets_.rbegin(); it != assets_.rend(); ++it) {
    if (keep(*it)) out.push_back(*it);
  }
  return out;
}

// ---- channels

std::size_t Store::channel_for(const assets_pb::Asset& asset,
                               const configs_pb::ChannelConfig& config) {
  ChannelKey key{asset.asset_id(), config.name(), static_cast<int>(config.data_type())};
  if (auto it = channel_by_key_.find(key); it != channel_by_key_.end()) return it->second;
  ChannelRecord record;
  channels_pb::Channel& channel = record.proto;
  channel.set_channel_id(ids_.next());
  channel.set_name(config.name());
  channel.set_asset_id(asset.asset_id());
  channel.set_description(config.description());
  // Sift keeps units as separate objects; the emulator has no unit ids, so
  // the unit text stands in for one.
  channel.set_unit_id(config.unit());
  channel.set_created_by_user_id(user_id_);
  channel.set_modified_by_user_id(user_id_);
  channel.set_data_type(config.data_type());
  channel.mutable_enum_types()->CopyFrom(config.enum_types());
  channel.mutable_bit_field_elements()->CopyFrom(config.bit_field_elements());
  channel.set_active(true);
  stamp(channel.mutable_created_date(), channel.mutable_modified_date());
  record.asset_name = asset.name();
  record.unit = config.unit();
  const std::size_t index = channels_.size();
  channel_by_id_[channel.channel_id()] = index;
  channel_by_key_.emplace(std::move(key), index);
  channels_.push_back(std::move(record));
  return index;
}

absl::StatusOr<channels_pb::Channel> Store::channel(const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channel_by_id_.find(channel_id);
  if (it == channel_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("channel '", channel_id, "' not found"));
  }
  return channels_[it->second].proto;
}

std::vector<channels_pb::Channel> Store::channels(
    const Predicate<channels_pb::Channel>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<channels_pb::Channel> out;
  for (const ChannelRecord& record : channels_) {
    if (keep(record.proto)) out.push_back(record.proto);
  }
  return out;
}

// ---- rejected rows

void Store::count_rejected(const absl::Status& why) {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejected_;
  rejection_log_.emplace_back(why.message());
  if (rejection_log_.size() > kRejectionLogSize) rejection_log_.pop_front();
}

std::uint64_t Store::rejected_rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}

std::vector<std::string> Store::rejected_row_errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<std::string>(rejection_log_.begin(), rejection_log_.end());
}

// ---- inspection

std::vector<ChannelSummary> Store::channel_summaries() const {
  std::lock_guard<std::mutex> lock(mu_);
  // A name stored under two data types is still one line: the summary is per
  // (asset, channel name), which is what a reader looks for.
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::set<std::uint32_t>>>
      merged;
  for (const ChannelRecord& record : channels_) {
    if (record.rows.empty()) continue;
    auto& [count, runs] = merged[{record.asset_name, record.proto.name()}];
    count += record.rows.size();
    for (const Row& row : record.rows) runs.insert(row.run);
  }
  std::vector<ChannelSummary> out;
  for (const auto& [key, value] : merged) {
    out.push_back(ChannelSummary{key.first, key.second, value.first, value.second.size()});
  }
  return out;
}

std::vector<StoredRow> Store::rows(const std::string& asset, const std::string& channel) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoredRow> out;
  for (const ChannelRecord& record : channels_) {
    if (record.asset_name != asset || record.proto.name() != channel) continue;
    for (const Row& row : record.rows) {
      out.push_back(StoredRow{Timestamp(std::chrono::nanoseconds(row.time_ns)),
                              row.run == 0 ? std::string() : runs_[row.run - 1].run_id(),
                              row.value});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const StoredRow& a, const StoredRow& b) {
    return a.timestamp < b.timestamp;
  });
  return out;
}

}  // namespace emulator
}  // namespace sift
