// CEL string literals for the List* filters the SDK builds
// (`client_key=="..."`, `name=="..."`). sift_py pastes names in verbatim, so
// a `"` in a name breaks the filter; we escape `\` and `"` (defect 8).
#ifndef SIFT_INTERNAL_CEL_H_
#define SIFT_INTERNAL_CEL_H_

#include <string>
#include <string_view>

namespace sift {
namespace internal {

// `text` as a double-quoted CEL string literal.
inline std::string cel_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// `field==<literal>`, the equality filter sift_py sends (no spaces).
inline std::string cel_equals(std::string_view field, std::string_view value) {
  std::string out(field);
  out += "==";
  out += cel_quote(value);
  return out;
}

// `field in ["a","b"]`, the membership filter sift_py sends (items
// comma-joined, no spaces).
template <typename Strings>
std::string cel_in(std::string_view field, const Strings& values) {
  std::string out(field);
  out += " in [";
  bool first = true;
  for (const auto& value : values) {
    if (!first) out.push_back(',');
    first = false;
    out += cel_quote(value);
  }
  out.push_back(']');
  return out;
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_CEL_H_
