// Store: calculated channels in GetData, evaluated with the SDK's rule
// expression engine (the same parser, checker and evaluator as rules).
#include <algorithm>
#include <chrono>
#include <set>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "sift/time.h"
#include "store_data.h"
#include "values.h"

namespace sift {
namespace emulator {
namespace {

namespace calc_pb = ::sift::calculated_channels::v1;

// check_expression() wants a boolean condition (rules); a calculated channel
// may have any type, which the checker names once everything else checked.
absl::StatusOr<ChannelDataType> result_type(const Expression& expression,
                                            const std::map<int, ExpressionChannel>& bound) {
  const absl::Status status = check_expression(expression, bound);
  if (status.ok()) return ChannelDataType::kBool;
  constexpr std::string_view kNotCondition =
      "the expression must be a boolean condition, but it is a ";
  const std::string_view message(status.message().data(), status.message().size());
  const std::size_t at = message.find(kNotCondition);
  if (at == std::string_view::npos) return status;
  const std::string_view kind = message.substr(at + kNotCondition.size());
  if (kind == "number") return ChannelDataType::kDouble;
  // Enum values evaluate to their label (their key when unlabelled).
  if (kind == "string" || kind == "enum") return ChannelDataType::kString;
  return status;
}

// The expression's value as a point of the series' type; false when it has
// none (a channel without a sample yet, a division by zero).
bool to_point(ExpressionValue&& value, ChannelDataType type, TypedValue* out) {
  if (const double* number = std::get_if<double>(&value.value)) {
    if (type == ChannelDataType::kDouble) {
      *out = double_value(*number);
      return true;
    }
    if (type == ChannelDataType::kString) {  // an enum key without a label
      *out = string_value(absl::StrCat(static_cast<std::int64_t>(*number)));
      return true;
    }
  } else if (std::string* text = std::get_if<std::string>(&value.value)) {
    if (type == ChannelDataType::kString) {
      *out = string_value(std::move(*text));
      return true;
    }
  } else if (const bool* boolean = std::get_if<bool>(&value.value)) {
    if (type == ChannelDataType::kBool) {
      *out = bool_value(*boolean);
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status Store::plan_calculated_query(const std::string& index_label,
                                          const data_pb::CalculatedChannelQuery& query,
                                          DataPlan* plan) {
  if (query.channel_key().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(index_label, ": a calculated channel query needs a channel_key"));
  }
  const std::string label =
      absl::StrCat(index_label, " (calculated channel '", query.channel_key(), "')");
  if (query.has_mode() && query.mode() != calc_pb::EXPRESSION_MODE_UNSPECIFIED &&
      query.mode() != calc_pb::EXPRESSION_MODE_CALCULATED_CHANNELS &&
      query.mode() != calc_pb::EXPRESSION_MODE_RULES) {
    return absl::UnimplementedError(absl::StrCat(
        label, ": sift-emulator does not implement expression mode ",
        calc_pb::ExpressionMode_Name(query.mode()),
        "; it evaluates EXPRESSION_MODE_CALCULATED_CHANNELS with the rule expression language"));
  }
  const calc_pb::ExpressionRequest& request = query.expression();
  if (request.function_dependencies_size() > 0) {
    return absl::UnimplementedError(
        absl::StrCat(label, ": sift-emulator does not implement user-defined functions"));
  }
  if (request.expression().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": the expression is empty"));
  }

  // Placeholder -> channel id, from the references and the legacy map.
  std::map<int, std::string> ids;
  const auto bind = [&](const std::string& placeholder, const std::string& id) -> absl::Status {
    int n = 0;
    if (!parse_placeholder(placeholder, &n)) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": channel reference '", placeholder,
                                                     "' is not of the form $1, $2, ..."));
    }
    auto [it, inserted] = ids.emplace(n, id);
    if (!inserted && it->second != id) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": ", placeholder, " is bound to two channels"));
    }
    return absl::OkStatus();
  };
  for (const calc_pb::ExpressionChannelReference& ref : request.expression_channel_references()) {
    if (ref.has_calculated_channel()) {
      return absl::UnimplementedError(
          absl::StrCat(label, ": ", ref.channel_reference(),
                       " is bound to a nested calculated channel, which sift-emulator does not "
                       "implement; bind it to a channel_id"));
    }
    if (absl::Status s = bind(ref.channel_reference(), ref.channel_id()); !s.ok()) return s;
  }
  // Older clients still send the deprecated map; it binds the same way.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const auto& legacy = request.channel_references();
