// Wire channel values <-> the SDK's TypedValue, and the names used in the
// emulator's validation messages.
#ifndef SIFT_EMULATOR_VALUES_H_
#define SIFT_EMULATOR_VALUES_H_

#include <string>

#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/channel.h"

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

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_VALUES_H_
