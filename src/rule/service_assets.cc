// attach_asset / detach_asset (spec 4.5). Unlike sift_py, detaching removes
// only the names that are attached (sift_py takes the symmetric difference,
// so "detaching" an unattached asset attaches it) and keeps the order.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/rule_service_impl.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = rules::v1;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

absl::StatusOr<RuleConfig> RuleService::Impl::change_assets(
    RuleConfig rule, const std::vector<std::string>& asset_names, bool attach) {
  const char* what = attach ? "attach_asset" : "detach_asset";
  auto fail = [&](const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrCat(what, ": rule '", rule.name, "': ", status.message()));
  };
  if (asset_names.empty()) return fail(absl::InvalidArgumentError("no asset names given"));

  absl::StatusOr<std::map<std::string, std::vector<std::string>>> found =
      lookups.asset_ids(asset_names);
  if (!found.ok()) return fail(found.status());
  std::vector<std::string> missing;
  for (const std::string& name : asset_names) {
    if (found->count(name) == 0 && !contains(missing, name)) missing.push_back(name);
  }
  if (!missing.empty()) {
    return fail(absl::NotFoundError(
        absl::StrCat("Cannot find all assets: no asset named ", internal::quoted_list(missing))));
  }

  absl::StatusOr<std::optional<wire::Rule>> existing;
  if (rule.rule_id.has_value() && !rule.rule_id->empty()) {
    existing = find_rule_by_id(*rule.rule_id);
  } else if (rule.rule_client_key.has_value() && !rule.rule_client_key->empty()) {
    existing = find_rule_by_key(*rule.rule_client_key);
  } else {
    return fail(absl::InvalidArgumentError("has neither a rule_id nor a rule_client_key"));
  }
  if (!existing.ok()) return fail(existing.status());
  if (!existing->has_value()) {
    return fail(absl::NotFoundError("no such rule on the server (create it first)"));
  }

  if (attach) {
    for (const std::string& name : asset_names) {
      if (!contains(rule.asset_names, name)) rule.asset_names.push_back(name);
    }
  } else {
    rule.asset_names.erase(
        std::remove_if(rule.asset_names.begin(), rule.asset_names.end(),
                       [&](const std::string& name) { return contains(asset_names, name); }),
        rule.asset_names.end());
  }
  if (rule.asset_names.empty() && rule.tag_names.empty()) {
    return fail(absl::InvalidArgumentError(
        absl::StrCat("Rule '", rule.name, "' must be associated with at least one asset")));
  }

  SIFT_ASSIGN_OR_RETURN(wire::UpdateRuleRequest request, prepare(rule, &**existing));
  SIFT_ASSIGN_OR_RETURN(std::string rule_id, write(rule, request, /*exists=*/true));
  rule.rule_id = std::move(rule_id);
  return rule;
}

absl::StatusOr<RuleConfig> RuleService::attach_asset(const std::string& rule_key_or_id,
                                                     const std::vector<std::string>& asset_names) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  SIFT_ASSIGN_OR_RETURN(std::optional<RuleConfig> rule, impl_->get(rule_key_or_id));
  if (!rule.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("attach_asset: no rule with client key or id '", rule_key_or_id, "'"));
  }
  return impl_->change_assets(*std::move(rule), asset_names, /*attach=*/true);
}

absl::StatusOr<RuleConfig> RuleService::attach_asset(RuleConfig rule,
                                                     const std::vector<std::string>& asset_names) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  return impl_->change_assets(std::move(rule), asset_names, /*attach=*/true);
}

absl::StatusOr<RuleConfig> RuleService::detach_asset(const std::string& rule_key_or_id,
                                                     const std::vector<std::string>& asset_names) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  SIFT_ASSIGN_OR_RETURN(std::optional<RuleConfig> rule, impl_->get(rule_key_or_id));
  if (!rule.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("detach_asset: no rule with client key or id '", rule_key_or_id, "'"));
  }
  return impl_->change_assets(*std::move(rule), asset_names, /*attach=*/false);
}

absl::StatusOr<RuleConfig> RuleService::detach_asset(RuleConfig rule,
                                                     const std::vector<std::string>& asset_names) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  return impl_->change_assets(std::move(rule), asset_names, /*attach=*/false);
}

}  // namespace sift
