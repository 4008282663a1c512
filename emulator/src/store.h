// Everything the emulator holds, behind one mutex: assets, ingestion configs
// and their flows, channels with their time-ordered rows, runs, users, tags,
// rules, annotations, annotation logs and remote files (their records; the
// bytes are files in the data directory). Every mutating call validates first and changes
// nothing when it fails, so bad input can never leave the store half-updated.
// Rules are evaluated under the same mutex as rows arrive (store_eval.cc).
// Services are thin adapters over this class.
#ifndef SIFT_EMULATOR_STORE_H_
#define SIFT_EMULATOR_STORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "ids.h"
#include "sift/annotation_logs/v1/annotation_logs.pb.h"
#include "sift/annotations/v1/annotations.pb.h"
#include "sift/assets/v1/assets.pb.h"
#include "sift/channels/v3/channels.pb.h"
#include "sift/common/type/v1/user.pb.h"
#include "sift/data/v2/data.pb.h"
#include "sift/emulator/emulator.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion_configs/v2/ingestion_configs.pb.h"
#include "sift/remote_files/v1/remote_files.pb.h"
#include "sift/rule/expression.h"
#include "sift/rules/v1/rules.pb.h"
#include "sift/runs/v2/runs.pb.h"
#include "sift/tags/v2/tags.pb.h"
#include "validate.h"

namespace sift {
namespace emulator {

namespace assets_pb = ::sift::assets::v1;
namespace channels_pb = ::sift::channels::v3;
namespace configs_pb = ::sift::ingestion_configs::v2;
namespace data_pb = ::sift::data::v2;
namespace ingest_pb = ::sift::ingest::v1;
namespace runs_pb = ::sift::runs::v2;
namespace rules_pb = ::sift::rules::v1;
namespace annotations_pb = ::sift::annotations::v1;
namespace annotation_logs_pb = ::sift::annotation_logs::v1;
namespace remote_files_pb = ::sift::remote_files::v1;
namespace tags_pb = ::sift::tags::v2;
namespace users_pb = ::sift::common::type::v1;  // sift.users.v2 serves common User records

// A predicate chosen by a List handler (usually a parsed Filter).
template <typename T>
using Predicate = std::function<bool(const T&)>;

// A rule as listed, with the ids of the assets it applies to now (its
// asset_ids plus the assets carrying one of its asset tags).
struct RuleView {
  const rules_pb::Rule& rule;
  const std::vector<std::string>& covered_asset_ids;
};

// An annotation as listed, with what filters need beyond its fields.
struct AnnotationView {
  const annotations_pb::Annotation& annotation;
  const std::string& rule_id;  // empty when made by CreateAnnotation
  std::vector<std::string> asset_names;
};

class Store {
 public:
  Store();

  // Users (EmulatorOptions::users) and tags (EmulatorOptions::tags) that
  // exist from the start; duplicate names are created once.
  void seed(const std::vector<std::string>& users, const std::vector<std::string>& tags);

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

  // Users, in creation order (the API key's own user first).
  absl::StatusOr<users_pb::User> user(const std::string& user_id) const;
  std::vector<users_pb::User> users(const Predicate<users_pb::User>& keep) const;

  // Tags, in creation order (Sift's default: oldest first).
  absl::StatusOr<tags_pb::Tag> create_tag(const std::string& name);
  std::vector<tags_pb::Tag> tags(const Predicate<tags_pb::Tag>& keep) const;

  // Rules (store_rules.cc). CreateRule: ALREADY_EXISTS for a known
  // client_key. UpdateRule: the rule named by rule_id (NOT_FOUND when
  // unknown), else by client_key; neither known creates it. Both validate
  // everything first (INVALID_ARGUMENT naming the rule) and return the id.
  absl::StatusOr<std::string> create_rule(const rules_pb::UpdateRuleRequest& request);
  absl::StatusOr<std::string> update_rule(const rules_pb::UpdateRuleRequest& request);
  // All or nothing: every rule is validated, and only when all are valid
  // (and validate_only is unset) are they stored.
  absl::StatusOr<rules_pb::BatchUpdateRulesResponse> batch_update_rules(
      const rules_pb::BatchUpdateRulesRequest& request);
  // By rule_id when set, else by client_key.
  absl::StatusOr<rules_pb::Rule> rule(const std::string& rule_id,
                                      const std::string& client_key) const;
  // In creation order.
  std::vector<rules_pb::Rule> rules(const std::function<bool(const RuleView&)>& keep) const;

