// The telemetry-config schema (sift_py's YAML validators) over our node tree,
// producing sift value types. Internal to the YAML loader; tests and fuzzers
// use load_telemetry_config_text() to skip the file system.
#ifndef SIFT_YAML_LOADER_H_
#define SIFT_YAML_LOADER_H_

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/ingestion/rule/config.h"
#include "yaml/node.h"

namespace sift {
namespace yaml_internal {

// Where something sits: `FILE:LINE:COL: KEYPATH`.
struct Location {
  std::string file;
  Mark mark;
  std::string keypath;

  // `FILE:LINE:COL: KEYPATH: message` (no `KEYPATH: ` when it is empty).
  std::string format(std::string_view message) const;
};

// A rule as read, before its named expression is looked up and its
// sub-expressions substituted.
struct RuleDraft {
  RuleConfig config;
  Location location;                            // the rule's mapping
  std::optional<std::string> named_expression;  // `expression: {name: X}`
  Location expression_location;                 // `name` of a named expression
  Location sub_expressions_location;
  Location expression_node_location;          // the `expression` value
  std::vector<Location> reference_locations;  // per config.channel_references
};

struct TelemetryDraft {
  TelemetryConfig config;  // rules are left empty; see `rules`
  std::vector<RuleDraft> rules;
  Location document;
  std::vector<Location> flow_locations;
  std::vector<std::vector<Location>> channel_locations;  // per flow, per channel
};

// Validates and converts, stopping at the first error as sift_py does.
// Warnings go to `warnings`, once per offending node of the document.
class SchemaReader {
 public:
  SchemaReader(std::string file, std::vector<std::string>* warnings);

  absl::StatusOr<TelemetryDraft> read_telemetry_config(const Node& root);
  // A rule module: a mapping with a required `rules` list.
  absl::StatusOr<std::vector<RuleDraft>> read_rule_module(const Node& root);

 private:
  struct PathScope;

  // `at` is where the node is written (see Entry::value_mark).
  bool read_channel(const Node& node, Mark at, ChannelConfig* out);
  bool read_enum_type(const Node& node, Mark at, ChannelEnumType* out);
  bool read_bit_field_element(const Node& node, Mark at, ChannelBitFieldElement* out);
  bool read_flow(const Node& node, Mark at, FlowConfig* out,
                 std::vector<Location>* channel_locations);
  bool read_rule(const Node& node, Mark at, RuleDraft* out);
  bool read_channel_reference(const std::string& rule_name, const Node& node, Mark at,
                              std::vector<RuleChannelReference>* out,
                              std::vector<Location>* locations);
  bool read_sub_expressions(const Node& value, Mark at, SubExpressions* out);

  bool required_str(const Node& map, std::string_view key, std::string* out);
  bool optional_str(const Node& map, std::string_view key, std::optional<std::string>* out);
  bool optional_str_list(const Node& map, std::string_view key, std::vector<std::string>* out);
  bool optional_bool(const Node& map, std::string_view key, bool* out);
  bool read_int(const Node& map, std::string_view key, int64_t min, int64_t max,
                std::string_view range_name, int64_t* out);
  bool expect_map(const Node& node, Mark at);

  bool fail(Mark mark, std::string message);
  absl::Status error_status() const;
  std::string keypath() const;
  // The last path component, with its list name when it is an index.
  std::string current_key() const;
  Location here(Mark mark) const;
  void warn(const Node& key_node, std::string message);

  std::string file_;
  std::vector<std::string>* warnings_;
  std::set<const Node*> warned_;
  std::vector<std::string> path_;
  // Set by fail(); read_* return false after it.
  Mark error_mark_;
  std::string error_keypath_;
  std::string error_message_;
};

// "Expected 'key' to be <expected> but it is <type of actual>" (NoneType when
// `actual` is null).
std::string expected_message(std::string_view key, std::string_view expected_type,
                             const Node* actual);
// "Expected the top level to be <expected> but it is <type>".
std::string top_level_message(std::string_view expected_type, const Node& actual);

// Loading a telemetry config once its text is parsed; shared by the file and
// text entry points. Named expressions come from `preloaded_named_expressions`
// when it is set, else from `named_expression_modules`.
absl::StatusOr<YamlLoadResult> load_telemetry_config_node(
    const Node& root, const std::string& display_name,
    const std::vector<std::filesystem::path>& named_expression_modules,
    const std::map<std::string, std::string>* preloaded_named_expressions,
    const std::vector<std::filesystem::path>& named_rule_modules);

// A telemetry config held in memory; `display_name` stands for FILE.
absl::StatusOr<YamlLoadResult> load_telemetry_config_text(
    std::string_view content, const std::string& display_name,
    const std::map<std::string, std::string>& named_expressions = {});

}  // namespace yaml_internal
}  // namespace sift

#endif  // SIFT_YAML_LOADER_H_
