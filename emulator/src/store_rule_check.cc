// Store: validation of rule requests (CreateRule, UpdateRule,
// BatchUpdateRules). Everything is checked before anything is stored, and
// every message names the rule and the problem.
#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store.h"
#include "values.h"

namespace sift {
namespace emulator {
namespace {

std::string rule_label(const rules_pb::UpdateRuleRequest& request) {
  if (!request.name().empty()) return absl::StrCat("rule '", request.name(), "'");
  if (!request.client_key().empty()) {
    return absl::StrCat("rule with client_key '", request.client_key(), "'");
  }
  if (!request.rule_id().empty()) return absl::StrCat("rule '", request.rule_id(), "'");
  return "rule";
}

// The fully qualified name a reference stands for (a legacy component is
// joined as `component.name`).
std::string reference_name(const rules_pb::ChannelReference& ref) {
  if (ref.component().empty()) return ref.name();
  return absl::StrCat(ref.component(), ".", ref.name());
}

}  // namespace

bool Store::resolve_channel(const std::string& asset_id, const std::string& name,
                            ResolvedRef* ref) const {
  // One channel per (asset, name, data type); a name stored under several
  // types binds to the one created first.
  auto find = [&](const std::string& channel_name) {
    std::size_t best = std::numeric_limits<std::size_t>::max();
    auto it = channel_by_key_.lower_bound(
        ChannelKey{asset_id, channel_name, std::numeric_limits<int>::min()});
    for (; it != channel_by_key_.end() && std::get<0>(it->first) == asset_id &&
           std::get<1>(it->first) == channel_name;
         ++it) {
      best = std::min(best, it->second);
    }
    return best;
  };
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  if (const std::size_t channel = find(name); channel != kNone) {
    *ref = ResolvedRef{};
    ref->channel = channel;
    ref->type = expression_channel(channels_[channel].proto);
    return true;
  }
  // `<bit-field channel>.<element>` (channel names may hold dots themselves,
  // element names do not).
  const std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return false;
  const std::size_t channel = find(name.substr(0, dot));
  if (channel == kNone) return false;
  const channels_pb::Channel& proto = channels_[channel].proto;
  if (proto.data_type() != ::sift::common::type::v1::CHANNEL_DATA_TYPE_BIT_FIELD) return false;
  const std::string element = name.substr(dot + 1);
  for (const auto& e : proto.bit_field_elements()) {
    if (e.name() != element) continue;
    *ref = ResolvedRef{};
    ref->channel = channel;
    ref->element = true;
    ref->bit_index = e.index();
    ref->bit_count = e.bit_count();
    ref->element_name = element;
    ref->type.data_type = ChannelDataType::kUint32;
    return true;
  }
  return false;
}

std::vector<std::size_t> Store::covered_assets(
    const rules_pb::RuleAssetConfiguration& config) const {
  std::vector<std::size_t> out;
  auto add = [&](std::size_t asset) {
    if (std::find(out.begin(), out.end(), asset) == out.end()) out.push_back(asset);
  };
  for (const std::string& id : config.asset_ids()) {
    if (auto it = asset_by_id_.find(id); it != asset_by_id_.end()) add(it->second);
  }
  for (const std::string& tag_id : config.tag_ids()) {
    auto tag = tag_by_id_.find(tag_id);
    if (tag == tag_by_id_.end()) continue;
    const std::string& tag_name = tags_[tag->second].name();
    for (std::size_t a = 0; a < assets_.size(); ++a) {
      const auto& tags = assets_[a].tags();
      if (std::find(tags.begin(), tags.end(), tag_name) != tags.end()) add(a);
    }
  }
  return out;
}

absl::Status Store::check_rule_actions(const std::string& label,
                                       const rules_pb::UpdateConditionRequest& condition,
                                       RuleRecord* record) const {
  for (int i = 0; i < condition.actions_size(); ++i) {
    const rules_pb::UpdateActionRequest& action = condition.actions(i);
    switch (action.action_type()) {
      case rules_pb::ANNOTATION:
        break;
      case rules_pb::NOTIFICATION:
      case rules_pb::WEBHOOK:
        continue;  // stored, never acted on
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            label, ": action ", i, " has no action_type (ANNOTATION, NOTIFICATION or WEBHOOK)"));
    }
    if (!action.configuration().has_annotation()) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": ANNOTATION action ", i, " has no annotation configuration"));
    }
    if (record->annotation.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": has more than one ANNOTATION action"));
    }
    const rules_pb::AnnotationActionConfiguration& config = action.configuration().annotation();
    AnnotationAction out;
    out.type = config.annotation_type();
    if (out.type != annotations_pb::ANNOTATION_TYPE_DATA_REVIEW &&
        out.type != annotations_pb::ANNOTATION_TYPE_PHASE) {
      return absl::InvalidArgumentError(
          absl::StrCat(label,
                       ": the annotation action needs annotation_type "
                       "ANNOTATION_TYPE_DATA_REVIEW or ANNOTATION_TYPE_PHASE, got ",
                       static_cast<int>(out.type)));
    }
    if (!config.assigned_to_user_id().empty()) {
      if (out.type == annotations_pb::ANNOTATION_TYPE_PHASE) {
        return absl::InvalidArgumentError(
            absl::StrCat(label, ": a phase annotation cannot be assigned (assigned_to_user_id '",
                         config.assigned_to_user_id(), "')"));
      }
      if (user_by_id_.count(config.assigned_to_user_id()) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(label, ": assigned_to_user_id '",
                                                       config.assigned_to_user_id(),
                                                       "' is not a known user"));
      }
      out.assigned_to_user_id = config.assigned_to_user_id();
    }
    for (const std::string& tag_id : config.tag_ids()) {
      auto tag = tag_by_id_.find(tag_id);
      if (tag == tag_by_id_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(label, ": annotation tag '", tag_id, "' is not a known tag id"));
      }
      out.tag_names.push_back(tags_[tag->second].name());
    }
    out.metadata = config.metadata();
    record->annotation = std::move(out);
  }
  return absl::OkStatus();
}

