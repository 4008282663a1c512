// YAML 1.1 scalar resolution: hand-written matchers for PyYAML's resolver
// regular expressions (std::regex recurses per character and can overflow
// the stack on long scalars).
#include "yaml/scalar.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"

namespace sift {
namespace yaml_internal {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_binary(char c) { return c == '0' || c == '1'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// All of `s` consists of characters accepted by `pred` or '_'; at least one.
template <typename Pred>
bool all_of_or_underscore(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c != '_' && !pred(c)) return false;
  }
  return true;
}

std::string strip_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

// `[0-5]?[0-9]`
bool is_sexagesimal_part(std::string_view s) {
  if (s.size() == 1) return is_digit(s[0]);
  if (s.size() == 2) return s[0] >= '0' && s[0] <= '5' && is_digit(s[1]);
  return false;
}

// Accumulates digits of `base` into a magnitude; false on overflow.
bool accumulate(std::string_view digits, int base, uint64_t* magnitude) {
  uint64_t value = 0;
  for (char c : digits) {
    const uint64_t d = static_cast<uint64_t>(hex_value(c));
    if (value > (std::numeric_limits<uint64_t>::max() - d) / static_cast<uint64_t>(base)) {
      return false;
    }
    value = value * static_cast<uint64_t>(base) + d;
  }
  *magnitude = value;
  return true;
}

void set_int(bool negative, bool fits, uint64_t magnitude, ResolvedScalar* out) {
  out->type = NodeType::kInt;
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!fits || magnitude > kMaxPositive + (negative ? 1 : 0)) {
    out->int_overflow = true;
    out->int_value = 0;
    return;
  }
  out->int_overflow = false;
  if (negative) {
    out->int_value = magnitude == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min()
                                                   : -static_cast<int64_t>(magnitude);
  } else {
    out->int_value = static_cast<int64_t>(magnitude);
  }
}

// Splits `s` on ':'.
template <typename F>
void for_each_colon_part(std::string_view s, F f) {
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = s.find(':', start);
    f(s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
}

// `[1-9][0-9_]*(?::[0-5]?[0-9])+` (after the sign).
bool matches_sexagesimal_int(std::string_view body) {
  const std::size_t colon = body.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view head = body.substr(0, colon);
  if (head[0] < '1' || head[0] > '9') return false;
  if (head.size() > 1 && !all_of_or_underscore(head.substr(1), is_digit)) return false;
  bool ok = true;
  for_each_colon_part(body.substr(colon + 1), [&](std::string_view part) {
    if (!is_sexagesimal_part(part)) ok = false;
  });
  return ok;
}

bool is_float_word(std::string_view s, std::string_view lower, std::string_view title,
                   std::string_view upper) {
  return s == lower || s == title || s == upper;
}

// `[0-9][0-9_]*` (may be just one digit).
bool is_digit_run(std::string_view s) {
  return !s.empty() && is_digit(s[0]) &&
         (s.size() == 1 || all_of_or_underscore(s.substr(1), is_digit));
}

// `(?:[eE][-+][0-9]+)?` — the whole of `s`.
bool is_optional_exponent(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() < 3 || (s[0] != 'e' && s[0] != 'E') || (s[1] != '-' && s[1] != '+')) return false;
  for (char c : s.substr(2)) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// `[0-9_]*` followed by an optional exponent.
bool is_fraction_and_exponent(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  return is_optional_exponent(s.substr(i));
}

double parse_decimal(const std::string& cleaned) {
  double value = 0.0;
  if (absl::SimpleAtod(cleaned, &value)) return value;
  // SimpleAtod refuses out-of-range input; Python's float() gives inf / 0.
  return std::strtod(cleaned.c_str(), nullptr);
}

}  // namespace

