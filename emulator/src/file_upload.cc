#include "file_upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "files.h"
#include "http_json.h"

namespace sift {
namespace emulator {
namespace {

// Text parts are ids, a type, a description and a small JSON object.
constexpr std::size_t kMaxTextPart = 64 * 1024;
const char* const kTextParts[] = {"entityId", "entityType", "metadata", "organizationId",
                                  "description"};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

int http_status_of(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    default:
      return 500;
  }
}

}  // namespace

FileUpload::FileUpload(Store& store, std::string data_dir, std::uint64_t max_file_size)
    : store_(store), data_dir_(std::move(data_dir)), max_file_size_(max_file_size) {}

FileUpload::~FileUpload() {
  if (!stored_) drop_file();
}

void FileUpload::fail(int http_status, absl::StatusCode code, std::string message) {
  if (!failure_.has_value()) failure_ = HttpReply{http_status, json_error(code, message)};
  sink_ = Sink::kDiscard;
  drop_file();
}

void FileUpload::fail_entity_type() {
  fail(400, absl::StatusCode::kInvalidArgument,
       absl::StrCat("entityType '", text_["entityType"],
                    "' is not one of runs, annotations, annotation_logs"));
}

void FileUpload::drop_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

void FileUpload::on_part(const MultipartPart& part) {
  sink_ = Sink::kDiscard;
  if (failure_.has_value()) return;
  if (part.name == "file") {
    if (has_file_) {
      return fail(400, absl::StatusCode::kInvalidArgument, "more than one form part 'file'");
    }
    has_file_ = true;
    if (!part.filename.has_value() || part.filename->empty()) {
      return fail(400, absl::StatusCode::kInvalidArgument,
                  "form part 'file' has no filename (Content-Disposition: form-data; "
                  "name=\"file\"; filename=\"...\")");
    }
    file_name_ = *part.filename;
    mime_type_ = part.content_type.empty() ? "application/octet-stream" : part.content_type;
    content_encoding_ = part.content_encoding;
    open_file();
    return;
  }
  const bool text = std::any_of(std::begin(kTextParts), std::end(kTextParts),
                                [&](const char* name) { return part.name == name; });
  if (!text) {
    return fail(400, absl::StatusCode::kInvalidArgument,
                absl::StrCat("unknown form part '", part.name,
                             "' (the upload form has entityId, entityType, file, metadata, "
                             "organizationId and description)"));
  }
  if (text_.count(part.name) != 0) {
    return fail(400, absl::StatusCode::kInvalidArgument,
                absl::StrCat("form part '", part.name, "' appears twice"));
  }
  text_part_ = part.name;
  text_sink_ = &text_[part.name];
  sink_ = Sink::kText;
}

void FileUpload::open_file() {
  // The entity usually comes first (sift_py sends it first): then an upload
  // that cannot be stored writes nothing.
  if (text_.count("entityId") != 0 && text_.count("entityType") != 0) {
    const std::optional<remote_files_pb::EntityType> type =
        entity_type_from_name(text_["entityType"]);
    if (!type.has_value()) return fail_entity_type();
    if (absl::Status s = store_.check_file_entity(*type, text_["entityId"]); !s.ok()) {
      return fail(http_status_of(s.code()), s.code(), std::string(s.message()));
    }
  }
  remote_file_id_ = store_.next_id();
  path_ = absl::StrCat(data_dir_, "/", remote_file_id_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const std::string why = std::strerror(errno);
    path_.clear();  // not ours to remove
    return fail(
        500, absl::StatusCode::kInternal,
        absl::StrCat("sift-emulator cannot create ", data_dir_, "/", remote_file_id_, ": ", why));
  }
  sink_ = Sink::kFile;
}

void FileUpload::on_data(const char* data, std::size_t size) {
  switch (sink_) {
    case Sink::kText:
      if (text_sink_->size() + size > kMaxTextPart) {
        return fail(400, absl::StatusCode::kInvalidArgument,
                    absl::StrCat("form part '", text_part_, "' is larger than ",
                                 kMaxTextPart / 1024, " KiB"));
      }
      text_sink_->append(data, size);
      return;
    case Sink::kFile:
      size_ += size;
      if (size_ > max_file_size_) {
        return fail(413, absl::StatusCode::kResourceExhausted,
                    absl::StrCat("file '", file_name_, "' is larger than the upload limit of ",
                                 max_file_size_,
                                 " bytes (sift-emulator --max-file-size, "
                                 "EmulatorOptions::max_file_size)"));
      }
      if (!write_all(fd_, data, size)) {
        const std::string why = std::strerror(errno);
        return fail(500, absl::StatusCode::kInternal,
                    absl::StrCat("sift-emulator cannot write ", path_, ": ", why));
      }
      return;
    case Sink::kNone:
    case Sink::kDiscard:
      return;
  }
}

void FileUpload::on_part_end() {
  if (sink_ == Sink::kFile && fd_ >= 0) {
    if (::close(fd_) != 0) {
      fd_ = -1;
      return fail(500, absl::StatusCode::kInternal,
                  absl::StrCat("sift-emulator cannot write ", path_, ": ", std::strerror(errno)));
    }
    fd_ = -1;
  }
  sink_ = Sink::kNone;
  text_sink_ = nullptr;
}

HttpReply FileUpload::finish(const std::string& parse_error) {
  if (!parse_error.empty()) {
    fail(400, absl::StatusCode::kInvalidArgument, absl::StrCat("multipart body: ", parse_error));
  }
  for (const char* required : {"entityId", "entityType"}) {
    if (text_.count(required) == 0) {
      fail(400, absl::StatusCode::kInvalidArgument,
           absl::StrCat("missing form part '", required, "'"));
    }
  }
  if (!has_file_) fail(400, absl::StatusCode::kInvalidArgument, "missing form part 'file'");
  if (failure_.has_value()) return *failure_;

  const std::optional<remote_files_pb::EntityType> type =
      entity_type_from_name(text_["entityType"]);
  if (!type.has_value()) {
    fail_entity_type();
    return *failure_;
  }
  remote_files_pb::RemoteFile file;
  file.set_entity_id(text_["entityId"]);
  file.set_entity_type(*type);
  file.set_file_name(file_name_);
  file.set_file_mime_type(mime_type_);
  file.set_file_content_encoding(content_encoding_);
  file.set_file_size(size_);
  if (auto it = text_.find("description"); it != text_.end()) file.set_description(it->second);
  if (auto it = text_.find("metadata"); it != text_.end()) {
    if (absl::Status s = parse_file_metadata(it->second, &file); !s.ok()) {
      fail(400, s.code(), std::string(s.message()));
      return *failure_;
    }
  }
  absl::StatusOr<remote_files_pb::RemoteFile> stored =
      store_.add_remote_file(std::move(file), remote_file_id_, path_, random_token());
  if (!stored.ok()) {
    fail(http_status_of(stored.status().code()), stored.status().code(),
         std::string(stored.status().message()));
    return *failure_;
  }
  stored_ = true;
  return HttpReply{200, upload_response_json(*stored)};
}

}  // namespace emulator
}  // namespace sift
