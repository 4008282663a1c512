// BatchUpdateRules: batch_update_rules, external rules, and the YAML entry
// points (spec 3.6 and 4.5).
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/grpc_util.h"
#include "internal/rule_service_impl.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = rules::v1;

constexpr char kBatchUpdateRules[] = "RuleService.BatchUpdateRules";
// Sift's limit per BatchUpdateRules call.
constexpr std::size_t kMaxRulesPerBatch = 1000;

using RuleIdentifiers = std::vector<std::pair<std::string, std::string>>;

bool has_key(const RuleConfig& config) {
  return config.rule_client_key.has_value() && !config.rule_client_key->empty();
}

// sift_py's RuleService reading of rule modules (load_rule_service_yaml).
absl::StatusOr<std::vector<RuleConfig>> load_rules(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions) {
  return load_rule_service_yaml(paths, named_expressions);
}

}  // namespace

absl::StatusOr<RuleIdentifiers> RuleService::Impl::batch_update(std::vector<RuleConfig>& configs) {
  std::map<std::string, const RuleConfig*> by_key;
  for (const RuleConfig& config : configs) {
    SIFT_RETURN_IF_ERROR(internal::check_rule_config(config));
    if (!has_key(config)) continue;
    auto [it, inserted] = by_key.emplace(*config.rule_client_key, &config);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("rules '", it->second->name, "' and '", config.name,
                       "' have the same rule_client_key '", *config.rule_client_key, "'"));
    }
  }

  std::vector<wire::UpdateRuleRequest> requests;
  std::vector<std::optional<std::string>> existing_ids;
  for (const RuleConfig& config : configs) {
    absl::StatusOr<std::optional<wire::Rule>> existing = std::optional<wire::Rule>();
    if (has_key(config)) {
      existing = find_rule_by_key(*config.rule_client_key);
    } else if (config.rule_id.has_value() && !config.rule_id->empty()) {
      existing = find_rule_by_id(*config.rule_id);
    }
    SIFT_RETURN_IF_ERROR(internal::in_rule(config, existing.status()));
    const wire::Rule* found = existing->has_value() ? &**existing : nullptr;
    SIFT_ASSIGN_OR_RETURN(wire::UpdateRuleRequest request, prepare(config, found));
    requests.push_back(std::move(request));
    existing_ids.push_back(found != nullptr ? std::optional<std::string>(found->rule_id())
                                            : std::nullopt);
  }

  RuleIdentifiers created;
  std::vector<bool> named(configs.size(), false);
  for (std::size_t begin = 0; begin < requests.size(); begin += kMaxRulesPerBatch) {
    const std::size_t end = std::min(requests.size(), begin + kMaxRulesPerBatch);
    wire::BatchUpdateRulesRequest batch;
    for (std::size_t i = begin; i < end; ++i) *batch.add_rules() = requests[i];
    wire::BatchUpdateRulesResponse response;
    SIFT_RETURN_IF_ERROR(internal::unary_call(stubs.channel, kBatchUpdateRules, [&](auto* context) {
      return stubs.rules->BatchUpdateRules(context, batch, &response);
    }));
    if (!response.success()) {
      return absl::FailedPreconditionError(absl::StrCat(
          kBatchUpdateRules,
          ": the server refused the rules: ", internal::describe_batch_refusal(response)));
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (existing_ids[i].has_value()) {
        configs[i].rule_id = existing_ids[i];
        named[i] = true;
      }
    }
    // New rules: by client key when they have one, else by name in order.
    for (const auto& identifiers : response.created_rule_identifiers()) {
      created.emplace_back(identifiers.rule_id(), identifiers.name());
      for (std::size_t i = begin; i < end; ++i) {
        if (named[i]) continue;
        const bool same =
            identifiers.has_client_key() && !identifiers.client_key().empty()
                ? has_key(configs[i]) && *configs[i].rule_client_key == identifiers.client_key()
                : !has_key(configs[i]) && configs[i].name == identifiers.name();
        if (same) {
          configs[i].rule_id = identifiers.rule_id();
          named[i] = true;
          break;
        }
      }
    }
  }
  return created;
}

absl::StatusOr<RuleIdentifiers> RuleService::batch_update_rules(std::vector<RuleConfig>& configs) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  return impl_->batch_update(configs);
}

absl::StatusOr<RuleIdentifiers> RuleService::create_external_rules(
    const std::vector<RuleConfig>& configs) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  for (const RuleConfig& config : configs) {
    if (!config.is_external) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule '", config.name, "' is not external (create_external_rules needs is_external)"));
    }
    if (has_key(config)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule '", config.name, "': an external rule requires rule_client_key to be empty"));
    }
  }
  std::vector<RuleConfig> copies = configs;
  return impl_->batch_update(copies);
}

absl::StatusOr<std::vector<RuleConfig>> RuleService::load_rules_from_yaml(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  SIFT_ASSIGN_OR_RETURN(std::vector<RuleConfig> rules, load_rules(paths, named_expressions));
  std::vector<RuleConfig*> pointers;
  for (RuleConfig& rule : rules) pointers.push_back(&rule);
  SIFT_RETURN_IF_ERROR(impl_->create_or_update(pointers));
  return rules;
}

absl::StatusOr<RuleIdentifiers> RuleService::create_external_rules_from_yaml(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  SIFT_ASSIGN_OR_RETURN(std::vector<RuleConfig> rules, load_rules(paths, named_expressions));
  for (RuleConfig& rule : rules) {
    if (has_key(rule)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule '", rule.name, "': an external rule requires rule_client_key to be empty"));
    }
    rule.is_external = true;
  }
  return impl_->batch_update(rules);
}

}  // namespace sift
