// GetData's page token: where the next page starts, tied to the request it
// was issued for. It is opaque to clients (web-safe base64 of a short text),
// but resumes by stored keys, not by offsets, so rows ingested between two
// pages never shift a page boundary.
#ifndef SIFT_EMULATOR_DATA_TOKEN_H_
#define SIFT_EMULATOR_DATA_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sift/data/v2/data.pb.h"

namespace sift {
namespace emulator {

// Where one series resumes: the first point at or after (time, tie). With
// down-sampling `time` is the start of the next bucket and `prev_*` is the
// point chosen last (LTTB's left vertex).
struct SeriesPosition {
  std::int64_t time = 0;
  std::uint32_t tie = 0;  // a row's arrival index; 0 for calculated points
  bool has_prev = false;
  std::int64_t prev_time = 0;
  double prev_value = 0.0;
};

// Where a page starts: a query, a group of it (a run ordinal) and a position.
struct DataCursor {
  std::uint32_t query = 0;
  std::uint32_t group = 0;
  SeriesPosition position;
};

// A stable hash of every field of the request but page_token.
std::uint64_t request_fingerprint(const ::sift::data::v2::GetDataRequest& request);

std::string encode_data_token(std::uint64_t fingerprint, const DataCursor& cursor);
// INVALID_ARGUMENT when the token was not issued for this request (another
// request, edited fields, garbage) or names a query it does not have.
absl::StatusOr<DataCursor> decode_data_token(const std::string& token, std::uint64_t fingerprint,
                                             std::size_t query_count);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_DATA_TOKEN_H_