  // Annotations (store_annotations.cc), newest first when listed.
  absl::StatusOr<annotations_pb::Annotation> create_annotation(
      const annotations_pb::CreateAnnotationRequest& request);
  absl::StatusOr<annotations_pb::Annotation> annotation(const std::string& annotation_id) const;
  std::vector<annotations_pb::Annotation> annotations(
      const std::function<bool(const AnnotationView&)>& keep) const;

  // Annotation logs (store_annotation_logs.cc), in creation order. Creating
  // one needs an existing annotation (NOT_FOUND naming it) and the oneof
  // member that goes with `kind` (INVALID_ARGUMENT otherwise).
  absl::StatusOr<annotation_logs_pb::AnnotationLogSearchResult> create_annotation_log(
      const annotation_logs_pb::CreateAnnotationLogRequest& request);
  std::vector<annotation_logs_pb::AnnotationLogSearchResult> annotation_logs(
      const Predicate<annotation_logs_pb::AnnotationLogSearchResult>& keep) const;

  // Remote files (store_files.cc): records of files whose bytes the upload
  // endpoint wrote to `path`. Listed newest first (Sift's default order).
  // A fresh id, for naming a file's bytes before its record exists.
  std::string next_id();
  // OK when files can attach to the entity; NOT_FOUND naming the run,
  // annotation or annotation log otherwise.
  absl::Status check_file_entity(remote_files_pb::EntityType type,
                                 const std::string& entity_id) const;
  // Stores `file` (entity, name, MIME type, encoding, size, description and
  // metadata set by the caller) under `remote_file_id`, filling in the
  // organization, users, dates and file type. `token` guards its download URL.
  absl::StatusOr<remote_files_pb::RemoteFile> add_remote_file(remote_files_pb::RemoteFile file,
                                                              const std::string& remote_file_id,
                                                              std::string path, std::string token);
  absl::StatusOr<remote_files_pb::RemoteFile> remote_file(const std::string& remote_file_id) const;
  std::vector<remote_files_pb::RemoteFile> remote_files(
      const Predicate<remote_files_pb::RemoteFile>& keep) const;
  // All or nothing: NOT_FOUND naming every unknown id and nothing deleted.
  // Returns the paths of the deleted files' bytes (the caller removes them).
  absl::StatusOr<std::vector<std::string>> delete_remote_files(const std::vector<std::string>& ids);
  // The token of a file's download URL.
  absl::StatusOr<std::string> remote_file_token(const std::string& remote_file_id) const;
  // Where a download URL's bytes are: NOT_FOUND for an unknown file,
  // PERMISSION_DENIED when `token` is not the file's.
  struct FileDownload {
    std::string path;
    std::string mime_type;
  };
  absl::StatusOr<FileDownload> remote_file_download(const std::string& remote_file_id,
                                                    const std::string& token) const;
  std::vector<RemoteFileInfo> remote_file_infos() const;  // upload order

  // GetData (store_data.cc): one page of the request's queries, in time
  // order. Everything is validated before anything is read: NOT_FOUND names
  // an unknown channel or run, INVALID_ARGUMENT a bad window, query or
  // page_token, UNIMPLEMENTED what calculated channels cannot do here.
  absl::Status get_data(const data_pb::GetDataRequest& request, data_pb::GetDataResponse* response);

