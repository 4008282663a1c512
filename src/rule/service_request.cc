// RuleConfig <-> sift.rules.v1 messages (spec 4.5 step 7 and get_rule).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/rule_request.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

namespace wire = rules::v1;

const std::string& name_or_id(const std::map<std::string, std::string>& names,
                              const std::string& id) {
  auto it = names.find(id);
  return it == names.end() ? id : it->second;
}

std::vector<std::string> names_or_ids(const std::map<std::string, std::string>& names,
                                      const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::vector<std::string> out;
  for (const std::string& id : ids) out.push_back(name_or_id(names, id));
  return out;
}

// The action get_rule reads: the first annotation action of the last
// condition (sift_py reads the last condition too).
const wire::RuleAction* annotation_action(const wire::Rule& rule) {
  if (rule.conditions_size() == 0) return nullptr;
  const wire::RuleCondition& condition = rule.conditions(rule.conditions_size() - 1);
  for (const wire::RuleAction& action : condition.actions()) {
    if (action.configuration().has_annotation()) return &action;
  }
  return nullptr;
}

}  // namespace

std::string quoted_list(const std::vector<std::string>& names) {
  return absl::StrJoin(names, ", ", [](std::string* out, const std::string& name) {
    absl::StrAppend(out, "'", name, "'");
  });
}

absl::Status in_rule(const RuleConfig& config, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("rule '", config.name, "': ", status.message()));
}

