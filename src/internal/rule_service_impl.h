// RuleService's state and steps, shared by src/rule/service*.cc.
#ifndef SIFT_INTERNAL_RULE_SERVICE_IMPL_H_
#define SIFT_INTERNAL_RULE_SERVICE_IMPL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "internal/rule_lookups.h"
#include "internal/rule_request.h"
#include "sift/rule/service.h"
#include "sift/rules/v1/rules.pb.h"

namespace sift {

struct RuleService::Impl {
  Impl(SiftChannel channel, RuleServiceOptions service_options)
      : stubs(std::move(channel)), options(service_options), lookups(&stubs) {}

  internal::RuleStubs stubs;
  RuleServiceOptions options;
  internal::RuleLookups lookups;

  // Every public call starts here: INVALID_ARGUMENT without a gRPC channel;
  // look-ups are forgotten unless options.enable_caching.
  absl::Status begin_call();

  // GetRule by client key / by id; nullopt when there is no such rule
  // (NOT_FOUND; for an id also INVALID_ARGUMENT, e.g. not an id at all).
  absl::StatusOr<std::optional<rules::v1::Rule>> find_rule_by_key(const std::string& client_key);
  absl::StatusOr<std::optional<rules::v1::Rule>> find_rule_by_id(const std::string& rule_id);

  // Resolves the rule's names to ids and checks its channels and expression
  // on every asset; errors name the rule and everything that failed.
  absl::StatusOr<internal::ResolvedRule> resolve(const RuleConfig& config);
  // resolve() and the request, keeping `existing`'s id and organisation.
  absl::StatusOr<rules::v1::UpdateRuleRequest> prepare(const RuleConfig& config,
                                                       const rules::v1::Rule* existing);
  // UpdateRule (`exists`) or CreateRule; returns the rule id.
  absl::StatusOr<std::string> write(const RuleConfig& config,
                                    const rules::v1::UpdateRuleRequest& request, bool exists);

  // create_or_update_rules without begin_call().
  absl::Status create_or_update(const std::vector<RuleConfig*>& configs);
  // batch_update_rules without begin_call().
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> batch_update(
      std::vector<RuleConfig>& configs);
  // A stored rule as a RuleConfig, ids named where the server can.
  absl::StatusOr<RuleConfig> to_config(const rules::v1::Rule& rule);
  // get_rule without begin_call().
  absl::StatusOr<std::optional<RuleConfig>> get(const std::string& rule_key_or_id);
  // attach_asset / detach_asset without begin_call().
  absl::StatusOr<RuleConfig> change_assets(RuleConfig rule,
                                           const std::vector<std::string>& asset_names,
                                           bool attach);
};

namespace internal {

// begin_call() of a service that may have been moved from.
inline absl::Status begin_call(RuleService::Impl* impl) {
  if (impl == nullptr) {
    return absl::FailedPreconditionError("RuleService: used after being moved from");
  }
  return impl->begin_call();
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_RULE_SERVICE_IMPL_H_
