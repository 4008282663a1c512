// RuleConfig: sub-expression substitution, construction and JSON form.
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/json.h"
#include "sift/ingestion/rule/config.h"

namespace sift {
namespace {

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Python's repr() of a float: the shortest digits that round-trip, in
// positional notation with at least one fractional digit when the decimal
// exponent is in [-4, 16), otherwise as `d[.ddd]e[+-]XX`.
std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";

  std::array<char, 64> buffer;
  const std::to_chars_result result = std::to_chars(buffer.data(), buffer.data() + buffer.size(),
                                                    value, std::chars_format::scientific);
  if (result.ec != std::errc()) return "nan";  // cannot happen with 64 bytes
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));

  // text = [-]D[.DDD]e(+|-)XX
  std::string sign;
  std::size_t pos = 0;
  if (text[pos] == '-') {
    sign = "-";
    ++pos;
  }
  const std::size_t e_pos = text.find('e', pos);
  std::string digits;
  for (std::size_t i = pos; i < e_pos; ++i) {
    if (text[i] != '.') digits.push_back(text[i]);
  }
  int exponent = 0;
  std::from_chars(text.data() + e_pos + 1 + (text[e_pos + 1] == '+' ? 1 : 0),
                  text.data() + text.size(), exponent);

  if (exponent < -4 || exponent >= 16) {
    std::string out = sign;
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    absl::StrAppend(&out, magnitude);
    return out;
  }
  if (exponent >= 0) {
    const std::size_t int_digits = static_cast<std::size_t>(exponent) + 1;
    std::string out = sign;
    if (digits.size() <= int_digits) {
      out += digits;
      out.append(int_digits - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, int_digits);
      out.push_back('.');
      out.append(digits, int_digits, std::string::npos);
    }
    return out;
  }
  // -4 <= exponent <= -1: 0.000DDD
  std::string out = sign + "0.";
  out.append(static_cast<std::size_t>(-exponent - 1), '0');
  out += digits;
  return out;
}

// A CEL double-quoted string literal.
std::string cel_string_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string render_sub_expression(const SubExpressionValue& value) {
  struct Visitor {
    std::string operator()(const std::string& text) const { return cel_string_literal(text); }
    std::string operator()(int64_t number) const { return absl::StrCat(number); }
    std::string operator()(double number) const { return python_float_repr(number); }
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

// Minimal JSON writer helpers (Python json.dumps separators: ", " and ": ");
// strings go through internal::append_json_string.
using internal::append_json_string;

void append_json_key(std::string* out, bool* first, std::string_view key) {
  if (!*first) *out += ", ";
  *first = false;
  append_json_string(out, key);
  *out += ": ";
}

void append_json_string_list(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *out += ", ";
    append_json_string(out, items[i]);
  }
  out->push_back(']');
}

}  // namespace

absl::StatusOr<std::string> substitute_sub_expressions(std::string_view expression,
                                                       const SubExpressions& sub_expressions) {
  std::string current(expression);
  for (const auto& [placeholder, value] : sub_expressions) {
    if (placeholder.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Empty sub-expression placeholder for expression '", current, "'."));
    }
    const std::string replacement = render_sub_expression(value);
    std::string next;
    next.reserve(current.size());
    bool found = false;
    std::size_t pos = 0;
    while (pos < current.size()) {
      const std::size_t hit = current.find(placeholder, pos);
      if (hit == std::string::npos) break;
      const std::size_t end = hit + placeholder.size();
      if (end < current.size() && is_identifier_char(current[end])) {
        // Part of a longer placeholder (`$m` inside `$mass`): keep it.
        next.append(current, pos, hit + 1 - pos);
        pos = hit + 1;
        continue;
      }
      next.append(current, pos, hit - pos);
      next += replacement;
      pos = end;
      found = true;
    }
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat("Couldn't find '", placeholder, "' in expression '", current, "'."));
    }
    if (pos < current.size()) next.append(current, pos, std::string::npos);
    current = std::move(next);
  }
  return current;
}

absl::StatusOr<RuleConfig> RuleConfig::create(RuleConfig draft) {
  if (!draft.sub_expressions.empty()) {
    absl::StatusOr<std::string> expression =
        substitute_sub_expressions(draft.expression, draft.sub_expressions);
    if (!expression.ok()) {
      return absl::Status(expression.status().code(),
                          absl::StrCat("Rule '", draft.name, "': ", expression.status().message()));
    }
    draft.expression = *std::move(expression);
    draft.sub_expressions.clear();
  }
  return draft;
}

absl::StatusOr<std::string> RuleConfig::as_json() const {
  if (!action.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Unsupported rule action 'None' for rule '", name, "'."));
  }
  std::string out = "{";
  bool first = true;
  append_json_key(&out, &first, "name");
  append_json_string(&out, name);
  append_json_key(&out, &first, "description");
  append_json_string(&out, description);
  append_json_key(&out, &first, "expression");
  append_json_string(&out, expression);
  append_json_key(&out, &first, "is_external");
  out += is_external ? "true" : "false";
  append_json_key(&out, &first, "is_live");
  out += is_live_evaluation_enabled ? "true" : "false";

  append_json_key(&out, &first, "expression_channel_references");
  out.push_back('[');
  for (std::size_t i = 0; i < channel_references.size(); ++i) {
    if (i > 0) out += ", ";
    bool first_field = true;
    out.push_back('{');
    append_json_key(&out, &first_field, "channel_reference");
    append_json_string(&out, channel_references[i].channel_reference);
    append_json_key(&out, &first_field, "channel_identifier");
    append_json_string(&out, channel_references[i].channel_identifier);
    out.push_back('}');
  }
  out.push_back(']');

  if (!contextual_channels.empty()) {
    append_json_key(&out, &first, "contextual_channel_references");
    append_json_string_list(&out, contextual_channels);
  }

  append_json_key(&out, &first, "type");
  append_json_string(&out, as_str(rule_action_annotation_kind(*action)));
  if (const auto* review = std::get_if<RuleActionCreateDataReviewAnnotation>(&*action)) {
    append_json_key(&out, &first, "assignee");
    if (review->assignee.has_value()) {
      append_json_string(&out, *review->assignee);
    } else {
      out += "null";
    }
    if (!review->tags.empty()) {
      append_json_key(&out, &first, "tags");
      append_json_string_list(&out, review->tags);
    }
  } else if (const auto* phase = std::get_if<RuleActionCreatePhaseAnnotation>(&*action)) {
    if (!phase->tags.empty()) {
      append_json_key(&out, &first, "tags");
      append_json_string_list(&out, phase->tags);
    }
  }
  out.push_back('}');
  return out;
}

}  // namespace sift
