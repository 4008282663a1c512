// FileAttachmentService: construction, and the gRPC-only operations
// (get, retrieve_attachments, delete_attachments; spec 9.3).
#include "sift/file_attachment/service.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/file_attachment_request.h"
#include "internal/file_attachment_service_impl.h"
#include "internal/grpc_util.h"
#include "internal/paging.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = remote_files::v1;

constexpr char kGetRemoteFile[] = "RemoteFileService.GetRemoteFile";
constexpr char kListRemoteFiles[] = "RemoteFileService.ListRemoteFiles";
constexpr char kBatchDelete[] = "RemoteFileService.BatchDeleteRemoteFiles";

// Keys shorter than this are not scrubbed: replacing every "ab" in a
// message would garble it, and no real key is that short.
constexpr std::size_t kMinScrubbedKey = 4;

absl::Status check_options(const FileAttachmentServiceOptions& options) {
  auto negative = [](std::chrono::milliseconds value) { return value.count() < 0; };
  if (options.retry.max_retries < 0) {
    return absl::InvalidArgumentError("RestRetryOptions.max_retries must not be negative");
  }
  if (negative(options.retry.backoff_factor) || negative(options.retry.max_backoff)) {
    return absl::InvalidArgumentError(
        "RestRetryOptions.backoff_factor and max_backoff must not be negative");
  }
  if (negative(options.connect_timeout) || negative(options.timeout) ||
      negative(options.stall_timeout)) {
    return absl::InvalidArgumentError(
        "FileAttachmentServiceOptions timeouts must not be negative (zero = none)");
  }
  if (options.fallback_mime_type.has_value() && options.fallback_mime_type->empty()) {
    return absl::InvalidArgumentError(
        "FileAttachmentServiceOptions.fallback_mime_type must not be empty when set");
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Replaces every `key` in `text`; false when there was none.
bool redact(const std::string& key, std::string* text) {
  if (key.size() < kMinScrubbedKey) return false;
  bool changed = false;
  constexpr std::string_view kRedacted = "<redacted>";
  for (std::size_t pos = 0; (pos = text->find(key, pos)) != std::string::npos;) {
    text->replace(pos, key.size(), kRedacted.data(), kRedacted.size());
    pos += kRedacted.size();
    changed = true;
  }
  return changed;
}

}  // namespace

absl::Status FileAttachmentService::Impl::scrub(absl::Status status) const {
  if (status.ok()) return status;
  std::string message(status.message());
  return redact(http.apikey, &message) ? absl::Status(status.code(), message) : status;
}

void FileAttachmentService::Impl::scrub_body(std::string* body) const { redact(http.apikey, body); }

absl::StatusOr<RemoteFile> FileAttachmentService::Impl::get(
    const std::string& remote_file_id) const {
  if (remote_file_id.empty()) {
    return absl::InvalidArgumentError("a remote file id must not be empty");
  }
  wire::GetRemoteFileRequest request;
  request.set_remote_file_id(remote_file_id);
  wire::GetRemoteFileResponse response;
  SIFT_RETURN_IF_ERROR(internal::unary_call(channel, kGetRemoteFile, [&](auto* context) {
    return stub->GetRemoteFile(context, request, &response);
  }));
  return internal::from_proto(response.remote_file());
}

absl::StatusOr<FileAttachmentService> FileAttachmentService::create(
    const SiftChannelConfig& config, FileAttachmentServiceOptions options) {
  SIFT_ASSIGN_OR_RETURN(SiftChannel channel, use_sift_channel(config));
  return create(std::move(channel), config, std::move(options));
}

absl::StatusOr<FileAttachmentService> FileAttachmentService::create(
    SiftChannel channel, const SiftChannelConfig& config, FileAttachmentServiceOptions options) {
  if (channel.grpc_channel() == nullptr) {
    return absl::InvalidArgumentError(
        "FileAttachmentService: the SiftChannel has no gRPC channel (use use_sift_channel)");
  }
  SIFT_RETURN_IF_ERROR(check_options(options));
  SIFT_ASSIGN_OR_RETURN(std::string base_url, internal::rest_base_url(config, options.rest_uri));
  if (config.root_certs_path.has_value() && !std::ifstream(*config.root_certs_path)) {
    return absl::InvalidArgumentError(absl::StrCat("could not read root certificates from '",
                                                   *config.root_certs_path,
                                                   "' (SiftChannelConfig.root_certs_path)"));
  }
  SIFT_RETURN_IF_ERROR(internal::ensure_curl_initialized());

  auto impl = std::make_unique<Impl>();
  impl->stub = wire::RemoteFileService::NewStub(channel.grpc_channel());
  impl->channel = std::move(channel);
  impl->rest_base_url = std::move(base_url);
  impl->http.apikey = config.apikey;
  impl->http.ca_file = config.root_certs_path;
  impl->http.retry = options.retry;
  impl->http.connect_timeout = options.connect_timeout;
  impl->http.timeout = options.timeout;
  impl->http.stall_timeout = options.stall_timeout;
  impl->options = std::move(options);
  return FileAttachmentService(std::move(impl));
}

FileAttachmentService::FileAttachmentService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileAttachmentService::~FileAttachmentService() = default;
FileAttachmentService::FileAttachmentService(FileAttachmentService&&) noexcept = default;
FileAttachmentService& FileAttachmentService::operator=(FileAttachmentService&&) noexcept = default;

const std::string& FileAttachmentService::rest_base_url() const {
  static const std::string kNone;
  return impl_ != nullptr ? impl_->rest_base_url : kNone;
}

const FileAttachmentServiceOptions& FileAttachmentService::options() const {
  static const FileAttachmentServiceOptions kNone;
  return impl_ != nullptr ? impl_->options : kNone;
}

absl::StatusOr<RemoteFile> FileAttachmentService::get_attachment(
    const std::string& remote_file_id) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  absl::StatusOr<RemoteFile> file = impl_->get(remote_file_id);
  if (!file.ok()) return impl_->scrub(file.status());
  return file;
}

