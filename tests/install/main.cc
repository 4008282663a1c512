// Builds against an installed sift: every public header, the value types and
// the YAML loader, with -fno-exceptions.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"
#include "sift/status.h"
#include "sift/time.h"

namespace {

absl::StatusOr<std::string> quickstart_key() {
  sift::ChannelConfig temperature;
  temperature.name = "temperature";
  temperature.component = "thruster";
  temperature.data_type = sift::ChannelDataType::kDouble;
  temperature.description = "temperature of thruster";
  temperature.unit = "Kelvin";
  sift::TelemetryConfig draft;
  draft.asset_name = "NostromoLV426";
  draft.flows.push_back(sift::FlowConfig{"temperature_reading", {temperature}});
  SIFT_ASSIGN_OR_RETURN(sift::TelemetryConfig config, sift::TelemetryConfig::create(draft));
  return config.ingestion_client_key;
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<std::string> key = quickstart_key();
  if (!key.ok() || key->size() != 64) {
    std::fprintf(stderr, "create failed: %s\n", key.status().ToString().c_str());
    return EXIT_FAILURE;
  }
  std::printf("generated client key: %s\n", key->c_str());
  if (argc > 1) {
    std::vector<std::filesystem::path> modules(argv + 2, argv + argc);
    absl::StatusOr<sift::TelemetryConfig> loaded =
        sift::TelemetryConfig::try_from_yaml(argv[1], modules);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return EXIT_FAILURE;
    }
    std::printf("loaded %s with %zu flows\n", loaded->asset_name.c_str(), loaded->flows.size());
  }
  return EXIT_SUCCESS;
}
