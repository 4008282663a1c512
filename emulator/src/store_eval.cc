// Store: rule evaluation as rows arrive, with the SDK's expression engine.
// State is kept per (rule, asset, run): the last value seen of each
// referenced channel and whether the condition held at the last row that
// carried one of them. A condition that turns true opens an annotation at
// that row; one that turns false closes it at the last row where it held.
// Each rule sees only the rows that carry one of its channels, so flows sent
// by different producers may interleave; a row older than one the rule
// already evaluated for its (asset, run) is not evaluated (a replay after a
// reconnect resends rows already seen), only counted.
#include <limits>
#include <utility>
#include <vector>

#include "store.h"
#include "values.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

}  // namespace

void Store::evaluate_row(const FlowRecord& flow, std::uint32_t run, std::int64_t time_ns,
                         const ingest_pb::IngestWithConfigDataStreamRequest& row) {
  auto rules = rules_by_asset_.find(flow.asset);
  if (rules == rules_by_asset_.end()) return;
  bool in_order = true;
  for (std::size_t rule : rules->second) {
    in_order = evaluate_rule(rule, flow, run, time_ns, row) && in_order;
  }
  if (!in_order) ++out_of_order_rows_;
}

Store::AssetBinding& Store::binding_for(std::size_t rule, std::size_t asset) {
  AssetBinding& binding = bindings_[{rule, asset}];
  const auto& references = rules_[rule].references;
  // Channels are only ever added: a binding stays right until one is.
  if (binding.channel_count == channels_.size() && binding.refs.size() == references.size()) {
    return binding;
  }
  binding.channel_count = channels_.size();
  binding.refs.clear();
  binding.bound.clear();
  for (const auto& [n, name] : references) {
    ResolvedRef ref;
    if (resolve_channel(assets_[asset].asset_id(), name, &ref)) binding.bound[n] = ref.type;
    binding.refs.push_back(std::move(ref));
  }
  return binding;
}

bool Store::evaluate_rule(std::size_t rule_index, const FlowRecord& flow, std::uint32_t run,
                          std::int64_t time_ns,
                          const ingest_pb::IngestWithConfigDataStreamRequest& row) {
  const RuleRecord& rule = rules_[rule_index];
  const AssetBinding& binding = binding_for(rule_index, flow.asset);
  // Which of the rule's references this row carries a value for.
  std::vector<std::pair<std::size_t, const WireValue*>> carried;
  for (std::size_t i = 0; i < flow.channels.size(); ++i) {
    const WireValue& value = row.channel_values(static_cast<int>(i));
    if (value.type_case() == WireValue::kEmpty) continue;
    for (std::size_t s = 0; s < binding.refs.size(); ++s) {
      if (binding.refs[s].channel == flow.channels[i]) carried.emplace_back(s, &value);
    }
  }
  if (carried.empty()) return true;
  EvalState& state = eval_states_[{rule_index, flow.asset, run}];
  if (state.evaluated && time_ns < state.latest_ns) return false;
  state.values.resize(binding.refs.size());
  for (const auto& [s, value] : carried) {
    const ResolvedRef& ref = binding.refs[s];
    state.values[s] =
        ref.element ? uint32_value(element_bits(value->bit_field(), ref.bit_index, ref.bit_count))
                    : to_typed_value(*value);
  }
  state.evaluated = true;
  state.latest_ns = time_ns;
  const auto value_of = [&](int reference) -> std::optional<TypedValue> {
    for (std::size_t s = 0; s < rule.references.size(); ++s) {
      if (rule.references[s].first == reference) return state.values[s];
    }
    return std::nullopt;
  };
  absl::StatusOr<bool> result = evaluate(rule.expression, value_of, binding.bound);
  // A checked expression cannot fail on values of its channels' types; if
  // it does anyway, the condition does not hold.
  const bool holds = result.ok() && *result;
  if (holds) {
    if (!state.active) {
      state.active = true;
      if (rule.annotation.has_value()) {
        open_annotation(rule_index, flow.asset, run, time_ns, binding, state);
      }
    }
    state.last_true_ns = time_ns;
  } else if (state.active) {
    close_annotation(state);
  }
  return true;
}

