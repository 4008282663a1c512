// sift.rules.v1.RuleService: create, update (one or a batch), get, search
// and list rules. Validation and evaluation live in the store.
#include <algorithm>
#include <set>
#include <utility>

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/rules/v1/rules.grpc.pb.h"
#include "sift/tags/v2/tags.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

const char* bool_text(bool b) { return b ? "true" : "false"; }

// SearchRulesRequest.name_matches: a substring, or with `regexp` an RE2
// pattern found anywhere in the name; `case_sensitive` for both.
class NameMatcher {
 public:
  static absl::StatusOr<NameMatcher> create(const rules_pb::SearchRulesRequest& request) {
    NameMatcher matcher;
    matcher.text_ = request.name_matches();
    matcher.case_sensitive_ = request.case_sensitive();
    if (request.regexp() && !matcher.text_.empty()) {
      RE2::Options options;
      options.set_case_sensitive(request.case_sensitive());
      options.set_log_errors(false);
      matcher.regexp_ = std::make_shared<RE2>(matcher.text_, options);
      if (!matcher.regexp_->ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("SearchRules: name_matches `", matcher.text_,
                         "` is not a regular expression: ", matcher.regexp_->error()));
      }
    } else if (!matcher.case_sensitive_) {
      matcher.text_ = absl::AsciiStrToLower(matcher.text_);
    }
    return matcher;
  }

  bool matches(const std::string& name) const {
    if (regexp_ != nullptr) return RE2::PartialMatch(name, *regexp_);
    if (case_sensitive_) return name.find(text_) != std::string::npos;
    return absl::AsciiStrToLower(name).find(text_) != std::string::npos;
  }

 private:
  std::string text_;
  bool case_sensitive_ = false;
  std::shared_ptr<RE2> regexp_;
};

class RulesService final : public rules_pb::RuleService::Service {
 public:
  explicit RulesService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateRule(grpc::ServerContext* context, const rules_pb::CreateRuleRequest* request,
                          rules_pb::CreateRuleResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<std::string> id = deps_.store->create_rule(request->update());
    if (!id.ok()) return to_grpc(id.status());
    response->set_rule_id(*id);
    return grpc::Status::OK;
  }

  grpc::Status UpdateRule(grpc::ServerContext* context, const rules_pb::UpdateRuleRequest* request,
                          rules_pb::UpdateRuleResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<std::string> id = deps_.store->update_rule(*request);
    if (!id.ok()) return to_grpc(id.status());
    response->set_rule_id(*id);
    return grpc::Status::OK;
  }

  grpc::Status BatchUpdateRules(grpc::ServerContext* context,
                                const rules_pb::BatchUpdateRulesRequest* request,
                                rules_pb::BatchUpdateRulesResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<rules_pb::BatchUpdateRulesResponse> result =
        deps_.store->batch_update_rules(*request);
    if (!result.ok()) return to_grpc(result.status());
    *response = std::move(*result);
    return grpc::Status::OK;
  }

  grpc::Status GetRule(grpc::ServerContext* context, const rules_pb::GetRuleRequest* request,
                       rules_pb::GetRuleResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<rules_pb::Rule> rule =
        deps_.store->rule(request->rule_id(), request->client_key());
    if (!rule.ok()) {
      return to_grpc(
          absl::Status(rule.status().code(), absl::StrCat("GetRule: ", rule.status().message())));
    }
    *response->mutable_rule() = std::move(*rule);
    return grpc::Status::OK;
  }

  // Rules found by id or client key, in request order, each once; unknown
  // ids and keys are left out.
  grpc::Status BatchGetRules(grpc::ServerContext* context,
                             const rules_pb::BatchGetRulesRequest* request,
                             rules_pb::BatchGetRulesResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    std::set<std::string> seen;
    auto add = [&](absl::StatusOr<rules_pb::Rule> rule) {
      if (rule.ok() && seen.insert(rule->rule_id()).second) {
        *response->add_rules() = std::move(*rule);
      }
    };
    for (const std::string& id : request->rule_ids()) {
      if (!id.empty()) add(deps_.store->rule(id, ""));
    }
    for (const std::string& key : request->client_keys()) {
      if (!key.empty()) add(deps_.store->rule("", key));
    }
    return grpc::Status::OK;
  }

