// The pure part of DataService::execute, testable without a server: which
// names to look up, choosing runs among same-named ones, and turning a
// DataQuery plus the looked-up ids into one wire query per GetData call
// (checking calculated channel expressions on the way).
#ifndef SIFT_INTERNAL_DATA_PLAN_H_
#define SIFT_INTERNAL_DATA_PLAN_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "internal/data_decode.h"
#include "sift/data/query.h"
#include "sift/rule/expression.h"

namespace sift {
namespace internal {

// One channel of the asset as ListChannels describes it.
struct ListedChannel {
  std::string channel_id;
  std::string name;
  ExpressionChannel type;
};

// Channel name -> the asset's channels with that name (several when they
// differ in data type), in listing order.
using ListedChannels = std::map<std::string, std::vector<ListedChannel>>;

// One run as ListRuns describes it.
struct ListedRun {
  std::string run_id;
  std::string name;
  std::vector<std::string> asset_ids;  // assets with data in the run
};

// What one GetData call asks for, and how to label its answer.
struct WireQuery {
  std::size_t index = 0;  // into DataQuery::channels
  // For messages: `channel 'voltage' (channels[0], run 'r1')`.
  std::string label;
  PageContext context;
  std::optional<std::string> run_id;
  // A channel query: the channel's id; empty for a calculated channel.
  std::string channel_id;
  // A calculated channel: its key, expression and `$N` -> channel id.
  std::string channel_key;
  std::string expression;
  std::vector<std::pair<std::string, std::string>> references;

  bool calculated() const { return context.calculated; }
};

// Every channel name the query needs (channel queries' and references'
// fqn()), in first-use order, each once.
std::vector<std::string> data_channel_names(const DataQuery& query);
// Every run name the query names, in first-use order, each once.
std::vector<std::string> data_run_names(const DataQuery& query);

// Run name -> run id for each of `names`, among `listed` (ListRuns' answer).
// Among same-named runs those with data of `asset_id` are preferred.
// NOT_FOUND naming every name with no run; INVALID_ARGUMENT listing the ids
// when a name still has several runs.
absl::StatusOr<std::map<std::string, std::string>> pick_runs(const std::vector<std::string>& names,
                                                             const std::vector<ListedRun>& listed,
                                                             const std::string& asset_id,
                                                             const std::string& asset_name);

// The wire queries of `query`, in its channel order: one per channel with a
// ChannelQuery's name (several for same-named channels of different types),
// one per CalculatedChannelQuery. NOT_FOUND naming every channel the asset
// lacks (with where the query uses it) and the asset; INVALID_ARGUMENT for a
// reference that cannot pick one channel or, with `check_expressions`, an
// expression that does not check (check_calculated_expression).
absl::StatusOr<std::vector<WireQuery>> plan_wire_queries(
    const DataQuery& query, const ListedChannels& channels,
    const std::map<std::string, std::string>& run_ids, bool check_expressions);

// Checks a calculated channel's expression: it parses, every `$N` it uses is
// bound and every bound one is used, and operand types fit (as rule
// expressions, see check_expression()), but its value may be of any type:
// a calculated channel is a number, string, boolean or enum, not only a
// condition. INVALID_ARGUMENT `column N: <what>` or `$N ...`.
absl::Status check_calculated_expression(const std::string& expression,
                                         const std::map<int, ExpressionChannel>& bound);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_DATA_PLAN_H_
