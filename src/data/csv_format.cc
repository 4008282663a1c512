// CSV cell text: exact numbers, RFC 4180 quoting, hex bytes.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "internal/data_csv.h"

namespace sift {
namespace internal {
namespace {

template <typename Float>
void append_float_text(std::string& out, Float value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  // Shortest round-trip form (C++17 <charconv>); inf comes out as `inf`.
  char buffer[64];
  const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, r.ptr);
}

}  // namespace

void append_csv_text(std::string& out, std::string_view text) {
  if (!text.empty() && text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text.data(), text.size());
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_double(std::string& out, double value) { append_float_text(out, value); }

void append_csv_float(std::string& out, float value) { append_float_text(out, value); }

void append_csv_hex(std::string& out, std::string_view bytes) {
  if (bytes.empty()) {
    out += "\"\"";
    return;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
}

CsvCellWriter::CsvCellWriter(const ChannelTimeSeries& series, const CsvOptions& options)
    : series_(series) {
  if (options.enum_labels && series.data_type == ChannelDataType::kEnum) {
    // First label wins when a key repeats, as ChannelTimeSeries::enum_label.
    for (const ChannelEnumType& e : series.enum_types) labels_.emplace(e.key, e.name);
  }
}

void CsvCellWriter::append(std::string& out, std::size_t index) const {
  switch (series_.values.index()) {
    case 0:
      append_csv_double(out, std::get<std::vector<double>>(series_.values)[index]);
      return;
    case 1:
      append_csv_float(out, std::get<std::vector<float>>(series_.values)[index]);
      return;
    case 2: {
      const std::string& text = std::get<std::vector<std::string>>(series_.values)[index];
      if (series_.data_type == ChannelDataType::kBytes) {
        append_csv_hex(out, text);
      } else {
        append_csv_text(out, text);
      }
      return;
    }
    case 3:
      out += std::get<std::vector<bool>>(series_.values)[index] ? "true" : "false";
      return;
    case 4:
      absl::StrAppend(&out, std::get<std::vector<int32_t>>(series_.values)[index]);
      return;
    case 5: {
      const uint32_t value = std::get<std::vector<uint32_t>>(series_.values)[index];
      auto label = labels_.find(value);
      if (label != labels_.end()) {
        append_csv_text(out, label->second);
      } else {
        absl::StrAppend(&out, value);
      }
      return;
    }
    case 6:
      absl::StrAppend(&out, std::get<std::vector<int64_t>>(series_.values)[index]);
      return;
    case 7:
      absl::StrAppend(&out, std::get<std::vector<uint64_t>>(series_.values)[index]);
      return;
  }
}

AsofCursor::AsofCursor(const Table& table, std::size_t column)
    : times_(table.columns()[column].series->time_ns), tolerance_(table.tolerance()) {}

std::optional<std::size_t> AsofCursor::advance_to(int64_t row_time) {
  while (next_ < times_.size() && times_[next_] <= row_time) ++next_;
  if (next_ == 0) return std::nullopt;
  const std::size_t index = next_ - 1;
  const uint64_t age = static_cast<uint64_t>(row_time) - static_cast<uint64_t>(times_[index]);
  if (tolerance_.has_value() && age > static_cast<uint64_t>(tolerance_->count())) {
    return std::nullopt;
  }
  return index;
}

}  // namespace internal
}  // namespace sift
