// libFuzzer target: any bytes given to the YAML loader must yield a config or
// a status, never a crash, hang or escaped exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sift/ingestion/config/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The loader reads files (as sift_py does), so the input goes through one.
  static const std::string path = "/tmp/sift_yaml_fuzz_" + std::to_string(getpid()) + ".yml";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  absl::StatusOr<sift::YamlLoadResult> result = sift::load_telemetry_config_yaml(path);
  if (!result.ok() && result.status().message().empty()) __builtin_trap();
  return 0;
}
