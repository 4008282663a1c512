// Store: rules. Requests are validated by prepare_rule() (store_rule_check.cc)
// and stored by commit_rule(); every write resets the rule's evaluation.
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store.h"

namespace sift {
namespace emulator {
namespace {

constexpr int kMaxBatchRules = 1000;

// The id a request names for an existing item when `old` has it, else a new one.
template <typename Items, typename IdOf>
std::string keep_or_new(const std::string& requested, const Items& old, IdOf id_of,
                        IdGenerator& ids) {
  if (!requested.empty()) {
    for (const auto& item : old) {
      if (id_of(item) == requested) return requested;
    }
  }
  return ids.next();
}

}  // namespace

std::string Store::commit_rule(PreparedRule&& prepared) {
  const rules_pb::UpdateRuleRequest& request = prepared.request;
  const bool create = !prepared.existing.has_value();
  const rules_pb::Rule* old = create ? nullptr : &rules_[*prepared.existing].proto;
  RuleRecord record = std::move(prepared.record);
  rules_pb::Rule& rule = record.proto;

  rule.set_rule_id(create ? ids_.next() : old->rule_id());
  rule.set_name(request.name());
  rule.set_description(request.description());
  rule.set_is_enabled(!request.is_archived());
  stamp(nullptr, rule.mutable_modified_date());
  if (create) {
    *rule.mutable_created_date() = rule.modified_date();
    rule.set_created_by_user_id(user_id_);
  } else {
    *rule.mutable_created_date() = old->created_date();
    rule.set_created_by_user_id(old->created_by_user_id());
  }
  rule.set_modified_by_user_id(user_id_);
  rule.set_organization_id(organization_id_);
  rule.set_client_key(!request.client_key().empty() ? request.client_key()
                                                    : (old != nullptr ? old->client_key() : ""));
  *rule.mutable_asset_configuration() = request.asset_configuration();
  *rule.mutable_contextual_channels() = request.contextual_channels();
  rule.set_is_external(request.is_external());
  rule.mutable_metadata()->CopyFrom(request.metadata());
  if (request.is_archived()) {
    if (old != nullptr && old->is_archived()) {
      *rule.mutable_archived_date() = old->archived_date();
    } else {
      *rule.mutable_archived_date() = rule.modified_date();
    }
    rule.set_is_archived(true);
  }
  // The emulator keeps what was asked for (Sift may downgrade it); it
  // evaluates every rule that is not archived either way.
  rule.set_is_live_evaluation_enabled(request.has_is_live_evaluation_enabled()
                                          ? request.is_live_evaluation_enabled()
                                          : (old != nullptr && old->is_live_evaluation_enabled()));

  int version = 1;
  if (old != nullptr && absl::SimpleAtoi(old->rule_version().version(), &version)) ++version;
  rules_pb::RuleVersion* rule_version = rule.mutable_rule_version();
  rule_version->set_rule_id(rule.rule_id());
  rule_version->set_rule_version_id(ids_.next());
  rule_version->set_version(absl::StrCat(version));
  *rule_version->mutable_created_date() = rule.modified_date();
  rule_version->set_created_by_user_id(user_id_);
  rule_version->set_version_notes(request.version_notes());
  rule_version->set_generated_change_message(create ? "Rule created" : "Rule updated");
  rule.set_current_version_id(rule_version->rule_version_id());

  // Conditions and actions keep their ids when the request names the
  // existing ones; every write gives them new version ids.
  const rules_pb::UpdateConditionRequest& condition_request = request.conditions(0);
  rules_pb::RuleCondition* condition = rule.add_conditions();
  static const google::protobuf::RepeatedPtrField<rules_pb::RuleCondition> kNoConditions;
  const auto& old_conditions = old != nullptr ? old->conditions() : kNoConditions;
  condition->set_rule_condition_id(keep_or_new(
      condition_request.rule_condition_id(), old_conditions,
      [](const rules_pb::RuleCondition& c) { return c.rule_condition_id(); }, ids_));
  condition->set_rule_id(rule.rule_id());
  *condition->mutable_expression() = condition_request.expression();
  *condition->mutable_created_date() = rule.modified_date();
  *condition->mutable_modified_date() = rule.modified_date();
  condition->set_created_by_user_id(user_id_);
  condition->set_modified_by_user_id(user_id_);
  condition->set_rule_condition_version_id(ids_.next());
  google::protobuf::RepeatedPtrField<rules_pb::RuleAction> old_actions;
  for (const rules_pb::RuleCondition& c : old_conditions) {
    if (c.rule_condition_id() == condition->rule_condition_id()) old_actions = c.actions();
  }
  for (const rules_pb::UpdateActionRequest& action_request : condition_request.actions()) {
    rules_pb::RuleAction* action = condition->add_actions();
    action->set_rule_action_id(keep_or_new(
        action_request.rule_action_id(), old_actions,
        [](const rules_pb::RuleAction& a) { return a.rule_action_id(); }, ids_));
    action->set_rule_condition_id(condition->rule_condition_id());
    action->set_action_type(action_request.action_type());
    *action->mutable_configuration() = action_request.configuration();
    *action->mutable_created_date() = rule.modified_date();
    *action->mutable_modified_date() = rule.modified_date();
    action->set_created_by_user_id(user_id_);
    action->set_modified_by_user_id(user_id_);
    action->set_rule_action_version_id(ids_.next());
  }

  std::size_t index = 0;
  if (create) {
    index = rules_.size();
    rule_by_id_[rule.rule_id()] = index;
    rules_.push_back(std::move(record));
  } else {
    index = *prepared.existing;
    reset_rule(index);
    rules_[index] = std::move(record);
  }
  const rules_pb::Rule& stored = rules_[index].proto;
  if (!stored.client_key().empty()) rule_by_client_key_[stored.client_key()] = index;
  rebuild_rule_index();
  return stored.rule_id();
}

void Store::rebuild_rule_index() {
  rules_by_asset_.clear();
  for (std::size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].proto.is_archived()) continue;
    for (std::size_t asset : covered_assets(rules_[r].proto.asset_configuration())) {
      rules_by_asset_[asset].push_back(r);
    }
  }
}

