// Loading telemetry configs, named expression modules and rule modules from
// YAML: sift_py's `sift_py.ingestion.config.yaml` and `sift_py.yaml`.
//
// The schema is sift_py's (see docs/telemetry_config.md), parsed with YAML 1.1
// typing as PyYAML does: anchors, aliases and merge keys (`<<: *a`,
// `<<: [*a, *b]`) work; `yes`/`no`/`on`/`off` are booleans; `name: 123` is an
// int and is rejected where a string is required.
//
// Every error is INVALID_ARGUMENT (NOT_FOUND for a missing file) with a
// message of the form
//
//   FILE:LINE:COL: KEYPATH: MESSAGE
//
// FILE is the path as given, LINE:COL (1-based) the offending node (the
// enclosing mapping for a missing key), KEYPATH where it sits in the document
// (`flows[0].channels[1].data_type`, `rules[2].channel_references[0].$1`),
// and MESSAGE sift_py's wording, e.g.
// `Expected 'data_type' to be <double | string | ...> but it is <str>`.
#ifndef SIFT_INGESTION_CONFIG_YAML_H_
#define SIFT_INGESTION_CONFIG_YAML_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/rule/config.h"

namespace sift {

// Reads named expression modules: YAML files whose top level maps expression
// names to expression strings (`kinetic_energy_gt: 0.5 * $mass * $1 * $1 >
// $threshold`). All modules are merged; a name defined in two modules is an
// error ("identical names"), as is a key or value that is not a string.
absl::StatusOr<std::map<std::string, std::string>> load_named_expression_modules(
    const std::vector<std::filesystem::path>& paths);

// Reads rule modules: YAML files with a top-level `rules` list, each rule in
// the telemetry config's rule schema. A directory is walked recursively and
// every regular file in it is loaded, in sorted path order (byte-wise, each
// directory's entries sorted by name, depth first), so results do not depend
// on the file system. A path that does not exist is skipped, as in sift_py.
// `{name: X}` expressions are resolved from `named_expressions`; sub-expressions
// are substituted (RuleConfig::create), so the returned rules are final. Each
// expression is parsed and its references checked (every `$N` bound, every
// reference used: check_rule_expression with no known channels); an error
// points at the rule's `expression` or at the offending channel reference.
absl::StatusOr<std::vector<RuleConfig>> load_rule_modules(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions = {});

// The rules of rule modules as sift_py's RuleService.load_rules_from_yaml
// reads them, for RuleService::load_rules_from_yaml: the files and schema of
// load_rule_modules() (a channel reference is a channel map, whose `name` and
// deprecated `component` give the channel, or a channel name; contextual
// channels, sub_expressions, rule_client_key, description, asset_names,
// tag_names, is_external, is_live / is_live_evaluation_enabled; tags default
// to none), with sift_py's rule-service errors:
//   - a rule without channel references:
//     `Rule of name 'X' requires channel_references`;
//   - `expression: {name: N}` when `named_expressions` is empty:
//     `Rule 'X' requires named expressions, but none were provided.`;
//   - an unknown N: `Named expression 'N' could not be found.`
// Each prefixed with `FILE:LINE:COL: KEYPATH: `. Expressions are checked as by
// load_rule_modules() (parsing and binding; the channels are not known here).
absl::StatusOr<std::vector<RuleConfig>> load_rule_service_yaml(
    const std::vector<std::filesystem::path>& paths,
    const std::map<std::string, std::string>& named_expressions = {});

struct YamlLoadResult {
  TelemetryConfig config;
  // Non-fatal findings, each `FILE:LINE:COL: KEYPATH: MESSAGE`; today only
  // the deprecated channel `component` key (one per component in the file).
  std::vector<std::string> warnings;
};

// TelemetryConfig::try_from_yaml with its warnings: loads the telemetry
// config at `path`, the named expression modules (files) and the rule
// modules (files or directories; their rules follow the file's own), then
// builds the config with TelemetryConfig::create(). Every rule's expression is
// checked against the channels of the config's flows (see
// sift/rule/check.h); an error reads
//   FILE:LINE:COL: rules[I].expression: rule 'NAME': expression column N: ...
// with FILE:LINE:COL the rule's `expression` (in the rule module it came
// from), or the channel reference (`rules[I].channel_references[J].$N`) when
// the error is about that reference.
absl::StatusOr<YamlLoadResult> load_telemetry_config_yaml(
    const std::filesystem::path& path,
    const std::vector<std::filesystem::path>& named_expression_modules = {},
    const std::vector<std::filesystem::path>& named_rule_modules = {});

}  // namespace sift

#endif  // SIFT_INGESTION_CONFIG_YAML_H_
