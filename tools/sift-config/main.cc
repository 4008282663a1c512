// sift-config: checks telemetry config YAML files without talking to Sift.
//
//   sift-config check CONFIG.yml [-m MODULE.yml]... [-r RULE_MODULE_PATH]... [--json] [--strict]
//   sift-config --help | --version
//
// Exit codes: 0 the config is valid, 1 it is not (or a file cannot be read),
// 2 the command line is wrong. The summary goes to stdout; errors and
// warnings go to stderr. Built with -fno-exceptions like the SDK core.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"

#ifndef SIFT_CONFIG_VERSION
#define SIFT_CONFIG_VERSION "unknown"
#endif

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "usage: sift-config check CONFIG.yml [-m MODULE.yml]... [-r RULE_MODULE_PATH]...\n"
    "                         [--json] [--strict]\n"
    "       sift-config --help\n"
    "       sift-config --version\n";

constexpr std::string_view kHelp =
    "\n"
    "Loads a Sift telemetry config YAML file exactly as the SDK does\n"
    "(sift::TelemetryConfig::try_from_yaml), validates it, checks every rule\n"
    "expression against the config's channels (parsing, `$N` bound and used,\n"
    "operand types), and prints what it defines: asset, ingestion client key,\n"
    "flows with their channels, and rules with their resolved expressions.\n"
    "Nothing is sent to Sift.\n"
    "\n"
    "commands:\n"
    "  check CONFIG.yml        load and validate CONFIG.yml\n"
    "\n"
    "options of check:\n"
    "  -m, --module FILE       named expression module (repeatable)\n"
    "  -r, --rule-module PATH  rule module file, or directory walked recursively\n"
    "                          (repeatable)\n"
    "                          Every path given must exist.\n"
    "      --json              print the summary as JSON on stdout\n"
    "      --strict            treat warnings as errors (exit 1 if there are any)\n"
    "  -h, --help              print this help\n"
    "\n"
    "other options:\n"
    "      --version           print the version of sift-config\n"
    "\n"
    "exit status: 0 valid, 1 invalid or unreadable, 2 bad command line.\n";

// String building. (absl::StrCat cannot be used with std::string_view here:
// Debian's Abseil is built with its own absl::string_view.)
inline void append_piece(std::string& out, std::string_view text) { out.append(text); }
template <typename Int,
          typename = std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool> &&
                                      !std::is_same_v<Int, char>>>
void append_piece(std::string& out, Int value) {
  out += std::to_string(value);
}

template <typename... Pieces>
void append(std::string* out, const Pieces&... pieces) {
  (append_piece(*out, pieces), ...);
}

template <typename... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string out;
  append(&out, pieces...);
  return out;
}

void write_out(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
}

// Reports a command-line mistake and returns the usage exit code.
int usage_error(std::string_view message) {
  write_out(stderr, cat("sift-config: ", message, "\n", kUsage,
                        "Try 'sift-config --help' for more information.\n"));
  return kExitUsage;
}

// ---------------------------------------------------------------------------
// Command line

struct CheckOptions {
  std::string config_path;
  std::vector<std::filesystem::path> expression_modules;
  std::vector<std::filesystem::path> rule_modules;
  bool json = false;
  bool strict = false;
};

enum class ParseOutcome { kRun, kExitOk, kExitUsage };

// Matches a value-taking option in its four spellings: `-m VALUE`, `-mVALUE`,
// `--module VALUE`, `--module=VALUE` (`short_name` is two characters).
// Returns false when `arg` is not this option; otherwise sets `spelled` to the
// option as written, `value` (nullopt when the value is missing), and advances
// `index` past a value given as the next argument.
bool match_value_option(std::string_view arg, std::string_view short_name,
                        std::string_view long_name, int argc, char** argv, int& index,
                        std::string_view& spelled, std::optional<std::string>& value) {
  value.reset();
  if (arg == short_name || arg == long_name) {
    spelled = arg;
    if (index + 1 < argc) {
      ++index;
      value = std::string(argv[index]);
    }
    return true;
  }
  if (arg.size() > long_name.size() && arg.substr(0, long_name.size()) == long_name &&
      arg[long_name.size()] == '=') {
    spelled = long_name;
    value = std::string(arg.substr(long_name.size() + 1));
    return true;
  }
  if (arg.size() > short_name.size() && arg.substr(0, short_name.size()) == short_name) {
    spelled = short_name;
    value = std::string(arg.substr(short_name.size()));
    return true;
  }
  return false;
}

