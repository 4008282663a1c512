// The pure parts of FileAttachmentService's requests (spec 9): MIME guess,
// REST base URL, list filter, metadata JSON, the upload response and the
// RemoteFile conversion.
#ifndef SIFT_INTERNAL_FILE_ATTACHMENT_REQUEST_H_
#define SIFT_INTERNAL_FILE_ATTACHMENT_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sift/file_attachment/service.h"
#include "sift/grpc/transport.h"

namespace sift {
namespace remote_files {
namespace v1 {
class RemoteFile;
}  // namespace v1
}  // namespace remote_files

namespace internal {

inline constexpr char kUploadPath[] = "/api/v0/remote-files/upload";
inline constexpr int kListPageSize = 1000;
inline constexpr std::size_t kDeleteBatchSize = 1000;

struct MimeGuess {
  std::string mime_type;  // empty when unknown
  std::string encoding;   // empty when none
};

// Python 3.11's mimetypes.guess_type for `file_name` (sift_py's guess): the
// suffix aliases (`.tgz` = `.tar.gz`), then a last encoding extension
// (`.gz`, `.bz2`, `.xz`, `.br`, `.Z`; case-sensitive), then the type
// extension (lower-cased). A bare `.gz` has an encoding but no type.
MimeGuess guess_mime_type(std::string_view file_name);

// The REST base URL without a trailing `/`: `rest_uri` (scheme added by
// use_ssl when missing, path kept) or sift_py's derivation from the gRPC uri
// (scheme by use_ssl + host[:port]). INVALID_ARGUMENT when there is no host
// or the scheme is not http/https.
absl::StatusOr<std::string> rest_base_url(const SiftChannelConfig& config,
                                          const std::optional<std::string>& rest_uri);

// `entity_id=="<id>" && entity_type=="<runs|annotations|annotation_logs>"`,
// the id escaped as a CEL string.
std::string entity_filter(const Entity& entity);

// The `metadata` form part: sift_py's JSON (json.dumps separators), e.g.
// `{"height": 480, "width": 640}`; empty for std::monostate.
// INVALID_ARGUMENT for a non-finite duration.
absl::StatusOr<std::string> metadata_json(const AttachmentMetadata& metadata);

// `remoteFile.remoteFileId` of the upload response body. INTERNAL naming
// what is missing when the body is not that JSON.
absl::StatusOr<std::string> upload_response_file_id(std::string_view body);

// A proto RemoteFile as the public value.
RemoteFile from_proto(const remote_files::v1::RemoteFile& file);

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_FILE_ATTACHMENT_REQUEST_H_
