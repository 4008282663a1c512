// Wire channel values <-> the SDK's TypedValue, the names used in the
// emulator's validation messages, and the conversions the rule evaluator and
// GetData share.
#ifndef SIFT_EMULATOR_VALUES_H_
#define SIFT_EMULATOR_VALUES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/timestamp.pb.h"
#include "sift/channels/v3/channels.pb.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/channel.h"
#include "sift/rule/expression.h"

namespace sift {
namespace emulator {

using WireValue = ::sift::ingest::v1::IngestWithConfigDataChannelValue;

// `double`, `bit_field`, ... for a wire data type number; `unspecified (N)`
// for anything outside 1..11.
std::string data_type_name(int data_type);
// The oneof member a value sets (`double`, `empty`, ...), `nothing` when unset.
std::string value_kind_name(const WireValue& value);
// True when the value sets the member of `data_type` (`empty` is checked apart).
bool value_matches(const WireValue& value, int data_type);
// The stored form of a value that value_matches() something.
TypedValue to_typed_value(const WireValue& value);

// Nanoseconds since the epoch as a Timestamp (nanos always in 0..999999999).
google::protobuf::Timestamp proto_time(std::int64_t nanos);
void set_proto_time(google::protobuf::Timestamp* ts, std::int64_t nanos);
// Bits [index, index + count) of a packed bit field (least significant byte
// first), as one element's value.
std::uint32_t element_bits(std::string_view packed, std::int32_t index, std::uint32_t count);
// `$N` with N >= 1 and no leading zero, as the expression language writes it.
bool parse_placeholder(const std::string& key, int* n);
// What the expression checker needs to know about a stored channel.
ExpressionChannel expression_channel(const ::sift::channels::v3::Channel& channel);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_VALUES_H_
