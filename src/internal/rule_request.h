// The pure part of RuleService, testable without a server: checking a
// RuleConfig, binding its channel references to listed channels and checking
// its expression, building sift_py's UpdateRuleRequest (spec 4.5 step 7) and
// rebuilding a RuleConfig from a stored rule.
#ifndef SIFT_INTERNAL_RULE_REQUEST_H_
#define SIFT_INTERNAL_RULE_REQUEST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/channels/v3/channels.pb.h"
#include "sift/ingestion/rule/config.h"
#include "sift/rule/expression.h"
#include "sift/rules/v1/rules.pb.h"

namespace sift {
namespace internal {

// `'a', 'b'`: names quoted for an error message.
std::string quoted_list(const std::vector<std::string>& names);

// `rule 'NAME': ` prefixed to `status`'s message (same code); OK stays OK.
absl::Status in_rule(const RuleConfig& config, const absl::Status& status);

// N of a `$N` placeholder (N >= 1); nullopt for anything else.
std::optional<int> reference_number(std::string_view placeholder);

// What the server needs no help to reject: a name, an expression, an action,
// `$N` channel references (each once, each naming a channel).
// INVALID_ARGUMENT naming the rule.
absl::Status check_rule_config(const RuleConfig& config);

// The rule's expression with any sub-expressions still in the config
// substituted (RuleConfig::create has normally done it already).
absl::StatusOr<std::string> rule_expression(const RuleConfig& config);

// The names resolved to ids for one rule.
struct ResolvedRule {
  // The existing rule's id, else the config's remembered one; empty = new.
  std::string rule_id;
  // The existing rule's organisation; empty otherwise.
  std::string organization_id;
  std::vector<std::string> asset_ids;
  std::vector<std::string> asset_tag_ids;
  std::vector<std::string> action_tag_ids;
  std::optional<std::string> assignee_user_id;
};

// sift_py's request, with the phase action sent (its defect 1): rule_id
// (when known), organization_id, client_key (when set), name, description,
// one condition {actions, calculated_channel {expression, "$N" -> {name}}},
// asset_configuration {asset_ids, tag_ids}, contextual_channels,
// is_external, is_live_evaluation_enabled. Runs check_rule_config first.
absl::StatusOr<rules::v1::UpdateRuleRequest> build_update_rule_request(
    const RuleConfig& config, const ResolvedRule& resolved);

// A listed channel, as expressions see it. INVALID_ARGUMENT naming the
// channel for an unknown data type.
absl::StatusOr<ExpressionChannel> expression_channel_from_wire(
    const channels::v3::Channel& channel);

// The channel names to list for a rule: every reference identifier and
// contextual channel, and for `a.b` also `a` (a bit-field channel whose
// element `b` the reference may mean). Sorted, distinct.
std::vector<std::string> channel_names_to_list(const RuleConfig& config);

// What `identifier` binds to among `listed` (channel name -> type): the
// channel of that name, else element `e` of a bit-field channel `c` for
// `c.e` (a uint32).
std::optional<ExpressionChannel> bind_channel(
    const std::string& identifier, const std::map<std::string, ExpressionChannel>& listed);

// Reference identifiers and contextual channels that bind to nothing in
// `listed`, in the rule's order, each once.
std::vector<std::string> missing_channels(const RuleConfig& config,
                                          const std::map<std::string, ExpressionChannel>& listed);

// Parses `expression` and checks it against the listed channels of one
// asset. INVALID_ARGUMENT `expression 'E' (asset 'A'): column N: ...`
// (without the asset part when `asset_name` is empty).
absl::Status check_expression_on_asset(const RuleConfig& config, const std::string& expression,
                                       const std::map<std::string, ExpressionChannel>& listed,
                                       std::string_view asset_name);

// Every reference identifier of `config` bound to a channel of unknown type
// (ExpressionChannel::type_known false): for checking parsing and binding
// when no asset says what the channels are.
std::map<std::string, ExpressionChannel> untyped_channels(const RuleConfig& config);

// Why a BatchUpdateRules answered success=false: `rule 'R': <error>` and
// `rule 'R' on asset 'A': <error>` for each failure, joined by "; ".
std::string describe_batch_refusal(const rules::v1::BatchUpdateRulesResponse& response);

// The ids a stored rule refers to, for get_rule to name.
struct RuleIds {
  std::vector<std::string> asset_ids;
  std::vector<std::string> asset_tag_ids;
  std::vector<std::string> action_tag_ids;
  std::optional<std::string> assignee_user_id;
};
RuleIds rule_ids(const rules::v1::Rule& rule);

// Names found for those ids; an id missing from its map is kept as is.
struct RuleNames {
  std::map<std::string, std::string> assets;
  std::map<std::string, std::string> asset_tags;
  std::map<std::string, std::string> action_tags;
  std::map<std::string, std::string> users;
};

// sift_py's get_rule conversion (from the last condition and its first
// annotation action; PHASE -> phase, anything else -> review), with ids
// replaced by names where `names` has them, references sorted by N, and
// rule_id set.
RuleConfig rule_config_from_wire(const rules::v1::Rule& rule, const RuleNames& names);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_RULE_REQUEST_H_
