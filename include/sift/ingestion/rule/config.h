// Rule configuration: sift_py's `sift_py.ingestion.rule.config`.
#ifndef SIFT_INGESTION_RULE_CONFIG_H_
#define SIFT_INGESTION_RULE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sift/ingestion/channel.h"

namespace sift {

// Wire `sift.rules.v1.ActionKind` numbers.
enum class RuleActionKind : int { kNotification = 1, kAnnotation = 2 };

// Accepts `ACTION_KIND_NOTIFICATION`/`notification` and
// `ACTION_KIND_ANNOTATION`/`annotation`; nullopt otherwise.
inline std::optional<RuleActionKind> rule_action_kind_from_str(std::string_view text) {
  if (text == "ACTION_KIND_NOTIFICATION" || text == "notification") {
    return RuleActionKind::kNotification;
  }
  if (text == "ACTION_KIND_ANNOTATION" || text == "annotation") return RuleActionKind::kAnnotation;
  return std::nullopt;
}

enum class RuleActionAnnotationKind { kReview, kPhase };

// `review` or `phase`; anything else is INVALID_ARGUMENT.
inline absl::StatusOr<RuleActionAnnotationKind> rule_action_annotation_kind_from_str(
    std::string_view text) {
  if (text == "review") return RuleActionAnnotationKind::kReview;
  if (text == "phase") return RuleActionAnnotationKind::kPhase;
  return absl::InvalidArgumentError(
      absl::StrCat("Argument '", internal::to_absl_view(text),
                   "' is not a valid annotation kind (review | phase)."));
}

inline std::string_view as_str(RuleActionAnnotationKind kind) {
  return kind == RuleActionAnnotationKind::kPhase ? "phase" : "review";
}

// When the rule turns true, open a data-review annotation assigned to
// `assignee` (a user's name or email) with these annotation tags.
struct RuleActionCreateDataReviewAnnotation {
  std::optional<std::string> assignee;
  std::vector<std::string> tags;

  friend bool operator==(const RuleActionCreateDataReviewAnnotation& a,
                         const RuleActionCreateDataReviewAnnotation& b) {
    return a.assignee == b.assignee && a.tags == b.tags;
  }
  friend bool operator!=(const RuleActionCreateDataReviewAnnotation& a,
                         const RuleActionCreateDataReviewAnnotation& b) {
    return !(a == b);
  }
};

// When the rule turns true, open a phase annotation with these tags.
struct RuleActionCreatePhaseAnnotation {
  std::vector<std::string> tags;

  friend bool operator==(const RuleActionCreatePhaseAnnotation& a,
                         const RuleActionCreatePhaseAnnotation& b) {
    return a.tags == b.tags;
  }
  friend bool operator!=(const RuleActionCreatePhaseAnnotation& a,
                         const RuleActionCreatePhaseAnnotation& b) {
    return !(a == b);
  }
};

using RuleAction =
    std::variant<RuleActionCreateDataReviewAnnotation, RuleActionCreatePhaseAnnotation>;

// Both actions are annotations; kind(action) is kept for parity with sift_py.
inline RuleActionKind rule_action_kind(const RuleAction&) { return RuleActionKind::kAnnotation; }
inline RuleActionAnnotationKind rule_action_annotation_kind(const RuleAction& action) {
  return std::holds_alternative<RuleActionCreatePhaseAnnotation>(action)
             ? RuleActionAnnotationKind::kPhase
             : RuleActionAnnotationKind::kReview;
}

// Binds an expression placeholder (`$1`) to a channel by fully qualified name.
struct RuleChannelReference {
  std::string channel_reference;   // "$1"
  std::string channel_identifier;  // channel FQN

  // sift_py's `{channel_reference, channel_config}` form, normalised.
  static RuleChannelReference from_config(std::string reference, const ChannelConfig& channel) {
    return RuleChannelReference{std::move(reference), channel.fqn()};
  }

  friend bool operator==(const RuleChannelReference& a, const RuleChannelReference& b) {
    return a.channel_reference == b.channel_reference &&
           a.channel_identifier == b.channel_identifier;
  }
  friend bool operator!=(const RuleChannelReference& a, const RuleChannelReference& b) {
    return !(a == b);
  }
};

// A value substituted for a `$name` placeholder in an expression.
using SubExpressionValue = std::variant<std::string, int64_t, double, bool>;

// Placeholder -> value, applied in order.
using SubExpressions = std::vector<std::pair<std::string, SubExpressionValue>>;

// Replaces each placeholder of `sub_expressions` in `expression`, in order.
// Differences from sift_py (documented in docs/telemetry_config.md): only whole
// placeholders are replaced (`$m` does not touch `$mass`), strings are
// inserted as CEL string literals with `"` and `\` escaped, booleans as
// `true`/`false`. Integers print in decimal; doubles print as Python's repr
// (`470.0`, `0.5`). A placeholder that does not occur is INVALID_ARGUMENT
// naming it and the expression.
absl::StatusOr<std::string> substitute_sub_expressions(std::string_view expression,
                                                       const SubExpressions& sub_expressions);

struct RuleConfig {
  std::string name;
  std::vector<RuleChannelReference> channel_references;
  std::string description;
  // CEL expression; after RuleConfig::create / TelemetryConfig::create it has
  // `sub_expressions` substituted.
  std::string expression;
  std::optional<RuleAction> action;
  std::optional<std::string> rule_client_key;
  std::vector<std::string> asset_names;
  std::vector<std::string> tag_names;
  // Applied (and cleared) by create().
  SubExpressions sub_expressions;
  std::vector<std::string> contextual_channels;
  bool is_external = false;
  bool is_live_evaluation_enabled = false;
  // Set when the config was read back from the server.
  std::optional<std::string> rule_id;

  // Substitutes `sub_expressions` into `expression` and clears them.
  static absl::StatusOr<RuleConfig> create(RuleConfig draft);

  // sift_py's JSON form (`as_json`); INVALID_ARGUMENT "Unsupported rule
  // action" without an action. The text is what Python's
  // `json.dumps(rule.as_json())` prints (", " and ": " separators, UTF-8 kept
  // as is): keys name, description, expression, is_external, is_live (from
  // is_live_evaluation_enabled), expression_channel_references, then
  // contextual_channel_references (a list of names, only when non-empty),
  // type (review | phase), assignee (review only, null when unset) and tags
  // (only when non-empty).
  absl::StatusOr<std::string> as_json() const;
};

}  // namespace sift

#endif  // SIFT_INGESTION_RULE_CONFIG_H_
