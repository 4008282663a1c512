// Everything the emulator holds, behind one mutex: assets, ingestion configs
// and their flows, channels with their time-ordered rows, runs. Every
// mutating call validates first and changes nothing when it fails, so bad
// input can never leave the store half-updated. Services are thin adapters
// over this class.
#ifndef SIFT_EMULATOR_STORE_H_
#define SIFT_EMULATOR_STORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "ids.h"
#include "sift/assets/v1/assets.pb.h"
#include "sift/channels/v3/channels.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.pb.h"
#include "sift/runs/v2/runs.pb.h"
#include "validate.h"

namespace sift {
namespace emulator {

namespace assets_pb = ::sift::assets::v1;
namespace channels_pb = ::sift::channels::v3;
namespace configs_pb = ::sift::ingestion_configs::v2;
namespace ingest_pb = ::sift::ingest::v1;
namespace runs_pb = ::sift::runs::v2;

// A predicate chosen by a List handler (usually a parsed Filter).
template <typename T>
using Predicate = std::function<bool(const T&)>;

class Store {
 public:
  Store();

  // Assets, newest first when listed (Sift's default order).
  absl::StatusOr<assets_pb::Asset> create_asset(const assets_pb::CreateAssetRequest& request);
  absl::StatusOr<assets_pb::Asset> asset(const std::string& asset_id) const;
  std::vector<assets_pb::Asset> assets(const Predicate<assets_pb::Asset>& keep) const;

  // Ingestion configs and flows, in creation order. Creating one also creates
  // its asset (by name) and the channels of its flows.
  absl::StatusOr<configs_pb::IngestionConfig> create_ingestion_config(
      const configs_pb::CreateIngestionConfigRequest& request);
  absl::StatusOr<configs_pb::IngestionConfig> ingestion_config(const std::string& id) const;
  std::vector<configs_pb::IngestionConfig> ingestion_configs(
      const Predicate<configs_pb::IngestionConfig>& keep) const;
  // All flows or none: ALREADY_EXISTS naming the first flow the config has.
  absl::Status create_flows(const std::string& ingestion_config_id, const WireFlows& flows);
  absl::StatusOr<std::vector<configs_pb::FlowConfig>> flows(
      const std::string& ingestion_config_id, const Predicate<configs_pb::FlowConfig>& keep) const;

  // Channels, in creation order. One per (asset, name, data type).
  absl::StatusOr<channels_pb::Channel> channel(const std::string& channel_id) const;
  std::vector<channels_pb::Channel> channels(const Predicate<channels_pb::Channel>& keep) const;

  // Validates one row against its config, flow and run and stores its
  // non-empty values; INVALID_ARGUMENT naming the flow/channel otherwise,
  // with nothing stored.
  absl::Status ingest(const ingest_pb::IngestWithConfigDataStreamRequest& row);
  // Counts a row dropped by ingest() (end_stream_on_validation_error unset).
  void count_rejected(const absl::Status& why);
  std::uint64_t rejected_rows() const;
  std::vector<std::string> rejected_row_errors() const;

  // Runs, newest first when listed (Sift's default order).
  absl::StatusOr<runs_pb::Run> create_run(const runs_pb::CreateRunRequest& request);
  absl::StatusOr<runs_pb::Run> run(const std::string& run_id) const;
  std::vector<runs_pb::Run> runs(const Predicate<runs_pb::Run>& keep) const;
  absl::StatusOr<runs_pb::Run> update_run(const runs_pb::Run& run,
                                          const google::protobuf::FieldMask& mask);

  // Inspection (Emulator's public view).
  std::vector<ChannelSummary> channel_summaries() const;
  std::vector<StoredRow> rows(const std::string& asset, const std::string& channel) const;

 private:
  struct Row {
    std::int64_t time_ns;
    std::uint32_t run;  // 0 = no run, else index in runs_ + 1
    TypedValue value;
  };
  struct ChannelRecord {
    channels_pb::Channel proto;
    std::string asset_name;
    std::string unit;
    std::vector<Row> rows;  // arrival order (readers stable-sort by time)
  };
  struct FlowRecord {
    configs_pb::FlowConfig proto;
    std::vector<std::size_t> channels;  // index in channels_ per flow channel
  };
  struct ConfigRecord {
    configs_pb::IngestionConfig proto;
    std::string asset_name;
    std::vector<FlowRecord> flows;
    std::unordered_map<std::string, std::size_t> flow_by_name;
  };
  using ChannelKey = std::tuple<std::string, std::string, int>;  // asset id, name, type

  // All private helpers expect mu_ held.
  std::size_t asset_for_name(const std::string& name);
  std::size_t channel_for(const assets_pb::Asset& asset, const configs_pb::ChannelConfig& config);
  void add_flows(ConfigRecord& config, const WireFlows& flows);
  absl::Status validate_row(const ingest_pb::IngestWithConfigDataStreamRequest& row,
                            const FlowRecord** flow, std::uint32_t* run) const;
  void stamp(google::protobuf::Timestamp* created, google::protobuf::Timestamp* modified);

  mutable std::mutex mu_;
  IdGenerator ids_;
  std::string organization_id_;
  std::string user_id_;

  std::vector<assets_pb::Asset> assets_;
  std::unordered_map<std::string, std::size_t> asset_by_id_;
  std::unordered_map<std::string, std::size_t> asset_by_name_;

  std::vector<ConfigRecord> configs_;
  std::unordered_map<std::string, std::size_t> config_by_id_;
  std::unordered_map<std::string, std::size_t> config_by_client_key_;

  std::vector<ChannelRecord> channels_;
  std::unordered_map<std::string, std::size_t> channel_by_id_;
  std::map<ChannelKey, std::size_t> channel_by_key_;

  std::vector<runs_pb::Run> runs_;
  std::unordered_map<std::string, std::size_t> run_by_id_;
  std::unordered_map<std::string, std::size_t> run_by_client_key_;

  std::uint64_t rejected_ = 0;
  std::deque<std::string> rejection_log_;  // the most recent reasons
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_STORE_H_
