// A small JSON reader and string writer for the REST calls (the upload
// response, error bodies, the metadata form part): enough JSON for a few
// small documents without adding a dependency.
#ifndef SIFT_INTERNAL_JSON_H_
#define SIFT_INTERNAL_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sift {
namespace internal {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;                // a string's value, or a number as written
  std::vector<JsonValue> items;    // array items, or object member values
  std::vector<std::string> names;  // object member names, parallel to items

  // The first member named `name` of an object; null otherwise.
  const JsonValue* find(std::string_view name) const;
  bool is_string() const { return kind == Kind::kString; }
  bool is_object() const { return kind == Kind::kObject; }
};

// Parses one JSON document (RFC 8259; surrounding whitespace allowed;
// nesting up to 64 levels). INVALID_ARGUMENT naming the byte offset.
absl::StatusOr<JsonValue> parse_json(std::string_view text);

// Appends `text` as a JSON string literal (quotes, backslashes and control
// characters escaped; other bytes as they are).
void append_json_string(std::string* out, std::string_view text);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_JSON_H_
