// The JSON the REST endpoints read and write: error bodies shaped like Sift's
// REST gateway's (`{"code": <gRPC code>, "message": "..."}`), the upload
// response (`{"remoteFile": {...}}`, camelCase proto JSON), and the upload's
// `metadata` part.
#ifndef SIFT_EMULATOR_HTTP_JSON_H_
#define SIFT_EMULATOR_HTTP_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "sift/remote_files/v1/remote_files.pb.h"

namespace sift {
namespace emulator {

std::string json_error(absl::StatusCode code, const std::string& message);

// `{"remoteFile": {...}}` with every scalar field present (an empty
// fileContentEncoding too); uint64 fields are strings, as in proto JSON.
std::string upload_response_json(const ::sift::remote_files::v1::RemoteFile& file);

// Sets the metadata oneof of `file` from the `metadata` part: a JSON object
// with image keys {height, width}, video keys {height, width,
// duration_seconds, timestamp (RFC 3339 or null)} or audio keys
// {duration_seconds, timestamp}. The file's MIME type (image/, video/,
// audio/) says which; for other types the keys do. INVALID_ARGUMENT naming
// the problem otherwise.
absl::Status parse_file_metadata(const std::string& json,
                                 ::sift::remote_files::v1::RemoteFile* file);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_HTTP_JSON_H_
