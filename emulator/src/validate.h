// Stateless request checks, run before the store is touched.
#ifndef SIFT_EMULATOR_VALIDATE_H_
#define SIFT_EMULATOR_VALIDATE_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "sift/ingestion_configs/v2/ingestion_configs.pb.h"

namespace sift {
namespace emulator {

using WireFlows = google::protobuf::RepeatedPtrField<::sift::ingestion_configs::v2::FlowConfig>;

// Every flow named, no flow name twice in the request, every channel named
// with a data type in 1..11, no channel name twice in a flow.
// INVALID_ARGUMENT naming the flow and channel.
absl::Status validate_flows(const WireFlows& flows);

// Sift's run client-key rule: 3-128 characters, first and last alphanumeric,
// letters, digits and `_ ~ . -` in between.
absl::Status validate_run_client_key(const std::string& client_key);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_VALIDATE_H_
