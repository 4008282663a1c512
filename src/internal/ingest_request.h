// Pure request logic of IngestionService, split out so it can be unit tested
// without a server: sift_py's validations (section 5.2 of the behaviour spec)
// and the conversions between our value types and the wire messages.
#ifndef SIFT_INTERNAL_INGEST_REQUEST_H_
#define SIFT_INTERNAL_INGEST_REQUEST_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sift/ingest/v1/ingest.pb.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/request.h"
#include "sift/ingestion_configs/v2/ingestion_configs.pb.h"

namespace sift {
namespace internal {

// Largest CreateIngestionConfig / CreateIngestionConfigFlows request sift_py
// sends (the server's default max message size); above it the SDK switches to
// lazy flow creation.
inline constexpr std::size_t kMaxConfigRequestBytes = 4194304;

// The keyed form (sift_py's checks in its order, after the flow lookup):
// "cannot be empty", "multiple values", "Expected value", "Unexpected channel".
// Returns one value per channel of `flow`, in flow order, `empty` where the
// payload has none. An explicit empty value is accepted (sift_py rejects it).
absl::StatusOr<std::vector<TypedValue>> ordered_values_from_keyed(const FlowConfig& flow,
                                                                  const Flow& payload);

// The positional form: "cannot be empty", "Expected <n> channel values", and
// each value's member must match its channel's type or be empty ("Expected
// value"). sift_py crashes on typed values here (its defect 4).
absl::Status check_positional_values(const FlowConfig& flow,
                                     const FlowOrderedChannelValues& payload);

// Human name of a value's member: the channel type's short name, or "empty".
std::string value_kind_name(const TypedValue& value);

// Our types -> wire.
void encode_value(const TypedValue& value, ingest::v1::IngestWithConfigDataChannelValue* out);
void encode_timestamp(Timestamp timestamp, google::protobuf::Timestamp* out);
// Clears `out` first, so one message can be reused for every request of a batch.
void encode_request(const IngestRequest& request,
                    ingest::v1::IngestWithConfigDataStreamRequest* out);
void encode_flow(const FlowConfig& flow, ingestion_configs::v2::FlowConfig* out);

// Wire -> our types.
TypedValue decode_value(const ingest::v1::IngestWithConfigDataChannelValue& value);
// One encoded IngestWithConfigDataStreamRequest back into an IngestRequest
// (INVALID_ARGUMENT if the bytes do not parse).
absl::StatusOr<IngestRequest> decode_request(absl::string_view bytes);
// INVALID_ARGUMENT naming the flow and channel for an unknown data type.
// Unit and description come back as empty strings (set), as in sift_py.
absl::StatusOr<FlowConfig> decode_flow(const ingestion_configs::v2::FlowConfig& flow);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_INGEST_REQUEST_H_
