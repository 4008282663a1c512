// write_csv: rows streamed through a bounded buffer into a temporary file in
// the target's directory, renamed over the target only when complete.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "internal/data_csv.h"
#include "sift/data/table.h"
#include "sift/status.h"

namespace sift {
namespace {

// Bytes buffered before a write(2); bounds memory whatever the table size.
constexpr std::size_t kFlushBytes = 1 << 20;

absl::Status os_error(std::string_view what, const std::string& path, int error) {
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat("write_csv: cannot ", internal::to_absl_view(what), " '", path,
                                   "': ", std::strerror(error)));
}

// An O_EXCL file next to `path`; removed by the destructor unless committed.
class TempFile {
 public:
  explicit TempFile(const std::string& target) : target_(target) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  absl::Status open() {
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string candidate =
          absl::StrCat(target_, ".", ::getpid(), ".", counter.fetch_add(1), ".tmp");
      fd_ = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) {
        path_ = std::move(candidate);
        return absl::OkStatus();
      }
      if (errno != EEXIST) return os_error("create a temporary file for", target_, errno);
    }
    return os_error("create a temporary file for", target_, EEXIST);
  }

  absl::Status write(std::string& buffer) {
    const char* data = buffer.data();
    std::size_t left = buffer.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, data, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("write", path_, errno);
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    buffer.clear();
    return absl::OkStatus();
  }

  absl::Status commit() {
    if (::fsync(fd_) != 0) return os_error("sync", path_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return os_error("close", path_, errno);
    if (::rename(path_.c_str(), target_.c_str()) != 0) return os_error("rename to", target_, errno);
    path_.clear();
    return absl::OkStatus();
  }

 private:
  const std::string& target_;
  std::string path_;
  int fd_ = -1;
};

void append_time(std::string& out, int64_t ns, const CsvOptions& options) {
  if (options.time_format == CsvOptions::TimeFormat::kUnixNanos) {
    absl::StrAppend(&out, ns);
  } else {
    out += to_rfc3339(Timestamp(std::chrono::nanoseconds(ns)));
  }
}

}  // namespace

absl::Status write_csv(const Table& table, const std::string& path, const CsvOptions& options) {
  if (path.empty()) return absl::InvalidArgumentError("write_csv: empty path");
  const std::string_view eol = options.crlf ? "\r\n" : "\n";
  TempFile file(path);
  SIFT_RETURN_IF_ERROR(file.open());

  std::vector<internal::CsvCellWriter> cells;
  std::vector<internal::AsofCursor> cursors;
  std::string buffer = "time";
  for (std::size_t c = 0; c < table.columns().size(); ++c) {
    cells.emplace_back(*table.columns()[c].series, options);
    cursors.emplace_back(table, c);
    buffer += ',';
    internal::append_csv_text(buffer, table.columns()[c].name);
  }
  buffer.append(eol.data(), eol.size());

  for (const int64_t t : table.time_ns()) {
    append_time(buffer, t, options);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      buffer += ',';
      if (std::optional<std::size_t> index = cursors[c].advance_to(t)) {
        cells[c].append(buffer, *index);
      }
    }
    buffer.append(eol.data(), eol.size());
    if (buffer.size() >= kFlushBytes) SIFT_RETURN_IF_ERROR(file.write(buffer));
  }
  SIFT_RETURN_IF_ERROR(file.write(buffer));
  return file.commit();
}

}  // namespace sift
