// Store: remote files (attachments on runs, annotations and annotation logs).
// Only records live here; the upload endpoint writes the bytes and the
// RemoteFileService removes them.
#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "files.h"
#include "store.h"

namespace sift {
namespace emulator {
namespace {

remote_files_pb::RemoteFileType file_type_of(const std::string& mime_type) {
  if (absl::StartsWithIgnoreCase(mime_type, "image/"))
    return remote_files_pb::REMOTE_FILE_TYPE_IMAGE;
  if (absl::StartsWithIgnoreCase(mime_type, "video/"))
    return remote_files_pb::REMOTE_FILE_TYPE_VIDEO;
  if (absl::StartsWithIgnoreCase(mime_type, "audio/"))
    return remote_files_pb::REMOTE_FILE_TYPE_AUDIO;
  return remote_files_pb::REMOTE_FILE_TYPE_UNSPECIFIED;
}

// Compares without stopping at the first difference (download tokens).
bool same_token(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ b[i]);
  }
  return diff == 0;
}

absl::Status file_not_found(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("remote file '", id, "' not found"));
}

}  // namespace

std::string Store::next_id() {
  std::lock_guard<std::mutex> lock(mu_);
  return ids_.next();
}

absl::Status Store::check_file_entity_locked(remote_files_pb::EntityType type,
                                             const std::string& entity_id) const {
  switch (type) {
    case remote_files_pb::ENTITY_TYPE_RUN:
      if (run_by_id_.count(entity_id) != 0) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat("run '", entity_id, "' not found"));
    case remote_files_pb::ENTITY_TYPE_ANNOTATION:
      if (annotation_by_id_.count(entity_id) != 0) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat("annotation '", entity_id, "' not found"));
    case remote_files_pb::ENTITY_TYPE_ANNOTATION_LOG:
      if (annotation_log_by_id_.count(entity_id) != 0) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat("annotation log '", entity_id, "' not found"));
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("sift-emulator attaches files to runs, annotations and annotation logs "
                       "only, not to entity type ",
                       remote_files_pb::EntityType_Name(type)));
  }
}

absl::Status Store::check_file_entity(remote_files_pb::EntityType type,
                                      const std::string& entity_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return check_file_entity_locked(type, entity_id);
}

absl::StatusOr<remote_files_pb::RemoteFile> Store::add_remote_file(
    remote_files_pb::RemoteFile file, const std::string& remote_file_id, std::string path,
    std::string token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (absl::Status s = check_file_entity_locked(file.entity_type(), file.entity_id()); !s.ok()) {
    return s;
  }
  if (remote_file_by_id_.count(remote_file_id) != 0) {
    return absl::AlreadyExistsError(absl::StrCat("remote file '", remote_file_id, "' exists"));
  }
  file.set_remote_file_id(remote_file_id);
  file.set_organization_id(organization_id_);
  file.set_storage_key(remote_file_id);
  file.set_created_by_user_id(user_id_);
  file.set_modified_by_user_id(user_id_);
  stamp(file.mutable_created_date(), file.mutable_modified_date());
  file.set_remote_file_type(file_type_of(file.file_mime_type()));
  remote_file_by_id_[remote_file_id] = remote_files_.size();
  remote_files_.push_back(RemoteFileRecord{file, std::move(path), std::move(token)});
  return file;
}

absl::StatusOr<remote_files_pb::RemoteFile> Store::remote_file(
    const std::string& remote_file_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = remote_file_by_id_.find(remote_file_id);
  if (it == remote_file_by_id_.end()) return file_not_found(remote_file_id);
  return remote_files_[it->second].proto;
}

std::vector<remote_files_pb::RemoteFile> Store::remote_files(
    const Predicate<remote_files_pb::RemoteFile>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<remote_files_pb::RemoteFile> out;
  for (auto it = remote_files_.rbegin(); it != remote_files_.rend(); ++it) {
    if (keep(it->proto)) out.push_back(it->proto);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Store::delete_remote_files(
    const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> missing;
  std::set<std::string> doomed;
  for (const std::string& id : ids) {
    if (remote_file_by_id_.count(id) == 0) {
      if (std::find(missing.begin(), missing.end(), id) == missing.end()) missing.push_back(id);
    } else {
      doomed.insert(id);
    }
  }
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat(missing.size() == 1 ? "remote file " : "remote files ",
                                            "'", absl::StrJoin(missing, "', '"),
                                            "' not found; nothing was deleted"));
  }
  std::vector<std::string> paths;
  std::vector<RemoteFileRecord> kept;
  for (RemoteFileRecord& record : remote_files_) {
    if (doomed.count(record.proto.remote_file_id()) != 0) {
      paths.push_back(std::move(record.path));
    } else {
      kept.push_back(std::move(record));
    }
  }
  remote_files_ = std::move(kept);
  remote_file_by_id_.clear();
  for (std::size_t i = 0; i < remote_files_.size(); ++i) {
    remote_file_by_id_[remote_files_[i].proto.remote_file_id()] = i;
  }
  return paths;
}

absl::StatusOr<std::string> Store::remote_file_token(const std::string& remote_file_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = remote_file_by_id_.find(remote_file_id);
  if (it == remote_file_by_id_.end()) return file_not_found(remote_file_id);
  return remote_files_[it->second].token;
}

absl::StatusOr<Store::FileDownload> Store::remote_file_download(const std::string& remote_file_id,
                                                                const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = remote_file_by_id_.find(remote_file_id);
  if (it == remote_file_by_id_.end()) return file_not_found(remote_file_id);
  const RemoteFileRecord& record = remote_files_[it->second];
  if (!same_token(token, record.token)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the download URL of remote file '", remote_file_id,
        "' needs the token GetRemoteFileDownloadUrl gave (missing or wrong `token` parameter)"));
  }
  return FileDownload{record.path, record.proto.file_mime_type()};
}

std::vector<RemoteFileInfo> Store::remote_file_infos() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RemoteFileInfo> out;
  for (const RemoteFileRecord& record : remote_files_) {
    const remote_files_pb::RemoteFile& f = record.proto;
    RemoteFileInfo info;
    info.remote_file_id = f.remote_file_id();
    info.entity_id = f.entity_id();
    info.entity_type = std::string(entity_type_name(f.entity_type()));
    info.file_name = f.file_name();
    info.mime_type = f.file_mime_type();
    info.content_encoding = f.file_content_encoding();
    info.size = f.file_size();
    info.description = f.description();
    info.path = record.path;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