absl::Status Store::check_rule_assets(const std::string& label,
                                      const rules_pb::UpdateRuleRequest& request,
                                      const RuleRecord& record,
                                      rules_pb::ValidationResult* result) const {
  const rules_pb::RuleAssetConfiguration& config = request.asset_configuration();
  for (const std::string& id : config.asset_ids()) {
    if (asset_by_id_.count(id) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": asset '", id, "' not found"));
    }
  }
  for (const std::string& id : config.tag_ids()) {
    if (tag_by_id_.count(id) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": asset tag '", id, "' is not a known tag id"));
    }
  }
  if (config.asset_ids().empty() && config.tag_ids().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": asset_configuration names no asset_ids and no tag_ids"));
  }
  const std::vector<std::size_t> covered = covered_assets(config);
  if (covered.empty()) {
    // Only tags no asset carries yet: at least every `$N` must be bound.
    std::set<int> bound;
    for (const auto& [n, name] : record.references) bound.insert(n);
    for (int n : record.expression.references()) {
      if (bound.count(n) == 0) {
        return absl::InvalidArgumentError(absl::StrCat(label, ": expression `",
                                                       record.expression.source(), "`: $", n,
                                                       " is not bound to a channel reference"));
      }
    }
  }
  std::string first_error;
  for (std::size_t asset : covered) {
    const assets_pb::Asset& proto = assets_[asset];
    std::string error;
    std::map<int, ExpressionChannel> bound;
    for (const auto& [n, name] : record.references) {
      ResolvedRef ref;
      if (!resolve_channel(proto.asset_id(), name, &ref)) {
        error = absl::StrCat(label, ": asset '", proto.name(), "' has no channel '", name,
                             "' (referenced as $", n, ")");
        break;
      }
      bound[n] = ref.type;
    }
    if (error.empty()) {
      if (absl::Status s = check_expression(record.expression, bound); !s.ok()) {
        error = absl::StrCat(label, ": expression `", record.expression.source(), "` on asset '",
                             proto.name(), "': ", s.message());
      }
    }
    for (const rules_pb::ChannelReference& ref : request.contextual_channels().channels()) {
      if (!error.empty()) break;
      ResolvedRef unused;
      if (!resolve_channel(proto.asset_id(), reference_name(ref), &unused)) {
        error = absl::StrCat(label, ": asset '", proto.name(), "' has no channel '",
                             reference_name(ref), "' (contextual channel)");
      }
    }
    if (result != nullptr) {
      rules_pb::AssetExpressionValidationResult* asset_result =
          result->add_asset_expression_validation_results();
      asset_result->set_asset_id(proto.asset_id());
      asset_result->set_asset_name(proto.name());
      const auto& ids = config.asset_ids();
      if (std::find(ids.begin(), ids.end(), proto.asset_id()) == ids.end()) {
        // Covered through a tag: name the first tag of the rule the asset carries.
        for (const std::string& tag_id : config.tag_ids()) {
          const std::string& tag_name = tags_[tag_by_id_.at(tag_id)].name();
          if (std::find(proto.tags().begin(), proto.tags().end(), tag_name) != proto.tags().end()) {
            asset_result->set_asset_tag_id(tag_id);
            break;
          }
        }
      }
      if (!error.empty()) asset_result->set_error(error);
    }
    if (first_error.empty()) first_error = std::move(error);
  }
  if (!first_error.empty()) return absl::InvalidArgumentError(first_error);
  return absl::OkStatus();
}

