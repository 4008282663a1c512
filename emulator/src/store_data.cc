// Store: GetData. Each query is resolved first (all of them, so a bad one
// fails the request before anything is read); then the page is filled query
// by query and, within a query, run by run, each series from its channel's
// (run, time, arrival) index: a binary search to the window or the token's
// position, then a scan. Nothing is copied per request but the page itself.
#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "data_page.h"
#include "data_series.h"
#include "data_token.h"
#include "sift/time.h"
#include "store_data.h"

namespace sift {
namespace emulator {
namespace {

// Wire sheet 11.2: page_size 0 means 10,000 and is clamped at 100,000;
// string and bytes pages also stop at about 1 MB.
constexpr std::uint32_t kDefaultDataPageSize = 10000;
constexpr std::uint32_t kMaxDataPageSize = 100000;
constexpr std::size_t kMaxVariableBytes = 1 << 20;

// A Timestamp as nanoseconds, clamped to what int64 holds (so a window from
// year 1 to 9999 simply means "everything").
absl::StatusOr<std::int64_t> window_edge(const char* field, bool present,
                                         const google::protobuf::Timestamp& ts) {
  if (!present) return absl::InvalidArgumentError(absl::StrCat(field, " must be set"));
  if (ts.nanos() < 0 || ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has nanos ", ts.nanos(), ", outside 0..999999999"));
  }
  const __int128 nanos = static_cast<__int128>(ts.seconds()) * 1000000000 + ts.nanos();
  const __int128 lo = std::numeric_limits<std::int64_t>::min();
  const __int128 hi = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::clamp(nanos, lo, hi));
}

std::string time_text(std::int64_t nanos) {
  return to_rfc3339(Timestamp(std::chrono::nanoseconds(nanos)));
}

absl::StatusOr<TimeWindow> window_of(const data_pb::GetDataRequest& request) {
  absl::StatusOr<std::int64_t> start =
      window_edge("start_time", request.has_start_time(), request.start_time());
  if (!start.ok()) return start.status();
  absl::StatusOr<std::int64_t> end =
      window_edge("end_time", request.has_end_time(), request.end_time());
  if (!end.ok()) return end.status();
  if (*end <= *start) {
    return absl::InvalidArgumentError(
        absl::StrCat("end_time (", time_text(*end), ") must be after start_time (",
                     time_text(*start), "): the window is [start_time, end_time)"));
  }
  return TimeWindow{*start, *end};
}

bool is_numeric(ChannelDataType type) {
  switch (type) {
    case ChannelDataType::kDouble:
    case ChannelDataType::kFloat:
    case ChannelDataType::kInt32:
    case ChannelDataType::kUint32:
    case ChannelDataType::kInt64:
    case ChannelDataType::kUint64:
      return true;
    default:
      return false;
  }
}

}  // namespace

// ---- the (run, time, arrival) index

void Store::index_rows(ChannelRecord& channel) {
  std::vector<std::uint32_t>& order = channel.by_run_time;
  const std::vector<Row>& rows = channel.rows;
  const std::size_t indexed = order.size();
  if (indexed == rows.size()) return;
  const auto before = [&rows](std::uint32_t a, std::uint32_t b) {
    const Row& x = rows[a];
    const Row& y = rows[b];
    if (x.run != y.run) return x.run < y.run;
    if (x.time_ns != y.time_ns) return x.time_ns < y.time_ns;
    return a < b;
  };
  order.reserve(rows.size());
  for (std::size_t i = indexed; i < rows.size(); ++i)
    order.push_back(static_cast<std::uint32_t>(i));
  const auto tail = order.begin() + static_cast<std::ptrdiff_t>(indexed);
  if (!std::is_sorted(tail, order.end(), before)) std::sort(tail, order.end(), before);
  if (indexed > 0 && before(*tail, *(tail - 1))) {
    std::inplace_merge(order.begin(), tail, order.end(), before);
  }
}

Store::RowSource::RowSource(const ChannelRecord& channel, std::uint32_t run, std::int64_t end)
    : channel_(channel), end_time_(end) {
  const auto& order = channel.by_run_time;
  const auto& rows = channel.rows;
  const auto first = std::partition_point(order.begin(), order.end(),
                                          [&](std::uint32_t i) { return rows[i].run < run; });
  const auto last =
      std::partition_point(first, order.end(), [&](std::uint32_t i) { return rows[i].run == run; });
  begin_ = static_cast<std::size_t>(first - order.begin());
  end_ = static_cast<std::size_t>(last - order.begin());
  next_ = begin_;
}

void Store::RowSource::seek(std::int64_t time, std::uint32_t tie) {
  const auto& order = channel_.by_run_time;
  const auto& rows = channel_.rows;
  const auto begin = order.begin() + static_cast<std::ptrdiff_t>(begin_);
  const auto end = order.begin() + static_cast<std::ptrdiff_t>(end_);
  const auto at = std::partition_point(begin, end, [&](std::uint32_t i) {
    return rows[i].time_ns < time || (rows[i].time_ns == time && i < tie);
  });
  next_ = static_cast<std::size_t>(at - order.begin());
}

bool Store::RowSource::next() {
  if (next_ >= end_) return false;
  const std::uint32_t row = channel_.by_run_time[next_];
  if (channel_.rows[row].time_ns >= end_time_) return false;
  current_ = row;
  ++next_;
  return true;
}

// ---- planning

absl::StatusOr<std::uint32_t> Store::run_ordinal(const std::string& label,
                                                 const std::string& run_id) const {
  if (run_id.empty()) return 0;
  auto it = run_by_id_.find(run_id);
  if (it == run_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat(label, ": run '", run_id, "' not found"));
  }
  return static_cast<std::uint32_t>(it->second + 1);
}

