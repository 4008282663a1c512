// FileAttachmentService::upload_attachment (spec 9.2): check the file, guess
// its type, POST the multipart form, then GetRemoteFile the new record.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/file_attachment_request.h"
#include "internal/file_attachment_service_impl.h"
#include "internal/http_client.h"
#include "internal/rest_policy.h"
#include "sift/file_attachment/service.h"
#include "sift/ingestion/channel.h"  // internal::to_absl_view
#include "sift/status.h"

namespace sift {
namespace {

namespace fs = std::filesystem;

internal::FormPart text_part(std::string name, std::string value) {
  internal::FormPart part;
  part.name = std::move(name);
  part.value = std::move(value);
  return part;
}

// "upload of 'a.png' to runs 'run-id'": the start of every upload error.
std::string what(const fs::path& path, const Entity& entity) {
  return absl::StrCat("upload of '", path.string(), "' to ",
                      internal::to_absl_view(entity_type_name(entity.entity_type)), " '",
                      entity.entity_id, "'");
}

// The error for a non-200 answer: HTTP code, reason, the server's message.
absl::Status answer_status(const internal::HttpAnswer& answer, const std::string& context,
                           const std::string& url) {
  std::string message = absl::StrCat(context, ": HTTP ", answer.status);
  if (!answer.reason.empty()) absl::StrAppend(&message, " ", answer.reason);
  const std::string server = internal::server_message(answer.body);
  if (!server.empty()) absl::StrAppend(&message, ": ", server);
  absl::StrAppend(&message, " (POST ", internal::url_for_message(url), ", ", answer.attempts,
                  answer.attempts == 1 ? " attempt)" : " attempts)");
  if (answer.status == 401) {
    absl::StrAppend(&message, " (check the API key: SiftChannelConfig.apikey)");
  }
  return absl::Status(internal::http_status_code(answer.status), message);
}

}  // namespace

absl::StatusOr<RemoteFile> FileAttachmentService::upload_attachment(
    const fs::path& path, const Entity& entity, const AttachmentMetadata& metadata,
    std::optional<std::string> description, const UploadOptions& upload) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  const std::string context = what(path, entity);
  if (entity.entity_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(context, ": the entity id is empty"));
  }
  if (entity_type_name(entity.entity_type).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(context, ": entity type ",
                                                   static_cast<int>(entity.entity_type),
                                                   " is not a run, annotation or annotation log"));
  }

  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::is_regular_file(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path.string(), "' does not point to a regular file",
                     error ? absl::StrCat(" (", error.message(), ")") : std::string()));
  }
  const std::uintmax_t size = fs::file_size(path, error);
  if (error) {
    return absl::Status(absl::ErrnoToStatusCode(error.value()),
                        absl::StrCat(context, ": cannot read its size: ", error.message()));
  }

  const std::string file_name = path.filename().string();
  internal::MimeGuess guess = internal::guess_mime_type(file_name);
  if (upload.mime_type.has_value()) {
    guess.mime_type = *upload.mime_type;
  } else if (guess.mime_type.empty() && impl_->options.fallback_mime_type.has_value()) {
    guess.mime_type = *impl_->options.fallback_mime_type;
  }
  if (guess.mime_type.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": cannot guess the MIME type of '", file_name,
        "' from its extension (set UploadOptions.mime_type, or "
        "FileAttachmentServiceOptions.fallback_mime_type such as application/octet-stream)"));
  }
  // It becomes a part header: no line breaks or other control characters.
  if (std::any_of(guess.mime_type.begin(), guess.mime_type.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": the MIME type contains control characters"));
  }
  absl::StatusOr<std::string> metadata_text = internal::metadata_json(metadata);
  if (!metadata_text.ok()) {
    return absl::Status(metadata_text.status().code(),
                        absl::StrCat(context, ": ", metadata_text.status().message()));
  }

  // sift_py's order: entityId, entityType, file, then metadata,
  // organizationId, description when given.
  std::vector<internal::FormPart> parts;
  parts.push_back(text_part("entityId", entity.entity_id));
  parts.push_back(text_part("entityType", std::string(entity_type_name(entity.entity_type))));
  internal::FormPart file;
  file.name = "file";
  file.file_path = path;
  file.file_name = file_name;
  file.mime_type = guess.mime_type;
  file.content_encoding = guess.encoding;
  file.file_size = size;
  parts.push_back(std::move(file));
  if (!metadata_text->empty()) parts.push_back(text_part("metadata", *metadata_text));
  if (upload.organization_id.has_value()) {
    parts.push_back(text_part("organizationId", *upload.organization_id));
  }
  if (description.has_value()) parts.push_back(text_part("description", *description));

  const std::string url = absl::StrCat(impl_->rest_base_url, internal::kUploadPath);
  absl::StatusOr<internal::HttpAnswer> answer =
      internal::http_post_form(impl_->http, url, parts, upload.progress);
  if (!answer.ok()) {
    return impl_->scrub(absl::Status(answer.status().code(),
                                     absl::StrCat(context, ": ", answer.status().message())));
  }
  impl_->scrub_body(&answer->body);
  if (answer->status != 200) return impl_->scrub(answer_status(*answer, context, url));

  absl::StatusOr<std::string> id = internal::upload_response_file_id(answer->body);
  if (!id.ok()) {
    return impl_->scrub(
        absl::Status(id.status().code(), absl::StrCat(context, ": ", id.status().message())));
  }
  absl::StatusOr<RemoteFile> stored = impl_->get(*id);
  if (!stored.ok()) {
    return impl_->scrub(
        absl::Status(stored.status().code(),
                     absl::StrCat(context, ": the file was uploaded as '", *id,
                                  "' but reading it back failed: ", stored.status().message())));
  }
  return stored;
}

}  // namespace sift
