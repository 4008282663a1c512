// RuleService: create-or-update by client key and get_rule (spec 4.5).
#include "sift/rule/service.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/grpc_util.h"
#include "internal/rule_service_impl.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = rules::v1;

constexpr char kGetRule[] = "RuleService.GetRule";
constexpr char kCreateRule[] = "RuleService.CreateRule";
constexpr char kUpdateRule[] = "RuleService.UpdateRule";

// Look-ups that only name ids for get_rule: a server that cannot answer
// leaves the id in place instead of failing the read.
bool cannot_name(const absl::Status& status) {
  return absl::IsNotFound(status) || absl::IsPermissionDenied(status) ||
         absl::IsUnimplemented(status) || absl::IsInvalidArgument(status);
}

absl::Status name_ids(absl::StatusOr<std::map<std::string, std::string>> found,
                      std::map<std::string, std::string>* out) {
  if (found.ok()) {
    *out = *std::move(found);
    return absl::OkStatus();
  }
  return cannot_name(found.status()) ? absl::OkStatus() : found.status();
}

}  // namespace

RuleService::RuleService(SiftChannel channel, RuleServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(channel), options)) {}
RuleService::~RuleService() = default;
RuleService::RuleService(RuleService&&) noexcept = default;
RuleService& RuleService::operator=(RuleService&&) noexcept = default;

absl::Status RuleService::Impl::begin_call() {
  if (stubs.channel.grpc_channel() == nullptr) {
    return absl::InvalidArgumentError(
        "RuleService: the SiftChannel has no gRPC channel (use use_sift_channel)");
  }
  if (!options.enable_caching) lookups.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<wire::Rule>> RuleService::Impl::find_rule_by_key(
    const std::string& client_key) {
  wire::GetRuleRequest request;
  request.set_client_key(client_key);
  wire::GetRuleResponse response;
  absl::Status status = internal::unary_call(stubs.channel, kGetRule, [&](auto* context) {
    return stubs.rules->GetRule(context, request, &response);
  });
  if (absl::IsNotFound(status)) return std::nullopt;
  SIFT_RETURN_IF_ERROR(status);
  return response.rule();
}

absl::StatusOr<std::optional<wire::Rule>> RuleService::Impl::find_rule_by_id(
    const std::string& rule_id) {
  wire::GetRuleRequest request;
  request.set_rule_id(rule_id);
  wire::GetRuleResponse response;
  absl::Status status = internal::unary_call(stubs.channel, kGetRule, [&](auto* context) {
    return stubs.rules->GetRule(context, request, &response);
  });
  if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) return std::nullopt;
  SIFT_RETURN_IF_ERROR(status);
  return response.rule();
}

absl::StatusOr<wire::UpdateRuleRequest> RuleService::Impl::prepare(const RuleConfig& config,
                                                                   const wire::Rule* existing) {
  SIFT_ASSIGN_OR_RETURN(internal::ResolvedRule resolved, resolve(config));
  if (existing != nullptr) {
    resolved.rule_id = existing->rule_id();
    resolved.organization_id = existing->organization_id();
  }
  return internal::build_update_rule_request(config, resolved);
}

absl::StatusOr<std::string> RuleService::Impl::write(const RuleConfig& config,
                                                     const wire::UpdateRuleRequest& request,
                                                     bool exists) {
  std::string rule_id;
  absl::Status status;
  if (exists) {
    wire::UpdateRuleResponse response;
    status = internal::unary_call(stubs.channel, kUpdateRule, [&](auto* context) {
      return stubs.rules->UpdateRule(context, request, &response);
    });
    rule_id = response.rule_id();
  } else {
    wire::CreateRuleRequest create;
    *create.mutable_update() = request;
    wire::CreateRuleResponse response;
    status = internal::unary_call(stubs.channel, kCreateRule, [&](auto* context) {
      return stubs.rules->CreateRule(context, create, &response);
    });
    rule_id = response.rule_id();
  }
  SIFT_RETURN_IF_ERROR(internal::in_rule(config, status));
  if (rule_id.empty()) {
    return internal::in_rule(
        config, absl::InternalError(
                    absl::StrCat(exists ? kUpdateRule : kCreateRule, " returned no rule id")));
  }
  return rule_id;
}