std::string_view python_type_name(NodeType type) {
  switch (type) {
    case NodeType::kNull:
      return "NoneType";
    case NodeType::kBool:
      return "bool";
    case NodeType::kInt:
      return "int";
    case NodeType::kFloat:
      return "float";
    case NodeType::kStr:
      return "str";
    case NodeType::kDate:
      return "date";
    case NodeType::kDatetime:
      return "datetime";
    case NodeType::kSeq:
      return "list";
    case NodeType::kMap:
      return "dict";
  }
  return "object";
}

bool is_null_text(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

bool resolve_bool(std::string_view text, ResolvedScalar* out) {
  static constexpr std::string_view kTrue[] = {"yes",  "Yes", "YES", "true", "True",
                                               "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"no",    "No",  "NO",  "false", "False",
                                                "FALSE", "off", "Off", "OFF"};
  for (std::string_view word : kTrue) {
    if (text == word) {
      out->type = NodeType::kBool;
      out->bool_value = true;
      return true;
    }
  }
  for (std::string_view word : kFalse) {
    if (text == word) {
      out->type = NodeType::kBool;
      out->bool_value = false;
      return true;
    }
  }
  return false;
}

bool resolve_int(std::string_view text, ResolvedScalar* out) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return false;

  uint64_t magnitude = 0;
  if (body.size() > 2 && body[0] == '0' && body[1] == 'b') {  // [-+]?0b[0-1_]+
    if (!all_of_or_underscore(body.substr(2), is_binary)) return false;
    const std::string digits = strip_underscores(body.substr(2));
    if (digits.empty()) return false;  // PyYAML: ValueError
    const bool fits = accumulate(digits, 2, &magnitude);
    set_int(negative, fits, magnitude, out);
    return true;
  }
  if (body.size() > 2 && body[0] == '0' && body[1] == 'x') {  // [-+]?0x[0-9a-fA-F_]+
    if (!all_of_or_underscore(body.substr(2), is_hex)) return false;
    const std::string digits = strip_underscores(body.substr(2));
    if (digits.empty()) return false;  // PyYAML: ValueError
    const bool fits = accumulate(digits, 16, &magnitude);
    set_int(negative, fits, magnitude, out);
    return true;
  }
  if (body == "0") {
    set_int(negative, true, 0, out);
    return true;
  }
  if (body[0] == '0') {  // [-+]?0[0-7_]+
    if (!all_of_or_underscore(body.substr(1), is_octal)) return false;
    const std::string digits = strip_underscores(body);
    const bool fits = accumulate(digits, 8, &magnitude);
    set_int(negative, fits, magnitude, out);
    return true;
  }
  if (body[0] >= '1' && body[0] <= '9') {
    if (body.size() == 1 || all_of_or_underscore(body.substr(1), is_digit)) {  // decimal
      const std::string digits = strip_underscores(body);
      const bool fits = accumulate(digits, 10, &magnitude);
      set_int(negative, fits, magnitude, out);
      return true;
    }
    if (matches_sexagesimal_int(body)) {
      const std::string cleaned = strip_underscores(body);
      bool fits = true;
      uint64_t value = 0;
      for_each_colon_part(cleaned, [&](std::string_view part) {
        uint64_t digit = 0;
        if (!accumulate(part, 10, &digit)) fits = false;
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 60) fits = false;
        if (fits) value = value * 60 + digit;
      });
      set_int(negative, fits, value, out);
      return true;
    }
  }
  return false;
}