  // Inspection (Emulator's public view).
  std::vector<ChannelSummary> channel_summaries() const;
  std::vector<StoredRow> rows(const std::string& asset, const std::string& channel) const;
  std::vector<AnnotationInfo> annotation_infos() const;
  // Rows not evaluated by a rule because they were older than a row already
  // evaluated by that rule for their (asset, run); counted once per row.
  std::uint64_t out_of_order_rows() const;

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
    // Indices into `rows` by (run, time, arrival), so each run's rows are
    // one time-ordered range. Brought up to date by GetData only (appending
    // costs ingestion nothing); an in-order tail is appended, an
    // out-of-order one merged in.
    std::vector<std::uint32_t> by_run_time;
  };
  struct FlowRecord {
    configs_pb::FlowConfig proto;
    std::size_t asset = 0;              // index in assets_
    std::vector<std::size_t> channels;  // index in channels_ per flow channel
  };
  struct ConfigRecord {
    configs_pb::IngestionConfig proto;
    std::string asset_name;
    std::vector<FlowRecord> flows;
    std::unordered_map<std::string, std::size_t> flow_by_name;
  };
  using ChannelKey = std::tuple<std::string, std::string, int>;  // asset id, name, type

  // What an ANNOTATION action makes the rule's annotations look like.
  struct AnnotationAction {
    annotations_pb::AnnotationType type = annotations_pb::ANNOTATION_TYPE_DATA_REVIEW;
    std::string assigned_to_user_id;
    std::vector<std::string> tag_names;
    google::protobuf::RepeatedPtrField<::sift::metadata::v1::MetadataValue> metadata;
  };
  struct RuleRecord {
    rules_pb::Rule proto;
    Expression expression;
    std::vector<std::pair<int, std::string>> references;  // $N -> channel name, by N
    std::optional<AnnotationAction> annotation;           // none: evaluated, no annotations
  };
  // A rule's reference resolved on one asset: a channel, or one element of a
  // bit-field channel (`<channel>.<element>`, read as a uint32).
  struct ResolvedRef {
    std::size_t channel = std::numeric_limits<std::size_t>::max();  // none on this asset
    bool element = false;
    std::int32_t bit_index = 0;
    std::uint32_t bit_count = 0;
    std::string element_name;
    ExpressionChannel type;
  };
  struct AssetBinding {
    std::size_t channel_count = 0;  // channels_.size() when resolved (channels only grow)
    std::vector<ResolvedRef> refs;  // parallel to RuleRecord::references
    std::map<int, ExpressionChannel> bound;
  };
  // Evaluation state of one rule on one asset in one run.
  struct EvalState {
    std::vector<std::optional<TypedValue>> values;  // last value per reference
    bool evaluated = false;
    std::int64_t latest_ns = 0;  // newest row evaluated (when `evaluated`)
    bool active = false;         // the condition held at the last evaluation
    std::int64_t last_true_ns = 0;
    std::size_t annotation = std::numeric_limits<std::size_t>::max();  // open one, if any
  };
  struct AnnotationRecord {
    annotations_pb::Annotation proto;
    std::string rule_id;  // empty: made by CreateAnnotation
  };
  // A validated rule request, ready to be stored.
  struct PreparedRule {
    std::optional<std::size_t> existing;  // index in rules_; none = create
    rules_pb::UpdateRuleRequest request;
    RuleRecord record;  // expression, references, annotation action
  };
  enum class RuleWrite { kCreate, kUpdate };

  // GetData (store_data.cc, store_data_calc.cc): a query resolved against
  // the store, and the point sources pages are filled from.
  struct DataPlan;
  class RowSource;
  class CalcSource;

  // All private helpers expect mu_ held.
  std::size_t asset_for_name(const std::string& name);
  std::size_t channel_for(const assets_pb::Asset& asset, const configs_pb::ChannelConfig& config);
  void add_flows(ConfigRecord& config, const WireFlows& flows);
  absl::Status validate_row(const ingest_pb::IngestWithConfigDataStreamRequest& row,
                            const FlowRecord** flow, std::uint32_t* run) const;
  void stamp(google::protobuf::Timestamp* created, google::protobuf::Timestamp* modified);
  void add_user(const std::string& name, const std::string& user_id);
  std::size_t add_tag(const std::string& name);  // index in tags_
  absl::Status check_file_entity_locked(remote_files_pb::EntityType type,
                                        const std::string& entity_id) const;

