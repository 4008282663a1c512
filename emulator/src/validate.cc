#include "validate.h"

#include <cctype>
#include <set>

#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {

absl::Status validate_flows(const WireFlows& flows) {
  std::set<std::string> flow_names;
  for (int f = 0; f < flows.size(); ++f) {
    const auto& flow = flows.Get(f);
    if (flow.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("flow ", f, " has an empty name"));
    }
    if (!flow_names.insert(flow.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow '", flow.name(), "' appears more than once in the request"));
    }
    std::set<std::string> channel_names;
    for (int c = 0; c < flow.channels_size(); ++c) {
      const auto& channel = flow.channels(c);
      if (channel.name().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flow '", flow.name(), "' channel ", c, " has an empty name"));
      }
      const int type = static_cast<int>(channel.data_type());
      if (type < 1 || type > 11) {
        return absl::InvalidArgumentError(absl::StrCat("flow '", flow.name(), "' channel ", c, " '",
                                                       channel.name(), "' has invalid data_type ",
                                                       type, " (expected 1..11)"));
      }
      if (!channel_names.insert(channel.name()).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            "flow '", flow.name(), "' declares channel '", channel.name(), "' more than once"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status validate_run_client_key(const std::string& key) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  bool ok = key.size() >= 3 && key.size() <= 128 && alnum(key.front()) && alnum(key.back());
  for (std::size_t i = 1; ok && i + 1 < key.size(); ++i) {
    const char c = key[i];
    ok = alnum(c) || c == '_' || c == '~' || c == '.' || c == '-';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "run client_key must be 3-128 characters, start and end with a letter or digit, and "
      "contain only letters, digits and _ ~ . - in between");
}

}  // namespace emulator
}  // namespace sift
