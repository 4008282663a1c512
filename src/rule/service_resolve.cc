// Resolving a rule's names (spec 4.5 steps 2-6) and checking its channels
// and expression before anything is written. Unlike sift_py, a name that
// cannot be resolved is an error, and every such name is reported at once.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/rule_service_impl.h"
#include "sift/status.h"

namespace sift {
namespace {

// What is wrong with one rule; the first problem's code is the status code.
class Problems {
 public:
  void add(absl::Status status) {
    if (status.ok()) return;
    if (statuses_.empty()) code_ = status.code();
    statuses_.push_back(std::string(status.message()));
  }
  absl::Status status(const RuleConfig& config) const {
    if (statuses_.empty()) return absl::OkStatus();
    return absl::Status(code_,
                        absl::StrCat("rule '", config.name, "': ", absl::StrJoin(statuses_, "; ")));
  }

 private:
  absl::StatusCode code_ = absl::StatusCode::kOk;
  std::vector<std::string> statuses_;
};

std::vector<std::string> distinct(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

// Ids of `names` in `found`, in order; the names it lacks go to `missing`.
std::vector<std::string> ids_of(const std::vector<std::string>& names,
                                const std::map<std::string, std::string>& found,
                                std::vector<std::string>* missing) {
  std::vector<std::string> ids;
  for (const std::string& name : distinct(names)) {
    auto it = found.find(name);
    if (it == found.end()) {
      missing->push_back(name);
    } else if (std::find(ids.begin(), ids.end(), it->second) == ids.end()) {
      ids.push_back(it->second);
    }
  }
  return ids;
}

const std::vector<std::string>& action_tags(const RuleAction& action) {
  if (const auto* phase = std::get_if<RuleActionCreatePhaseAnnotation>(&action)) {
    return phase->tags;
  }
  return std::get<RuleActionCreateDataReviewAnnotation>(action).tags;
}

}  // namespace

absl::StatusOr<internal::ResolvedRule> RuleService::Impl::resolve(const RuleConfig& config) {
  SIFT_RETURN_IF_ERROR(internal::check_rule_config(config));
  SIFT_ASSIGN_OR_RETURN(const std::string expression, internal::rule_expression(config));
  internal::ResolvedRule out;
  Problems problems;
  // A failed call ends resolution at once, naming the rule.
  auto call_failed = [&](const absl::Status& status) { return internal::in_rule(config, status); };

  // Assets (name, id), for the channel checks.
  std::vector<std::pair<std::string, std::string>> assets;
  if (!config.asset_names.empty()) {
    absl::StatusOr<std::map<std::string, std::vector<std::string>>> found =
        lookups.asset_ids(config.asset_names);
    if (!found.ok()) return call_failed(found.status());
    std::vector<std::string> missing;
    for (const std::string& name : distinct(config.asset_names)) {
      auto it = found->find(name);
      if (it == found->end()) {
        missing.push_back(name);
        continue;
      }
      for (const std::string& id : it->second) {
        if (std::find(out.asset_ids.begin(), out.asset_ids.end(), id) != out.asset_ids.end()) {
          continue;
        }
        out.asset_ids.push_back(id);
        assets.emplace_back(name, id);
      }
    }
    if (!missing.empty()) {
      problems.add(
          absl::NotFoundError(absl::StrCat("cannot find assets ", internal::quoted_list(missing))));
    }
  }

  if (!config.tag_names.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> found =
        lookups.tag_ids(tags::v2::TAG_TYPE_ASSET, config.tag_names);
    if (!found.ok()) return call_failed(found.status());
    std::vector<std::string> missing;
    out.asset_tag_ids = ids_of(config.tag_names, *found, &missing);
    if (!missing.empty()) {
      problems.add(absl::NotFoundError(
          absl::StrCat("cannot find asset tags ", internal::quoted_list(missing))));
    }
  }

  const std::vector<std::string>& tags = action_tags(*config.action);
  if (!tags.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> found =
        lookups.tag_ids(tags::v2::TAG_TYPE_ANNOTATION, tags);
    if (!found.ok()) return call_failed(found.status());
    std::vector<std::string> missing;
    out.action_tag_ids = ids_of(tags, *found, &missing);
    if (!missing.empty()) {
      problems.add(absl::NotFoundError(
          absl::StrCat("cannot find annotation tags ", internal::quoted_list(missing))));
    }
  }

  if (const auto* review = std::get_if<RuleActionCreateDataReviewAnnotation>(&*config.action);
      review != nullptr && review->assignee.has_value()) {
    absl::StatusOr<std::vector<std::string>> users = lookups.user_ids(*review->assignee);
    if (!users.ok()) return call_failed(users.status());
    if (users->empty()) {
      problems.add(absl::NotFoundError(
          absl::StrCat("Cannot find user '", *review->assignee, "' among the active users")));
    } else if (users->size() > 1) {
      problems.add(absl::FailedPreconditionError(absl::StrCat(
          "Multiple users found with name '", *review->assignee, "' (", users->size(), ")")));
    } else {
      out.assignee_user_id = users->front();
    }
  }

  // Channels and the expression, per asset: each asset has its own channels
  // (and their types).
  if (!assets.empty() &&
      (!config.channel_references.empty() || !config.contextual_channels.empty())) {
    const std::vector<std::string> names = internal::channel_names_to_list(config);
    for (const auto& [asset_name, asset_id] : assets) {
      absl::StatusOr<std::map<std::string, ExpressionChannel>> listed =
          lookups.channels(asset_id, names);
      if (!listed.ok()) return call_failed(listed.status());
      std::vector<std::string> missing = internal::missing_channels(config, *listed);
      if (!missing.empty()) {
        problems.add(absl::NotFoundError(absl::StrCat(
            "asset '", asset_name,
            "' is missing channels required by the rule: ", internal::quoted_list(missing))));
        continue;
      }
      problems.add(internal::check_expression_on_asset(config, expression, *listed, asset_name));
    }
  } else {
    // No asset to take channel types from (only asset tags, or none found):
    // parsing and binding are still checked.
    problems.add(internal::check_expression_on_asset(config, expression,
                                                     internal::untyped_channels(config), ""));
  }

  SIFT_RETURN_IF_ERROR(problems.status(config));
  return out;
}

}  // namespace sift
