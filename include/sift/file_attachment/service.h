// File attachments on runs, annotations and annotation logs: sift_py's
// `sift_py.file_attachment.service.FileAttachmentService`. Uploads go through
// Sift's REST endpoint (multipart POST, streamed from disk); listing, download
// URLs and deletion through RemoteFileService over gRPC. See
// docs/file_attachments.md.
#ifndef SIFT_FILE_ATTACHMENT_SERVICE_H_
#define SIFT_FILE_ATTACHMENT_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/grpc/transport.h"
#include "sift/time.h"

namespace sift {

// What a file is attached to. Enumerator values are the wire numbers of
// sift.remote_files.v1.EntityType; a file that Sift attached to another kind
// of entity (an asset, a test report) comes back with that wire number.
enum class EntityType : int {
  kRun = 1,
  kAnnotation = 2,
  kAnnotationLog = 4,
};

// sift_py's EntityType strings, used by the upload form and list filters:
// `runs`, `annotations`, `annotation_logs`; empty for any other value.
inline std::string_view entity_type_name(EntityType type) {
  switch (type) {
    case EntityType::kRun:
      return "runs";
    case EntityType::kAnnotation:
      return "annotations";
    case EntityType::kAnnotationLog:
      return "annotation_logs";
  }
  return {};
}

// An entity that files attach to (sift_py's `Entity`).
struct Entity {
  std::string entity_id;
  EntityType entity_type = EntityType::kRun;

  static Entity run(std::string run_id) { return Entity{std::move(run_id), EntityType::kRun}; }
  static Entity annotation(std::string annotation_id) {
    return Entity{std::move(annotation_id), EntityType::kAnnotation};
  }
  static Entity annotation_log(std::string annotation_log_id) {
    return Entity{std::move(annotation_log_id), EntityType::kAnnotationLog};
  }

  friend bool operator==(const Entity& a, const Entity& b) {
    return a.entity_id == b.entity_id && a.entity_type == b.entity_type;
  }
  friend bool operator!=(const Entity& a, const Entity& b) { return !(a == b); }
};

// Metadata sent with an upload (the `metadata` form part, as JSON) and read
// back from the stored file.
struct ImageMetadata {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

struct VideoMetadata {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  float duration_seconds = 0;
  std::optional<Timestamp> timestamp;  // when the recording starts
};

// Not offered by sift_py; the wire has it.
struct AudioMetadata {
  float duration_seconds = 0;
  std::optional<Timestamp> timestamp;
};

// No metadata (std::monostate) or one of the three kinds.
using AttachmentMetadata =
    std::variant<std::monostate, ImageMetadata, VideoMetadata, AudioMetadata>;

// A stored attachment (sift.remote_files.v1.RemoteFile as a plain value).
struct RemoteFile {
  std::string remote_file_id;
  std::string organization_id;
  Entity entity;
  std::string file_name;
  std::string mime_type;
  std::string content_encoding;  // e.g. "gzip"; empty for none
  std::uint64_t file_size = 0;
  std::optional<std::string> description;
  AttachmentMetadata metadata;
  std::string created_by_user_id;
  Timestamp created_date{};
  Timestamp modified_date{};
};

// Retries of the REST calls (the upload POST and the download GET). The
// defaults are sift_py's (urllib3's Retry(total=3, backoff_factor=1)): up to
// 3 retries, no wait before the first, then backoff_factor * 2^(n-1):
// 0 s, 2 s, 4 s. Which failures are retried: docs/file_attachments.md.
struct RestRetryOptions {
  int max_retries = 3;  // 0 = no retries
  std::chrono::milliseconds backoff_factor = std::chrono::seconds(1);
  std::chrono::milliseconds max_backoff = std::chrono::seconds(120);  // urllib3's cap
  // On 429 and 503 a Retry-After header (seconds or an HTTP date) replaces
  // the backoff, capped at max_backoff.
  bool respect_retry_after = true;
};

struct FileAttachmentServiceOptions {
  // The REST base URL, e.g. `https://api.siftstack.com`: a scheme-less
  // `host[:port]` gets https (http when SiftChannelConfig.use_ssl is false);
  // a path is kept (a trailing `/` is dropped). Unset: sift_py's derivation,
  // the scheme by use_ssl + host[:port] of the gRPC uri. Sift's cloud serves
  // REST on a different host than gRPC, so set it there.
  std::optional<std::string> rest_uri;
  RestRetryOptions retry;
  // Time to establish a connection (TCP and TLS); zero = libcurl's default.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  // Limit on one whole transfer attempt; zero = none (sift_py has none).
  std::chrono::milliseconds timeout{0};
  // An attempt that moves no bytes for this long fails (and may be
  // retried); zero = never.
  std::chrono::milliseconds stall_timeout = std::chrono::seconds(60);
  // MIME type for a file whose extension is not in the table. Unset: the
  // upload fails naming the file (sift_py); "application/octet-stream" is
  // what sift_client does.
  std::optional<std::string> fallback_mime_type;
};

// Bytes transferred so far of `total` (0 when unknown). Called on the
// calling thread, from inside the transfer, at most once per chunk; a retry
// starts again from 0. Must not throw.
using TransferProgressCallback = std::function<void(std::uint64_t bytes, std::uint64_t total)>;

struct UploadOptions {
  // Only for users in several organizations (the `organizationId` part).
  std::optional<std::string> organization_id;
  // Sent instead of the type guessed from the extension (the content
  // encoding is still taken from it: `.gz` -> gzip).
  std::optional<std::string> mime_type;
  TransferProgressCallback progress;
};

class FileAttachmentService {
 public:
  // A gRPC channel from `config` (use_sift_channel) and the REST endpoint
  // from `config` and options.rest_uri; the CA bundle of both is
  // config.root_certs_path when set. INVALID_ARGUMENT for an unusable URI or
  // option.
  static absl::StatusOr<FileAttachmentService> create(const SiftChannelConfig& config,
                                                      FileAttachmentServiceOptions options = {});
  // The same over an existing channel (e.g. Emulator::in_process_channel()):
  // `config` gives only the REST side (uri, apikey, use_ssl, root_certs_path).
  static absl::StatusOr<FileAttachmentService> create(SiftChannel channel,
                                                      const SiftChannelConfig& config,
                                                      FileAttachmentServiceOptions options = {});

