// Looking series up by name, with sift_py's "Ambiguous lookup" rule: a name
// must pick exactly one series.
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sift/data/result.h"

namespace sift {
namespace {

// How many names a NOT_FOUND message lists.
constexpr std::size_t kMaxListedNames = 20;

bool matches(const ChannelTimeSeries& s, const SeriesLookup& lookup) {
  if (s.name != lookup.name) return false;
  if (lookup.data_type.has_value() && s.data_type != *lookup.data_type) return false;
  if (lookup.run_name.has_value() && s.run_name != lookup.run_name) return false;
  if (lookup.asset_name.has_value() && s.asset_name != *lookup.asset_name) return false;
  return true;
}

std::string describe_lookup(const SeriesLookup& lookup) {
  std::string text = absl::StrCat("'", lookup.name, "'");
  if (lookup.data_type.has_value()) {
    absl::StrAppend(&text, " of type ", internal::to_absl_view(as_human_str(*lookup.data_type)));
  }
  if (lookup.run_name.has_value()) absl::StrAppend(&text, " for run '", *lookup.run_name, "'");
  if (lookup.asset_name.has_value()) {
    absl::StrAppend(&text, " of asset '", *lookup.asset_name, "'");
  }
  return text;
}

std::string listed_names(const std::vector<ChannelTimeSeries>& series) {
  std::vector<std::string> names;
  for (const ChannelTimeSeries& s : series) {
    bool seen = false;
    for (const std::string& n : names) seen = seen || n == s.name;
    if (seen) continue;
    if (names.size() == kMaxListedNames) return absl::StrCat(absl::StrJoin(names, ", "), ", ...");
    names.push_back(absl::StrCat("'", s.name, "'"));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<const ChannelTimeSeries*> DataQueryResult::channel(
    const SeriesLookup& lookup) const {
  std::vector<const ChannelTimeSeries*> found;
  for (const ChannelTimeSeries& s : series_) {
    if (matches(s, lookup)) found.push_back(&s);
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    return absl::NotFoundError(
        absl::StrCat("No series ", describe_lookup(lookup),
                     " in the result; series names: ", listed_names(series_)));
  }
  std::vector<std::string> candidates;
  for (const ChannelTimeSeries* s : found) candidates.push_back(describe_series(*s));
  return absl::InvalidArgumentError(absl::StrCat(
      "Ambiguous lookup ", describe_lookup(lookup), ": ", found.size(),
      " series match: ", absl::StrJoin(candidates, ", "),
      "; narrow it with a data type, run or asset name, or pick one from all_channels()"));
}

absl::StatusOr<std::vector<const ChannelTimeSeries*>> DataQueryResult::channels(
    const std::vector<SeriesLookup>& lookups) const {
  std::vector<const ChannelTimeSeries*> out;
  out.reserve(lookups.size());
  for (const SeriesLookup& lookup : lookups) {
    absl::StatusOr<const ChannelTimeSeries*> s = channel(lookup);
    if (!s.ok()) return s.status();
    out.push_back(*s);
  }
  return out;
}

}  // namespace sift
