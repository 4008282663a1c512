#include "filter.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sift {
namespace emulator {
namespace {

absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<Filter> parse() {
    Filter filter;
    skip_space();
    if (at_end()) return filter;
    while (true) {
      FilterTerm term;
      if (absl::Status s = parse_term(&term); !s.ok()) return s;
      filter.terms.push_back(std::move(term));
      skip_space();
      if (at_end()) return filter;
      if (!consume("&&")) return error("expected `&&` or the end of the filter");
      skip_space();
    }
  }

 private:
  absl::Status parse_term(FilterTerm* term) {
    if (absl::Status s = parse_field(&term->field); !s.ok()) return s;
    skip_space();
    if (consume("==")) {
      skip_space();
      std::string value;
      if (absl::Status s = parse_string(&value); !s.ok()) return s;
      term->values.push_back(std::move(value));
      return absl::OkStatus();
    }
    // `in` must stand alone: `name inx` is not `name in x`.
    if (consume("in") && (at_end() || peek() == '[' || is_space(peek()))) {
      skip_space();
      return parse_list(&term->values);
    }
    return error("expected `==` or `in` after the field name");
  }

  absl::Status parse_field(std::string* field) {
    const std::size_t start = pos_;
    if (at_end() || !(std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_')) {
      return error("expected a field name");
    }
    while (!at_end() &&
           (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.')) {
      ++pos_;
    }
    *field = std::string(text_.substr(start, pos_ - start));
    return absl::OkStatus();
  }

  absl::Status parse_list(std::vector<std::string>* values) {
    if (!consume("[")) return error("expected `[` after `in`");
    skip_space();
    if (consume("]")) return absl::OkStatus();
    while (true) {
      std::string value;
      if (absl::Status s = parse_string(&value); !s.ok()) return s;
      values->push_back(std::move(value));
      skip_space();
      if (consume("]")) return absl::OkStatus();
      if (!consume(",")) return error("expected `,` or `]` in the list");
      skip_space();
    }
  }

  absl::Status parse_string(std::string* out) {
    if (at_end() || (peek() != '"' && peek() != '\'')) {
      return error("expected a quoted string");
    }
    const char quote = text_[pos_++];
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == quote) return absl::OkStatus();
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (at_end()) break;
      const char escaped = text_[pos_++];
      if (escaped != '"' && escaped != '\'' && escaped != '\\') {
        --pos_;
        return error("unsupported escape in string (only \\\", \\' and \\\\)");
      }
      out->push_back(escaped);
    }
    return error("unterminated string");
  }

  bool consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  static bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  absl::Status error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "sift-emulator cannot parse filter `", av(text_), "` at column ", pos_ + 1, ": ", av(what),
        " (supported: `field == \"v\"`, `field == 'v'`, `field in [\"a\",\"b\"]`, joined by "
        "`&&`)"));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

bool Filter::matches(const std::function<std::string(const std::string& field)>& value_of) const {
  for (const FilterTerm& term : terms) {
    const std::string value = value_of(term.field);
    if (std::find(term.values.begin(), term.values.end(), value) == term.values.end()) {
      return false;
    }
  }
  return true;
}

bool Filter::matches_any(
    const std::function<std::vector<std::string>(const std::string& field)>& values_of) const {
  for (const FilterTerm& term : terms) {
    const std::vector<std::string> values = values_of(term.field);
    const bool any = std::any_of(values.begin(), values.end(), [&](const std::string& v) {
      return std::find(term.values.begin(), term.values.end(), v) != term.values.end();
    });
    if (!any) return false;
  }
  return true;
}

absl::StatusOr<Filter> parse_filter(std::string_view text) { return Parser(text).parse(); }

absl::StatusOr<Filter> parse_filter_for(std::string_view method, std::string_view text,
                                        std::initializer_list<std::string_view> fields) {
  absl::StatusOr<Filter> filter = parse_filter(text);
  if (!filter.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(av(method), ": ", filter.status().message()));
  }
  for (const FilterTerm& term : filter->terms) {
    if (std::find(fields.begin(), fields.end(), term.field) != fields.end()) continue;
    std::vector<absl::string_view> names;
    for (std::string_view f : fields) names.push_back(av(f));
    return absl::InvalidArgumentError(absl::StrCat(
        av(method), ": sift-emulator does not support filtering on `", term.field, "` (filter `",
        av(text), "`; supported fields: ", absl::StrJoin(names, ", "), ")"));
  }
  return filter;
}

}  // namespace emulator
}  // namespace sift