  grpc::Status SearchRules(grpc::ServerContext* context,
                           const rules_pb::SearchRulesRequest* request,
                           rules_pb::SearchRulesResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    const std::string order_by = request->has_order_by() ? request->order_by() : "";
    if (order_by != "" && order_by != "created_date" && order_by != "modified_date" &&
        order_by != "name") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("SearchRules: order_by `", order_by,
                                       "` is not supported (created_date, modified_date, name)"));
    }
    absl::StatusOr<NameMatcher> name = NameMatcher::create(*request);
    if (!name.ok()) return to_grpc(name.status());
    const std::set<std::string> rule_ids(request->rule_ids().begin(), request->rule_ids().end());
    const std::set<std::string> asset_ids(request->asset_ids().begin(), request->asset_ids().end());
    std::optional<std::set<std::string>> tag_ids;
    if (request->has_asset_tags()) tag_ids = asset_tag_ids(request->asset_tags());

    std::vector<rules_pb::Rule> rules = deps_.store->rules([&](const RuleView& view) {
      const rules_pb::Rule& rule = view.rule;
      if (rule.is_archived() && !request->include_deleted()) return false;
      if (!name->matches(rule.name())) return false;
      if (!rule_ids.empty() && rule_ids.count(rule.rule_id()) == 0) return false;
      if (!asset_ids.empty() &&
          std::none_of(view.covered_asset_ids.begin(), view.covered_asset_ids.end(),
                       [&](const std::string& id) { return asset_ids.count(id) != 0; })) {
        return false;
      }
      if (tag_ids.has_value()) {
        const auto& ids = rule.asset_configuration().tag_ids();
        if (std::none_of(ids.begin(), ids.end(),
                         [&](const std::string& id) { return tag_ids->count(id) != 0; })) {
          return false;
        }
      }
      return true;
    });
    auto key = [&](const rules_pb::Rule& rule) {
      if (order_by == "name") return rule.name();
      const auto& ts = order_by == "modified_date" ? rule.modified_date() : rule.created_date();
      // Fixed width, so text order is time order (creation order breaks ties).
      return absl::StrCat(absl::Dec(ts.seconds(), absl::kZeroPad20),
                          absl::Dec(ts.nanos(), absl::kZeroPad10));
    };
    std::stable_sort(
        rules.begin(), rules.end(),
        [&](const rules_pb::Rule& a, const rules_pb::Rule& b) { return key(a) < key(b); });
    if (request->has_order() && request->order() == rules_pb::SEARCH_ORDER_DESC) {
      std::reverse(rules.begin(), rules.end());
    }
    response->set_count(static_cast<std::uint32_t>(rules.size()));
    std::size_t begin = 0;
    std::size_t end = rules.size();
    if (request->has_limit()) {
      begin = std::min<std::size_t>(request->offset(), rules.size());
      end = std::min<std::size_t>(begin + request->limit(), rules.size());
    }
    for (std::size_t i = begin; i < end; ++i) {
      rules[i].clear_conditions();  // Sift's search leaves them out
      *response->add_rules() = std::move(rules[i]);
    }
    return grpc::Status::OK;
  }

  grpc::Status ListRules(grpc::ServerContext* context, const rules_pb::ListRulesRequest* request,
                         rules_pb::ListRulesResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListRules", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter = parse_filter_for(
        "ListRules", request->filter(),
        {"rule_id", "client_key", "name", "description", "is_external", "asset_id", "tag_id",
         "is_archived", "is_live_evaluation_enabled", "created_by_user_id", "modified_by_user_id"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListRules", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<rules_pb::Rule> rules = deps_.store->rules([&](const RuleView& view) {
      const rules_pb::Rule& rule = view.rule;
      return filter->matches_any([&](const std::string& field) -> std::vector<std::string> {
        if (field == "rule_id") return {rule.rule_id()};
        if (field == "client_key") return {rule.client_key()};
        if (field == "name") return {rule.name()};
        if (field == "description") return {rule.description()};
        if (field == "is_external") return {bool_text(rule.is_external())};
        if (field == "asset_id") return view.covered_asset_ids;
        if (field == "tag_id") {
          const auto& ids = rule.asset_configuration().tag_ids();
          return std::vector<std::string>(ids.begin(), ids.end());
        }
        if (field == "is_archived") return {bool_text(rule.is_archived())};
        if (field == "is_live_evaluation_enabled") {
          return {bool_text(rule.is_live_evaluation_enabled())};
        }
        if (field == "created_by_user_id") return {rule.created_by_user_id()};
        return {rule.modified_by_user_id()};
      });
    });
    std::reverse(rules.begin(), rules.end());  // Sift's default: created_date desc
    response->set_next_page_token(take_page(
        rules, *page, [&](rules_pb::Rule&& rule) { *response->add_rules() = std::move(rule); }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteRule(grpc::ServerContext* context, const rules_pb::DeleteRuleRequest*,
                          rules_pb::DeleteRuleResponse*) override {
    return not_here(*context, "DeleteRule");
  }
  grpc::Status ArchiveRule(grpc::ServerContext* context, const rules_pb::ArchiveRuleRequest*,
                           rules_pb::ArchiveRuleResponse*) override {
    return not_here(*context, "ArchiveRule");
  }
  grpc::Status BatchDeleteRules(grpc::ServerContext* context,
                                const rules_pb::BatchDeleteRulesRequest*,
                                rules_pb::BatchDeleteRulesResponse*) override {
    return not_here(*context, "BatchDeleteRules");
  }
  grpc::Status BatchArchiveRules(grpc::ServerContext* context,
                                 const rules_pb::BatchArchiveRulesRequest*,
                                 rules_pb::BatchArchiveRulesResponse*) override {
    return not_here(*context, "BatchArchiveRules");
  }
  grpc::Status UnarchiveRule(grpc::ServerContext* context, const rules_pb::UnarchiveRuleRequest*,
                             rules_pb::UnarchiveRuleResponse*) override {
    return not_here(*context, "UnarchiveRule");
  }
  grpc::Status BatchUnarchiveRules(grpc::ServerContext* context,
                                   const rules_pb::BatchUnarchiveRulesRequest*,
                                   rules_pb::BatchUnarchiveRulesResponse*) override {
    return not_here(*context, "BatchUnarchiveRules");
  }
  grpc::Status UndeleteRule(grpc::ServerContext* context, const rules_pb::UndeleteRuleRequest*,
                            rules_pb::UndeleteRuleResponse*) override {
    return not_here(*context, "UndeleteRule");
  }
  grpc::Status BatchUndeleteRules(grpc::ServerContext* context,
                                  const rules_pb::BatchUndeleteRulesRequest*,
                                  rules_pb::BatchUndeleteRulesResponse*) override {
    return not_here(*context, "BatchUndeleteRules");
  }
  grpc::Status EvaluateRules(grpc::ServerContext* context, const rules_pb::EvaluateRulesRequest*,
                             rules_pb::EvaluateRulesResponse*) override {
    return not_here(*context, "EvaluateRules");
  }
  grpc::Status ViewHumanFriendlyRules(grpc::ServerContext* context,
                                      const rules_pb::ViewHumanFriendlyRulesRequest*,
                                      rules_pb::ViewHumanFriendlyRulesResponse*) override {
    return not_here(*context, "ViewHumanFriendlyRules");
  }
  grpc::Status ViewJsonRules(grpc::ServerContext* context, const rules_pb::ViewJsonRulesRequest*,
                             rules_pb::ViewJsonRulesResponse*) override {
    return not_here(*context, "ViewJsonRules");
  }
  grpc::Status UpdateHumanFriendlyRules(grpc::ServerContext* context,
                                        const rules_pb::UpdateHumanFriendlyRulesRequest*,
                                        rules_pb::UpdateHumanFriendlyRulesResponse*) override {
    return not_here(*context, "UpdateHumanFriendlyRules");
  }
  grpc::Status ValidateJsonRules(grpc::ServerContext* context,
                                 const rules_pb::ValidateJsonRulesRequest*,
                                 rules_pb::ValidateJsonRulesResponse*) override {
    return not_here(*context, "ValidateJsonRules");
  }
  grpc::Status UpdateJsonRules(grpc::ServerContext* context,
                               const rules_pb::UpdateJsonRulesRequest*,
                               rules_pb::UpdateJsonRulesResponse*) override {
    return not_here(*context, "UpdateJsonRules");
  }
  grpc::Status ListRuleVersions(grpc::ServerContext* context,
                                const rules_pb::ListRuleVersionsRequest*,
                                rules_pb::ListRuleVersionsResponse*) override {
    return not_here(*context, "ListRuleVersions");
  }
  grpc::Status GetRuleVersion(grpc::ServerContext* context, const rules_pb::GetRuleVersionRequest*,
                              rules_pb::GetRuleVersionResponse*) override {
    return not_here(*context, "GetRuleVersion");
  }
  grpc::Status BatchGetRuleVersions(grpc::ServerContext* context,
                                    const rules_pb::BatchGetRuleVersionsRequest*,
                                    rules_pb::BatchGetRuleVersionsResponse*) override {
    return not_here(*context, "BatchGetRuleVersions");
  }

 private:
  // Tag ids of SearchRulesRequest.asset_tags (given by id or by name).
  std::set<std::string> asset_tag_ids(const ::sift::common::type::v1::NamedResources& tags) const {
    std::set<std::string> out;
    if (tags.has_ids()) {
      out.insert(tags.ids().ids().begin(), tags.ids().ids().end());
      return out;
    }
    const std::set<std::string> names(tags.names().names().begin(), tags.names().names().end());
    for (const tags_pb::Tag& tag :
         deps_.store->tags([&](const tags_pb::Tag& t) { return names.count(t.name()) != 0; })) {
      out.insert(tag.tag_id());
    }
    return out;
  }

  grpc::Status not_here(grpc::ServerContext& context, const char* method) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    return unimplemented(std::string("sift.rules.v1.RuleService/") + method);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_rules_service(const ServiceDeps& deps) {
  return std::make_unique<RulesService>(deps);
}

}  // namespace emulator
}  // namespace sift