std::optional<int> reference_number(std::string_view placeholder) {
  if (placeholder.size() < 2 || placeholder.size() > 7 || placeholder[0] != '$' ||
      placeholder[1] == '0') {
    return std::nullopt;
  }
  int number = 0;
  for (std::size_t i = 1; i < placeholder.size(); ++i) {
    const char c = placeholder[i];
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

absl::Status check_rule_config(const RuleConfig& config) {
  if (config.name.empty()) return absl::InvalidArgumentError("a rule needs a name");
  auto invalid = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("rule '", config.name, "': ", what));
  };
  if (config.expression.empty()) return invalid("the expression cannot be empty");
  if (!config.action.has_value()) {
    return invalid("has no action (a review or phase annotation action is required)");
  }
  std::set<std::string> seen;
  for (const RuleChannelReference& reference : config.channel_references) {
    if (!reference_number(reference.channel_reference).has_value()) {
      return invalid(absl::StrCat("channel reference '", reference.channel_reference,
                                  "' is not of the form $N ($1, $2, ...)"));
    }
    if (!seen.insert(reference.channel_reference).second) {
      return invalid(
          absl::StrCat("channel reference '", reference.channel_reference, "' is bound twice"));
    }
    if (reference.channel_identifier.empty()) {
      return invalid(
          absl::StrCat("channel reference '", reference.channel_reference, "' names no channel"));
    }
  }
  for (const std::string& channel : config.contextual_channels) {
    if (channel.empty()) return invalid("a contextual channel name cannot be empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> rule_expression(const RuleConfig& config) {
  if (config.sub_expressions.empty()) return config.expression;
  absl::StatusOr<std::string> substituted =
      substitute_sub_expressions(config.expression, config.sub_expressions);
  if (!substituted.ok()) return in_rule(config, substituted.status());
  return substituted;
}

absl::StatusOr<wire::UpdateRuleRequest> build_update_rule_request(const RuleConfig& config,
                                                                  const ResolvedRule& resolved) {
  SIFT_RETURN_IF_ERROR(check_rule_config(config));
  SIFT_ASSIGN_OR_RETURN(std::string expression, rule_expression(config));

  wire::UpdateRuleRequest request;
  request.set_organization_id(resolved.organization_id);
  if (!resolved.rule_id.empty()) request.set_rule_id(resolved.rule_id);
  if (config.rule_client_key.has_value()) request.set_client_key(*config.rule_client_key);
  request.set_name(config.name);
  request.set_description(config.description);

  wire::UpdateConditionRequest* condition = request.add_conditions();
  wire::CalculatedChannelConfig* calculated =
      condition->mutable_expression()->mutable_calculated_channel();
  calculated->set_expression(expression);
  for (const RuleChannelReference& reference : config.channel_references) {
    (*calculated->mutable_channel_references())[reference.channel_reference].set_name(
        reference.channel_identifier);
  }

  wire::UpdateActionRequest* action = condition->add_actions();
  action->set_action_type(wire::ANNOTATION);
  wire::AnnotationActionConfiguration* annotation =
      action->mutable_configuration()->mutable_annotation();
  if (std::holds_alternative<RuleActionCreatePhaseAnnotation>(*config.action)) {
    annotation->set_annotation_type(annotations::v1::ANNOTATION_TYPE_PHASE);
  } else {
    annotation->set_annotation_type(annotations::v1::ANNOTATION_TYPE_DATA_REVIEW);
    if (resolved.assignee_user_id.has_value()) {
      annotation->set_assigned_to_user_id(*resolved.assignee_user_id);
    }
  }
  for (const std::string& id : resolved.action_tag_ids) annotation->add_tag_ids(id);

  for (const std::string& id : resolved.asset_ids) {
    request.mutable_asset_configuration()->add_asset_ids(id);
  }
  for (const std::string& id : resolved.asset_tag_ids) {
    request.mutable_asset_configuration()->add_tag_ids(id);
  }
  for (const std::string& channel : config.contextual_channels) {
    request.mutable_contextual_channels()->add_channels()->set_name(channel);
  }
  request.set_is_external(config.is_external);
  request.set_is_live_evaluation_enabled(config.is_live_evaluation_enabled);
  return request;
}

std::string describe_batch_refusal(const wire::BatchUpdateRulesResponse& response) {
  std::vector<std::string> reasons;
  for (const wire::ValidationResult& result : response.validation_results()) {
    const std::string& rule = !result.rule_name().empty()    ? result.rule_name()
                              : !result.client_key().empty() ? result.client_key()
                                                             : result.rule_id();
    if (result.has_error()) reasons.push_back(absl::StrCat("rule '", rule, "': ", result.error()));
    for (const wire::AssetExpressionValidationResult& asset :
         result.asset_expression_validation_results()) {
      if (asset.has_error()) {
        reasons.push_back(
            absl::StrCat("rule '", rule, "' on asset '", asset.asset_name(), "': ", asset.error()));
      }
    }
  }
  if (reasons.empty()) return "success=false without validation errors";
  return absl::StrJoin(reasons, "; ");
}

RuleIds rule_ids(const wire::Rule& rule) {
  RuleIds ids;
  ids.asset_ids.assign(rule.asset_configuration().asset_ids().begin(),
                       rule.asset_configuration().asset_ids().end());
  ids.asset_tag_ids.assign(rule.asset_configuration().tag_ids().begin(),
                           rule.asset_configuration().tag_ids().end());
  if (const wire::RuleAction* action = annotation_action(rule)) {
    const wire::AnnotationActionConfiguration& annotation = action->configuration().annotation();
    ids.action_tag_ids.assign(annotation.tag_ids().begin(), annotation.tag_ids().end());
    if (annotation.annotation_type() != annotations::v1::ANNOTATION_TYPE_PHASE &&
        annotation.has_assigned_to_user_id() && !annotation.assigned_to_user_id().empty()) {
      ids.assignee_user_id = annotation.assigned_to_user_id();
    }
  }
  return ids;
}

RuleConfig rule_config_from_wire(const wire::Rule& rule, const RuleNames& names) {
  RuleConfig config;
  config.name = rule.name();
  config.description = rule.description();
  if (!rule.client_key().empty()) config.rule_client_key = rule.client_key();
  config.rule_id = rule.rule_id();
  config.is_external = rule.is_external();
  config.is_live_evaluation_enabled = rule.is_live_evaluation_enabled();
  config.asset_names = names_or_ids(names.assets, rule.asset_configuration().asset_ids());
  config.tag_names = names_or_ids(names.asset_tags, rule.asset_configuration().tag_ids());
  for (const wire::ChannelReference& channel : rule.contextual_channels().channels()) {
    config.contextual_channels.push_back(channel.name());
  }

  if (rule.conditions_size() > 0) {
    const wire::RuleCondition& condition = rule.conditions(rule.conditions_size() - 1);
    if (condition.expression().has_calculated_channel()) {
      const wire::CalculatedChannelConfig& calculated = condition.expression().calculated_channel();
      config.expression = calculated.expression();
      std::vector<std::pair<int, RuleChannelReference>> references;
      for (const auto& [placeholder, channel] : calculated.channel_references()) {
        // Map order is unspecified: $1, $2, ... then anything else by text.
        const int number = reference_number(placeholder).value_or(0);
        references.push_back({number == 0 ? 1 << 30 : number, {placeholder, channel.name()}});
      }
      std::sort(references.begin(), references.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return a.second.channel_reference < b.second.channel_reference;
      });
      for (auto& entry : references) config.channel_references.push_back(std::move(entry.second));
    }
  }

  if (const wire::RuleAction* action = annotation_action(rule)) {
    const wire::AnnotationActionConfiguration& annotation = action->configuration().annotation();
    std::vector<std::string> tags = names_or_ids(names.action_tags, annotation.tag_ids());
    if (annotation.annotation_type() == annotations::v1::ANNOTATION_TYPE_PHASE) {
      config.action = RuleActionCreatePhaseAnnotation{std::move(tags)};
    } else {
      RuleActionCreateDataReviewAnnotation review;
      if (annotation.has_assigned_to_user_id() && !annotation.assigned_to_user_id().empty()) {
        review.assignee = name_or_id(names.users, annotation.assigned_to_user_id());
      }
      review.tags = std::move(tags);
      config.action = std::move(review);
    }
  }
  return config;
}

}  // namespace internal
}  // namespace sift
