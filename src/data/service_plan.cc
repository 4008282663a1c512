// From a DataQuery and the looked-up ids to one wire query per GetData call
// (sift_py's spec 8.2 steps 3, 5 and 6, with the ambiguities it resolves
// silently reported instead).
#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/data_plan.h"
#include "internal/rule_request.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

void add_once(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

std::string run_part(const std::optional<std::string>& run_name) {
  return run_name.has_value() ? absl::StrCat(", run '", *run_name, "'") : std::string();
}

std::string where_calculated(std::size_t i, const CalculatedChannelQuery& q) {
  return absl::StrCat("channels[", i, "] (CalculatedChannelQuery '", q.channel_key, "')");
}

std::string types_of(const std::vector<ListedChannel>& channels) {
  return absl::StrJoin(channels, ", ", [](std::string* out, const ListedChannel& c) {
    absl::StrAppend(out, to_absl_view(as_human_str(c.type.data_type)));
  });
}

// The run id of a run the query names (pick_runs found them all).
absl::StatusOr<std::optional<std::string>> run_id_of(
    const std::optional<std::string>& run_name, const std::map<std::string, std::string>& run_ids) {
  if (!run_name.has_value()) return std::optional<std::string>();
  auto it = run_ids.find(*run_name);
  if (it == run_ids.end()) {
    return absl::InternalError(absl::StrCat("run '", *run_name, "' was not looked up"));
  }
  return std::optional<std::string>(it->second);
}

// The one channel a reference binds to.
absl::StatusOr<const ListedChannel*> pick_channel(std::size_t i, const CalculatedChannelQuery& q,
                                                  const ExpressionChannelReference& reference,
                                                  const std::vector<ListedChannel>& matches) {
  const std::string where = absl::StrCat(where_calculated(i, q), ": reference ",
                                         reference.reference, " (channel '", reference.fqn(), "')");
  if (reference.data_type.has_value()) {
    for (const ListedChannel& c : matches) {
      if (c.type.data_type == *reference.data_type) return &c;
    }
    return absl::InvalidArgumentError(absl::StrCat(where, ": no channel of data type ",
                                                   to_absl_view(as_human_str(*reference.data_type)),
                                                   " (the asset has: ", types_of(matches), ")"));
  }
  if (matches.size() == 1) return &matches.front();
  return absl::InvalidArgumentError(absl::StrCat(where, ": the name is ambiguous, ", matches.size(),
                                                 " channels have it (", types_of(matches),
                                                 "); set the reference's data_type"));
}

absl::StatusOr<WireQuery> plan_calculated(std::size_t i, const CalculatedChannelQuery& q,
                                          const ListedChannels& channels,
                                          const std::map<std::string, std::string>& run_ids,
                                          bool check_expressions) {
  WireQuery wire;
  wire.index = i;
  wire.label = absl::StrCat("calculated channel '", q.channel_key, "' (channels[", i, "]",
                            run_part(q.run_name), ")");
  wire.context.run_name = q.run_name;
  wire.context.calculated = true;
  wire.context.fallback_name = q.channel_key;
  SIFT_ASSIGN_OR_RETURN(wire.run_id, run_id_of(q.run_name, run_ids));
  wire.channel_key = q.channel_key;
  wire.expression = q.expression;
  std::map<int, ExpressionChannel> bound;
  for (const ExpressionChannelReference& reference : q.expression_channel_references) {
    SIFT_ASSIGN_OR_RETURN(const ListedChannel* channel,
                          pick_channel(i, q, reference, channels.at(reference.fqn())));
    wire.references.emplace_back(reference.reference, channel->channel_id);
    const std::optional<int> number = reference_number(reference.reference);
    if (check_expressions && !number.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where_calculated(i, q), ": channel reference '", reference.reference,
                       "' is not '$' followed by a number from 1 to 999999 without leading "
                       "zeros, e.g. '$1'"));
    }
    if (number.has_value()) bound[*number] = channel->type;
  }
  if (check_expressions) {
    const absl::Status checked = check_calculated_expression(q.expression, bound);
    if (!checked.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where_calculated(i, q), ": ", checked.message(), " (expression: '", q.expression, "')"));
    }
  }
  return wire;
}

// `'gpio' (channels[1]), 'volt' (channels[2] reference $1)` for each name the
// asset lacks; empty when it has them all.
std::vector<std::string> missing_channels(const DataQuery& query, const ListedChannels& channels) {
  std::vector<std::string> missing;
  auto lacks = [&](const std::string& name) {
    auto it = channels.find(name);
    return it == channels.end() || it->second.empty();
  };
  for (std::size_t i = 0; i < query.channels.size(); ++i) {
    if (const auto* q = std::get_if<ChannelQuery>(&query.channels[i])) {
      if (lacks(q->fqn())) missing.push_back(absl::StrCat("'", q->fqn(), "' (channels[", i, "])"));
      continue;
    }
    for (const auto& reference :
         std::get<CalculatedChannelQuery>(query.channels[i]).expression_channel_references) {
      if (lacks(reference.fqn())) {
        missing.push_back(absl::StrCat("'", reference.fqn(), "' (channels[", i, "] reference ",
                                       reference.reference, ")"));
      }
    }
  }
  return missing;
}

}  // namespace

