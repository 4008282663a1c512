// ChannelTimeSeries helpers that need no protobuf.
#include <string>

#include "absl/strings/str_cat.h"
#include "sift/data/result.h"

namespace sift {

SeriesValues make_series_values(ChannelDataType type) {
  switch (type) {
    case ChannelDataType::kDouble:
      return std::vector<double>();
    case ChannelDataType::kFloat:
      return std::vector<float>();
    case ChannelDataType::kString:
    case ChannelDataType::kBytes:
      return std::vector<std::string>();
    case ChannelDataType::kBool:
      return std::vector<bool>();
    case ChannelDataType::kInt32:
      return std::vector<int32_t>();
    case ChannelDataType::kUint32:
    case ChannelDataType::kEnum:
    case ChannelDataType::kBitField:
      return std::vector<uint32_t>();
    case ChannelDataType::kInt64:
      return std::vector<int64_t>();
    case ChannelDataType::kUint64:
      return std::vector<uint64_t>();
  }
  return std::vector<double>();
}

std::string describe_series(const ChannelTimeSeries& series) {
  std::string text =
      absl::StrCat("'", series.name, "' (", internal::to_absl_view(as_human_str(series.data_type)));
  if (series.bit_field_element.has_value()) {
    absl::StrAppend(&text, ", element '", series.bit_field_element->name, "' of channel '",
                    series.channel_name, "'");
  }
  if (series.calculated) absl::StrAppend(&text, ", calculated channel");
  if (!series.asset_name.empty()) absl::StrAppend(&text, ", asset '", series.asset_name, "'");
  if (series.run_name.has_value()) {
    absl::StrAppend(&text, ", run '", *series.run_name, "'");
  } else {
    absl::StrAppend(&text, ", all runs");
  }
  text += ')';
  return text;
}

}  // namespace sift
