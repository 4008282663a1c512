// FileAttachmentService::download_attachment (spec 9.3): the download URL
// over gRPC, then a streamed GET into a temporary file beside the target,
// renamed onto it only when every byte arrived.
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/file_attachment_service_impl.h"
#include "internal/grpc_util.h"
#include "internal/http_client.h"
#include "internal/rest_policy.h"
#include "sift/file_attachment/service.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace fs = std::filesystem;
namespace wire = remote_files::v1;

constexpr char kGetDownloadUrl[] = "RemoteFileService.GetRemoteFileDownloadUrl";

absl::Status errno_status(int error, const std::string& message) {
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat(message, ": ", std::strerror(error)));
}

// The target: `out`, or the remote file's base name in `out` (a directory)
// or in the current directory (`out` empty).
absl::StatusOr<fs::path> target_path(const RemoteFile& file, const fs::path& out) {
  std::error_code error;
  const bool into_directory = out.empty() || fs::is_directory(out, error);
  if (!into_directory) return out;
  const fs::path name = fs::path(file.file_name).filename();
  if (name.empty() || name == "." || name == "..") {
    return absl::InvalidArgumentError(absl::StrCat("remote file '", file.remote_file_id,
                                                   "' has no usable file name ('", file.file_name,
                                                   "'): pass the output path"));
  }
  return out.empty() ? name : out / name;
}

// A temporary file beside `target` that is removed unless released.
class TempFile {
 public:
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  // O_EXCL with a random name; the mode is 0666 less the umask, as for a
  // file the program writes itself.
  absl::Status create(const fs::path& target) {
    const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // getrandom(), not std::random_device (whose constructor can throw); the
    // name needs to be unlikely, not secret, so a failure falls back to the clock.
    std::uint64_t seed = 0;
    if (::getrandom(&seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
      seed =
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    std::mt19937_64 random(seed ^ static_cast<std::uint64_t>(::getpid()));
    for (int tries = 0; tries < 100; ++tries) {
      char suffix[17];
      std::snprintf(suffix, sizeof(suffix), "%016llx", static_cast<unsigned long long>(random()));
      const fs::path candidate =
          directory / absl::StrCat(".", target.filename().string(), ".sift-download-", suffix);
      int fd;
      do {
        fd = ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      } while (fd < 0 && errno == EINTR);
      if (fd >= 0) {
        fd_ = fd;
        path_ = candidate;
        return absl::OkStatus();
      }
      if (errno != EEXIST) {
        return errno_status(
            errno, absl::StrCat("cannot create a temporary file in '", directory.string(), "'"));
      }
    }
    return absl::InternalError(
        absl::StrCat("cannot create a temporary file in '", directory.string(), "'"));
  }

  int fd() const { return fd_; }

  // fsync, close and rename onto `target`; the file is the target's then.
  absl::Status commit(const fs::path& target) {
    if (::fsync(fd_) != 0) return errno_status(errno, "fsync of the downloaded file failed");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return errno_status(errno, "closing the downloaded file failed");
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      return errno_status(errno,
                          absl::StrCat("cannot rename the download onto '", target.string(), "'"));
    }
    path_.clear();
    return absl::OkStatus();
  }

 private:
  int fd_ = -1;
  fs::path path_;
};

}  // namespace

absl::StatusOr<fs::path> FileAttachmentService::download_attachment(
    const std::string& remote_file_id, const fs::path& out,
    const TransferProgressCallback& progress) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  absl::StatusOr<RemoteFile> file = impl_->get(remote_file_id);
  if (!file.ok()) return impl_->scrub(file.status());
  return download_attachment(*file, out, progress);
}

absl::StatusOr<fs::path> FileAttachmentService::download_attachment(
    const RemoteFile& file, const fs::path& out, const TransferProgressCallback& progress) {
  SIFT_RETURN_IF_ERROR(internal::check_impl(impl_.get()));
  if (file.remote_file_id.empty()) {
    return absl::InvalidArgumentError("download_attachment: the remote file id is empty");
  }
  SIFT_ASSIGN_OR_RETURN(const fs::path target, target_path(file, out));
  const std::string context = absl::StrCat("download of remote file '", file.remote_file_id,
                                           "' to '", target.string(), "'");
  auto fail = [&](const absl::Status& status) {
    return impl_->scrub(absl::Status(status.code(), absl::StrCat(context, ": ", status.message())));
  };

  wire::GetRemoteFileDownloadUrlRequest request;
  request.set_remote_file_id(file.remote_file_id);
  wire::GetRemoteFileDownloadUrlResponse response;
  absl::Status status = internal::unary_call(impl_->channel, kGetDownloadUrl, [&](auto* context) {
    return impl_->stub->GetRemoteFileDownloadUrl(context, request, &response);
  });
  if (!status.ok()) return fail(status);
  const std::string& url = response.download_url();
  if (url.empty()) return fail(absl::InternalError("the server returned an empty download URL"));

  TempFile temp;
  if (status = temp.create(target); !status.ok()) return fail(status);
  absl::StatusOr<internal::HttpAnswer> answer =
      internal::http_get_to_fd(impl_->http, url, temp.fd(), file.file_size, progress);
  if (!answer.ok()) return fail(answer.status());
  impl_->scrub_body(&answer->body);
  if (answer->status != 200) {
    std::string message = absl::StrCat("HTTP ", answer->status);
    if (!answer->reason.empty()) absl::StrAppend(&message, " ", answer->reason);
    const std::string server = internal::server_message(answer->body);
    if (!server.empty()) absl::StrAppend(&message, ": ", server);
    absl::StrAppend(&message, " (GET ", internal::url_for_message(url), ", ", answer->attempts,
                    answer->attempts == 1 ? " attempt)" : " attempts)");
    return fail(absl::Status(internal::http_status_code(answer->status), message));
  }
  // A body that ends early without a Content-Length still ends "OK" for
  // HTTP; the stored size is the last word.
  if (file.file_size > 0 && answer->bytes != file.file_size) {
    return fail(absl::UnavailableError(absl::StrCat("the download ended after ", answer->bytes,
                                                    " of ", file.file_size, " bytes (GET ",
                                                    internal::url_for_message(url), ")")));
  }
  if (status = temp.commit(target); !status.ok()) return fail(status);
  return target;
}

}  // namespace sift
