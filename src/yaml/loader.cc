// Public YAML entry points: telemetry configs, named expression modules and
// rule modules (sift_py's ingestion/config/yaml/load.py).
#include "yaml/loader.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <map>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/rule/check.h"
#include "sift/status.h"

namespace sift {
namespace yaml_internal {
namespace {

// Prefixes an error from code outside the loader with where it applies.
absl::Status located(const Location& location, const absl::Status& status) {
  return absl::Status(status.code(), location.format(sv(status.message())));
}

// sift_py recurses with Path.iterdir() (file system order, and forever on a
// symlink loop). We sort each directory's entries by name, descend into
// subdirectories where they sort, and visit each real directory once.
absl::Status walk_directory(const std::filesystem::path& dir, int depth,
                            std::set<std::filesystem::path>* visited,
                            std::vector<std::filesystem::path>* files) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(dir.string(), ": ", ec.message()));
  }
  if (!visited->insert(real).second || depth > kMaxNestingDepth) return absl::OkStatus();

  std::vector<std::filesystem::path> entries;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(dir.string(), ": ", ec.message()));
  for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return absl::InvalidArgumentError(absl::StrCat(dir.string(), ": ", ec.message()));
    entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end(),
            [](const std::filesystem::path& a, const std::filesystem::path& b) {
              return a.filename().string() < b.filename().string();
            });
  for (const std::filesystem::path& entry : entries) {
    const std::filesystem::file_status status = std::filesystem::status(entry, ec);
    if (ec) continue;  // e.g. a dangling symlink
    if (std::filesystem::is_directory(status)) {
      SIFT_RETURN_IF_ERROR(walk_directory(entry, depth + 1, visited, files));
    } else if (std::filesystem::is_regular_file(status)) {
      files->push_back(entry);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::filesystem::path>> rule_module_files(
    const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files;
  std::set<std::filesystem::path> visited;
  for (const std::filesystem::path& path : paths) {
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) continue;  // sift_py skips missing paths
    if (std::filesystem::is_directory(status)) {
      SIFT_RETURN_IF_ERROR(walk_directory(path, 0, &visited, &files));
    } else {
      files.push_back(path);
    }
  }
  return files;
}

// Whose wording a rule's loading errors follow.
enum class RuleSchema {
  kTelemetryConfig,  // sift_py's telemetry config loader and load_rule_modules
  kRuleService,      // sift_py's RuleService.load_rules_from_yaml
};

// Where a rule and its parts are written.
struct RuleLocations {
  Location rule;
  Location expression;
  std::vector<Location> references;  // per channel reference
};

RuleLocations locations_of(const RuleDraft& draft) {
  return RuleLocations{draft.location, draft.expression_node_location, draft.reference_locations};
}

// Looks up a named expression, then substitutes sub-expressions.
absl::StatusOr<RuleConfig> finish_rule(RuleDraft draft,
                                       const std::map<std::string, std::string>& named_expressions,
                                       bool have_expression_modules,
                                       RuleSchema schema = RuleSchema::kTelemetryConfig) {
  if (schema == RuleSchema::kRuleService && draft.config.channel_references.empty()) {
    return absl::InvalidArgumentError(draft.location.format(
        absl::StrCat("Rule of name '", draft.config.name, "' requires channel_references")));
  }
  if (draft.named_expression.has_value()) {
    if (schema == RuleSchema::kRuleService && named_expressions.empty()) {
      return absl::InvalidArgumentError(draft.expression_location.format(absl::StrCat(
          "Rule '", draft.config.name, "' requires named expressions, but none were provided.")));
    }
    auto it = named_expressions.find(*draft.named_expression);
    if (it == named_expressions.end()) {
      if (schema == RuleSchema::kRuleService) {
        return absl::InvalidArgumentError(draft.expression_location.format(
            absl::StrCat("Named expression '", *draft.named_expression, "' could not be found.")));
      }
      return absl::InvalidArgumentError(draft.expression_location.format(
          absl::StrCat("Named expression '", *draft.named_expression, "' of rule '",
                       draft.config.name, "' could not be found",
                       have_expression_modules ? " in the named expression modules"
                                               : "; no named expression modules were given")));
    }
    draft.config.expression = it->second;
  }
  // Unlike sift_py's telemetry loader (which ignores them for inline
  // expressions), sub-expressions apply to every expression, as in sift_py's
  // rule service and RuleConfig.
  absl::StatusOr<RuleConfig> rule = RuleConfig::create(std::move(draft.config));
  if (!rule.ok()) {
    const Location& where = draft.sub_expressions_location.file.empty()
                                ? draft.location
                                : draft.sub_expressions_location;
    return located(where, rule.status());
  }
  return rule;
}

// Checks a finished rule's expression (check_rule_expression) and points an
// error at the channel reference it is about, else at the expression.
absl::Status check_rule_located(const RuleConfig& rule, const RuleChannelIndex& known,
                                const RuleLocations& where) {
  int reference = -1;
  absl::Status status = check_rule_expression(rule, known, &reference);
  if (status.ok()) return status;
  if (reference >= 0 && static_cast<std::size_t>(reference) < where.references.size()) {
    return located(where.references[static_cast<std::size_t>(reference)], status);
  }
  return located(where.expression, status);
}

struct LocatedRule {
  RuleConfig rule;
  RuleLocations where;
};

absl::StatusOr<std::vector<LocatedRule>> load_rule_modules_located(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions, bool have_expression_modules,
    std::vector<std::string>* warnings, RuleSchema schema = RuleSchema::kTelemetryConfig) {
  SIFT_ASSIGN_OR_RETURN(std::vector<std::filesystem::path> files, rule_module_files(paths));
  std::vector<RuleDraft> drafts;
  for (const std::filesystem::path& file : files) {
    SIFT_ASSIGN_OR_RETURN(NodePtr root, parse_yaml_file(file.string()));
    SchemaReader reader(file.string(), warnings);
    SIFT_ASSIGN_OR_RETURN(std::vector<RuleDraft> module_drafts, reader.read_rule_module(*root));
    for (RuleDraft& draft : module_drafts) drafts.push_back(std::move(draft));
  }
  std::vector<LocatedRule> rules;
  rules.reserve(drafts.size());
  for (RuleDraft& draft : drafts) {
    RuleLocations where = locations_of(draft);
    SIFT_ASSIGN_OR_RETURN(RuleConfig rule, finish_rule(std::move(draft), named_expressions,
                                                       have_expression_modules, schema));
    rules.push_back(LocatedRule{std::move(rule), std::move(where)});
  }
  return rules;
}

// Rules outside a telemetry config: their channels are not known here, so
// only parsing and binding are checked.
absl::StatusOr<std::vector<RuleConfig>> checked_module_rules(std::vector<LocatedRule> located) {
  std::vector<RuleConfig> rules;
  rules.reserve(located.size());
  const RuleChannelIndex unknown;
  for (LocatedRule& rule : located) {
    SIFT_RETURN_IF_ERROR(check_rule_located(rule.rule, unknown, rule.where));
    rules.push_back(std::move(rule.rule));
  }
  return rules;
}

// TelemetryConfig::create reports duplicates by name only; find the offender
// the way validate() walks (flows and their channels, then rules) to say
// where it is.
Location locate_create_error(const TelemetryDraft& draft,
                             const std::vector<RuleLocations>& rule_locations) {
  const TelemetryConfig& config = draft.config;
  std::set<std::string> flow_names;
  for (std::size_t i = 0; i < config.flows.size(); ++i) {
    const FlowConfig& flow = config.flows[i];
    if (!flow_names.insert(flow.name).second) return draft.flow_locations[i];
    std::set<std::string> fqns;
    for (std::size_t j = 0; j < flow.channels.size(); ++j) {
      if (!fqns.insert(flow.channels[j].fqn()).second) return draft.channel_locations[i][j];
    }
  }
  std::set<std::string> rule_names;
  for (std::size_t i = 0; i < config.rules.size() && i < rule_locations.size(); ++i) {
    if (!rule_names.insert(config.rules[i].name).second) return rule_locations[i].rule;
  }
  return draft.document;
}

}  // namespace

