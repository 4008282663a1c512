// libFuzzer target for the rule expression parser: any bytes must parse or
// fail with a status, never crash or recurse without bound; a parsed
// expression's canonical text must parse back to the same canonical text; the
// type checker and evaluator must accept any parsed tree without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sift/ingestion/channel.h"
#include "sift/rule/expression.h"

namespace {

const std::map<int, sift::ExpressionChannel>& bindings() {
  static const auto* bound = [] {
    auto* map = new std::map<int, sift::ExpressionChannel>();
    (*map)[1].data_type = sift::ChannelDataType::kDouble;
    (*map)[2].data_type = sift::ChannelDataType::kString;
    (*map)[3].data_type = sift::ChannelDataType::kEnum;
    (*map)[3].enum_types = {{"Stopped", 0, std::nullopt}, {"Running", 1, std::nullopt}};
    return map;
  }();
  return *bound;
}

std::optional<sift::TypedValue> value_of(int reference) {
  switch (reference) {
    case 1:
      return sift::double_value(0.0);
    case 2:
      return sift::string_value("ERROR: fuzz");
    case 3:
      return sift::enum_value(1);
    default:
      return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<sift::Expression> parsed = sift::parse_expression(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();
    return 0;
  }
  const std::string canonical = parsed->to_string();
  absl::StatusOr<sift::Expression> reparsed = sift::parse_expression(canonical);
  if (!reparsed.ok()) {
    std::fprintf(stderr, "canonical text does not parse: %s\n  %s\n", canonical.c_str(),
                 std::string(reparsed.status().message()).c_str());
    __builtin_trap();
  }
  if (reparsed->to_string() != canonical) {
    std::fprintf(stderr, "canonical text is not stable:\n  %s\n  %s\n", canonical.c_str(),
                 reparsed->to_string().c_str());
    __builtin_trap();
  }
  absl::Status checked = sift::check_expression(*parsed, bindings());
  if (!checked.ok() && checked.message().empty()) __builtin_trap();
  absl::StatusOr<bool> result = sift::evaluate(*parsed, value_of, bindings());
  if (!result.ok() && result.status().message().empty()) __builtin_trap();
  return 0;
}
