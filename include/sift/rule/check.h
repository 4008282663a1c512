// Checking a rule's expression against the channels its references name, so
// a typo fails when a config loads instead of after upload. TelemetryConfig::
// create(), the YAML loaders and `sift-config check` call it; see
// docs/rules.md ("How checking works").
#ifndef SIFT_RULE_CHECK_H_
#define SIFT_RULE_CHECK_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/rule/config.h"
#include "sift/rule/expression.h"

namespace sift {

// Channel identifier -> what a `$N` bound to it is in an expression.
using RuleChannelIndex = std::map<std::string, ExpressionChannel, std::less<>>;

// Indexes channels by FQN (ChannelConfig::fqn()) and every element of a
// bit-field channel as `<FQN>.<element name>`, bound as a uint32. A channel
// FQN wins over an element spelled the same, and the first definition of an
// identifier wins over later ones.
RuleChannelIndex index_rule_channels(absl::Span<const ChannelConfig> channels);
// The channels of every flow, in flow order.
RuleChannelIndex index_rule_channels(const std::vector<FlowConfig>& flows);

// Binds each channel reference of `rule` (`$N` -> channel) for
// check_expression() and evaluate(). An identifier found in `known` binds as
// indexed; any other binds with `type_known = false`. INVALID_ARGUMENT
// `rule '<name>': ...` when a reference name is not `$N` with N from 1 to
// 999999 written without leading zeros, when a `$N` is bound twice, or when
// an identifier is empty. When `reference_index` is not null it receives the
// index into rule.channel_references of the offending reference (-1 if none).
absl::StatusOr<std::map<int, ExpressionChannel>> bind_rule_channels(const RuleConfig& rule,
                                                                    const RuleChannelIndex& known,
                                                                    int* reference_index = nullptr);

// Checks `rule.expression` (already substituted, see RuleConfig::create):
// binds the references (bind_rule_channels), parses, then check_expression():
// every `$N` used is bound, every reference is used, and operand types fit
// for the references whose channel is in `known` (with no channels known,
// only parsing and binding are checked). An empty expression is an error, as
// it is when sift_py creates the rule. INVALID_ARGUMENT messages name the
// rule and quote the expression, e.g.
//   rule 'overheating': expression column 4: cannot compare string and
//   number with '>' (expression: '$1 > 400')
//   rule 'overheating': $2 is bound but not used (expression: '$1 > 400')
// `reference_index` is as for bind_rule_channels(); for an unused reference
// it is that reference's index.
absl::Status check_rule_expression(const RuleConfig& rule, const RuleChannelIndex& known = {},
                                   int* reference_index = nullptr);

}  // namespace sift

#endif  // SIFT_RULE_CHECK_H_
