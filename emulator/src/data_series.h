// One GetData entry: the `sift.data.v2.*Values` message of a series' data
// type, filled point by point and packed into a google.protobuf.Any.
#ifndef SIFT_EMULATOR_DATA_SERIES_H_
#define SIFT_EMULATOR_DATA_SERIES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "google/protobuf/any.pb.h"
#include "sift/data/v2/data.pb.h"
#include "sift/ingestion/channel.h"

namespace sift {
namespace emulator {

namespace data_pb = ::sift::data::v2;

// The value of a numeric point (double, float, int32/64, uint32/64) as a
// double; nullopt for every other type (they are never down-sampled).
std::optional<double> numeric_value(const TypedValue& value);

class SeriesWriter {
 public:
  // `metadata` describes the series (its data_type is `type`); a bit-field
  // series gets one element list per `metadata.channel().bit_field_elements`.
  SeriesWriter(ChannelDataType type, data_pb::Metadata metadata);
  ~SeriesWriter();
  SeriesWriter(const SeriesWriter&) = delete;
  SeriesWriter& operator=(const SeriesWriter&) = delete;

  // How many values a point adds to a page (a bit field: one per element).
  std::size_t cost() const { return cost_; }
  // The bytes of a string or bytes value (what the page's size cap counts).
  static std::size_t variable_bytes(const TypedValue& value);

  // Appends a point; `value` must be of the series' type (others are skipped).
  void add(std::int64_t time_ns, const TypedValue& value);
  std::size_t points() const { return points_; }

  // Packs the message under its canonical type URL
  // (`type.googleapis.com/sift.data.v2.DoubleValues`).
  void pack_into(google::protobuf::Any* any) const;

 private:
  struct Message;
  ChannelDataType type_;
  std::unique_ptr<Message> message_;
  std::size_t cost_ = 1;
  std::size_t points_ = 0;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_DATA_SERIES_H_