absl::Status RuleService::Impl::create_or_update(const std::vector<RuleConfig*>& configs) {
  // Everything that needs no server first, for every rule.
  std::map<std::string, const RuleConfig*> by_key;
  for (const RuleConfig* config : configs) {
    SIFT_RETURN_IF_ERROR(internal::check_rule_config(*config));
    if (!config->rule_client_key.has_value() || config->rule_client_key->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule '", config->name, "' requires a rule_client_key"));
    }
    auto [it, inserted] = by_key.emplace(*config->rule_client_key, config);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("rules '", it->second->name, "' and '", config->name,
                       "' have the same rule_client_key '", *config->rule_client_key, "'"));
    }
  }
  // Then resolve and check all of them before writing any.
  struct Prepared {
    wire::UpdateRuleRequest request;
    bool exists = false;
  };
  std::vector<Prepared> prepared;
  for (const RuleConfig* config : configs) {
    absl::StatusOr<std::optional<wire::Rule>> existing = find_rule_by_key(*config->rule_client_key);
    SIFT_RETURN_IF_ERROR(internal::in_rule(*config, existing.status()));
    const wire::Rule* found = existing->has_value() ? &**existing : nullptr;
    SIFT_ASSIGN_OR_RETURN(wire::UpdateRuleRequest request, prepare(*config, found));
    prepared.push_back(Prepared{std::move(request), found != nullptr});
  }
  for (std::size_t i = 0; i < configs.size(); ++i) {
    SIFT_ASSIGN_OR_RETURN(std::string rule_id,
                          write(*configs[i], prepared[i].request, prepared[i].exists));
    configs[i]->rule_id = std::move(rule_id);
  }
  return absl::OkStatus();
}

absl::Status RuleService::create_or_update_rule(RuleConfig& config) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  return impl_->create_or_update({&config});
}

absl::Status RuleService::create_or_update_rules(std::vector<RuleConfig>& configs) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  std::vector<RuleConfig*> pointers;
  for (RuleConfig& config : configs) pointers.push_back(&config);
  return impl_->create_or_update(pointers);
}

absl::StatusOr<RuleConfig> RuleService::Impl::to_config(const wire::Rule& rule) {
  const internal::RuleIds ids = internal::rule_ids(rule);
  internal::RuleNames names;
  if (!ids.asset_ids.empty()) {
    SIFT_RETURN_IF_ERROR(name_ids(lookups.asset_names(ids.asset_ids), &names.assets));
  }
  if (!ids.asset_tag_ids.empty()) {
    SIFT_RETURN_IF_ERROR(name_ids(lookups.tag_names(tags::v2::TAG_TYPE_ASSET, ids.asset_tag_ids),
                                  &names.asset_tags));
  }
  if (!ids.action_tag_ids.empty()) {
    SIFT_RETURN_IF_ERROR(name_ids(
        lookups.tag_names(tags::v2::TAG_TYPE_ANNOTATION, ids.action_tag_ids), &names.action_tags));
  }
  if (ids.assignee_user_id.has_value()) {
    SIFT_ASSIGN_OR_RETURN(std::optional<std::string> user,
                          lookups.user_name(*ids.assignee_user_id));
    if (user.has_value()) names.users[*ids.assignee_user_id] = *user;
  }
  return internal::rule_config_from_wire(rule, names);
}

absl::StatusOr<std::optional<RuleConfig>> RuleService::Impl::get(
    const std::string& rule_key_or_id) {
  if (rule_key_or_id.empty()) {
    return absl::InvalidArgumentError("get_rule: the client key or rule id cannot be empty");
  }
  SIFT_ASSIGN_OR_RETURN(std::optional<wire::Rule> rule, find_rule_by_key(rule_key_or_id));
  if (!rule.has_value()) {
    SIFT_ASSIGN_OR_RETURN(rule, find_rule_by_id(rule_key_or_id));
  }
  if (!rule.has_value()) return std::nullopt;
  SIFT_ASSIGN_OR_RETURN(RuleConfig config, to_config(*rule));
  return config;
}

absl::StatusOr<std::optional<RuleConfig>> RuleService::get_rule(const std::string& rule_key_or_id) {
  SIFT_RETURN_IF_ERROR(internal::begin_call(impl_.get()));
  return impl_->get(rule_key_or_id);
}

}  // namespace sift
