// The schema of an asset's telemetry: sift_py's
// `sift_py.ingestion.config.telemetry`.
#ifndef SIFT_INGESTION_CONFIG_TELEMETRY_H_
#define SIFT_INGESTION_CONFIG_TELEMETRY_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"

namespace sift {

// Asset, flows and rules. Build one with TelemetryConfig::create() (or
// try_from_yaml), which validates it and fills a generated client key.
struct TelemetryConfig {
  std::string asset_name;
  // Empty on input means "generate": create() sets it to hash().
  std::string ingestion_client_key;
  std::optional<std::string> organization_id;
  std::vector<FlowConfig> flows;
  std::vector<RuleConfig> rules;
  // True when create() generated the key; such a config cannot add flows at
  // runtime (any schema change yields a new key).
  bool ingestion_client_key_is_generated = false;

  // Validates (validate()), substitutes rule sub-expressions, checks every
  // rule's expression against the channels of `flows` (check_rule_expression
  // in sift/rule/check.h: parsing, binding, and types for references to those
  // channels), and generates the client key when it is empty.
  static absl::StatusOr<TelemetryConfig> create(TelemetryConfig draft);

  // Loads a telemetry config YAML file (the sift_py schema), resolving named
  // expressions from `named_expression_modules` and appending the rules of
  // `named_rule_modules` (files, or directories walked recursively). Errors
  // start with `FILE:LINE:COL:` and name the key path; a rule expression that
  // does not check points at the rule's `expression` (in the rule module it
  // came from, if any).
  static absl::StatusOr<TelemetryConfig> try_from_yaml(
      const std::filesystem::path& path,
      const std::vector<std::filesystem::path>& named_expression_modules = {},
      const std::vector<std::filesystem::path>& named_rule_modules = {});

  // sift_py's constructor checks, in its order: duplicate flow names ("Can't
  // have two flows"), duplicate channel FQNs within a flow ("Can't have two
  // identical channels"), duplicate rule names ("Can't have two rules").
  // INVALID_ARGUMENT naming the offender.
  absl::Status validate() const;

  // The generated client key of this schema as it is now: lowercase hex
  // SHA-256 over asset, flows (sorted by name) and channels, exactly as
  // sift_py computes it.
  std::string hash() const;

  // The flow with this name, or nullptr.
  const FlowConfig* find_flow(std::string_view flow_name) const;
};

}  // namespace sift

#endif  // SIFT_INGESTION_CONFIG_TELEMETRY_H_
