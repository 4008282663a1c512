// The YAML loader's own document tree. yaml-cpp's events are turned into
// immutable nodes that keep their position, their YAML 1.1 type and their
// text; aliases share nodes, merge keys (`<<`) are already applied and
// duplicate keys resolved (last wins). Internal to the YAML loader; this
// header does not include yaml-cpp.
#ifndef SIFT_YAML_NODE_H_
#define SIFT_YAML_NODE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yaml/scalar.h"

namespace sift {
namespace yaml_internal {

// Debian's abseil keeps its own string_view type, so std::string_view must be
// converted before it reaches absl::StrCat (and back from Status::message()).
inline absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// 1-based position in the file.
struct Mark {
  int line = 1;
  int column = 1;
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

// A mapping entry. `value_mark` is where the value is written: for an alias
// (`key: *anchor`) the alias, not the anchored node, so errors about the value
// as a whole point at the line that used it.
struct Entry {
  NodePtr key;
  NodePtr value;
  Mark value_mark;
};

struct Node {
  NodeType type = NodeType::kNull;
  Mark mark;
  // Scalars: the text as written, after YAML unescaping ("" for an empty
  // node). Collections: empty.
  std::string text;
  bool bool_value = false;
  int64_t int_value = 0;
  bool int_overflow = false;  // an int outside int64 (its value is in `text`)
  double float_value = 0.0;
  std::vector<NodePtr> items;    // kSeq
  std::vector<Mark> item_marks;  // kSeq: where each item is written (alias or node)
  std::vector<Entry> entries;    // kMap, in first-insertion order
  // Nodes in the tree with aliases expanded (saturates at the loader limit).
  uint64_t expanded_size = 1;

  bool is_scalar() const { return type != NodeType::kSeq && type != NodeType::kMap; }
  std::string_view type_name() const { return python_type_name(type); }
  // The entry whose key is the string `key` (Python's dict.get: an int key 1
  // does not match "1"); nullptr when absent.
  const Entry* get_entry(std::string_view key) const;
  const Node* get(std::string_view key) const {
    const Entry* entry = get_entry(key);
    return entry == nullptr ? nullptr : entry->value.get();
  }
  // Where the value of `key` is written, or this mapping's mark when absent.
  Mark mark_of(std::string_view key) const {
    const Entry* entry = get_entry(key);
    return entry == nullptr ? mark : entry->value_mark;
  }
  Mark item_mark(std::size_t i) const { return i < item_marks.size() ? item_marks[i] : mark; }
  // Absent or null, as sift_py's `x.get(key) is None`.
  bool has_non_null(std::string_view key) const {
    const Node* value = get(key);
    return value != nullptr && value->type != NodeType::kNull;
  }
};

// Escapes control bytes (a NUL from a binary file, a newline in a key) as
// \xNN so every message stays one printable line.
std::string printable(std::string_view text);

// Limits that keep hostile input bounded.
inline constexpr int kMaxNestingDepth = 256;
inline constexpr uint64_t kMaxExpandedNodes = 4'000'000;
inline constexpr uint64_t kMaxFileBytes = 64ull << 20;

// Parses one YAML document. `display_name` is used as FILE in errors, which
// read `FILE:LINE:COL: message` (INVALID_ARGUMENT). An empty stream is a
// null root at 1:1; a second document is an error. Never throws.
absl::StatusOr<NodePtr> parse_yaml(std::string_view content, std::string_view display_name);

// Reads and parses a file (NOT_FOUND when it does not exist).
absl::StatusOr<NodePtr> parse_yaml_file(const std::string& path);

}  // namespace yaml_internal
}  // namespace sift

#endif  // SIFT_YAML_NODE_H_