absl::StatusOr<Store::PreparedRule> Store::prepare_rule(const rules_pb::UpdateRuleRequest& request,
                                                        RuleWrite write,
                                                        rules_pb::ValidationResult* result) const {
  const std::string label = rule_label(request);
  if (result != nullptr) {
    result->set_rule_name(request.name());
    result->set_client_key(request.client_key());
    result->set_rule_id(request.rule_id());
  }
  PreparedRule prepared;
  prepared.request = request;
  const std::string& key = request.client_key();
  // sift_py sends rule_id = "" for a new rule: an empty id is no id.
  if (write == RuleWrite::kCreate) {
    if (!key.empty() && rule_by_client_key_.count(key) != 0) {
      return absl::AlreadyExistsError(
          absl::StrCat(label, ": a rule with client_key '", key, "' already exists"));
    }
  } else if (!request.rule_id().empty()) {
    auto it = rule_by_id_.find(request.rule_id());
    if (it == rule_by_id_.end()) {
      return absl::NotFoundError(absl::StrCat(label, ": rule '", request.rule_id(), "' not found"));
    }
    prepared.existing = it->second;
    const std::string& stored_key = rules_[it->second].proto.client_key();
    if (!key.empty() && key != stored_key) {
      if (!stored_key.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(label, ": client_key cannot change (rule '",
                                                       request.rule_id(), "' has '", stored_key,
                                                       "', the request '", key, "')"));
      }
      if (rule_by_client_key_.count(key) != 0) {
        return absl::AlreadyExistsError(
            absl::StrCat(label, ": a rule with client_key '", key, "' already exists"));
      }
    }
  } else if (!key.empty()) {
    if (auto it = rule_by_client_key_.find(key); it != rule_by_client_key_.end()) {
      prepared.existing = it->second;
    }
  }
  if (prepared.existing.has_value()) {
    prepared.request.set_rule_id(rules_[*prepared.existing].proto.rule_id());
    if (result != nullptr) result->set_rule_id(prepared.request.rule_id());
  }

  if (request.name().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": name must not be empty"));
  }
  if (request.conditions_size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": needs exactly one condition, got ", request.conditions_size()));
  }
  const rules_pb::UpdateConditionRequest& condition = request.conditions(0);
  switch (condition.expression().expression_case()) {
    case rules_pb::RuleConditionExpression::kCalculatedChannel:
      break;
    case rules_pb::RuleConditionExpression::kSingleChannelComparison:
      return absl::UnimplementedError(absl::StrCat(
          label,
          ": sift-emulator does not support the deprecated single_channel_comparison condition; "
          "send a calculated_channel expression"));
    default:
      return absl::InvalidArgumentError(absl::StrCat(label, ": the condition has no expression"));
  }
  const rules_pb::CalculatedChannelConfig& calculated = condition.expression().calculated_channel();
  absl::StatusOr<Expression> expression = parse_expression(calculated.expression());
  if (!expression.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": expression `", calculated.expression(),
                                                   "`: ", expression.status().message()));
  }
  RuleRecord& record = prepared.record;
  record.expression = std::move(*expression);
  for (const auto& [placeholder, ref] : calculated.channel_references()) {
    int n = 0;
    if (!parse_placeholder(placeholder, &n)) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": channel reference '", placeholder,
                                                     "' is not of the form $1, $2, ..."));
    }
    if (ref.has_calculated_channel_version_id()) {
      return absl::UnimplementedError(
          absl::StrCat(label, ": ", placeholder,
                       " refers to a calculated channel, which sift-emulator does not support"));
    }
    const std::string name = reference_name(ref);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": ", placeholder, " has no channel name"));
    }
    record.references.emplace_back(n, name);
  }
  std::sort(record.references.begin(), record.references.end());

  if (absl::Status s = check_rule_actions(label, condition, &record); !s.ok()) return s;
  if (absl::Status s = check_rule_assets(label, prepared.request, record, result); !s.ok()) {
    return s;
  }
  return prepared;
}

}  // namespace emulator
}  // namespace sift
