#include "http_json.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "internal/json.h"

namespace sift {
namespace emulator {
namespace {

namespace remote_files_pb = ::sift::remote_files::v1;

// The SDK's JSON string writer, so both sides escape alike.
std::string quote(const std::string& text) {
  std::string out;
  internal::append_json_string(&out, text);
  return out;
}

enum class MediaKind { kNone, kImage, kVideo, kAudio };

MediaKind kind_of(const std::string& mime_type, const google::protobuf::Struct& object) {
  if (absl::StartsWithIgnoreCase(mime_type, "image/")) return MediaKind::kImage;
  if (absl::StartsWithIgnoreCase(mime_type, "video/")) return MediaKind::kVideo;
  if (absl::StartsWithIgnoreCase(mime_type, "audio/")) return MediaKind::kAudio;
  const auto& f = object.fields();
  const bool frame = f.count("height") != 0 || f.count("width") != 0;
  const bool timed = f.count("duration_seconds") != 0 || f.count("durationSeconds") != 0 ||
                     f.count("timestamp") != 0;
  if (frame) return timed ? MediaKind::kVideo : MediaKind::kImage;
  return timed ? MediaKind::kAudio : MediaKind::kNone;
}

template <typename Message>
absl::Status parse_into(const std::string& json, const char* what, Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("form part 'metadata' is not valid ", what,
                                                 " metadata (", status.ToString(), ")"));
}

}  // namespace

std::string json_error(absl::StatusCode code, const std::string& message) {
  return absl::StrCat("{\"code\": ", static_cast<int>(code), ", \"message\": ", quote(message),
                      "}");
}

std::string upload_response_json(const remote_files_pb::RemoteFile& file) {
  remote_files_pb::GetRemoteFileResponse wrapper;  // its one field is `remote_file`
  *wrapper.mutable_remote_file() = file;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(wrapper, &json, options);
  if (!status.ok()) {
    // Cannot happen for a message we built; still answer JSON.
    return absl::StrCat("{\"remoteFile\": {\"remoteFileId\": ", quote(file.remote_file_id()), "}}");
  }
  return json;
}

absl::Status parse_file_metadata(const std::string& json, remote_files_pb::RemoteFile* file) {
  if (absl::StripAsciiWhitespace(json).empty()) return absl::OkStatus();
  google::protobuf::Struct object;
  if (absl::Status s = parse_into(json, "JSON object", &object); !s.ok()) return s;
  switch (kind_of(file->file_mime_type(), object)) {
    case MediaKind::kImage:
      return parse_into(json, "image", file->mutable_image_metadata());
    case MediaKind::kVideo:
      return parse_into(json, "video", file->mutable_video_metadata());
    case MediaKind::kAudio:
      return parse_into(json, "audio", file->mutable_audio_metadata());
    case MediaKind::kNone:
      if (object.fields().empty()) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat("form part 'metadata' has no image, video or audio keys (height, width, "
                       "duration_seconds, timestamp) for a file of type '",
                       file->file_mime_type(), "'"));
  }
  return absl::OkStatus();
}

}  // namespace emulator
}  // namespace sift
