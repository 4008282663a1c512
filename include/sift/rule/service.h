// Creating, updating and reading rules: sift_py's `sift_py.rule.service`.
// Rules are written from RuleConfig (sift/ingestion/rule/config.h); names of
// assets, tags, the assignee and channels are resolved to ids with list
// calls, and the expression is checked against the channels' types, before
// anything is written. See docs/rules.md ("RuleService").
#ifndef SIFT_RULE_SERVICE_H_
#define SIFT_RULE_SERVICE_H_

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/rule/config.h"

namespace sift {

struct RuleServiceOptions {
  // Remember asset, tag, user and channel look-ups for the service's
  // lifetime (sift_py's `enable_caching`). Without it they are remembered for
  // one call only (one create_or_update_rules resolves each name once).
  bool enable_caching = false;
};

// The client key IngestionService::create gives a rule of a TelemetryConfig
// that has none: `<asset_name>/<rule name>`, stable across runs and schema
// changes (sift_py requires one; see docs/rules.md).
inline std::string derived_rule_client_key(std::string_view asset_name,
                                           std::string_view rule_name) {
  std::string key(asset_name);
  key.push_back('/');
  key.append(rule_name);
  return key;
}

class RuleService {
 public:
  explicit RuleService(SiftChannel channel, RuleServiceOptions options = {});
  ~RuleService();
  RuleService(RuleService&&) noexcept;
  RuleService& operator=(RuleService&&) noexcept;
  RuleService(const RuleService&) = delete;
  RuleService& operator=(const RuleService&) = delete;

  // sift_py's create-or-update: GetRule by `rule_client_key`; found ->
  // UpdateRule keeping its id, else CreateRule. Requires a rule_client_key.
  // Resolves every name (an unknown asset, tag, assignee or channel is an
  // error naming the rule and each such name) and checks the expression
  // against the channels' types first; nothing is written on error. Sets
  // `config.rule_id` after the write.
  absl::Status create_or_update_rule(RuleConfig& config);
  // The same for several rules, all resolved and checked before any is
  // written: one bad rule means none is written (sift_py writes the rules
  // before it). A write that fails at the server stops the loop; the rules
  // written before it keep their new state.
  absl::Status create_or_update_rules(std::vector<RuleConfig>& configs);

  // GetRule by client key, then by rule id; nullopt when neither exists.
  // The RuleConfig is rebuilt from the rule's last condition, with asset,
  // tag and assignee ids turned back into names where the server can (an id
  // it cannot name is kept as is), and `rule_id` set.
  absl::StatusOr<std::optional<RuleConfig>> get_rule(const std::string& rule_key_or_id);

  // Add assets to (or remove them from) a rule and UpdateRule it. `rule` is
  // a client key or rule id, or a RuleConfig (its rule_id, else its client
  // key, finds the rule). Every asset must exist ("Cannot find all assets",
  // naming the missing ones). Detaching removes only names that are
  // attached, and may not leave the rule without assets and asset tags
  // ("must be associated with at least one asset"). Returns the updated
  // config.
  absl::StatusOr<RuleConfig> attach_asset(const std::string& rule_key_or_id,
                                          const std::vector<std::string>& asset_names);
  absl::StatusOr<RuleConfig> attach_asset(RuleConfig rule,
                                          const std::vector<std::string>& asset_names);
  absl::StatusOr<RuleConfig> detach_asset(const std::string& rule_key_or_id,
                                          const std::vector<std::string>& asset_names);
  absl::StatusOr<RuleConfig> detach_asset(RuleConfig rule,
                                          const std::vector<std::string>& asset_names);

  // External rules (`is_external`, no client key: "requires rule_client_key
  // to be empty"), resolved and checked, then created with one
  // BatchUpdateRules. A response with success=false is an error listing its
  // validation results. Returns (rule_id, name) of each created rule.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> create_external_rules(
      const std::vector<RuleConfig>& configs);
  // One BatchUpdateRules for any rules: resolved and checked first; a rule
  // with a client key that exists is updated (its id kept), every other rule
  // is created. Sets each config's rule_id. Returns (rule_id, name) of each
  // created rule.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> batch_update_rules(
      std::vector<RuleConfig>& configs);

  // Reads rule modules (load_rule_service_yaml in sift/ingestion/config/
  // yaml.h: files or directories, `{name: X}` expressions from
  // `named_expressions`) and create-or-updates all of them (all resolved
  // before any is written). Returns the rules with their ids.
  absl::StatusOr<std::vector<RuleConfig>> load_rules_from_yaml(
      const std::vector<std::filesystem::path>& paths,
      const std::map<std::string, std::string>& named_expressions = {});
  // Reads rule modules as above, marks every rule external (a rule with a
  // client key is an error) and calls create_external_rules.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> create_external_rules_from_yaml(
      const std::vector<std::filesystem::path>& paths,
      const std::map<std::string, std::string>& named_expressions = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_RULE_SERVICE_H_