  // Rules: validation (store_rule_check.cc) and storage (store_rules.cc).
  absl::StatusOr<PreparedRule> prepare_rule(const rules_pb::UpdateRuleRequest& request,
                                            RuleWrite write,
                                            rules_pb::ValidationResult* result) const;
  absl::Status check_rule_assets(const std::string& label,
                                 const rules_pb::UpdateRuleRequest& request,
                                 const RuleRecord& record,
                                 rules_pb::ValidationResult* result) const;
  absl::Status check_rule_actions(const std::string& label,
                                  const rules_pb::UpdateConditionRequest& condition,
                                  RuleRecord* record) const;
  // Sets `ref` to channel `name` of the asset; false when it has no such channel.
  bool resolve_channel(const std::string& asset_id, const std::string& name,
                       ResolvedRef* ref) const;
  std::vector<std::size_t> covered_assets(const rules_pb::RuleAssetConfiguration& config) const;
  std::string commit_rule(PreparedRule&& prepared);
  void rebuild_rule_index();

  // GetData (store_data.cc, store_data_calc.cc).
  void index_rows(ChannelRecord& channel);
  absl::StatusOr<std::uint32_t> run_ordinal(const std::string& label,
                                            const std::string& run_id) const;
  absl::Status plan_channel_query(const std::string& label, const data_pb::ChannelQuery& query,
                                  DataPlan* plan);
  absl::Status plan_calculated_query(const std::string& label,
                                     const data_pb::CalculatedChannelQuery& query, DataPlan* plan);
  // The first group (run ordinal) of `plan` after `after` (from the start
  // when unset); none when there is no more.
  std::optional<std::uint32_t> next_group(const DataPlan& plan,
                                          std::optional<std::uint32_t> after) const;
  data_pb::Metadata series_metadata(const DataPlan& plan, std::uint32_t group,
                                    std::uint32_t sampled_ms) const;

  // Evaluation (store_eval.cc).
  void evaluate_row(const FlowRecord& flow, std::uint32_t run, std::int64_t time_ns,
                    const ingest_pb::IngestWithConfigDataStreamRequest& row);
  // False when the row is older than the newest one the rule evaluated.
  bool evaluate_rule(std::size_t rule, const FlowRecord& flow, std::uint32_t run,
                     std::int64_t time_ns, const ingest_pb::IngestWithConfigDataStreamRequest& row);
  AssetBinding& binding_for(std::size_t rule, std::size_t asset);
  void open_annotation(std::size_t rule, std::size_t asset, std::uint32_t run, std::int64_t time_ns,
                       const AssetBinding& binding, EvalState& state);
  void close_annotation(EvalState& state);
  // Closes the rule's open annotations and forgets its evaluation state.
  void reset_rule(std::size_t rule);

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

  std::vector<users_pb::User> users_;
  std::unordered_map<std::string, std::size_t> user_by_id_;
  std::unordered_map<std::string, std::size_t> user_by_name_;

  std::vector<tags_pb::Tag> tags_;
  std::unordered_map<std::string, std::size_t> tag_by_id_;
  std::unordered_map<std::string, std::size_t> tag_by_name_;

  std::vector<RuleRecord> rules_;
  std::unordered_map<std::string, std::size_t> rule_by_id_;
  std::unordered_map<std::string, std::size_t> rule_by_client_key_;
  // Non-archived rules per asset index; an asset that is not a key costs
  // ingestion nothing.
  std::unordered_map<std::size_t, std::vector<std::size_t>> rules_by_asset_;
  std::map<std::pair<std::size_t, std::size_t>, AssetBinding> bindings_;  // (rule, asset)
  std::map<std::tuple<std::size_t, std::size_t, std::uint32_t>, EvalState>
      eval_states_;  // (rule, asset, run)
  std::uint64_t out_of_order_rows_ = 0;

  std::vector<AnnotationRecord> annotations_;
  std::unordered_map<std::string, std::size_t> annotation_by_id_;

  std::vector<annotation_logs_pb::AnnotationLogSearchResult> annotation_logs_;
  std::unordered_map<std::string, std::size_t> annotation_log_by_id_;

  struct RemoteFileRecord {
    remote_files_pb::RemoteFile proto;
    std::string path;   // its bytes
    std::string token;  // of its download URL
  };
  std::vector<RemoteFileRecord> remote_files_;  // upload order
  std::unordered_map<std::string, std::size_t> remote_file_by_id_;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_STORE_H_