  ~FileAttachmentService();
  FileAttachmentService(FileAttachmentService&&) noexcept;
  FileAttachmentService& operator=(FileAttachmentService&&) noexcept;
  FileAttachmentService(const FileAttachmentService&) = delete;
  FileAttachmentService& operator=(const FileAttachmentService&) = delete;

  // Uploads `path` (a regular file, streamed from disk) to `entity` with
  // POST <rest>/api/v0/remote-files/upload, then reads the stored record with
  // GetRemoteFile. The MIME type and content encoding come from the
  // extension (`.png.gz` -> image/png + gzip); an unknown extension is
  // INVALID_ARGUMENT mentioning "MIME" unless options.fallback_mime_type or
  // upload.mime_type is set. A non-200 answer is an error naming the HTTP
  // status, its reason and the server's message (401 UNAUTHENTICATED,
  // 403 PERMISSION_DENIED, 404 NOT_FOUND, 413 RESOURCE_EXHAUSTED,
  // 5xx UNAVAILABLE, other 4xx INVALID_ARGUMENT).
  absl::StatusOr<RemoteFile> upload_attachment(const std::filesystem::path& path,
                                               const Entity& entity,
                                               const AttachmentMetadata& metadata = {},
                                               std::optional<std::string> description = {},
                                               const UploadOptions& upload = {});

  // Every attachment of `entity` (ListRemoteFiles, all pages of 1000).
  absl::StatusOr<std::vector<RemoteFile>> retrieve_attachments(const Entity& entity);

  // One attachment by id (GetRemoteFile); NOT_FOUND when there is none.
  absl::StatusOr<RemoteFile> get_attachment(const std::string& remote_file_id);

  // Downloads the file's bytes (GetRemoteFileDownloadUrl, then a GET of that
  // presigned URL without the API key) into a temporary file beside the
  // target, renamed onto it when complete; on any failure the temporary file
  // is removed and the target untouched. `out` is the target path; empty =
  // the remote file name in the current directory; an existing directory =
  // the remote file name in it. Returns the path written.
  absl::StatusOr<std::filesystem::path> download_attachment(
      const RemoteFile& file, const std::filesystem::path& out = {},
      const TransferProgressCallback& progress = {});
  // The same by id (GetRemoteFile first, for the name and size).
  absl::StatusOr<std::filesystem::path> download_attachment(
      const std::string& remote_file_id, const std::filesystem::path& out = {},
      const TransferProgressCallback& progress = {});

  // BatchDeleteRemoteFiles, 1000 ids per call. A failing batch stops the
  // loop; the batches before it stay deleted.
  absl::Status delete_attachments(const std::vector<RemoteFile>& files);
  absl::Status delete_attachments(const std::vector<std::string>& remote_file_ids);
  // sift_py's name.
  absl::Status delete_file_attachments(const std::vector<std::string>& remote_file_ids) {
    return delete_attachments(remote_file_ids);
  }

  // The REST base URL in use (no trailing slash).
  const std::string& rest_base_url() const;
  const FileAttachmentServiceOptions& options() const;

  struct Impl;

 private:
  explicit FileAttachmentService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_FILE_ATTACHMENT_SERVICE_H_