bool resolve_float(std::string_view text, ResolvedScalar* out) {
  // \.(?:nan|NaN|NAN)
  if (is_float_word(text, ".nan", ".NaN", ".NAN")) {
    out->type = NodeType::kFloat;
    out->float_value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?  (no sign: PyYAML resolves `-.5` to a string)
  if (text.size() >= 2 && text[0] == '.' && is_digit(text[1])) {
    if (!is_fraction_and_exponent(text.substr(1))) return false;
    out->type = NodeType::kFloat;
    out->float_value = parse_decimal(strip_underscores(text));
    return true;
  }

  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  // [-+]?\.(?:inf|Inf|INF)
  if (is_float_word(body, ".inf", ".Inf", ".INF")) {
    out->type = NodeType::kFloat;
    out->float_value = negative ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
    return true;
  }
  if (body.empty() || !is_digit(body[0])) return false;

  const std::size_t dot = body.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view head = body.substr(0, dot);
  const std::string_view tail = body.substr(dot + 1);

  // [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
  if (is_digit_run(head)) {
    if (!is_fraction_and_exponent(tail)) return false;
    std::string cleaned = strip_underscores(body);
    if (negative) cleaned.insert(cleaned.begin(), '-');
    out->type = NodeType::kFloat;
    out->float_value = parse_decimal(cleaned);
    return true;
  }

  // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
  const std::size_t colon = head.find(':');
  if (colon == std::string_view::npos || !is_digit_run(head.substr(0, colon))) return false;
  bool ok = true;
  for_each_colon_part(head.substr(colon + 1), [&](std::string_view part) {
    if (!is_sexagesimal_part(part)) ok = false;
  });
  for (char c : tail) {
    if (!is_digit(c) && c != '_') ok = false;
  }
  if (!ok) return false;
  // PyYAML: the last part keeps the fraction; each part is a float.
  const std::string cleaned = strip_underscores(body);
  double value = 0.0;
  std::size_t start = 0;
  while (true) {
    const std::size_t next = cleaned.find(':', start);
    const std::string part =
        cleaned.substr(start, next == std::string::npos ? std::string::npos : next - start);
    value = value * 60.0 + parse_decimal(part);
    if (next == std::string::npos) break;
    start = next + 1;
  }
  out->type = NodeType::kFloat;
  out->float_value = negative ? -value : value;
  return true;
}

NodeType resolve_timestamp(std::string_view s) {
  auto digits = [&](std::size_t pos, std::size_t count) {
    if (pos + count > s.size()) return false;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (!is_digit(s[i])) return false;
    }
    return true;
  };
  // [0-9]{4}-[0-9]{2}-[0-9]{2}
  if (s.size() == 10 && digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
      digits(8, 2)) {
    return NodeType::kDate;
  }
  // [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}
  //   (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?
  std::size_t i = 0;
  auto one_or_two_digits = [&]() {
    if (!digits(i, 1)) return false;
    ++i;
    if (digits(i, 1)) ++i;
    return true;
  };
  auto exact_digits = [&](std::size_t count) {
    if (!digits(i, count)) return false;
    i += count;
    return true;
  };
  auto expect = [&](char c) {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
  };
  if (!exact_digits(4) || !expect('-') || !one_or_two_digits() || !expect('-') ||
      !one_or_two_digits()) {
    return NodeType::kStr;
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == 't')) {
    ++i;
  } else {
    const std::size_t start = i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == start) return NodeType::kStr;
  }
  if (!one_or_two_digits() || !expect(':') || !exact_digits(2) || !expect(':') ||
      !exact_digits(2)) {
    return NodeType::kStr;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i == s.size()) return NodeType::kDatetime;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
    if (!one_or_two_digits()) return NodeType::kStr;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!exact_digits(2)) return NodeType::kStr;
    }
  } else {
    return NodeType::kStr;
  }
  return i == s.size() ? NodeType::kDatetime : NodeType::kStr;
}

ResolvedScalar resolve_plain_scalar(std::string_view text) {
  ResolvedScalar out;
  if (is_null_text(text)) {
    out.type = NodeType::kNull;
    return out;
  }
  // PyYAML's order: bool, float, int, (merge), null, timestamp.
  if (resolve_bool(text, &out)) return out;
  if (resolve_float(text, &out)) return out;
  if (resolve_int(text, &out)) return out;
  out.type = resolve_timestamp(text);
  return out;
}

}  // namespace yaml_internal
}  // namespace sift