absl::StatusOr<std::vector<RemoteFile>> FileAttachmentService::retrieve_attachments(
    const Entity& entity) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  if (entity.entity_id.empty()) {
    return absl::InvalidArgumentError("retrieve_attachments: the entity id is empty");
  }
  if (entity_type_name(entity.entity_type).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("retrieve_attachments: entity type ",
                                                   static_cast<int>(entity.entity_type),
                                                   " is not a run, annotation or annotation log"));
  }
  std::vector<RemoteFile> files;
  wire::ListRemoteFilesRequest request;
  request.set_page_size(internal::kListPageSize);
  request.set_filter(internal::entity_filter(entity));
  absl::Status status = internal::list_all(
      impl_->channel, kListRemoteFiles,
      [&](grpc::ClientContext* context, const std::string& token, std::string* next) {
        request.set_page_token(token);
        wire::ListRemoteFilesResponse response;
        grpc::Status result = impl_->stub->ListRemoteFiles(context, request, &response);
        if (result.ok()) {
          for (const wire::RemoteFile& file : response.remote_files()) {
            files.push_back(internal::from_proto(file));
          }
          *next = response.next_page_token();
        }
        return result;
      });
  if (!status.ok()) return impl_->scrub(status);
  return files;
}

absl::Status FileAttachmentService::delete_attachments(const std::vector<RemoteFile>& files) {
  std::vector<std::string> ids;
  ids.reserve(files.size());
  for (const RemoteFile& file : files) ids.push_back(file.remote_file_id);
  return delete_attachments(ids);
}

absl::Status FileAttachmentService::delete_attachments(
    const std::vector<std::string>& remote_file_ids) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  for (std::size_t i = 0; i < remote_file_ids.size(); ++i) {
    if (remote_file_ids[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("delete_attachments: remote file id #", i, " is empty"));
    }
  }
  for (std::size_t start = 0; start < remote_file_ids.size(); start += internal::kDeleteBatchSize) {
    const std::size_t end = std::min(remote_file_ids.size(), start + internal::kDeleteBatchSize);
    wire::BatchDeleteRemoteFilesRequest request;
    for (std::size_t i = start; i < end; ++i) request.add_remote_file_ids(remote_file_ids[i]);
    wire::BatchDeleteRemoteFilesResponse response;
    absl::Status status = internal::unary_call(impl_->channel, kBatchDelete, [&](auto* context) {
      return impl_->stub->BatchDeleteRemoteFiles(context, request, &response);
    });
    if (!status.ok()) {
      if (start > 0) {
        status = absl::Status(status.code(),
                              absl::StrCat(status.message(), " (the first ", start, " of ",
                                           remote_file_ids.size(), " files were deleted)"));
      }
      return impl_->scrub(status);
    }
  }
  return absl::OkStatus();
}

}  // namespace sift