absl::Status Store::plan_channel_query(const std::string& label, const data_pb::ChannelQuery& query,
                                       DataPlan* plan) {
  if (query.channel_id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": channel_id must not be empty"));
  }
  auto it = channel_by_id_.find(query.channel_id());
  if (it == channel_by_id_.end()) {
    return absl::NotFoundError(
        absl::StrCat(label, ": channel '", query.channel_id(), "' not found"));
  }
  const ChannelRecord& channel = channels_[it->second];
  plan->channel = it->second;
  plan->asset = asset_by_id_.at(channel.proto.asset_id());
  plan->type = static_cast<ChannelDataType>(channel.proto.data_type());
  if (query.has_run_id()) {
    absl::StatusOr<std::uint32_t> run = run_ordinal(label, query.run_id());
    if (!run.ok()) return run.status();
    plan->run = *run;
  }
  return absl::OkStatus();
}

std::optional<std::uint32_t> Store::next_group(const DataPlan& plan,
                                               std::optional<std::uint32_t> after) const {
  if (plan.run.has_value()) return after.has_value() ? std::nullopt : plan.run;
  if (plan.combine_runs) {
    return after.has_value() ? std::nullopt : std::optional<std::uint32_t>(kAllRuns);
  }
  const std::uint32_t from = after.has_value() ? *after + 1 : 0;
  std::optional<std::uint32_t> out;
  for (std::size_t c : plan.channels()) {
    const ChannelRecord& channel = channels_[c];
    const auto& rows = channel.rows;
    const auto& order = channel.by_run_time;
    const auto at = std::partition_point(order.begin(), order.end(),
                                         [&](std::uint32_t i) { return rows[i].run < from; });
    if (at == order.end()) continue;
    const std::uint32_t run = rows[*at].run;
    if (!out.has_value() || run < *out) out = run;
  }
  return out;
}

data_pb::Metadata Store::series_metadata(const DataPlan& plan, std::uint32_t group,
                                         std::uint32_t sampled_ms) const {
  data_pb::Metadata metadata;
  metadata.set_sampled_ms(sampled_ms);
  const assets_pb::Asset& asset = assets_[plan.asset];
  metadata.mutable_asset()->set_asset_id(asset.asset_id());
  metadata.mutable_asset()->set_name(asset.name());
  if (group != 0 && group != kAllRuns) {
    const runs_pb::Run& run = runs_[group - 1];
    metadata.mutable_run()->set_run_id(run.run_id());
    metadata.mutable_run()->set_name(run.name());
  }
  data_pb::Metadata::Channel* out = metadata.mutable_channel();
  if (plan.calculated) {
    // Sift reports the caller's key where a channel would have its id and name.
    out->set_channel_id(plan.key);
    out->set_name(plan.key);
    return metadata;
  }
  const ChannelRecord& channel = channels_[plan.channel];
  out->set_channel_id(channel.proto.channel_id());
  out->set_name(channel.proto.name());
  if (!channel.unit.empty()) {
    out->mutable_unit()->set_name(channel.unit);
    out->mutable_unit()->set_abbreviated_name(channel.unit);
  }
  out->mutable_enum_types()->CopyFrom(channel.proto.enum_types());
  out->mutable_bit_field_elements()->CopyFrom(channel.proto.bit_field_elements());
  return metadata;
}