std::vector<std::string> data_channel_names(const DataQuery& query) {
  std::vector<std::string> names;
  for (const AnyChannelQuery& entry : query.channels) {
    if (const auto* q = std::get_if<ChannelQuery>(&entry)) {
      add_once(names, q->fqn());
      continue;
    }
    for (const auto& reference :
         std::get<CalculatedChannelQuery>(entry).expression_channel_references) {
      add_once(names, reference.fqn());
    }
  }
  return names;
}

std::vector<std::string> data_run_names(const DataQuery& query) {
  std::vector<std::string> names;
  for (const AnyChannelQuery& entry : query.channels) {
    const std::optional<std::string>& run = std::visit(
        [](const auto& q) -> const std::optional<std::string>& { return q.run_name; }, entry);
    if (run.has_value()) add_once(names, *run);
  }
  return names;
}

absl::StatusOr<std::map<std::string, std::string>> pick_runs(const std::vector<std::string>& names,
                                                             const std::vector<ListedRun>& listed,
                                                             const std::string& asset_id,
                                                             const std::string& asset_name) {
  std::vector<std::string> missing;
  std::map<std::string, std::string> out;
  for (const std::string& name : names) {
    std::vector<const ListedRun*> candidates;
    for (const ListedRun& run : listed) {
      if (run.name == name) candidates.push_back(&run);
    }
    if (candidates.empty()) {
      missing.push_back(name);
      continue;
    }
    std::vector<const ListedRun*> of_asset;
    for (const ListedRun* run : candidates) {
      const auto& ids = run->asset_ids;
      if (std::find(ids.begin(), ids.end(), asset_id) != ids.end()) of_asset.push_back(run);
    }
    const std::vector<const ListedRun*>& chosen = of_asset.empty() ? candidates : of_asset;
    if (chosen.size() > 1) {
      std::vector<std::string> ids;
      for (const ListedRun* run : chosen) ids.push_back(run->run_id);
      return absl::InvalidArgumentError(absl::StrCat(
          "Run name '", name, "' is ambiguous: ", chosen.size(), " runs",
          of_asset.empty() ? "" : absl::StrCat(" with data of asset '", asset_name, "'"),
          " have it (ids ", quoted_list(ids), ")"));
    }
    out[name] = chosen.front()->run_id;
  }
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat(missing.size() == 1 ? "Run " : "Runs ",
                                            quoted_list(missing),
                                            missing.size() == 1 ? " does" : " do", " not exist"));
  }
  return out;
}

absl::StatusOr<std::vector<WireQuery>> plan_wire_queries(
    const DataQuery& query, const ListedChannels& channels,
    const std::map<std::string, std::string>& run_ids, bool check_expressions) {
  const std::vector<std::string> missing = missing_channels(query, channels);
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat("Asset '", query.asset_name, "' has no channel named ",
                                            absl::StrJoin(missing, ", ")));
  }
  std::vector<WireQuery> out;
  for (std::size_t i = 0; i < query.channels.size(); ++i) {
    if (const auto* q = std::get_if<ChannelQuery>(&query.channels[i])) {
      const std::vector<ListedChannel>& matches = channels.at(q->fqn());
      SIFT_ASSIGN_OR_RETURN(std::optional<std::string> run_id, run_id_of(q->run_name, run_ids));
      for (const ListedChannel& channel : matches) {
        WireQuery wire;
        wire.index = i;
        wire.label = absl::StrCat(
            "channel '", q->fqn(), "' (channels[", i, "]",
            matches.size() > 1
                ? absl::StrCat(", ", to_absl_view(as_human_str(channel.type.data_type)))
                : std::string(),
            run_part(q->run_name), ")");
        wire.context.run_name = q->run_name;
        wire.context.fallback_name = q->fqn();
        wire.run_id = run_id;
        wire.channel_id = channel.channel_id;
        out.push_back(std::move(wire));
      }
      continue;
    }
    SIFT_ASSIGN_OR_RETURN(WireQuery wire,
                          plan_calculated(i, std::get<CalculatedChannelQuery>(query.channels[i]),
                                          channels, run_ids, check_expressions));
    out.push_back(std::move(wire));
  }
  return out;
}

}  // namespace internal
}  // namespace sift