ParseOutcome parse_check_args(int argc, char** argv, int first, CheckOptions& options,
                              int& exit_code) {
  std::vector<std::string> positionals;
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      write_out(stdout, cat(kUsage, kHelp));
      exit_code = kExitOk;
      return ParseOutcome::kExitOk;
    }
    if (arg == "--json") {
      options.json = true;
      continue;
    }
    if (arg == "--strict") {
      options.strict = true;
      continue;
    }
    if (arg.substr(0, 7) == "--json=" || arg.substr(0, 9) == "--strict=") {
      exit_code =
          usage_error(cat("option '", arg.substr(0, arg.find('=')), "' does not take a value"));
      return ParseOutcome::kExitUsage;
    }
    std::optional<std::string> value;
    std::vector<std::filesystem::path>* target = nullptr;
    std::string_view spelled;
    if (match_value_option(arg, "-m", "--module", argc, argv, i, spelled, value)) {
      target = &options.expression_modules;
    } else if (match_value_option(arg, "-r", "--rule-module", argc, argv, i, spelled, value)) {
      target = &options.rule_modules;
    } else {
      exit_code = usage_error(cat("unknown option '", arg, "'"));
      return ParseOutcome::kExitUsage;
    }
    if (!value.has_value()) {
      exit_code = usage_error(cat("option '", spelled, "' requires a value"));
      return ParseOutcome::kExitUsage;
    }
    if (value->empty()) {
      exit_code = usage_error(cat("option '", spelled, "' requires a non-empty path"));
      return ParseOutcome::kExitUsage;
    }
    target->emplace_back(*value);
  }
  if (positionals.empty()) {
    exit_code = usage_error("check: missing CONFIG.yml");
    return ParseOutcome::kExitUsage;
  }
  if (positionals.size() > 1) {
    exit_code =
        usage_error(cat("check: expected one CONFIG.yml, got ", positionals.size(), " paths"));
    return ParseOutcome::kExitUsage;
  }
  if (positionals[0].empty()) {
    exit_code = usage_error("check: CONFIG.yml must not be empty");
    return ParseOutcome::kExitUsage;
  }
  options.config_path = positionals[0];
  return ParseOutcome::kRun;
}

// ---------------------------------------------------------------------------
// Text output

// True when `text` can be printed bare in the text summary.
bool is_plain(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '\\') return false;
  }
  return true;
}

