// sift.remote_files.v1.RemoteFile -> sift::RemoteFile.
#include <chrono>
#include <cstdint>

#include <google/protobuf/timestamp.pb.h>

#include "internal/file_attachment_request.h"
#include "sift/remote_files/v1/remote_files.pb.h"

namespace sift {
namespace internal {
namespace {

namespace wire = remote_files::v1;

// Saturates instead of overflowing for timestamps beyond +-292 years.
Timestamp to_timestamp(const google::protobuf::Timestamp& ts) {
  constexpr std::int64_t kMaxSeconds = INT64_MAX / 1000000000 - 1;
  std::int64_t seconds = ts.seconds();
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  if (seconds < -kMaxSeconds) seconds = -kMaxSeconds;
  return Timestamp(std::chrono::nanoseconds(seconds * 1000000000 + ts.nanos()));
}

std::optional<Timestamp> optional_timestamp(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return to_timestamp(ts);
}

}  // namespace

RemoteFile from_proto(const wire::RemoteFile& file) {
  RemoteFile out;
  out.remote_file_id = file.remote_file_id();
  out.organization_id = file.organization_id();
  out.entity.entity_id = file.entity_id();
  out.entity.entity_type = static_cast<EntityType>(file.entity_type());
  out.file_name = file.file_name();
  out.mime_type = file.file_mime_type();
  out.content_encoding = file.file_content_encoding();
  out.file_size = file.file_size();
  if (file.has_description()) out.description = file.description();
  switch (file.metadata_case()) {
    case wire::RemoteFile::kImageMetadata:
      out.metadata = ImageMetadata{file.image_metadata().width(), file.image_metadata().height()};
      break;
    case wire::RemoteFile::kVideoMetadata: {
      const wire::VideoMetadata& video = file.video_metadata();
      out.metadata = VideoMetadata{video.width(), video.height(), video.duration_seconds(),
                                   optional_timestamp(video.has_timestamp(), video.timestamp())};
      break;
    }
    case wire::RemoteFile::kAudioMetadata: {
      const wire::AudioMetadata& audio = file.audio_metadata();
      out.metadata = AudioMetadata{audio.duration_seconds(),
                                   optional_timestamp(audio.has_timestamp(), audio.timestamp())};
      break;
    }
    case wire::RemoteFile::METADATA_NOT_SET:
      break;
  }
  out.created_by_user_id = file.created_by_user_id();
  if (file.has_created_date()) out.created_date = to_timestamp(file.created_date());
  if (file.has_modified_date()) out.modified_date = to_timestamp(file.modified_date());
  return out;
}

}  // namespace internal
}  // namespace sift