absl::StatusOr<YamlLoadResult> load_telemetry_config_node(
    const Node& root, const std::string& display_name,
    const std::vector<std::filesystem::path>& named_expression_modules,
    const std::map<std::string, std::string>* preloaded_named_expressions,
    const std::vector<std::filesystem::path>& named_rule_modules) {
  YamlLoadResult result;
  SchemaReader reader(display_name, &result.warnings);
  // sift_py validates the whole file before it reads any module.
  SIFT_ASSIGN_OR_RETURN(TelemetryDraft draft, reader.read_telemetry_config(root));

  std::map<std::string, std::string> loaded;
  if (preloaded_named_expressions == nullptr && !named_expression_modules.empty()) {
    SIFT_ASSIGN_OR_RETURN(loaded, load_named_expression_modules(named_expression_modules));
  }
  const std::map<std::string, std::string>& named_expressions =
      preloaded_named_expressions != nullptr ? *preloaded_named_expressions : loaded;
  const bool have_expression_modules = preloaded_named_expressions != nullptr
                                           ? !preloaded_named_expressions->empty()
                                           : !named_expression_modules.empty();

  // ... and loads rule modules before converting the file's own rules.
  SIFT_ASSIGN_OR_RETURN(std::vector<LocatedRule> module_rules,
                        load_rule_modules_located(named_rule_modules, named_expressions,
                                                  have_expression_modules, &result.warnings));

  std::vector<RuleLocations> rule_locations;
  for (RuleDraft& rule_draft : draft.rules) {
    rule_locations.push_back(locations_of(rule_draft));
    SIFT_ASSIGN_OR_RETURN(RuleConfig rule, finish_rule(std::move(rule_draft), named_expressions,
                                                       have_expression_modules));
    draft.config.rules.push_back(std::move(rule));
  }
  for (LocatedRule& located_rule : module_rules) {
    rule_locations.push_back(std::move(located_rule.where));
    draft.config.rules.push_back(std::move(located_rule.rule));
  }

  // TelemetryConfig::create() validates and checks rules too, but reports
  // them by name only: do both first, in its order, to say where.
  if (absl::Status status = draft.config.validate(); !status.ok()) {
    return located(locate_create_error(draft, rule_locations), status);
  }
  if (!draft.config.rules.empty()) {
    const RuleChannelIndex channels = index_rule_channels(draft.config.flows);
    for (std::size_t i = 0; i < draft.config.rules.size(); ++i) {
      SIFT_RETURN_IF_ERROR(check_rule_located(draft.config.rules[i], channels, rule_locations[i]));
    }
  }

  absl::StatusOr<TelemetryConfig> config = TelemetryConfig::create(draft.config);
  if (!config.ok()) return located(locate_create_error(draft, rule_locations), config.status());
  result.config = *std::move(config);
  return result;
}

