// yaml-cpp events -> our node tree. This is the only place that talks to
// yaml-cpp; every exception it (or we) throw is caught in parse_yaml().
#include "yaml/node.h"

#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sift {
namespace yaml_internal {

const Entry* Node::get_entry(std::string_view key) const {
  if (type != NodeType::kMap) return nullptr;
  for (const Entry& entry : entries) {
    if (entry.key->type == NodeType::kStr && entry.key->text == key) return &entry;
  }
  return nullptr;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

// `!!int` for `tag:yaml.org,2002:int`, other tags as they are.
std::string display_tag(const std::string& tag) {
  if (tag.compare(0, kYamlTagPrefix.size(), kYamlTagPrefix.data(), kYamlTagPrefix.size()) == 0) {
    return "!!" + tag.substr(kYamlTagPrefix.size());
  }
  return tag;
}

bool has_yaml_tag(const std::string& tag, std::string_view kind) {
  return tag.size() == kYamlTagPrefix.size() + kind.size() &&
         std::string_view(tag).substr(0, kYamlTagPrefix.size()) == kYamlTagPrefix &&
         std::string_view(tag).substr(kYamlTagPrefix.size()) == kind;
}

// Thrown from the event handler to stop yaml-cpp's parser; caught in
// parse_yaml() together with yaml-cpp's own exceptions.
struct BuildAbort {
  Mark mark;
  std::string message;
};

Mark to_mark(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return Mark{};
  return Mark{mark.line + 1, mark.column + 1};
}

uint64_t saturating_add(uint64_t a, uint64_t b) {
  const uint64_t cap = kMaxExpandedNodes + 1;
  return (a >= cap || b >= cap || a + b >= cap) ? cap : a + b;
}

// Python dict-key identity: 1, 1.0 and true are one key; NaN never equals
// anything. (Ints beyond int64 compare by their text: 0x... vs decimal
// spellings of one huge number stay distinct; harmless.)
std::string canonical_key(const Node& node, uint64_t* nan_counter) {
  switch (node.type) {
    case NodeType::kNull:
      return "n";
    case NodeType::kBool:
      return node.bool_value ? "i1" : "i0";
    case NodeType::kInt:
      return node.int_overflow ? absl::StrCat("I", node.text) : absl::StrCat("i", node.int_value);
    case NodeType::kFloat: {
      const double v = node.float_value;
      if (std::isnan(v)) return absl::StrCat("nan", (*nan_counter)++);
      if (std::trunc(v) == v && std::fabs(v) < 9.2e18) {
        return absl::StrCat("i", static_cast<int64_t>(v));
      }
      char buffer[40];
      std::snprintf(buffer, sizeof(buffer), "%.17g", v);
      return absl::StrCat("f", buffer);
    }
    case NodeType::kStr:
      return absl::StrCat("s", node.text);
    default:
      return absl::StrCat("d", node.text);
  }
}

class TreeBuilder : public YAML::EventHandler {
 public:
  NodePtr root() const { return root_; }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) {
      throw BuildAbort{to_mark(mark),
                       "expected a single document in the stream but found another document"};
    }
    document_mark_ = to_mark(mark);
  }
  void OnDocumentEnd() override {}

  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& name) override {
    // yaml-cpp numbers anchors 1, 2, ... in the order it announces them.
    anchor_names_.push_back(name);
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto node = std::make_shared<Node>();
    node->type = NodeType::kNull;
    node->mark = to_mark(mark);
    // An empty value (`key:`) is reported at the next token, often on a later
    // line; the key is where a reader looks.
    if (!frames_.empty() && frames_.back().has_pending_key &&
        node->mark.line > frames_.back().pending_key->mark.line) {
      node->mark = frames_.back().pending_key->mark;
    }
    finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    for (const Frame& frame : frames_) {
      if (frame.anchor == anchor) {
        throw BuildAbort{to_mark(mark),
                         absl::StrCat("alias '*", anchor_name(anchor),
                                      "' refers to a node that contains it; recursive "
                                      "structures are not supported")};
      }
    }
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw BuildAbort{to_mark(mark), absl::StrCat("unknown anchor '", anchor_name(anchor), "'")};
    }
    add_to_parent(it->second, to_mark(mark));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto node = std::make_shared<Node>();
    node->mark = to_mark(mark);
    node->text = value;
    ResolvedScalar resolved;
    bool merge_key = false;
    if (tag == "?") {
      resolved = resolve_plain_scalar(value);
      merge_key = value == "<<";
    } else if (tag == "!" || has_yaml_tag(tag, "str")) {
      resolved.type = NodeType::kStr;
    } else if (has_yaml_tag(tag, "merge")) {
      resolved.type = NodeType::kStr;
      merge_key = true;
    } else if (!is_known_scalar_tag(tag)) {
      throw BuildAbort{node->mark, absl::StrCat("could not determine a constructor for the tag '",
                                                display_tag(tag), "'")};
    } else if (!resolve_tagged(tag, value, &resolved)) {
      throw BuildAbort{node->mark,
                       absl::StrCat("could not read '", value, "' as ", display_tag(tag))};
    }
    node->type = resolved.type;
    node->bool_value = resolved.bool_value;
    node->int_value = resolved.int_value;
    node->int_overflow = resolved.int_overflow;
    node->float_value = resolved.float_value;
    finish(std::move(node), anchor, merge_key);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    check_collection_tag(mark, tag, "seq");
    push(mark, NodeType::kSeq, anchor);
  }

  void OnSequenceEnd() override {
    Frame frame = pop();
    uint64_t size = 1;
    for (const NodePtr& item : frame.node->items) size = saturating_add(size, item->expanded_size);
    frame.node->expanded_size = size;
    check_size(*frame.node);
    finish(std::move(frame.node), frame.anchor);
  }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    check_collection_tag(mark, tag, "map");
    push(mark, NodeType::kMap, anchor);
  }

  void OnMapEnd() override {
    Frame frame = pop();
    if (frame.has_pending_key) {  // yaml-cpp always pairs keys; be safe anyway
      frame.raw.push_back(
          RawEntry{{std::move(frame.pending_key), null_at(frame.node->mark), frame.node->mark},
                   frame.pending_key_is_merge});
    }
    resolve_mapping(frame);
    uint64_t size = 1;
    for (const Entry& entry : frame.node->entries) {
      size = saturating_add(size,
                            saturating_add(entry.key->expanded_size, entry.value->expanded_size));
    }
    frame.node->expanded_size = size;
    check_size(*frame.node);
    finish(std::move(frame.node), frame.anchor);
  }

 private:
  struct RawEntry {
    Entry entry;
    bool is_merge = false;
  };

  struct Frame {
    std::shared_ptr<Node> node;
    YAML::anchor_t anchor = 0;
    // kMap: entries as written, before merge keys and duplicates are resolved.
    std::vector<RawEntry> raw;
    NodePtr pending_key;
    bool pending_key_is_merge = false;
    bool has_pending_key = false;
  };

  std::string anchor_name(YAML::anchor_t anchor) const {
    if (anchor >= 1 && anchor <= anchor_names_.size()) return anchor_names_[anchor - 1];
    return absl::StrCat("#", anchor);
  }

  static NodePtr null_at(Mark mark) {
    auto node = std::make_shared<Node>();
    node->mark = mark;
    return node;
  }

  static bool is_known_scalar_tag(const std::string& tag) {
    for (std::string_view kind : {"null", "bool", "int", "float", "timestamp"}) {
      if (has_yaml_tag(tag, kind)) return true;
    }
    return false;
  }

  static bool resolve_tagged(const std::string& tag, const std::string& value,
                             ResolvedScalar* out) {
    if (tag.compare(0, kYamlTagPrefix.size(), kYamlTagPrefix) != 0) return false;
    const std::string_view kind = std::string_view(tag).substr(kYamlTagPrefix.size());
    if (kind == "null") {
      out->type = NodeType::kNull;  // PyYAML ignores the text of !!null
      return true;
    }
    if (kind == "bool") return resolve_bool(value, out);
    if (kind == "int") return resolve_int(value, out);
    if (kind == "float") {
      if (resolve_float(value, out)) return true;
      if (!resolve_int(value, out) || out->int_overflow) return false;
      out->type = NodeType::kFloat;
      out->float_value = static_cast<double>(out->int_value);
      return true;
    }
    if (kind == "timestamp") {
      out->type = resolve_timestamp(value);
      return out->type != NodeType::kStr;
    }
    return false;
  }

  static void check_collection_tag(const YAML::Mark& mark, const std::string& tag,
                                   std::string_view kind) {
    if (tag == "?" || tag == "!" || tag.empty() || has_yaml_tag(tag, kind)) {
      return;
    }
    throw BuildAbort{to_mark(mark), absl::StrCat("could not determine a constructor for the tag '",
                                                 display_tag(tag), "'")};
  }

  void push(const YAML::Mark& mark, NodeType type, YAML::anchor_t anchor) {
    if (frames_.size() >= static_cast<std::size_t>(kMaxNestingDepth)) {
      throw BuildAbort{to_mark(mark), absl::StrCat("the document nests deeper than ",
                                                   kMaxNestingDepth, " levels")};
    }
    Frame frame;
    frame.node = std::make_shared<Node>();
    frame.node->type = type;
    frame.node->mark = to_mark(mark);
    frame.anchor = anchor;
    frames_.push_back(std::move(frame));
  }

  Frame pop() {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    return frame;
  }

  static void check_size(const Node& node) {
    if (node.expanded_size > kMaxExpandedNodes) {
      throw BuildAbort{node.mark, absl::StrCat("the document has more than ", kMaxExpandedNodes,
                                               " nodes once aliases are expanded")};
    }
  }

  void finish(NodePtr node, YAML::anchor_t anchor, bool merge_key = false) {
    if (anchor != 0) anchors_[anchor] = node;
    const Mark mark = node->mark;
    add_to_parent(std::move(node), mark, merge_key);
  }

  // `use_mark` is where the node is written: the alias for an alias.
  void add_to_parent(NodePtr node, Mark use_mark, bool merge_key = false) {
    if (frames_.empty()) {
      if (node->type == NodeType::kNull) {
        // An empty document: report it where the document starts.
        auto root = std::make_shared<Node>(*node);
        root->mark = document_mark_;
        node = std::move(root);
      }
      root_ = std::move(node);
      return;
    }
    Frame& top = frames_.back();
    // A running total, so an alias-heavy collection stops early rather than
    // after it is complete; the exact size is computed at its end.
    top.node->expanded_size = saturating_add(top.node->expanded_size, node->expanded_size);
    check_size(*top.node);
    if (top.node->type == NodeType::kSeq) {
      top.node->items.push_back(std::move(node));
      top.node->item_marks.push_back(use_mark);
    } else if (!top.has_pending_key) {
      top.pending_key = std::move(node);
      top.pending_key_is_merge = merge_key;
      top.has_pending_key = true;
    } else {
      top.raw.push_back(RawEntry{{std::move(top.pending_key), std::move(node), use_mark},
                                 top.pending_key_is_merge});
      top.pending_key = nullptr;
      top.pending_key_is_merge = false;
      top.has_pending_key = false;
    }
  }

  // PyYAML's flatten_mapping + construct_mapping: merged entries come first
  // (a `<<` list in reverse order, so earlier maps win), then the explicit
  // ones; a repeated key keeps its first position and takes the last value.
  void resolve_mapping(Frame& frame) {
    std::vector<const Entry*> merged;
    std::vector<const Entry*> explicit_entries;
    // Merged entries are copies; their total is bounded like expanded nodes,
    // before anything is copied.
    auto merge_from = [&](const Node& source) {
      merged_entries_ = saturating_add(merged_entries_, source.entries.size());
      if (merged_entries_ > kMaxExpandedNodes) {
        throw BuildAbort{frame.node->mark,
                         absl::StrCat("the document merges more than ", kMaxExpandedNodes,
                                      " mapping entries (`<<`)")};
      }
      for (const Entry& entry : source.entries) merged.push_back(&entry);
    };
    for (const RawEntry& raw : frame.raw) {
      if (!raw.is_merge) {
        explicit_entries.push_back(&raw.entry);
        continue;
      }
      const Node& value = *raw.entry.value;
      if (value.type == NodeType::kMap) {
        merge_from(value);
      } else if (value.type == NodeType::kSeq) {
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const Node& item = *value.items[i];
          if (item.type != NodeType::kMap) {
            throw BuildAbort{
                value.item_mark(i),
                absl::StrCat("expected a mapping for merging, but found ", av(item.type_name()))};
          }
        }
        for (auto it = value.items.rbegin(); it != value.items.rend(); ++it) merge_from(**it);
      } else {
        throw BuildAbort{raw.entry.value_mark,
                         absl::StrCat("expected a mapping or list of mappings for merging, but "
                                      "found ",
                                      av(value.type_name()))};
      }
    }

    std::unordered_map<std::string, std::size_t> index;
    uint64_t nan_counter = 0;
    std::vector<Entry>& entries = frame.node->entries;
    auto insert = [&](const Entry& entry) {
      if (!entry.key->is_scalar()) {
        throw BuildAbort{entry.key->mark,
                         absl::StrCat("found unhashable key (a ", av(entry.key->type_name()), ")")};
      }
      auto [it, inserted] = index.emplace(canonical_key(*entry.key, &nan_counter), entries.size());
      if (inserted) {
        entries.push_back(entry);
      } else {
        entries[it->second].value = entry.value;
        entries[it->second].value_mark = entry.value_mark;
      }
    };
    for (const Entry* entry : merged) insert(*entry);
    for (const Entry* entry : explicit_entries) insert(*entry);
  }

  std::vector<Frame> frames_;
  std::unordered_map<YAML::anchor_t, NodePtr> anchors_;
  std::vector<std::string> anchor_names_;
  NodePtr root_;
  int documents_ = 0;
  Mark document_mark_;
  uint64_t merged_entries_ = 0;
};

