// DataQuery construction from RFC 3339 text and validation.
#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sift/data/query.h"
#include "sift/status.h"

namespace sift {
namespace {

using internal::to_absl_view;

// `$` followed by one or more digits (sift_py's `^\$\d+$`).
bool is_reference_key(const std::string& key) {
  if (key.size() < 2 || key[0] != '$') return false;
  for (std::size_t i = 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return false;
  }
  return true;
}

std::string run_suffix(const std::optional<std::string>& run_name) {
  return run_name.has_value() ? absl::StrCat(" for run '", *run_name, "'") : std::string();
}

absl::Status check_run_name(const std::string& where, const std::optional<std::string>& run) {
  if (run.has_value() && run->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has an empty run_name; leave it unset to query all data"));
  }
  return absl::OkStatus();
}

absl::Status check_channel(std::size_t i, const ChannelQuery& q) {
  const std::string where = absl::StrCat("channels[", i, "] (ChannelQuery '", q.fqn(), "')");
  if (q.channel_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has an empty channel_name"));
  }
  return check_run_name(where, q.run_name);
}

absl::Status check_calculated(std::size_t i, const CalculatedChannelQuery& q) {
  const std::string where =
      absl::StrCat("channels[", i, "] (CalculatedChannelQuery '", q.channel_key, "')");
  if (q.channel_key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has an empty channel_key"));
  }
  if (q.expression.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has an empty expression"));
  }
  const auto& refs = q.expression_channel_references;
  for (std::size_t r = 0; r < refs.size(); ++r) {
    if (!is_reference_key(refs[r].reference)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": Invalid channel reference key '",
                                                     refs[r].reference,
                                                     "' (expected $ and digits, e.g. $1)"));
    }
    if (refs[r].channel_name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": reference '", refs[r].reference, "' has an empty channel_name"));
    }
    for (std::size_t earlier = 0; earlier < r; ++earlier) {
      if (refs[earlier].reference == refs[r].reference) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": reference '", refs[r].reference, "' is bound twice"));
      }
    }
  }
  return check_run_name(where, q.run_name);
}

// Two entries that would produce the same series.
absl::Status check_duplicates(const std::vector<AnyChannelQuery>& channels) {
  for (std::size_t i = 0; i < channels.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (channels[i].index() != channels[j].index()) continue;
      if (const auto* a = std::get_if<ChannelQuery>(&channels[i])) {
        const auto& b = std::get<ChannelQuery>(channels[j]);
        if (a->fqn() == b.fqn() && a->run_name == b.run_name) {
          return absl::InvalidArgumentError(absl::StrCat("channels[", j, "] and channels[", i,
                                                         "] both query channel '", a->fqn(), "'",
                                                         run_suffix(a->run_name)));
        }
      } else {
        const auto& x = std::get<CalculatedChannelQuery>(channels[i]);
        const auto& y = std::get<CalculatedChannelQuery>(channels[j]);
        if (x.channel_key == y.channel_key && x.run_name == y.run_name) {
          return absl::InvalidArgumentError(absl::StrCat("channels[", j, "] and channels[", i,
                                                         "] both use channel_key '", x.channel_key,
                                                         "'", run_suffix(x.run_name)));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status parse_into(std::string_view field, std::string_view text, Timestamp* out) {
  absl::StatusOr<Timestamp> parsed = parse_rfc3339(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("DataQuery ", to_absl_view(field), ": ", parsed.status().message()));
  }
  *out = *parsed;
  return absl::OkStatus();
}

}  // namespace

absl::Status DataQuery::set_start_time(std::string_view rfc3339) {
  return parse_into("start_time", rfc3339, &start_time);
}

absl::Status DataQuery::set_end_time(std::string_view rfc3339) {
  return parse_into("end_time", rfc3339, &end_time);
}

absl::StatusOr<DataQuery> DataQuery::create(std::string asset_name, Timestamp start_time,
                                            Timestamp end_time,
                                            std::vector<AnyChannelQuery> channels,
                                            uint32_t sample_ms) {
  DataQuery query;
  query.asset_name = std::move(asset_name);
  query.start_time = start_time;
  query.end_time = end_time;
  query.channels = std::move(channels);
  query.sample_ms = sample_ms;
  SIFT_RETURN_IF_ERROR(query.validate());
  return query;
}

absl::StatusOr<DataQuery> DataQuery::create(std::string asset_name, std::string_view start_time,
                                            std::string_view end_time,
                                            std::vector<AnyChannelQuery> channels,
                                            uint32_t sample_ms) {
  DataQuery query;
  SIFT_RETURN_IF_ERROR(query.set_start_time(start_time));
  SIFT_RETURN_IF_ERROR(query.set_end_time(end_time));
  return create(std::move(asset_name), query.start_time, query.end_time, std::move(channels),
                sample_ms);
}

absl::Status DataQuery::validate() const {
  if (asset_name.empty()) return absl::InvalidArgumentError("DataQuery has an empty asset_name");
  if (end_time <= start_time) {
    return absl::InvalidArgumentError(
        absl::StrCat("DataQuery for asset '", asset_name, "': end_time ", to_rfc3339(end_time),
                     " is not after start_time ", to_rfc3339(start_time),
                     " (the window is [start_time, end_time))"));
  }
  if (channels.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("DataQuery for asset '", asset_name, "' has no channels"));
  }
  if (page_size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("DataQuery for asset '", asset_name, "' has page_size 0"));
  }
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (const auto* q = std::get_if<ChannelQuery>(&channels[i])) {
      SIFT_RETURN_IF_ERROR(check_channel(i, *q));
    } else {
      SIFT_RETURN_IF_ERROR(check_calculated(i, std::get<CalculatedChannelQuery>(channels[i])));
    }
  }
  return check_duplicates(channels);
}

}  // namespace sift