// `"text"` with quotes, backslashes and control characters escaped.
std::string quote_text(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// A name as is, or quoted when it is empty or contains spaces, quotes or
// control characters.
std::string display(std::string_view text) {
  return is_plain(text) ? std::string(text) : quote_text(text);
}

std::string enum_labels(const sift::ChannelConfig& channel) {
  std::string out;
  for (const sift::ChannelEnumType& label : channel.enum_types) {
    append(&out, out.empty() ? "" : " ", label.key, "=", display(label.name));
  }
  return out;
}

std::string bit_field_elements(const sift::ChannelConfig& channel) {
  std::string out;
  for (const sift::ChannelBitFieldElement& element : channel.bit_field_elements) {
    append(&out, out.empty() ? "" : " ", display(element.name), "@", element.index, ":",
           element.bit_count);
  }
  return out;
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string joined_display(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    append(&out, out.empty() ? "" : ", ", display(item));
  }
  return out;
}

// Appends `label: text`, continuing a multi-line text under the first line.
void append_field_lines(std::string& out, std::string_view indent, std::string_view label,
                        std::string_view text) {
  std::string head = cat(indent, label, ": ");
  std::string continuation(head.size(), ' ');
  std::size_t start = 0;
  bool first = true;
  while (true) {
    std::size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    append(&out, first ? head : continuation, line, "\n");
    first = false;
    if (end == std::string_view::npos || end + 1 == text.size()) break;
    start = end + 1;
  }
}

struct RuleView {
  std::string type;  // "review", "phase", or empty without an action
  std::optional<std::string> assignee;
  std::vector<std::string> tags;
};

RuleView view_of(const sift::RuleConfig& rule) {
  RuleView view;
  if (!rule.action.has_value()) return view;
  if (const auto* review = std::get_if<sift::RuleActionCreateDataReviewAnnotation>(&*rule.action)) {
    view.type = "review";
    view.assignee = review->assignee;
    view.tags = review->tags;
  } else if (const auto* phase =
                 std::get_if<sift::RuleActionCreatePhaseAnnotation>(&*rule.action)) {
    view.type = "phase";
    view.tags = phase->tags;
  }
  return view;
}

std::size_t count_channels(const sift::TelemetryConfig& config) {
  std::size_t n = 0;
  for (const sift::FlowConfig& flow : config.flows) n += flow.channels.size();
  return n;
}

std::string plural(std::size_t n, std::string_view singular, std::string_view plural_form) {
  return cat(n, " ", n == 1 ? singular : plural_form);
}

std::string text_summary(const sift::TelemetryConfig& config, std::string_view path,
                         std::size_t warning_count) {
  std::string out;
  append(&out, path, ": OK (", plural(config.flows.size(), "flow", "flows"), ", ",
         plural(count_channels(config), "channel", "channels"), ", ",
         plural(config.rules.size(), "rule", "rules"), ", ",
         plural(warning_count, "warning", "warnings"), ")\n\n");
  append(&out, "asset:        ", display(config.asset_name), "\n");
  append(&out, "client key:   ", display(config.ingestion_client_key),
         config.ingestion_client_key_is_generated ? " (generated)" : " (from config)", "\n");
  if (config.organization_id.has_value()) {
    append(&out, "organization: ", display(*config.organization_id), "\n");
  }

  for (const sift::FlowConfig& flow : config.flows) {
    append(&out, "\nflow ", display(flow.name), " (",
           plural(flow.channels.size(), "channel", "channels"), ")\n");
    std::size_t name_width = 0;
    std::size_t type_width = 0;
    for (const sift::ChannelConfig& channel : flow.channels) {
      name_width = std::max(name_width, display(channel.fqn()).size());
      type_width = std::max(type_width, sift::as_human_str(channel.data_type).size());
    }
    for (const sift::ChannelConfig& channel : flow.channels) {
      std::string line =
          cat("  ", padded(display(channel.fqn()), name_width), "  ",
              padded(std::string(sift::as_human_str(channel.data_type)), type_width));
      if (channel.unit.has_value() && !channel.unit->empty()) {
        append(&line, "  unit=", quote_text(*channel.unit));
      }
      if (channel.description.has_value() && !channel.description->empty()) {
        append(&line, "  description=", quote_text(*channel.description));
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      append(&out, line, "\n");
      std::string detail_indent(2 + name_width + 2, ' ');
      if (!channel.enum_types.empty()) {
        append(&out, detail_indent, "enum: ", enum_labels(channel), "\n");
      }
      if (!channel.bit_field_elements.empty()) {
        append(&out, detail_indent, "bits: ", bit_field_elements(channel), "\n");
      }
    }
  }

  for (const sift::RuleConfig& rule : config.rules) {
    RuleView view = view_of(rule);
    append(&out, "\nrule ", display(rule.name), " (", view.type.empty() ? "no action" : view.type,
           ")\n");
    if (!rule.description.empty()) {
      append_field_lines(out, "  ", "description", rule.description);
    }
    if (view.assignee.has_value()) {
      append(&out, "  assignee: ", display(*view.assignee), "\n");
    }
    if (!view.tags.empty()) {
      append(&out, "  tags: ", joined_display(view.tags), "\n");
    }
    if (rule.rule_client_key.has_value() && !rule.rule_client_key->empty()) {
      append(&out, "  client key: ", display(*rule.rule_client_key), "\n");
    }
    if (!rule.asset_names.empty()) {
      append(&out, "  assets: ", joined_display(rule.asset_names), "\n");
    }
    if (!rule.tag_names.empty()) {
      append(&out, "  asset tags: ", joined_display(rule.tag_names), "\n");
    }
    for (const sift::RuleChannelReference& reference : rule.channel_references) {
      append(&out, "  ", display(reference.channel_reference), " -> ",
             display(reference.channel_identifier), "\n");
    }
    if (!rule.contextual_channels.empty()) {
      append(&out, "  context: ", joined_display(rule.contextual_channels), "\n");
    }
    append_field_lines(out, "  ", "expression", rule.expression);
  }
  return out;
}

// ---------------------------------------------------------------------------
// JSON output

// Appends `text` as a JSON string literal. Control characters are escaped;
// bytes that are not valid UTF-8 become U+FFFD so the output always parses.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence (no overlongs, no surrogates, <= U+10FFFF).
    std::size_t length = 0;
    uint32_t lower = 0x80;
    uint32_t upper = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lower = 0xA0;
      if (c == 0xED) upper = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lower = 0x90;
      if (c == 0xF4) upper = 0x8F;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      uint32_t lo = k == 1 ? lower : 0x80;
      uint32_t hi = k == 1 ? upper : 0xBF;
      if (next < lo || next > hi) valid = false;
    }
    if (valid) {
      out.append(text.data() + i, length);
      i += length;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

// A tiny streaming writer, pretty-printed with two-space indentation.
// Containers opened with `inline_layout` (small leaf objects, string lists)
// stay on one line.
class JsonWriter {
 public:
  void begin_object(bool inline_layout = false) { open('{', inline_layout); }
  void end_object() { close('}'); }
  void begin_array(bool inline_layout = false) { open('[', inline_layout); }
  void end_array() { close(']'); }

  void key(std::string_view name) {
    separator();
    append_json_string(out_, name);
    out_ += ": ";
    after_key_ = true;
  }
  void string(std::string_view value) {
    separator();
    append_json_string(out_, value);
  }
  void optional_string(const std::optional<std::string>& value) {
    if (value.has_value()) {
      string(*value);
    } else {
      null();
    }
  }
  void null() {
    separator();
    out_ += "null";
  }
  void boolean(bool value) {
    separator();
    out_ += value ? "true" : "false";
  }
  template <typename Int>
  void number(Int value) {
    separator();
    append(&out_, value);
  }
  void string_array(const std::vector<std::string>& values, bool inline_layout = true) {
    begin_array(inline_layout);
    for (const std::string& value : values) string(value);
    end_array();
  }

  std::string take() {
    out_ += '\n';
    return std::move(out_);
  }

 private:
  struct Level {
    bool empty = true;
    bool inline_layout = false;
  };

  void separator() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (levels_.empty()) return;
    Level& level = levels_.back();
    if (!level.empty) out_ += level.inline_layout ? ", " : ",";
    if (!level.inline_layout) newline();
    level.empty = false;
  }
  void open(char bracket, bool inline_layout) {
    separator();
    out_ += bracket;
    // Everything inside an inline container is inline too.
    bool parent_inline = !levels_.empty() && levels_.back().inline_layout;
    levels_.push_back(Level{true, inline_layout || parent_inline});
  }
  void close(char bracket) {
    Level level = levels_.back();
    levels_.pop_back();
    if (!level.empty && !level.inline_layout) newline();
    out_ += bracket;
  }
  void newline() {
    out_ += '\n';
    out_.append(2 * levels_.size(), ' ');
  }

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

void write_channel_json(JsonWriter& json, const sift::ChannelConfig& channel) {
  json.begin_object();
  json.key("fqn");
  json.string(channel.fqn());
  json.key("data_type");
  json.string(sift::as_human_str(channel.data_type));
  json.key("unit");
  json.optional_string(channel.unit);
  json.key("description");
  json.optional_string(channel.description);
  json.key("enum_types");
  json.begin_array();
  for (const sift::ChannelEnumType& label : channel.enum_types) {
    json.begin_object(/*inline_layout=*/true);
    json.key("key");
    json.number(label.key);
    json.key("name");
    json.string(label.name);
    json.end_object();
  }
  json.end_array();
  json.key("bit_field_elements");
  json.begin_array();
  for (const sift::ChannelBitFieldElement& element : channel.bit_field_elements) {
    json.begin_object(/*inline_layout=*/true);
    json.key("name");
    json.string(element.name);
    json.key("index");
    json.number(element.index);
    json.key("bit_count");
    json.number(element.bit_count);
    json.end_object();
  }
  json.end_array();
  json.end_object();
}

void write_rule_json(JsonWriter& json, const sift::RuleConfig& rule) {
  RuleView view = view_of(rule);
  json.begin_object();
  json.key("name");
  json.string(rule.name);
  json.key("type");
  if (view.type.empty()) {
    json.null();
  } else {
    json.string(view.type);
  }
  json.key("assignee");
  json.optional_string(view.assignee);
  json.key("tags");
  json.string_array(view.tags);
  json.key("description");
  json.string(rule.description);
  json.key("rule_client_key");
  if (rule.rule_client_key.has_value() && !rule.rule_client_key->empty()) {
    json.string(*rule.rule_client_key);
  } else {
    json.null();
  }
  json.key("asset_names");
  json.string_array(rule.asset_names);
  json.key("tag_names");
  json.string_array(rule.tag_names);
  json.key("channel_references");
  json.begin_array();
  for (const sift::RuleChannelReference& reference : rule.channel_references) {
    json.begin_object(/*inline_layout=*/true);
    json.key("reference");
    json.string(reference.channel_reference);
    json.key("channel");
    json.string(reference.channel_identifier);
    json.end_object();
  }
  json.end_array();
  json.key("contextual_channels");
  json.string_array(rule.contextual_channels);
  json.key("expression");
  json.string(rule.expression);
  json.end_object();
}

std::string json_summary(const sift::TelemetryConfig& config, std::string_view path,
                         const std::vector<std::string>& warnings) {
  JsonWriter json;
  json.begin_object();
  json.key("ok");
  json.boolean(true);
  json.key("config");
  json.string(path);
  json.key("asset_name");
  json.string(config.asset_name);
  json.key("ingestion_client_key");
  json.string(config.ingestion_client_key);
  json.key("ingestion_client_key_is_generated");
  json.boolean(config.ingestion_client_key_is_generated);
  json.key("organization_id");
  json.optional_string(config.organization_id);
  json.key("flows");
  json.begin_array();
  for (const sift::FlowConfig& flow : config.flows) {
    json.begin_object();
    json.key("name");
    json.string(flow.name);
    json.key("channels");
    json.begin_array();
    for (const sift::ChannelConfig& channel : flow.channels) write_channel_json(json, channel);
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.key("rules");
  json.begin_array();
  for (const sift::RuleConfig& rule : config.rules) write_rule_json(json, rule);
  json.end_array();
  json.key("warnings");
  json.string_array(warnings, /*inline_layout=*/false);
  json.end_object();
  return json.take();
}

std::string json_failure(std::string_view path, std::string_view message,
                         const std::vector<std::string>& warnings) {
  JsonWriter json;
  json.begin_object();
  json.key("ok");
  json.boolean(false);
  json.key("config");
  json.string(path);
  json.key("error");
  json.string(message);
  json.key("warnings");
  json.string_array(warnings, /*inline_layout=*/false);
  json.end_object();
  return json.take();
}

// ---------------------------------------------------------------------------
// check

// Every path on the command line must exist: a mistyped -m or -r would
// otherwise go unnoticed (the loader skips missing rule-module paths).
absl::Status check_paths_exist(const CheckOptions& options) {
  auto require = [](const std::filesystem::path& path, bool allow_directory) -> absl::Status {
    std::error_code error;
    std::filesystem::file_status status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
      return absl::NotFoundError(cat(path.string(), ": no such file or directory"));
    }
    if (!allow_directory && std::filesystem::is_directory(status)) {
      return absl::InvalidArgumentError(cat(path.string(), ": is a directory"));
    }
    return absl::OkStatus();
  };
  absl::Status status = require(options.config_path, false);
  for (const auto& path : options.expression_modules) {
    if (!status.ok()) break;
    status = require(path, false);
  }
  for (const auto& path : options.rule_modules) {
    if (!status.ok()) break;
    status = require(path, true);
  }
  return status;
}

bool starts_with_a_path(std::string_view message, const CheckOptions& options) {
  auto starts_with = [message](const std::string& prefix) {
    return !prefix.empty() && message.substr(0, prefix.size()) == prefix;
  };
  if (starts_with(options.config_path)) return true;
  for (const auto& path : options.expression_modules) {
    if (starts_with(path.string())) return true;
  }
  for (const auto& path : options.rule_modules) {
    if (starts_with(path.string())) return true;
  }
  return false;
}

int run_check(const CheckOptions& options) {
  std::vector<std::string> warnings;
  std::string error;
  absl::Status paths = check_paths_exist(options);
  std::optional<sift::YamlLoadResult> loaded;
  if (!paths.ok()) {
    error = std::string(paths.message());
  } else {
    absl::StatusOr<sift::YamlLoadResult> result = sift::load_telemetry_config_yaml(
        options.config_path, options.expression_modules, options.rule_modules);
    if (result.ok()) {
      loaded.emplace(*std::move(result));
      warnings = loaded->warnings;
    } else {
      error = std::string(result.status().message());
      // Messages from the loader start with `FILE:LINE:COL:` (FILE being the
      // config or one of the modules); a whole-config check (duplicate flows,
      // ...) may not, so name the config for the reader.
      if (!starts_with_a_path(error, options)) {
        error = cat(options.config_path, ": ", error);
      }
    }
  }

  if (loaded.has_value() && options.strict && !warnings.empty()) {
    error = cat(options.config_path, ": ", plural(warnings.size(), "warning", "warnings"),
                " (--strict treats warnings as errors)");
  }

  std::string diagnostics;
  for (const std::string& warning : warnings) append(&diagnostics, "warning: ", warning, "\n");
  if (!error.empty()) append(&diagnostics, error, "\n");
  write_out(stderr, diagnostics);

  if (!error.empty()) {
    if (options.json) write_out(stdout, json_failure(options.config_path, error, warnings));
    return kExitInvalid;
  }
  if (options.json) {
    write_out(stdout, json_summary(loaded->config, options.config_path, warnings));
  } else {
    write_out(stdout, text_summary(loaded->config, options.config_path, warnings.size()));
  }
  return kExitOk;
}

// Flushes stdout; a failed write (full disk, closed pipe) fails the run
// rather than leaving a truncated summary behind an exit code of 0.
int finish(int exit_code) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    write_out(stderr, "sift-config: error writing to stdout\n");
    return exit_code == kExitOk ? kExitInvalid : exit_code;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("missing command");
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    if (argc > 2) return usage_error(cat("unexpected argument '", argv[2], "'"));
    write_out(stdout, cat(kUsage, kHelp));
    return finish(kExitOk);
  }
  if (command == "--version") {
    if (argc > 2) return usage_error(cat("unexpected argument '", argv[2], "'"));
    write_out(stdout, cat("sift-config ", SIFT_CONFIG_VERSION, "\n"));
    return finish(kExitOk);
  }
  if (command == "check") {
    CheckOptions options;
    int exit_code = kExitOk;
    switch (parse_check_args(argc, argv, 2, options, exit_code)) {
      case ParseOutcome::kRun:
        return finish(run_check(options));
      case ParseOutcome::kExitOk:
      case ParseOutcome::kExitUsage:
        return finish(exit_code);
    }
  }
  if (!command.empty() && command[0] == '-') {
    return usage_error(cat("unknown option '", command, "'"));
  }
  return usage_error(cat("unknown command '", command, "'"));
}
