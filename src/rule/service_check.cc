// Binding a rule's channel references to the channels an asset has and
// checking its expression against their types, before the rule is written.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/rule_request.h"
#include "sift/status.h"

namespace sift {
namespace internal {

absl::StatusOr<ExpressionChannel> expression_channel_from_wire(
    const channels::v3::Channel& channel) {
  absl::StatusOr<ChannelDataType> type = channel_data_type_from_pb(channel.data_type());
  if (!type.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("channel '", channel.name(), "': ", type.status().message()));
  }
  ExpressionChannel out;
  out.data_type = *type;
  for (const auto& enum_type : channel.enum_types()) {
    out.enum_types.push_back(
        ChannelEnumType{enum_type.name(), enum_type.key(), enum_type.is_signed()});
  }
  for (const auto& element : channel.bit_field_elements()) {
    out.bit_field_elements.push_back(
        ChannelBitFieldElement{element.name(), element.index(), element.bit_count()});
  }
  return out;
}

std::vector<std::string> channel_names_to_list(const RuleConfig& config) {
  std::set<std::string> names;
  auto add = [&](const std::string& name) {
    names.insert(name);
    // Every split point: `a.b.c` may be element `b.c` of `a` or `c` of `a.b`.
    for (std::size_t dot = name.find('.'); dot != std::string::npos;
         dot = name.find('.', dot + 1)) {
      if (dot > 0 && dot + 1 < name.size()) names.insert(name.substr(0, dot));
    }
  };
  for (const RuleChannelReference& reference : config.channel_references) {
    add(reference.channel_identifier);
  }
  for (const std::string& channel : config.contextual_channels) add(channel);
  return std::vector<std::string>(names.begin(), names.end());
}

std::optional<ExpressionChannel> bind_channel(
    const std::string& identifier, const std::map<std::string, ExpressionChannel>& listed) {
  if (auto it = listed.find(identifier); it != listed.end()) return it->second;
  for (std::size_t dot = identifier.find('.'); dot != std::string::npos;
       dot = identifier.find('.', dot + 1)) {
    auto base = listed.find(identifier.substr(0, dot));
    if (base == listed.end() || base->second.data_type != ChannelDataType::kBitField) continue;
    const std::string element = identifier.substr(dot + 1);
    for (const ChannelBitFieldElement& candidate : base->second.bit_field_elements) {
      if (candidate.name == element) {
        ExpressionChannel bound;
        bound.data_type = ChannelDataType::kUint32;
        return bound;
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> missing_channels(const RuleConfig& config,
                                          const std::map<std::string, ExpressionChannel>& listed) {
  std::vector<std::string> missing;
  std::set<std::string> seen;
  auto check = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    if (!bind_channel(name, listed).has_value()) missing.push_back(name);
  };
  for (const RuleChannelReference& reference : config.channel_references) {
    check(reference.channel_identifier);
  }
  for (const std::string& channel : config.contextual_channels) check(channel);
  return missing;
}

std::map<std::string, ExpressionChannel> untyped_channels(const RuleConfig& config) {
  std::map<std::string, ExpressionChannel> out;
  for (const RuleChannelReference& reference : config.channel_references) {
    ExpressionChannel channel;
    channel.type_known = false;
    out[reference.channel_identifier] = channel;
  }
  return out;
}

absl::Status check_expression_on_asset(const RuleConfig& config, const std::string& expression,
                                       const std::map<std::string, ExpressionChannel>& listed,
                                       std::string_view asset_name) {
  auto fail = [&](const absl::Status& status) {
    const std::string asset =
        asset_name.empty() ? "" : absl::StrCat(" (asset '", to_absl_view(asset_name), "')");
    return absl::Status(status.code(), absl::StrCat("expression '", expression, "'", asset, ": ",
                                                    status.message()));
  };
  absl::StatusOr<Expression> parsed = parse_expression(expression);
  if (!parsed.ok()) return fail(parsed.status());
  std::map<int, ExpressionChannel> bound;
  for (const RuleChannelReference& reference : config.channel_references) {
    std::optional<int> number = reference_number(reference.channel_reference);
    std::optional<ExpressionChannel> channel = bind_channel(reference.channel_identifier, listed);
    if (!number.has_value() || !channel.has_value()) {
      // check_rule_config and missing_channels report these first.
      return absl::InternalError(
          absl::StrCat("channel reference '", reference.channel_reference, "' was not resolved"));
    }
    bound[*number] = *std::move(channel);
  }
  absl::Status checked = check_expression(*parsed, bound);
  if (!checked.ok()) return fail(checked);
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace sift