#pragma GCC diagnostic pop
  for (const auto& [placeholder, id] : legacy) {
    if (absl::Status s = bind(placeholder, id); !s.ok()) return s;
  }
  if (ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": the expression is bound to no channel"));
  }

  plan->calculated = true;
  plan->key = query.channel_key();
  for (const auto& [n, id] : ids) {
    auto it = channel_by_id_.find(id);
    if (it == channel_by_id_.end()) {
      return absl::NotFoundError(
          absl::StrCat(label, ": channel '", id, "' (bound to $", n, ") not found"));
    }
    const channels_pb::Channel& channel = channels_[it->second].proto;
    const std::size_t asset = asset_by_id_.at(channel.asset_id());
    if (plan->references.empty()) {
      plan->asset = asset;
    } else if (asset != plan->asset) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": $", plan->references.front().first,
                                                     " and $", n,
                                                     " are channels of different assets"));
    }
    const int type = static_cast<int>(channel.data_type());
    if (type == static_cast<int>(ChannelDataType::kBitField) ||
        type == static_cast<int>(ChannelDataType::kBytes)) {
      return absl::UnimplementedError(absl::StrCat(
          label, ": $", n, " is the ", data_type_name(type), " channel '", channel.name(),
          "'; sift-emulator's expressions do not read bit-field or bytes channels"));
    }
    plan->references.emplace_back(n, it->second);
    plan->bound[n] = expression_channel(channel);
  }

  absl::StatusOr<Expression> expression = parse_expression(request.expression());
  if (!expression.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": expression `", request.expression(),
                                                   "`: ", expression.status().message()));
  }
  absl::StatusOr<ChannelDataType> type = result_type(*expression, plan->bound);
  if (!type.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": expression `", request.expression(),
                                                   "`: ", type.status().message()));
  }
  const std::vector<int> used = expression->references();
  for (const auto& [n, channel] : plan->references) {
    (void)channel;
    if (!std::binary_search(used.begin(), used.end(), n)) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": expression `", request.expression(),
                                                     "`: $", n, " is bound but not used"));
    }
  }
  plan->expression = *std::move(expression);
  plan->type = *type;

  if (query.has_run_id()) {
    absl::StatusOr<std::uint32_t> run = run_ordinal(label, query.run_id());
    if (!run.ok()) return run.status();
    plan->run = *run;
  }
  plan->combine_runs =
      !plan->run.has_value() && query.has_combine_run_data() && query.combine_run_data();
  return absl::OkStatus();
}

Store::CalcSource::CalcSource(const Store& store, const DataPlan& plan, std::uint32_t group,
                              std::int64_t end)
    : plan_(plan), end_time_(end) {
  for (const auto& [n, c] : plan.references) {
    Reference ref;
    ref.placeholder = n;
    ref.channel = &store.channels_[c];
    const auto& rows = ref.channel->rows;
    const auto& order = ref.channel->by_run_time;
    // One range per run: the whole group, or every run of the combined one.
    auto from = order.begin();
    if (group != kAllRuns) {
      from = std::partition_point(order.begin(), order.end(),
                                  [&](std::uint32_t i) { return rows[i].run < group; });
    }
    while (from != order.end() && (group == kAllRuns || rows[*from].run == group)) {
      const std::uint32_t run = rows[*from].run;
      const auto to = std::partition_point(from, order.end(),
                                           [&](std::uint32_t i) { return rows[i].run == run; });
      const auto begin = static_cast<std::size_t>(from - order.begin());
      ref.ranges.push_back(Range{begin, static_cast<std::size_t>(to - order.begin()), begin});
      from = to;
    }
    references_.push_back(std::move(ref));
  }
  value_of_ = [this](int placeholder) -> std::optional<TypedValue> {
    for (const Reference& ref : references_) {
      if (ref.placeholder == placeholder && ref.last != nullptr) return ref.last->value;
    }
    return std::nullopt;
  };
}

void Store::CalcSource::seek(std::int64_t time, std::uint32_t) {
  for (Reference& ref : references_) {
    const auto& rows = ref.channel->rows;
    const auto& order = ref.channel->by_run_time;
    ref.last = nullptr;
    for (Range& range : ref.ranges) {
      const auto begin = order.begin() + static_cast<std::ptrdiff_t>(range.begin);
      const auto end = order.begin() + static_cast<std::ptrdiff_t>(range.end);
      const auto at =
          std::partition_point(begin, end, [&](std::uint32_t i) { return rows[i].time_ns < time; });
      range.next = static_cast<std::size_t>(at - order.begin());
      // As of `time`: the channel's last row before it, in any of its runs.
      if (at != begin) {
        const Row& before = rows[*(at - 1)];
        if (ref.last == nullptr || before.time_ns >= ref.last->time_ns) ref.last = &before;
      }
    }
  }
}

bool Store::CalcSource::next() {
  for (;;) {
    std::optional<std::int64_t> time;
    for (const Reference& ref : references_) {
      for (const Range& range : ref.ranges) {
        if (range.next == range.end) continue;
        const std::int64_t t = ref.channel->rows[ref.channel->by_run_time[range.next]].time_ns;
        if (!time.has_value() || t < *time) time = t;
      }
    }
    if (!time.has_value() || *time >= end_time_) return false;
    for (Reference& ref : references_) {
      const auto& rows = ref.channel->rows;
      const auto& order = ref.channel->by_run_time;
      for (Range& range : ref.ranges) {
        while (range.next != range.end && rows[order[range.next]].time_ns == *time) {
          ref.last = &rows[order[range.next]];
          ++range.next;
        }
      }
    }
    time_ = *time;
    absl::StatusOr<ExpressionValue> value =
        evaluate_value(plan_.expression, value_of_, plan_.bound);
    if (!value.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(
          "calculated channel '", plan_.key, "': expression `", plan_.expression.source(),
          "` failed at ", to_rfc3339(Timestamp(std::chrono::nanoseconds(time_))), ": ",
          value.status().message()));
      return false;
    }
    if (to_point(*std::move(value), plan_.type, &value_)) return true;
  }
}

}  // namespace emulator
}  // namespace sift