void Store::open_annotation(std::size_t rule_index, std::size_t asset, std::uint32_t run,
                            std::int64_t time_ns, const AssetBinding& binding, EvalState& state) {
  const RuleRecord& rule = rules_[rule_index];
  const AnnotationAction& action = *rule.annotation;
  const rules_pb::RuleCondition& condition = rule.proto.conditions(0);
  AnnotationRecord record;
  record.rule_id = rule.proto.rule_id();
  annotations_pb::Annotation& a = record.proto;
  a.set_annotation_id(ids_.next());
  a.set_name(rule.proto.name());
  a.set_description(rule.proto.description());
  *a.mutable_start_time() = proto_time(time_ns);
  a.set_created_by_user_id(user_id_);
  a.set_modified_by_user_id(user_id_);
  stamp(a.mutable_created_date(), a.mutable_modified_date());
  if (run != 0) a.set_run_id(runs_[run - 1].run_id());
  if (action.type == annotations_pb::ANNOTATION_TYPE_DATA_REVIEW) {
    a.set_state(annotations_pb::ANNOTATION_STATE_OPEN);
  }
  a.set_organization_id(organization_id_);
  a.set_annotation_type(action.type);
  if (!action.assigned_to_user_id.empty()) {
    a.set_assigned_to_user_id(action.assigned_to_user_id);
    if (auto user = user_by_id_.find(action.assigned_to_user_id); user != user_by_id_.end()) {
      *a.mutable_assigned_to_user() = users_[user->second];
    }
  }
  for (const std::string& tag : action.tag_names) a.add_tags(tag);
  a.set_created_by_condition_id(condition.rule_condition_id());
  a.set_created_by_rule_condition_version_id(condition.rule_condition_version_id());
  a.set_pending(true);  // the condition still holds; end_time is set when it stops
  for (const ResolvedRef& ref : binding.refs) {
    if (ref.channel == kNone) continue;
    annotations_pb::AnnotationLinkedChannel* linked = a.add_linked_channels();
    const std::string& channel_id = channels_[ref.channel].proto.channel_id();
    if (ref.element) {
      linked->mutable_bit_field_element()->set_channel_id(channel_id);
      linked->mutable_bit_field_element()->set_bit_field_name(ref.element_name);
    } else {
      linked->mutable_channel()->set_channel_id(channel_id);
    }
  }
  a.add_asset_ids(assets_[asset].asset_id());
  a.mutable_metadata()->CopyFrom(action.metadata);
  a.set_batched_triggers(1);
  state.annotation = annotations_.size();
  annotation_by_id_[a.annotation_id()] = annotations_.size();
  annotations_.push_back(std::move(record));
}

void Store::close_annotation(EvalState& state) {
  if (state.annotation != kNone) {
    annotations_pb::Annotation& a = annotations_[state.annotation].proto;
    *a.mutable_end_time() = proto_time(state.last_true_ns);
    a.set_pending(false);
    stamp(nullptr, a.mutable_modified_date());
  }
  state.annotation = kNone;
  state.active = false;
}

void Store::reset_rule(std::size_t rule) {
  auto it = eval_states_.lower_bound({rule, 0, 0});
  while (it != eval_states_.end() && std::get<0>(it->first) == rule) {
    if (it->second.active) close_annotation(it->second);
    it = eval_states_.erase(it);
  }
  bindings_.erase(bindings_.lower_bound({rule, 0}), bindings_.lower_bound({rule + 1, 0}));
}

std::uint64_t Store::out_of_order_rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_of_order_rows_;
}

}  // namespace emulator
}  // namespace sift