absl::StatusOr<YamlLoadResult> load_telemetry_config_text(
    std::string_view content, const std::string& display_name,
    const std::map<std::string, std::string>& named_expressions) {
  try {
    SIFT_ASSIGN_OR_RETURN(NodePtr root, parse_yaml(content, display_name));
    return load_telemetry_config_node(*root, display_name, {}, &named_expressions, {});
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(display_name, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(display_name, ": ", e.what()));
  }
}

}  // namespace yaml_internal

absl::StatusOr<std::map<std::string, std::string>> load_named_expression_modules(
    const std::vector<std::filesystem::path>& paths) {
  using namespace yaml_internal;
  try {
    std::map<std::string, std::string> expressions;
    std::map<std::string, Location> origins;
    for (const std::filesystem::path& path : paths) {
      const std::string file = path.string();
      SIFT_ASSIGN_OR_RETURN(NodePtr root, parse_yaml_file(file));
      if (root->type != NodeType::kMap) {
        return absl::InvalidArgumentError(
            Location{file, root->mark, ""}.format(top_level_message("Dict[str, str]", *root)));
      }
      for (const Entry& entry : root->entries) {
        const NodePtr& key = entry.key;
        const NodePtr& value = entry.value;
        const std::string name = key->type == NodeType::kNull ? "null" : key->text;
        if (key->type != NodeType::kStr) {
          return absl::InvalidArgumentError(Location{file, key->mark, name}.format(
              absl::StrCat("Expected named expression name '", name, "' to be <str> but it is <",
                           av(key->type_name()), ">")));
        }
        if (value->type != NodeType::kStr) {
          return absl::InvalidArgumentError(Location{file, entry.value_mark, name}.format(
              expected_message(name, "str", value.get())));
        }
        Location here{file, key->mark, name};
        auto [it, inserted] = origins.emplace(name, here);
        if (!inserted) {
          return absl::InvalidArgumentError(here.format(absl::StrCat(
              "Found named expressions with identical names: '", name, "' is also defined at ",
              it->second.file, ":", it->second.mark.line, ":", it->second.mark.column)));
        }
        expressions.emplace(name, value->text);
      }
    }
    return expressions;
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while loading named expression modules");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("loading named expression modules: ", e.what()));
  }
}

absl::StatusOr<std::vector<RuleConfig>> load_rule_modules(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions) {
  using namespace yaml_internal;
  try {
    SIFT_ASSIGN_OR_RETURN(
        std::vector<LocatedRule> located_rules,
        load_rule_modules_located(paths, named_expressions, !named_expressions.empty(), nullptr));
    return checked_module_rules(std::move(located_rules));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while loading rule modules");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("loading rule modules: ", e.what()));
  }
}

absl::StatusOr<std::vector<RuleConfig>> load_rule_service_yaml(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions) {
  using namespace yaml_internal;
  try {
    SIFT_ASSIGN_OR_RETURN(
        std::vector<LocatedRule> located_rules,
        load_rule_modules_located(paths, named_expressions, !named_expressions.empty(), nullptr,
                                  RuleSchema::kRuleService));
    return checked_module_rules(std::move(located_rules));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while loading rules");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("loading rules: ", e.what()));
  }
}

absl::StatusOr<YamlLoadResult> load_telemetry_config_yaml(
    const std::filesystem::path& path,
    const std::vector<std::filesystem::path>& named_expression_modules,
    const std::vector<std::filesystem::path>& named_rule_modules) {
  using namespace yaml_internal;
  try {
    const std::string file = path.string();
    SIFT_ASSIGN_OR_RETURN(NodePtr root, parse_yaml_file(file));
    return load_telemetry_config_node(*root, file, named_expression_modules, nullptr,
                                      named_rule_modules);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path.string(), ": out of memory while loading"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path.string(), ": ", e.what()));
  }
}

absl::StatusOr<TelemetryConfig> TelemetryConfig::try_from_yaml(
    const std::filesystem::path& path,
    const std::vector<std::filesystem::path>& named_expression_modules,
    const std::vector<std::filesystem::path>& named_rule_modules) {
  SIFT_ASSIGN_OR_RETURN(
      YamlLoadResult result,
      load_telemetry_config_yaml(path, named_expression_modules, named_rule_modules));
  return std::move(result.config);
}

}  // namespace sift
