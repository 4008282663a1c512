// Checking a RuleConfig's expression against the channels it references.
#include "sift/rule/check.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sift/ingestion/channel.h"
#include "sift/rule/expression.h"

namespace sift {
namespace {

using internal::to_absl_view;

// The N of `$N` (1..999999, no leading zero), as the expression grammar
// writes references; nullopt for anything else.
std::optional<int> reference_number(std::string_view name) {
  if (name.size() < 2 || name.size() > 7 || name[0] != '$' || name[1] == '0') return std::nullopt;
  int number = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

ExpressionChannel expression_channel_of(const ChannelConfig& channel) {
  ExpressionChannel bound;
  bound.data_type = channel.data_type;
  bound.enum_types = channel.enum_types;
  bound.bit_field_elements = channel.bit_field_elements;
  return bound;
}

absl::Status rule_error(const RuleConfig& rule, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("rule '", rule.name, "': ", to_absl_view(what)));
}

std::string quoted_expression(const RuleConfig& rule) {
  return absl::StrCat(" (expression: '", rule.expression, "')");
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

RuleChannelIndex index_rule_channels(absl::Span<const ChannelConfig> channels) {
  RuleChannelIndex index;
  for (const ChannelConfig& channel : channels) {
    index.emplace(channel.fqn(), expression_channel_of(channel));
  }
  // Elements second, so that a channel spelled like an element wins.
  for (const ChannelConfig& channel : channels) {
    if (channel.data_type != ChannelDataType::kBitField) continue;
    const std::string fqn = channel.fqn();
    for (const ChannelBitFieldElement& element : channel.bit_field_elements) {
      ExpressionChannel bound;
      bound.data_type = ChannelDataType::kUint32;
      index.emplace(absl::StrCat(fqn, ".", element.name), std::move(bound));
    }
  }
  return index;
}

RuleChannelIndex index_rule_channels(const std::vector<FlowConfig>& flows) {
  std::vector<ChannelConfig> channels;
  for (const FlowConfig& flow : flows) {
    channels.insert(channels.end(), flow.channels.begin(), flow.channels.end());
  }
  return index_rule_channels(channels);
}

absl::StatusOr<std::map<int, ExpressionChannel>> bind_rule_channels(const RuleConfig& rule,
                                                                    const RuleChannelIndex& known,
                                                                    int* reference_index) {
  if (reference_index != nullptr) *reference_index = -1;
  std::map<int, ExpressionChannel> bound;
  std::map<int, std::size_t> first_use;
  for (std::size_t i = 0; i < rule.channel_references.size(); ++i) {
    const RuleChannelReference& reference = rule.channel_references[i];
    const std::optional<int> number = reference_number(reference.channel_reference);
    absl::Status error;
    if (!number.has_value()) {
      error = rule_error(rule, absl::StrCat("channel reference '", reference.channel_reference,
                                            "' is not '$' followed by a number from 1 to 999999 "
                                            "without leading zeros, e.g. '$1'"));
    } else if (auto [it, inserted] = first_use.emplace(*number, i); !inserted) {
      error = rule_error(rule, absl::StrCat("channel reference ", reference.channel_reference,
                                            " is bound twice ('",
                                            rule.channel_references[it->second].channel_identifier,
                                            "' and '", reference.channel_identifier, "')"));
    } else if (reference.channel_identifier.empty()) {
      error = rule_error(rule, absl::StrCat("channel reference ", reference.channel_reference,
                                            " names no channel"));
    }
    if (!error.ok()) {
      if (reference_index != nullptr) *reference_index = static_cast<int>(i);
      return error;
    }
    const auto found = known.find(reference.channel_identifier);
    if (found != known.end()) {
      bound.emplace(*number, found->second);
    } else {
      ExpressionChannel unknown;
      unknown.type_known = false;
      bound.emplace(*number, std::move(unknown));
    }
  }
  return bound;
}

absl::Status check_rule_expression(const RuleConfig& rule, const RuleChannelIndex& known,
                                   int* reference_index) {
  absl::StatusOr<std::map<int, ExpressionChannel>> bound =
      bind_rule_channels(rule, known, reference_index);
  if (!bound.ok()) return bound.status();
  // sift_py refuses to create a rule without an expression; say so now.
  if (is_blank(rule.expression)) return rule_error(rule, "the expression is empty");

  absl::StatusOr<Expression> expression = parse_expression(rule.expression);
  absl::Status status =
      expression.ok() ? check_expression(*expression, *bound) : expression.status();
  if (status.ok()) return status;
  const std::string_view what(status.message().data(), status.message().size());
  if (what.substr(0, 7) == "column ") {
    return rule_error(rule,
                      absl::StrCat("expression ", to_absl_view(what), quoted_expression(rule)));
  }
  // The one error without a column: a reference that is bound but not used
  // (check_expression reports the lowest such `$N`).
  if (reference_index != nullptr && expression.ok()) {
    const std::vector<int> used = expression->references();
    for (std::size_t i = 0; i < rule.channel_references.size(); ++i) {
      const std::optional<int> number =
          reference_number(rule.channel_references[i].channel_reference);
      if (number.has_value() && !std::binary_search(used.begin(), used.end(), *number) &&
          (*reference_index < 0 ||
           *number <
               *reference_number(rule.channel_references[*reference_index].channel_reference))) {
        *reference_index = static_cast<int>(i);
      }
    }
  }
  return rule_error(rule, absl::StrCat(to_absl_view(what), quoted_expression(rule)));
}

}  // namespace sift