// ---- pages

absl::Status Store::get_data(const data_pb::GetDataRequest& request,
                             data_pb::GetDataResponse* response) {
  absl::StatusOr<TimeWindow> window = window_of(request);
  if (!window.ok()) return window.status();
  if (request.queries().empty()) {
    return absl::InvalidArgumentError("queries must hold at least one query");
  }
  const std::size_t page_size =
      request.page_size() == 0 ? kDefaultDataPageSize
                               : std::min<std::uint32_t>(request.page_size(), kMaxDataPageSize);
  const std::uint64_t fingerprint = request_fingerprint(request);
  std::optional<DataCursor> cursor;
  if (!request.page_token().empty()) {
    absl::StatusOr<DataCursor> decoded = decode_data_token(
        request.page_token(), fingerprint, static_cast<std::size_t>(request.queries_size()));
    if (!decoded.ok()) return decoded.status();
    cursor = *decoded;
  }

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DataPlan> plans(static_cast<std::size_t>(request.queries_size()));
  for (int i = 0; i < request.queries_size(); ++i) {
    const data_pb::Query& query = request.queries(i);
    const std::string label = absl::StrCat("queries[", i, "]");
    DataPlan& plan = plans[static_cast<std::size_t>(i)];
    absl::Status status;
    if (query.has_channel()) {
      status = plan_channel_query(label, query.channel(), &plan);
    } else if (query.has_calculated_channel()) {
      status = plan_calculated_query(label, query.calculated_channel(), &plan);
    } else {
      status = absl::InvalidArgumentError(
          absl::StrCat(label, " sets neither channel nor calculated_channel"));
    }
    if (!status.ok()) return status;
    for (std::size_t c : plan.channels()) index_rows(channels_[c]);
  }

  PageBudget budget(page_size, kMaxVariableBytes);
  const std::size_t first_query = cursor.has_value() ? cursor->query : 0;
  for (std::size_t q = first_query; q < plans.size(); ++q) {
    const DataPlan& plan = plans[q];
    const bool resuming = cursor.has_value() && q == cursor->query;
    std::optional<std::uint32_t> group =
        resuming ? std::optional<std::uint32_t>(cursor->group) : next_group(plan, std::nullopt);
    if (resuming) {
      const bool fits = plan.run.has_value() ? *group == *plan.run
                        : plan.combine_runs  ? *group == kAllRuns
                                             : *group <= runs_.size();
      if (!fits) {
        return absl::InvalidArgumentError("page_token does not fit this request's queries");
      }
    }
    bool at_cursor = resuming;
    while (group.has_value()) {
      SeriesPosition position;
      position.time = window->start;
      if (at_cursor) position = cursor->position;
      at_cursor = false;
      const bool sampled = request.sample_ms() > 0 && is_numeric(plan.type);
      SeriesWriter writer(plan.type,
                          series_metadata(plan, *group, sampled ? request.sample_ms() : 0));
      std::unique_ptr<PointSource> source;
      if (plan.calculated) {
        source = std::make_unique<CalcSource>(*this, plan, *group, window->end);
      } else {
        source = std::make_unique<RowSource>(channels_[plan.channel], *group, window->end);
      }
      const FillResult result =
          sampled ? fill_lttb(*source, writer, budget, *window,
                              static_cast<std::int64_t>(request.sample_ms()) * 1000000, &position)
                  : fill_full(*source, writer, budget, &position);
      if (absl::Status s = source->status(); !s.ok()) return s;
      if (writer.points() > 0) writer.pack_into(response->add_data());
      if (result == FillResult::kPageFull) {
        response->set_next_page_token(encode_data_token(
            fingerprint, DataCursor{static_cast<std::uint32_t>(q), *group, position}));
        return absl::OkStatus();
      }
      group = next_group(plan, group);
    }
  }
  return absl::OkStatus();
}

}  // namespace emulator
}  // namespace sift
