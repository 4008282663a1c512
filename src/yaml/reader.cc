// sift_py's telemetry-config YAML schema (sift_py/yaml/channel.py, rule.py,
// ingestion/config/yaml/load.py) over our node tree. Checks run in sift_py's
// order and stop at the first failure; messages keep sift_py's wording.
//
// Errors about a value as a whole (wrong type, duplicate) are reported where
// the value is written (`value_mark`, `item_mark`): for `- *velocity` that is
// the alias, not the anchored definition.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "yaml/loader.h"

namespace sift {
namespace yaml_internal {
namespace {

constexpr char kChannelSpec[] = "ChannelConfigYamlSpec";
constexpr char kStrList[] = "List[str]";

std::string key_text(const Node& key) { return key.type == NodeType::kNull ? "null" : key.text; }

// `^\$\d+$`
bool is_channel_reference_key(std::string_view key) {
  if (key.size() < 2 || key[0] != '$') return false;
  for (char c : key.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// `^\$[a-zA-Z_]+$` (sift_py's docs also promise digits; its check refuses them).
bool is_sub_expression_key(std::string_view key) {
  if (key.size() < 2 || key[0] != '$') return false;
  for (char c : key.substr(1)) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return true;
}

const std::string& data_type_choices() {
  static const std::string* const kChoices = [] {
    std::vector<std::string> names;
    for (ChannelDataType type : kAllChannelDataTypes) names.emplace_back(as_human_str(type));
    return new std::string(absl::StrJoin(names, " | "));
  }();
  return *kChoices;
}

bool is_short_data_type_name(std::string_view text) {
  for (ChannelDataType type : kAllChannelDataTypes) {
    if (as_human_str(type) == text) return true;
  }
  return false;
}

}  // namespace

std::string Location::format(std::string_view message) const {
  if (keypath.empty()) {
    return printable(absl::StrCat(file, ":", mark.line, ":", mark.column, ": ", av(message)));
  }
  return printable(
      absl::StrCat(file, ":", mark.line, ":", mark.column, ": ", keypath, ": ", av(message)));
}

std::string expected_message(std::string_view key, std::string_view expected_type,
                             const Node* actual) {
  return absl::StrCat("Expected '", av(key), "' to be <", av(expected_type), "> but it is <",
                      av(actual == nullptr ? "NoneType" : actual->type_name()), ">");
}

std::string top_level_message(std::string_view expected_type, const Node& actual) {
  return absl::StrCat("Expected the top level to be <", av(expected_type), "> but it is <",
                      av(actual.type_name()), ">");
}

struct SchemaReader::PathScope {
  PathScope(SchemaReader* reader, std::string component) : reader_(reader) {
    reader_->path_.push_back(std::move(component));
  }
  ~PathScope() { reader_->path_.pop_back(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  SchemaReader* reader_;
};

SchemaReader::SchemaReader(std::string file, std::vector<std::string>* warnings)
    : file_(std::move(file)), warnings_(warnings) {}

std::string SchemaReader::keypath() const {
  std::string out;
  for (const std::string& component : path_) {
    if (!out.empty() && (component.empty() || component.front() != '[')) out.push_back('.');
    out += component;
  }
  return out;
}

std::string SchemaReader::current_key() const {
  if (path_.empty()) return "";
  const std::string& last = path_.back();
  if (!last.empty() && last.front() == '[' && path_.size() >= 2) {
    return absl::StrCat(path_[path_.size() - 2], last);
  }
  return last;
}

Location SchemaReader::here(Mark mark) const { return Location{file_, mark, keypath()}; }

bool SchemaReader::fail(Mark mark, std::string message) {
  error_mark_ = mark;
  error_keypath_ = keypath();
  error_message_ = std::move(message);
  return false;
}

absl::Status SchemaReader::error_status() const {
  return absl::InvalidArgumentError(
      Location{file_, error_mark_, error_keypath_}.format(error_message_));
}

void SchemaReader::warn(const Node& key_node, std::string message) {
  if (warnings_ == nullptr || !warned_.insert(&key_node).second) return;
  warnings_->push_back(here(key_node.mark).format(message));
}

bool SchemaReader::expect_map(const Node& node, Mark at) {
  if (node.type == NodeType::kMap) return true;
  return fail(at, expected_message(current_key(), "dict", &node));
}

bool SchemaReader::required_str(const Node& map, std::string_view key, std::string* out) {
  PathScope scope(this, std::string(key));
  const Node* value = map.get(key);
  if (value == nullptr || value->type != NodeType::kStr) {
    return fail(map.mark_of(key), expected_message(key, "str", value));
  }
  *out = value->text;
  return true;
}

bool SchemaReader::optional_str(const Node& map, std::string_view key,
                                std::optional<std::string>* out) {
  const Node* value = map.get(key);
  if (value == nullptr || value->type == NodeType::kNull) return true;
  if (value->type != NodeType::kStr) {
    PathScope scope(this, std::string(key));
    return fail(map.mark_of(key), expected_message(key, "str", value));
  }
  *out = value->text;
  return true;
}

// sift_py checks only that these are lists and hands the elements to
// protobuf, which rejects non-strings later; we check the elements here.
bool SchemaReader::optional_str_list(const Node& map, std::string_view key,
                                     std::vector<std::string>* out) {
  const Node* value = map.get(key);
  if (value == nullptr || value->type == NodeType::kNull) return true;
  PathScope scope(this, std::string(key));
  if (value->type != NodeType::kSeq) {
    return fail(map.mark_of(key), expected_message(key, kStrList, value));
  }
  for (std::size_t i = 0; i < value->items.size(); ++i) {
    const Node& item = *value->items[i];
    PathScope index(this, absl::StrCat("[", i, "]"));
    if (item.type != NodeType::kStr) {
      return fail(value->item_mark(i), expected_message(current_key(), "str", &item));
    }
    out->push_back(item.text);
  }
  return true;
}

bool SchemaReader::optional_bool(const Node& map, std::string_view key, bool* out) {
  const Node* value = map.get(key);
  if (value == nullptr || value->type == NodeType::kNull) return true;
  if (value->type != NodeType::kBool) {
    PathScope scope(this, std::string(key));
    return fail(map.mark_of(key), expected_message(key, "bool", value));
  }
  *out = value->bool_value;
  return true;
}

bool SchemaReader::read_int(const Node& map, std::string_view key, int64_t min, int64_t max,
                            std::string_view range_name, int64_t* out) {
  const Node* value = map.get(key);
  // Python's bool is an int, so sift_py accepts `key: true` as 1 (quirk kept).
  if (value != nullptr && value->type == NodeType::kBool) {
    *out = value->bool_value ? 1 : 0;
    return true;
  }
  PathScope scope(this, std::string(key));
  if (value == nullptr || value->type != NodeType::kInt) {
    return fail(map.mark_of(key), expected_message(key, "int", value));
  }
  if (value->int_overflow || value->int_value < min || value->int_value > max) {
    // sift_py passes it on and protobuf fails later ("Value out of range").
    return fail(map.mark_of(key), absl::StrCat("Expected '", av(key), "' to fit in ",
                                               av(range_name), " but it is ", value->text));
  }
  *out = value->int_value;
  return true;
}

bool SchemaReader::read_enum_type(const Node& node, Mark at, ChannelEnumType* out) {
  if (!expect_map(node, at)) return false;
  if (!required_str(node, "name", &out->name)) return false;
  int64_t key = 0;
  if (!read_int(node, "key", 0, std::numeric_limits<uint32_t>::max(), "uint32", &key)) {
    return false;
  }
  out->key = static_cast<uint32_t>(key);
  return true;
}

bool SchemaReader::read_bit_field_element(const Node& node, Mark at, ChannelBitFieldElement* out) {
  if (!expect_map(node, at)) return false;
  if (!required_str(node, "name", &out->name)) return false;
  // sift_py reports the type of `name` when `index` or `bit_count` is wrong
  // (a copy-paste slip); we report the offending value's own type.
  int64_t index = 0;
  if (!read_int(node, "index", std::numeric_limits<int32_t>::min(),
                std::numeric_limits<int32_t>::max(), "int32", &index)) {
    return false;
  }
  int64_t bit_count = 0;
  if (!read_int(node, "bit_count", 0, std::numeric_limits<uint32_t>::max(), "uint32", &bit_count)) {
    return false;
  }
  out->index = static_cast<int32_t>(index);
  out->bit_count = static_cast<uint32_t>(bit_count);
  return true;
}

bool SchemaReader::read_channel(const Node& node, Mark at, ChannelConfig* out) {
  if (!expect_map(node, at)) return false;
  std::string name;
  if (!required_str(node, "name", &name)) return false;
  std::optional<std::string> description;
  if (!optional_str(node, "description", &description)) return false;
  std::optional<std::string> unit;
  if (!optional_str(node, "unit", &unit)) return false;

  std::optional<std::string> component;
  if (const Entry* entry = node.get_entry("component");
      entry != nullptr && entry->value->type != NodeType::kNull) {
    // sift_py warns on the key's presence, before checking its type.
    {
      PathScope scope(this, "component");
      const Node& value = *entry->value;
      warn(*entry->key,
           value.type == NodeType::kStr
               ? absl::StrCat("'component' is deprecated: channel '", name, "' is loaded as '",
                              channel_fqn(name, value.text),
                              "'; write the full name in 'name' instead")
               : std::string("'component' is deprecated; write the full name in 'name' instead"));
    }
    if (!optional_str(node, "component", &component)) return false;
  }

  const Node* data_type_node = node.get("data_type");
  if (data_type_node == nullptr || data_type_node->type != NodeType::kStr ||
      !is_short_data_type_name(data_type_node->text)) {
    // API names (CHANNEL_DATA_TYPE_DOUBLE) are refused here, as in sift_py.
    PathScope scope(this, "data_type");
    return fail(node.mark_of("data_type"),
                expected_message("data_type", data_type_choices(), data_type_node));
  }
  const std::string& data_type = data_type_node->text;

  std::vector<ChannelEnumType> enum_types;
  std::vector<ChannelBitFieldElement> bit_field_elements;
  if (data_type == "enum") {
    const Node* list = node.get("enum_types");
    PathScope scope(this, "enum_types");
    if (list == nullptr || list->type != NodeType::kSeq) {
      return fail(node.mark_of("enum_types"),
                  expected_message("enum_types", "List[ChannelEnumTypeYamlSpec]", list));
    }
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      PathScope index(this, absl::StrCat("[", i, "]"));
      ChannelEnumType enum_type;
      if (!read_enum_type(*list->items[i], list->item_mark(i), &enum_type)) return false;
      enum_types.push_back(std::move(enum_type));
    }
  } else if (node.has_non_null("enum_types")) {
    PathScope scope(this, "enum_types");
    return fail(node.mark_of("enum_types"),
                absl::StrCat("Channel '", name, "' should not have 'enum_types' set since its ",
                             "data_type is '", data_type, "'"));
  }
  if (data_type == "bit_field") {
    const Node* list = node.get("bit_field_elements");
    PathScope scope(this, "bit_field_elements");
    if (list == nullptr || list->type != NodeType::kSeq) {
      return fail(
          node.mark_of("bit_field_elements"),
          expected_message("bit_field_elements", "List[ChannelBitFieldElementYamlSpec]", list));
    }
    for (std::size_t i = 0; i < list->items.size(); ++i) {
      PathScope index(this, absl::StrCat("[", i, "]"));
      ChannelBitFieldElement element;
      if (!read_bit_field_element(*list->items[i], list->item_mark(i), &element)) return false;
      bit_field_elements.push_back(std::move(element));
    }
  } else if (node.has_non_null("bit_field_elements")) {
    PathScope scope(this, "bit_field_elements");
    return fail(node.mark_of("bit_field_elements"),
                absl::StrCat("Channel '", name,
                             "' should not have 'bit_field_elements' set since its data_type is '",
                             data_type, "'"));
  }

  // sift_py folds the deprecated component into the name at construction.
  out->name = channel_fqn(name, component);
  out->component.reset();
  out->data_type = channel_data_type_from_str(data_type).value_or(ChannelDataType::kDouble);
  out->description = std::move(description);
  out->unit = std::move(unit);
  out->enum_types = std::move(enum_types);
  out->bit_field_elements = std::move(bit_field_elements);
  return true;
}

bool SchemaReader::read_flow(const Node& node, Mark at, FlowConfig* out,
                             std::vector<Location>* channel_locations) {
  if (!expect_map(node, at)) return false;
  if (!required_str(node, "name", &out->name)) return false;
  const Node* channels = node.get("channels");
  // A flow without channels is an empty flow (sift_py crashes converting it).
  if (channels == nullptr || channels->type == NodeType::kNull) return true;
  PathScope scope(this, "channels");
  if (channels->type != NodeType::kSeq) {
    return fail(node.mark_of("channels"),
                expected_message("channels", absl::StrCat("List[", kChannelSpec, "]"), channels));
  }
  for (std::size_t i = 0; i < channels->items.size(); ++i) {
    PathScope index(this, absl::StrCat("[", i, "]"));
    ChannelConfig channel;
    if (!read_channel(*channels->items[i], channels->item_mark(i), &channel)) {
      error_message_ = absl::StrCat("flow '", out->name,
                                    "' holds an invalid channel reference: ", error_message_);
      return false;
    }
    channel_locations->push_back(here(channels->item_mark(i)));
    out->channels.push_back(std::move(channel));
  }
  return true;
}

bool SchemaReader::read_channel_reference(const std::string& rule_name, const Node& node, Mark at,
                                          std::vector<RuleChannelReference>* out,
                                          std::vector<Location>* locations) {
  if (!expect_map(node, at)) return false;
  for (const Entry& entry : node.entries) {
    const Node& key = *entry.key;
    const Node& value = *entry.value;
    PathScope scope(this, key_text(key));
    if (key.type != NodeType::kStr || !is_channel_reference_key(key.text)) {
      return fail(key.mark, absl::StrCat("Invalid channel reference key provided, '", key_text(key),
                                         "': expected '$' followed by digits, e.g. '$1'"));
    }
    if (value.type == NodeType::kStr) {
      // The rule service's form (a channel name); sift_py's telemetry loader
      // crashes on it.
      out->push_back(RuleChannelReference{key.text, value.text});
      locations->push_back(here(key.mark));
      continue;
    }
    if (value.type != NodeType::kMap) {
      return fail(entry.value_mark,
                  expected_message(key.text, absl::StrCat(kChannelSpec, " | str"), &value));
    }
    ChannelConfig channel;
    if (!read_channel(value, entry.value_mark, &channel)) {
      // sift_py names the reference as if it were the rule; we name both.
      error_message_ = absl::StrCat("rule '", rule_name, "' holds an invalid channel reference '",
                                    key.text, "': ", error_message_);
      return false;
    }
    out->push_back(RuleChannelReference::from_config(key.text, channel));
    locations->push_back(here(key.mark));
  }
  return true;
}

bool SchemaReader::read_sub_expressions(const Node& value, Mark at, SubExpressions* out) {
  // sift_py checks `channel_references` here instead (a defect); we check the
  // list itself.
  if (value.type != NodeType::kSeq) {
    return fail(at, expected_message("sub_expressions", "List[Dict[str, str | int | float | bool]]",
                                     &value));
  }
  for (std::size_t i = 0; i < value.items.size(); ++i) {
    PathScope index(this, absl::StrCat("[", i, "]"));
    const Node& item = *value.items[i];
    if (!expect_map(item, value.item_mark(i))) return false;
    for (const Entry& entry : item.entries) {
      const Node& key = *entry.key;
      const Node& sub = *entry.value;
      PathScope scope(this, key_text(key));
      if (key.type != NodeType::kStr || !is_sub_expression_key(key.text)) {
        return fail(key.mark, absl::StrCat("Invalid sub-expression key provided, '", key_text(key),
                                           "': expected '$' followed by letters or underscores, "
                                           "e.g. '$mass'"));
      }
      SubExpressionValue rendered;
      switch (sub.type) {
        case NodeType::kStr:
          rendered = sub.text;
          break;
        case NodeType::kBool:
          rendered = sub.bool_value;
          break;
        case NodeType::kFloat:
          rendered = sub.float_value;
          break;
        case NodeType::kInt:
          if (sub.int_overflow) {
            return fail(entry.value_mark, absl::StrCat("Expected '", key.text,
                                                       "' to fit in int64 but it is ", sub.text));
          }
          rendered = sub.int_value;
          break;
        default:
          // sift_py would paste Python's str() of it (`None`, `[1]`) into the
          // expression.
          return fail(entry.value_mark,
                      expected_message(key.text, "str | int | float | bool", &sub));
      }
      // Flattened in order; a repeated placeholder keeps its first position
      // and takes the last value, as a Python dict does.
      bool replaced = false;
      for (auto& existing : *out) {
        if (existing.first == key.text) {
          existing.second = rendered;
          replaced = true;
        }
      }
      if (!replaced) out->emplace_back(key.text, std::move(rendered));
    }
  }
  return true;
}

bool SchemaReader::read_rule(const Node& node, Mark at, RuleDraft* out) {
  out->location = here(at);
  if (!expect_map(node, at)) return false;
  RuleConfig& rule = out->config;
  if (!required_str(node, "name", &rule.name)) return false;

  if (const Node* refs = node.get("channel_references");
      refs != nullptr && refs->type != NodeType::kNull) {
    PathScope scope(this, "channel_references");
    if (refs->type != NodeType::kSeq) {
      return fail(node.mark_of("channel_references"),
                  expected_message("channel_references",
                                   absl::StrCat("List[Dict[str, ", kChannelSpec, "]]"), refs));
    }
    for (std::size_t i = 0; i < refs->items.size(); ++i) {
      PathScope index(this, absl::StrCat("[", i, "]"));
      if (!read_channel_reference(rule.name, *refs->items[i], refs->item_mark(i),
                                  &rule.channel_references, &out->reference_locations)) {
        return false;
      }
    }
  }

  if (!optional_str_list(node, "contextual_channels", &rule.contextual_channels)) return false;
  if (!optional_str(node, "rule_client_key", &rule.rule_client_key)) return false;
  std::optional<std::string> description;
  if (!optional_str(node, "description", &description)) return false;
  rule.description = description.value_or("");

  {
    const Node* expression = node.get("expression");
    PathScope scope(this, "expression");
    out->expression_node_location = here(node.mark_of("expression"));
    if (expression != nullptr && expression->type == NodeType::kStr) {
      rule.expression = expression->text;
    } else if (expression != nullptr && expression->type == NodeType::kMap) {
      std::string name;
      if (!required_str(*expression, "name", &name)) return false;
      PathScope name_scope(this, "name");
      out->named_expression = name;
      out->expression_location = here(expression->mark_of("name"));
    } else {
      return fail(node.mark_of("expression"),
                  expected_message("expression", "<class 'str'> | <class 'dict'>", expression));
    }
  }

  const Node* type = node.get("type");
  if (type == nullptr || type->type != NodeType::kStr ||
      (type->text != "review" && type->text != "phase")) {
    PathScope scope(this, "type");
    return fail(node.mark_of("type"), expected_message("type", "review | phase", type));
  }
  std::optional<std::string> assignee;
  if (!optional_str(node, "assignee", &assignee)) return false;
  std::vector<std::string> tags;
  if (!optional_str_list(node, "tags", &tags)) return false;

  if (const Node* subs = node.get("sub_expressions");
      subs != nullptr && subs->type != NodeType::kNull) {
    PathScope scope(this, "sub_expressions");
    out->sub_expressions_location = here(node.mark_of("sub_expressions"));
    if (!read_sub_expressions(*subs, node.mark_of("sub_expressions"), &rule.sub_expressions)) {
      return false;
    }
  }

  if (!optional_str_list(node, "asset_names", &rule.asset_names)) return false;
  if (!optional_str_list(node, "tag_names", &rule.tag_names)) return false;
  if (!optional_bool(node, "is_external", &rule.is_external)) return false;
  // `is_live` in sift_py 0.9.6, `is_live_evaluation_enabled` after it.
  bool is_live = false;
  bool is_live_evaluation_enabled = false;
  if (!optional_bool(node, "is_live", &is_live)) return false;
  if (!optional_bool(node, "is_live_evaluation_enabled", &is_live_evaluation_enabled)) {
    return false;
  }
  rule.is_live_evaluation_enabled = is_live || is_live_evaluation_enabled;

  if (type->text == "review") {
    rule.action = RuleActionCreateDataReviewAnnotation{std::move(assignee), std::move(tags)};
  } else {
    rule.action = RuleActionCreatePhaseAnnotation{std::move(tags)};
  }
  return true;
}

absl::StatusOr<TelemetryDraft> SchemaReader::read_telemetry_config(const Node& root) {
  TelemetryDraft draft;
  draft.document = Location{file_, root.mark, ""};
  if (root.type != NodeType::kMap) {
    return absl::InvalidArgumentError(draft.document.format(top_level_message("dict", root)));
  }
  // Top-level keys in sift_py's order.
  TelemetryConfig& config = draft.config;
  if (!required_str(root, "asset_name", &config.asset_name)) return error_status();
  std::optional<std::string> client_key;
  if (!optional_str(root, "ingestion_client_key", &client_key)) return error_status();
  config.ingestion_client_key = client_key.value_or("");
  if (!optional_str(root, "organization_id", &config.organization_id)) return error_status();

  if (const Node* channels = root.get("channels");
      channels != nullptr && channels->type != NodeType::kNull) {
    PathScope scope(this, "channels");
    if (channels->type != NodeType::kMap) {
      fail(root.mark_of("channels"),
           expected_message("channels", absl::StrCat("Dict[str, ", kChannelSpec, "]"), channels));
      return error_status();
    }
    for (const Entry& entry : channels->entries) {
      const Node& key = *entry.key;
      PathScope key_scope(this, key_text(key));
      if (key.type != NodeType::kStr) {
        fail(key.mark, absl::StrCat("Expected 'channels' key '", key_text(key),
                                    "' to be <str> but it is <", av(key.type_name()), ">"));
        return error_status();
      }
      ChannelConfig ignored;  // this mapping only holds anchors
      if (!read_channel(*entry.value, entry.value_mark, &ignored)) return error_status();
    }
  }

  if (const Node* rules = root.get("rules"); rules != nullptr && rules->type != NodeType::kNull) {
    PathScope scope(this, "rules");
    if (rules->type != NodeType::kSeq) {
      fail(root.mark_of("rules"), expected_message("rules", "List[RuleYamlSpec]", rules));
      return error_status();
    }
    for (std::size_t i = 0; i < rules->items.size(); ++i) {
      PathScope index(this, absl::StrCat("[", i, "]"));
      RuleDraft rule;
      if (!read_rule(*rules->items[i], rules->item_mark(i), &rule)) return error_status();
      draft.rules.push_back(std::move(rule));
    }
  }

  if (const Node* flows = root.get("flows"); flows != nullptr && flows->type != NodeType::kNull) {
    PathScope scope(this, "flows");
    if (flows->type != NodeType::kSeq) {
      fail(root.mark_of("flows"), expected_message("flows", "List[FlowYamlSpec]", flows));
      return error_status();
    }
    for (std::size_t i = 0; i < flows->items.size(); ++i) {
      PathScope index(this, absl::StrCat("[", i, "]"));
      FlowConfig flow;
      std::vector<Location> channel_locations;
      if (!read_flow(*flows->items[i], flows->item_mark(i), &flow, &channel_locations)) {
        return error_status();
      }
      draft.flow_locations.push_back(here(flows->item_mark(i)));
      draft.channel_locations.push_back(std::move(channel_locations));
      config.flows.push_back(std::move(flow));
    }
  }
  return draft;
}

absl::StatusOr<std::vector<RuleDraft>> SchemaReader::read_rule_module(const Node& root) {
  if (root.type != NodeType::kMap) {
    return absl::InvalidArgumentError(
        Location{file_, root.mark, ""}.format(top_level_message("dict", root)));
  }
  const Node* rules = root.get("rules");
  PathScope scope(this, "rules");
  if (rules == nullptr || rules->type != NodeType::kSeq) {
    fail(root.mark_of("rules"), expected_message("rules", "List[RuleYamlSpec]", rules));
    return error_status();
  }
  std::vector<RuleDraft> drafts;
  for (std::size_t i = 0; i < rules->items.size(); ++i) {
    PathScope index(this, absl::StrCat("[", i, "]"));
    RuleDraft rule;
    if (!read_rule(*rules->items[i], rules->item_mark(i), &rule)) return error_status();
    drafts.push_back(std::move(rule));
  }
  return drafts;
}

}  // namespace yaml_internal
}  // namespace sift
