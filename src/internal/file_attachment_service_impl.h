// FileAttachmentService's state, shared by src/file_attachment/service*.cc.
#ifndef SIFT_INTERNAL_FILE_ATTACHMENT_SERVICE_IMPL_H_
#define SIFT_INTERNAL_FILE_ATTACHMENT_SERVICE_IMPL_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "internal/http_client.h"
#include "sift/file_attachment/service.h"
#include "sift/grpc/transport.h"
#include "sift/remote_files/v1/remote_files.grpc.pb.h"

namespace sift {

struct FileAttachmentService::Impl {
  SiftChannel channel;
  std::unique_ptr<remote_files::v1::RemoteFileService::Stub> stub;
  std::string rest_base_url;
  internal::HttpSettings http;  // holds the API key for the upload header
  FileAttachmentServiceOptions options;

  // `status` with the API key scrubbed from its message (a server or proxy
  // may echo what it was sent). Every public method's error passes here.
  absl::Status scrub(absl::Status status) const;
  // The same for a server's answer body, before any of it is cut or quoted
  // (a key cut in half would no longer be found).
  void scrub_body(std::string* body) const;

  // GetRemoteFile.
  absl::StatusOr<RemoteFile> get(const std::string& remote_file_id) const;
};

namespace internal {

// The impl of a service that may have been moved from.
inline absl::Status check_impl(const FileAttachmentService::Impl* impl) {
  if (impl == nullptr) {
    return absl::FailedPreconditionError("FileAttachmentService: used after being moved from");
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_FILE_ATTACHMENT_SERVICE_IMPL_H_
