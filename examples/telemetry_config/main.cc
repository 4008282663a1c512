// Telemetry configs, two ways: built in C++ with TelemetryConfig::create, and
// loaded from YAML with named expression modules.
//
//   telemetry_config [EXAMPLE_DIR]
//
// EXAMPLE_DIR holds nostromo_lv_426.yml and expression_modules/; it defaults
// to this example's source directory. Nothing is sent to Sift.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "../common/nostromo.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"
#include "sift/status.h"

#ifndef SIFT_EXAMPLE_DIR
#define SIFT_EXAMPLE_DIR "."
#endif

namespace {

// The four-flow NostromoLV426 config of sift_py's ingestion guide, plus a rule.
absl::StatusOr<sift::TelemetryConfig> nostromo_lv_426() {
  sift::TelemetryConfig draft = sift_examples::nostromo_lv_426_draft();
  const sift::ChannelConfig& velocity = draft.flows[0].channels[0];

  // A review rule with a sub-expression: `$max_speed` is replaced by 40
  // when the config is created, leaving `$1 > 40`.
  sift::RuleConfig overspeed;
  overspeed.name = "overspeed";
  overspeed.description = "Main motor faster than allowed";
  overspeed.expression = "$1 > $max_speed";
  overspeed.sub_expressions = {{"$max_speed", int64_t{40}}};
  overspeed.channel_references = {sift::RuleChannelReference::from_config("$1", velocity)};
  overspeed.action = sift::RuleActionCreateDataReviewAnnotation{"ellen.ripley@weylandcorp.com",
                                                                {"nostromo", "speed"}};
  overspeed.rule_client_key = "nostromo-overspeed";

  draft.rules = {overspeed};
  return sift::TelemetryConfig::create(std::move(draft));
}

void print_config(const sift::TelemetryConfig& config) {
  std::printf("asset %s, client key %s%s\n", config.asset_name.c_str(),
              config.ingestion_client_key.c_str(),
              config.ingestion_client_key_is_generated ? " (generated)" : "");
  for (const sift::FlowConfig& flow : config.flows) {
    std::printf("  flow %s\n", flow.name.c_str());
    for (const sift::ChannelConfig& channel : flow.channels) {
      std::string unit = channel.unit.has_value() ? " [" + *channel.unit + "]" : "";
      std::printf("    %s: %s%s\n", channel.fqn().c_str(),
                  std::string(sift::as_human_str(channel.data_type)).c_str(), unit.c_str());
    }
  }
  for (const sift::RuleConfig& rule : config.rules) {
    std::string kind = "no action";
    if (rule.action.has_value()) {
      kind = std::string(sift::as_str(sift::rule_action_annotation_kind(*rule.action)));
    }
    std::printf("  rule %s (%s): %s\n", rule.name.c_str(), kind.c_str(), rule.expression.c_str());
    for (const sift::RuleChannelReference& reference : rule.channel_references) {
      std::printf("    %s -> %s\n", reference.channel_reference.c_str(),
                  reference.channel_identifier.c_str());
    }
  }
}

// The *.yml / *.yaml files of `dir`, sorted so the load order is stable.
absl::StatusOr<std::vector<std::filesystem::path>> yaml_files_in(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    return absl::NotFoundError(dir.string() + ": " + error.message());
  }
  std::vector<std::filesystem::path> files;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return absl::InternalError(dir.string() + ": " + error.message());
    const std::filesystem::path& path = it->path();
    if (it->is_regular_file(error) && (path.extension() == ".yml" || path.extension() == ".yaml")) {
      files.push_back(path);
    }
  }
  if (error) return absl::InternalError(dir.string() + ": " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

absl::Status run(const std::filesystem::path& example_dir) {
  // 1. In C++.
  SIFT_ASSIGN_OR_RETURN(sift::TelemetryConfig built, nostromo_lv_426());
  // sift_py computes the same key for the same schema (here
  // 64c14a06e510bef6963dcacf389a532fe181dd1c3fdbc6c3dccf6a3847b3add1), so a
  // C++ program and a Python script declaring these flows share one
  // ingestion config in Sift.
  std::printf("Built in C++:\n");
  print_config(built);

  // 2. From YAML. TelemetryConfig::try_from_yaml(path, modules) does the same
  // and drops the warnings; load_telemetry_config_yaml also returns them
  // (e.g. "`component` is deprecated").
  SIFT_ASSIGN_OR_RETURN(std::vector<std::filesystem::path> modules,
                        yaml_files_in(example_dir / "expression_modules"));
  SIFT_ASSIGN_OR_RETURN(
      sift::YamlLoadResult loaded,
      sift::load_telemetry_config_yaml(example_dir / "nostromo_lv_426.yml", modules, {}));
  for (const std::string& warning : loaded.warnings) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  std::printf("\nLoaded from %s with %zu expression module(s):\n",
              (example_dir / "nostromo_lv_426.yml").string().c_str(), modules.size());
  print_config(loaded.config);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: %s [EXAMPLE_DIR]\n", argv[0]);
    return 2;
  }
  std::filesystem::path example_dir = argc == 2 ? argv[1] : SIFT_EXAMPLE_DIR;
  absl::Status status = run(example_dir);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
