// Store: ingestion configs, flows and ingested rows.
#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store.h"
#include "values.h"

namespace sift {
namespace emulator {
namespace {

// Timestamps the SDK's nanosecond time points can hold (years 1677..2262).
bool to_nanos(const google::protobuf::Timestamp& ts, std::int64_t* out) {
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000000000 - 1;
  if (ts.nanos() < 0 || ts.nanos() > 999999999) return false;
  if (ts.seconds() > kMaxSeconds || ts.seconds() < -kMaxSeconds) return false;
  *out = ts.seconds() * 1000000000 + ts.nanos();
  return true;
}

}  // namespace

void Store::add_flows(ConfigRecord& config, const WireFlows& flows) {
  const std::size_t asset_index = asset_by_id_.at(config.proto.asset_id());
  const assets_pb::Asset asset = assets_[asset_index];
  for (const configs_pb::FlowConfig& flow : flows) {
    FlowRecord record;
    record.proto = flow;
    record.asset = asset_index;
    for (const configs_pb::ChannelConfig& channel : flow.channels()) {
      record.channels.push_back(channel_for(asset, channel));
    }
    config.flow_by_name[flow.name()] = config.flows.size();
    config.flows.push_back(std::move(record));
  }
}

absl::StatusOr<configs_pb::IngestionConfig> Store::create_ingestion_config(
    const configs_pb::CreateIngestionConfigRequest& request) {
  if (request.asset_name().empty()) {
    return absl::InvalidArgumentError("asset_name must not be empty");
  }
  if (absl::Status s = validate_flows(request.flows()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (!request.client_key().empty() && config_by_client_key_.count(request.client_key()) != 0) {
    return absl::AlreadyExistsError(absl::StrCat("an ingestion config with client_key '",
                                                 request.client_key(), "' already exists"));
  }
  ConfigRecord record;
  record.proto.set_ingestion_config_id(ids_.next());
  record.proto.set_asset_id(assets_[asset_for_name(request.asset_name())].asset_id());
  record.proto.set_client_key(request.client_key());
  record.asset_name = request.asset_name();
  add_flows(record, request.flows());
  const std::size_t index = configs_.size();
  config_by_id_[record.proto.ingestion_config_id()] = index;
  if (!request.client_key().empty()) config_by_client_key_[request.client_key()] = index;
  configs_.push_back(std::move(record));
  return configs_[index].proto;
}

absl::StatusOr<configs_pb::IngestionConfig> Store::ingestion_config(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = config_by_id_.find(id);
  if (it == config_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("ingestion config '", id, "' not found"));
  }
  return configs_[it->second].proto;
}

std::vector<configs_pb::IngestionConfig> Store::ingestion_configs(
    const Predicate<configs_pb::IngestionConfig>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<configs_pb::IngestionConfig> out;
  for (const ConfigRecord& record : configs_) {
    if (keep(record.proto)) out.push_back(record.proto);
  }
  return out;
}

absl::Status Store::create_flows(const std::string& ingestion_config_id, const WireFlows& flows) {
  if (absl::Status s = validate_flows(flows); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = config_by_id_.find(ingestion_config_id);
  if (it == config_by_id_.end()) {
    return absl::NotFoundError(
        absl::StrCat("ingestion config '", ingestion_config_id, "' not found"));
  }
  ConfigRecord& config = configs_[it->second];
  for (const configs_pb::FlowConfig& flow : flows) {
    if (config.flow_by_name.count(flow.name()) != 0) {
      return absl::AlreadyExistsError(absl::StrCat("flow '", flow.name(),
                                                   "' already exists in ingestion config '",
                                                   ingestion_config_id, "'"));
    }
  }
  add_flows(config, flows);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<configs_pb::FlowConfig>> Store::flows(
    const std::string& ingestion_config_id, const Predicate<configs_pb::FlowConfig>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = config_by_id_.find(ingestion_config_id);
  if (it == config_by_id_.end()) {
    return absl::NotFoundError(
        absl::StrCat("ingestion config '", ingestion_config_id, "' not found"));
  }
  std::vector<configs_pb::FlowConfig> out;
  for (const FlowRecord& flow : configs_[it->second].flows) {
    if (keep(flow.proto)) out.push_back(flow.proto);
  }
  return out;
}

absl::Status Store::validate_row(const ingest_pb::IngestWithConfigDataStreamRequest& row,
                                 const FlowRecord** flow_out, std::uint32_t* run) const {
  auto config_it = config_by_id_.find(row.ingestion_config_id());
  if (config_it == config_by_id_.end()) {
    return absl::InvalidArgumentError(absl::StrCat("flow '", row.flow(), "': ingestion config '",
                                                   row.ingestion_config_id(), "' not found"));
  }
  const ConfigRecord& config = configs_[config_it->second];
  auto flow_it = config.flow_by_name.find(row.flow());
  if (flow_it == config.flow_by_name.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "flow '", row.flow(), "' not found in ingestion config '", row.ingestion_config_id(), "'"));
  }
  const FlowRecord& flow = config.flows[flow_it->second];
  const auto& channels = flow.proto.channels();
  if (row.channel_values_size() != channels.size()) {
    return absl::InvalidArgumentError(absl::StrCat("flow '", row.flow(), "' expects ",
                                                   channels.size(), " channel values, got ",
                                                   row.channel_values_size()));
  }
  for (int i = 0; i < channels.size(); ++i) {
    const WireValue& value = row.channel_values(i);
    const int type = static_cast<int>(channels.Get(i).data_type());
    if (value.type_case() == WireValue::kEmpty || value_matches(value, type)) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "flow '", row.flow(), "' channel ", i, " '", channels.Get(i).name(), "': expected a ",
        data_type_name(type), " value (or empty), got ", value_kind_name(value)));
  }
  *run = 0;
  if (!row.run_id().empty()) {
    auto run_it = run_by_id_.find(row.run_id());
    if (run_it == run_by_id_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow '", row.flow(), "': run '", row.run_id(), "' not found"));
    }
    *run = static_cast<std::uint32_t>(run_it->second + 1);
  }
  if (!row.has_timestamp()) {
    return absl::InvalidArgumentError(absl::StrCat("flow '", row.flow(), "': missing timestamp"));
  }
  *flow_out = &flow;
  return absl::OkStatus();
}

absl::Status Store::ingest(const ingest_pb::IngestWithConfigDataStreamRequest& row) {
  std::int64_t time_ns = 0;
  if (!to_nanos(row.timestamp(), &time_ns)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flow '", row.flow(), "': timestamp out of range (seconds ",
                     row.timestamp().seconds(), ", nanos ", row.timestamp().nanos(), ")"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  const FlowRecord* flow = nullptr;
  std::uint32_t run = 0;
  if (absl::Status s = validate_row(row, &flow, &run); !s.ok()) return s;
  for (int i = 0; i < row.channel_values_size(); ++i) {
    const WireValue& value = row.channel_values(i);
    if (value.type_case() == WireValue::kEmpty) continue;
    ChannelRecord& channel = channels_[flow->channels[static_cast<std::size_t>(i)]];
    Row stored{time_ns, run, to_typed_value(value)};
    // Arrival order: a replay after an outage sends older rows again, and
    // inserting each in its sorted place would cost O(n) per row. Readers sort.
    channel.rows.push_back(std::move(stored));
    if (run != 0) {
      runs_pb::Run& stored_run = runs_[run - 1];
      const std::string& asset_id = channel.proto.asset_id();
      const auto& ids = stored_run.asset_ids();
      if (std::find(ids.begin(), ids.end(), asset_id) == ids.end()) {
        stored_run.add_asset_ids(asset_id);
      }
    }
  }
  // Rules of the row's asset see it after it is stored (a lookup that finds
  // nothing for assets without rules).
  if (!rules_by_asset_.empty()) evaluate_row(*flow, run, time_ns, row);
  return absl::OkStatus();
}

}  // namespace emulator
}  // namespace sift
