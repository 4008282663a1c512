// A built ingestion request, without protobuf.
#ifndef SIFT_INGESTION_REQUEST_H_
#define SIFT_INGESTION_REQUEST_H_

#include <string>
#include <vector>

#include "sift/ingestion/channel.h"
#include "sift/time.h"

namespace sift {

// One row of one flow, as sent on the wire (`IngestWithConfigDataStreamRequest`):
// one value per channel of the flow, in the flow's channel order. The run id
// is captured when the request is built, not when it is sent.
struct IngestRequest {
  std::string ingestion_config_id;
  std::string flow;
  Timestamp timestamp;
  std::vector<TypedValue> channel_values;
  std::string run_id;
  bool end_stream_on_validation_error = false;
  std::string organization_id;
};

}  // namespace sift

#endif  // SIFT_INGESTION_REQUEST_H_