absl::StatusOr<std::string> Store::create_rule(const rules_pb::UpdateRuleRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<PreparedRule> prepared = prepare_rule(request, RuleWrite::kCreate, nullptr);
  if (!prepared.ok()) return prepared.status();
  return commit_rule(std::move(*prepared));
}

absl::StatusOr<std::string> Store::update_rule(const rules_pb::UpdateRuleRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<PreparedRule> prepared = prepare_rule(request, RuleWrite::kUpdate, nullptr);
  if (!prepared.ok()) return prepared.status();
  return commit_rule(std::move(*prepared));
}

absl::StatusOr<rules_pb::BatchUpdateRulesResponse> Store::batch_update_rules(
    const rules_pb::BatchUpdateRulesRequest& request) {
  if (request.rules_size() > kMaxBatchRules) {
    return absl::InvalidArgumentError(absl::StrCat("BatchUpdateRules: at most ", kMaxBatchRules,
                                                   " rules per call, got ", request.rules_size()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  rules_pb::BatchUpdateRulesResponse response;
  response.set_validate_only(request.validate_only());
  std::vector<PreparedRule> prepared;
  std::set<std::string> keys;
  std::set<std::size_t> targets;
  bool success = true;
  int created = 0;
  int updated = 0;
  for (const rules_pb::UpdateRuleRequest& rule : request.rules()) {
    rules_pb::ValidationResult* result = response.add_validation_results();
    absl::StatusOr<PreparedRule> one = prepare_rule(rule, RuleWrite::kUpdate, result);
    if (one.ok() && !rule.client_key().empty() && !keys.insert(rule.client_key()).second) {
      one = absl::InvalidArgumentError(absl::StrCat("rule '", rule.name(), "': client_key '",
                                                    rule.client_key(),
                                                    "' appears twice in the batch"));
    }
    if (one.ok() && one->existing.has_value() && !targets.insert(*one->existing).second) {
      one = absl::InvalidArgumentError(
          absl::StrCat("rule '", rule.name(), "': the batch updates rule '",
                       rules_[*one->existing].proto.rule_id(), "' twice"));
    }
    if (!one.ok()) {
      result->set_error(std::string(one.status().message()));
      success = false;
      continue;
    }
    ++(one->existing.has_value() ? updated : created);
    prepared.push_back(std::move(*one));
  }
  response.set_success(success);
  if (!success) return response;
  response.set_rules_created_count(created);
  response.set_rules_updated_count(updated);
  if (request.validate_only()) return response;
  for (PreparedRule& rule : prepared) {
    const bool create = !rule.existing.has_value();
    const std::string name = rule.request.name();
    const std::string key = rule.request.client_key();
    const std::string id = commit_rule(std::move(rule));
    if (!create) continue;
    rules_pb::BatchUpdateRulesResponse::RuleIdentifiers* identifiers =
        response.add_created_rule_identifiers();
    identifiers->set_rule_id(id);
    identifiers->set_name(name);
    if (!key.empty()) identifiers->set_client_key(key);
  }
  return response;
}

absl::StatusOr<rules_pb::Rule> Store::rule(const std::string& rule_id,
                                           const std::string& client_key) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!rule_id.empty()) {
    auto it = rule_by_id_.find(rule_id);
    if (it == rule_by_id_.end()) {
      return absl::NotFoundError(absl::StrCat("rule '", rule_id, "' not found"));
    }
    return rules_[it->second].proto;
  }
  if (!client_key.empty()) {
    auto it = rule_by_client_key_.find(client_key);
    if (it == rule_by_client_key_.end()) {
      return absl::NotFoundError(absl::StrCat("rule with client_key '", client_key, "' not found"));
    }
    return rules_[it->second].proto;
  }
  return absl::InvalidArgumentError("a rule_id or a client_key is required");
}

std::vector<rules_pb::Rule> Store::rules(const std::function<bool(const RuleView&)>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<rules_pb::Rule> out;
  for (const RuleRecord& record : rules_) {
    std::vector<std::string> covered;
    for (std::size_t asset : covered_assets(record.proto.asset_configuration())) {
      covered.push_back(assets_[asset].asset_id());
    }
    if (keep(RuleView{record.proto, covered})) out.push_back(record.proto);
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