absl::Status located_error(std::string_view file, Mark mark, std::string_view message) {
  return absl::InvalidArgumentError(
      printable(absl::StrCat(av(file), ":", mark.line, ":", mark.column, ": ", av(message))));
}

}  // namespace

absl::StatusOr<NodePtr> parse_yaml(std::string_view content, std::string_view display_name) {
  try {
    std::istringstream input{std::string(content)};
    YAML::Parser parser(input);
    TreeBuilder builder;
    while (parser.HandleNextDocument(builder)) {
    }
    NodePtr root = builder.root();
    if (root == nullptr) {  // no document at all: an empty or comment-only file
      auto null_root = std::make_shared<Node>();
      root = std::move(null_root);
    }
    return root;
  } catch (const BuildAbort& abort) {
    return located_error(display_name, abort.mark, abort.message);
  } catch (const YAML::Exception& e) {
    return located_error(display_name, to_mark(e.mark), e.msg);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(av(display_name), ": out of memory while parsing YAML"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(av(display_name), ": YAML parser failed: ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(av(display_name), ": YAML parser failed"));
  }
}

absl::StatusOr<NodePtr> parse_yaml_file(const std::string& path) {
  try {
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open: no such file"));
    }
    if (std::filesystem::is_directory(status)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": expected a file but it is a directory"));
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open for reading"));
    }
    std::string content;
    char buffer[1 << 16];
    while (file.read(buffer, sizeof(buffer)) || file.gcount() > 0) {
      content.append(buffer, static_cast<std::size_t>(file.gcount()));
      if (content.size() > kMaxFileBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": file is larger than ", kMaxFileBytes >> 20, " MiB"));
      }
    }
    if (file.bad()) return absl::InvalidArgumentError(absl::StrCat(path, ": read error"));
    return parse_yaml(content, path);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(path, ": out of memory while reading"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(path, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(path, ": unknown error while reading"));
  }
}

}  // namespace yaml_internal
}  // namespace sift
