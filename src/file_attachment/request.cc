// FileAttachmentService's request pieces that need no network: the REST
// base URL (spec 9.1), the list filter (9.3), the metadata JSON and the
// upload response (9.2).
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "internal/cel.h"
#include "internal/file_attachment_request.h"
#include "internal/json.h"
#include "sift/ingestion/channel.h"  // internal::to_absl_view
#include "sift/time.h"

namespace sift {
namespace internal {
namespace {

// absl's whitespace trim, as a std::string_view (Debian's absl::string_view
// is its own type).
std::string_view trim(std::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(to_absl_view(text));
  return std::string_view(trimmed.data(), trimmed.size());
}

// Python's repr of the float (shortest text that reads back as the same
// float; integral values keep a `.0`), as json.dumps writes it.
std::string float_json(float value) {
  std::array<char, 64> buffer;
  const std::to_chars_result result =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  std::string text(buffer.data(), result.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

void append_key(std::string* out, bool* first, std::string_view key) {
  if (!*first) *out += ", ";
  *first = false;
  append_json_string(out, key);
  *out += ": ";
}

void append_timestamp(std::string* out, const std::optional<Timestamp>& timestamp) {
  if (timestamp.has_value()) {
    append_json_string(out, to_rfc3339(*timestamp));
  } else {
    *out += "null";
  }
}

absl::Status check_duration(float duration, const char* type) {
  if (std::isfinite(duration)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(type, ".duration_seconds must be a finite number of seconds"));
}

}  // namespace

absl::StatusOr<std::string> rest_base_url(const SiftChannelConfig& config,
                                          const std::optional<std::string>& rest_uri) {
  const std::string default_scheme = config.use_ssl ? "https" : "http";
  if (!rest_uri.has_value()) {
    const std::string host = normalize_uri(config.uri);
    if (host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("SiftChannelConfig.uri '", to_absl_view(trim(config.uri)),
                       "' has no host to derive the REST URL from (or set "
                       "FileAttachmentServiceOptions.rest_uri)"));
    }
    return absl::StrCat(default_scheme, "://", host);
  }

  const std::string_view text = trim(*rest_uri);
  std::string scheme = default_scheme;
  std::string_view rest = text;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    scheme = absl::AsciiStrToLower(to_absl_view(text.substr(0, scheme_end)));
    rest = text.substr(scheme_end + 3);
    if (scheme != "http" && scheme != "https") {
      return absl::InvalidArgumentError(absl::StrCat("FileAttachmentServiceOptions.rest_uri '",
                                                     to_absl_view(text),
                                                     "': the scheme must be http or https"));
    }
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("FileAttachmentServiceOptions.rest_uri '",
                                                   to_absl_view(text),
                                                   "' must not have a query or fragment"));
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::size_t host_end = rest.find('/');
  if (rest.empty() || host_end == 0) {
    return absl::InvalidArgumentError(absl::StrCat("FileAttachmentServiceOptions.rest_uri '",
                                                   to_absl_view(text), "' has no host"));
  }
  return absl::StrCat(scheme, "://", to_absl_view(rest));
}

std::string entity_filter(const Entity& entity) {
  return absl::StrCat(cel_equals("entity_id", entity.entity_id), " && ",
                      cel_equals("entity_type", entity_type_name(entity.entity_type)));
}

absl::StatusOr<std::string> metadata_json(const AttachmentMetadata& metadata) {
  std::string out;
  bool first = true;
  if (const auto* image = std::get_if<ImageMetadata>(&metadata)) {
    out = "{";
    append_key(&out, &first, "height");
    absl::StrAppend(&out, image->height);
    append_key(&out, &first, "width");
    absl::StrAppend(&out, image->width);
    out += "}";
  } else if (const auto* video = std::get_if<VideoMetadata>(&metadata)) {
    if (absl::Status status = check_duration(video->duration_seconds, "VideoMetadata");
        !status.ok()) {
      return status;
    }
    out = "{";
    append_key(&out, &first, "height");
    absl::StrAppend(&out, video->height);
    append_key(&out, &first, "width");
    absl::StrAppend(&out, video->width);
    append_key(&out, &first, "duration_seconds");
    out += float_json(video->duration_seconds);
    append_key(&out, &first, "timestamp");
    append_timestamp(&out, video->timestamp);
    out += "}";
  } else if (const auto* audio = std::get_if<AudioMetadata>(&metadata)) {
    if (absl::Status status = check_duration(audio->duration_seconds, "AudioMetadata");
        !status.ok()) {
      return status;
    }
    out = "{";
    append_key(&out, &first, "duration_seconds");
    out += float_json(audio->duration_seconds);
    append_key(&out, &first, "timestamp");
    append_timestamp(&out, audio->timestamp);
    out += "}";
  }
  return out;
}

absl::StatusOr<std::string> upload_response_file_id(std::string_view body) {
  constexpr std::size_t kQuoted = 200;
  auto bad = [&](std::string_view what) {
    std::string quoted(body.substr(0, kQuoted));
    if (body.size() > kQuoted) quoted += "...";
    return absl::InternalError(absl::StrCat("the upload response ", to_absl_view(what),
                                            " (expected {\"remoteFile\": {\"remoteFileId\": ...}}"
                                            "); body: '",
                                            quoted, "'"));
  };
  absl::StatusOr<JsonValue> json = parse_json(body);
  if (!json.ok()) return bad(absl::StrCat("is not JSON: ", json.status().message()));
  const JsonValue* file = json->find("remoteFile");
  if (file == nullptr || !file->is_object()) return bad("has no remoteFile object");
  const JsonValue* id = file->find("remoteFileId");
  if (id == nullptr || !id->is_string() || id->text.empty()) {
    return bad("has no remoteFile.remoteFileId");
  }
  return id->text;
}

}  // namespace internal
}  // namespace sift
