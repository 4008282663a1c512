// The ingestion engine's disk backup (see internal/backup_store.h). Plain
// POSIX I/O throughout: the core builds with -fno-exceptions, and every
// failure has to come back as an absl::Status naming the file.
#include "internal/backup_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

constexpr std::size_t kHeaderBytes = sizeof(kBackupMagic);
constexpr std::size_t kFrameHeaderBytes = 8;  // u32 length + u32 crc
constexpr absl::string_view kFilePrefix = "backup-";
constexpr absl::string_view kFileSuffix = ".sbk";
constexpr std::size_t kSequenceDigits = 20;  // enough for any uint64
// Big enough that replaying a file costs few read() calls per megabyte.
constexpr std::size_t kReadChunkBytes = 256 * 1024;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

// The status for a failed system call; `what` names the operation and path.
absl::Status errno_status(int error, absl::string_view what) {
  return absl::ErrnoToStatus(error, what);
}

// Closes the descriptor when it goes out of scope, so that every early
// return of open() leaves nothing behind.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    // close() is not retried on EINTR: on Linux the descriptor is gone anyway.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

void put_u32_le(std::string& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v), static_cast<char>(v >> 8),
                         static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
  out.append(bytes, sizeof(bytes));
}

std::uint32_t get_u32_le(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 |
         std::uint32_t{u[3]} << 24;
}

// Writes all of `data`, resuming after signals and short writes (a full
// disk or a pipe may take only part). `*written` tells the caller how much
// to undo on failure.
absl::Status write_all(int fd, absl::string_view data, const std::string& path,
                       std::size_t* written) {
  *written = 0;
  while (*written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + *written, data.size() - *written);
    if (n > 0) {
      *written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      // write() returning 0 for a non-empty buffer has no errno; call it EIO.
      return errno_status(n < 0 ? errno : EIO, absl::StrCat("write to ", path));
    }
  }
  return absl::OkStatus();
}

std::string file_name(std::uint64_t sequence) {
  char digits[kSequenceDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020" PRIu64, sequence);
  return absl::StrCat(kFilePrefix, digits, kFileSuffix);
}

// The sequence number of a backup file's name; nullopt for any other name,
// so that foreign files in the directory are left alone.
std::optional<std::uint64_t> parse_file_name(absl::string_view name) {
  if (name.size() != kFilePrefix.size() + kSequenceDigits + kFileSuffix.size()) return {};
  if (!absl::ConsumePrefix(&name, kFilePrefix) || !absl::ConsumeSuffix(&name, kFileSuffix)) {
    return {};
  }
  if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  std::uint64_t sequence = 0;
  if (!absl::SimpleAtoi(name, &sequence)) return {};  // more than uint64 holds
  return sequence;
}

// Reads a file through one growing buffer so that replay costs few system
// calls and at most one allocation per record size seen.
class ChunkReader {
 public:
  ChunkReader(int fd, const std::string& path) : fd_(fd), path_(path) {}

  // Makes `n` bytes available at data(); false when the file ends first.
  absl::StatusOr<bool> ensure(std::size_t n) {
    if (end_ - begin_ >= n) return true;
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (buf_.size() < n) buf_.resize(std::max(n, kReadChunkBytes));
    while (end_ < n) {
      const ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return errno_status(errno, absl::StrCat("read of ", path_));
      if (got == 0) return false;
      end_ += static_cast<std::size_t>(got);
    }
    return true;
  }
  const char* data() const { return buf_.data() + begin_; }
  void consume(std::size_t n) { begin_ += n; }

 private:
  int fd_;
  const std::string& path_;
  std::string buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// Reads the records after the magic; stops at the first bad one.
absl::Status read_records(ChunkReader& reader, std::uint64_t file_size, const std::string& path,
                          const std::function<bool(absl::string_view)>& on_record,
                          BackupReadResult& result) {
  std::uint64_t offset = kHeaderBytes;
  for (;;) {
    SIFT_ASSIGN_OR_RETURN(const bool have_header, reader.ensure(kFrameHeaderBytes));
    if (!have_header) {
      if (offset == file_size) return absl::OkStatus();  // clean end
      break;                                             // torn frame header
    }
    const std::uint32_t length = get_u32_le(reader.data());
    const std::uint32_t crc = get_u32_le(reader.data() + 4);
    // Checking the length against what the file still holds first means a
    // garbage length never makes us allocate for it.
    const std::uint64_t remaining = file_size - std::min(file_size, offset + kFrameHeaderBytes);
    if (length > kMaxBackupRecordBytes || length > remaining) break;
    SIFT_ASSIGN_OR_RETURN(const bool have_payload, reader.ensure(kFrameHeaderBytes + length));
    if (!have_payload) break;  // the file shrank under us
    const absl::string_view payload(reader.data() + kFrameHeaderBytes, length);
    if (crc32(payload.data(), payload.size()) != crc) break;
    ++result.records;
    if (!on_record(payload)) {
      return absl::CancelledError(absl::StrCat("reading ", path, " stopped by the caller"));
    }
    reader.consume(kFrameHeaderBytes + length);
    offset += kFrameHeaderBytes + length;
  }
  result.corrupt_records = 1;
  result.corrupt_bytes = file_size - std::min(file_size, offset);
  return absl::OkStatus();
}

std::string join_path(const std::string& directory, absl::string_view name) {
  if (!directory.empty() && directory.back() == '/') return absl::StrCat(directory, name);
  return absl::StrCat(directory, "/", name);
}

absl::Status make_directories(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::Status(
        absl::ErrnoToStatusCode(error.value()),
        absl::StrCat("cannot create backup directory ", directory, ": ", error.message()));
  }
  return absl::OkStatus();
}

// flock() rather than fcntl() locks: those are per process, so a second
// store in the same process would not be kept out.
absl::StatusOr<UniqueFd> lock_directory(const std::string& directory) {
  const std::string path = join_path(directory, "LOCK");
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_status(errno, absl::StrCat("open of ", path));
  int rc;
  do {
    rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return fd;
  if (errno == EWOULDBLOCK) {
    return absl::FailedPreconditionError(absl::StrCat(
        "backup directory ", directory, " is in use by another live store (", path, " is locked)"));
  }
  return errno_status(errno, absl::StrCat("flock of ", path));
}

struct FileEntry {
  std::uint64_t sequence = 0;
  std::string path;
  std::uint64_t size = 0;
};

// Every backup file in the directory, in sequence order (oldest first).
absl::StatusOr<std::vector<FileEntry>> list_backup_files(const std::string& directory, int dir_fd) {
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return errno_status(errno, absl::StrCat("opendir of ", directory));
  std::vector<FileEntry> files;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    const std::optional<std::uint64_t> sequence = parse_file_name(entry->d_name);
    struct stat st;
    if (!sequence || ::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
      continue;
    }
    files.push_back(
        {*sequence, join_path(directory, entry->d_name), static_cast<std::uint64_t>(st.st_size)});
  }
  const int error = errno;
  ::closedir(dir);
  if (error != 0) return errno_status(error, absl::StrCat("readdir of ", directory));
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.sequence < b.sequence; });
  return files;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;  // the inversion on both ends is what lets a running crc resume
  for (std::size_t i = 0; i < size; ++i) crc = kCrcTable[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

absl::StatusOr<BackupReadResult> read_backup_file(
    const std::string& path, const std::function<bool(absl::string_view payload)>& on_record) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, absl::StrCat("open of ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno_status(errno, absl::StrCat("fstat of ", path));
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  BackupReadResult result;
  // An empty file is one whose creation was cut short before anything was
  // written: nothing was lost, so it is not counted as corrupt.
  if (file_size == 0) return result;
  ChunkReader reader(fd.get(), path);
  SIFT_ASSIGN_OR_RETURN(const bool have_magic, reader.ensure(kHeaderBytes));
  if (!have_magic || std::memcmp(reader.data(), kBackupMagic, kHeaderBytes) != 0) {
    result.corrupt_records = 1;
    result.corrupt_bytes = file_size;
    return result;
  }
  reader.consume(kHeaderBytes);
  SIFT_RETURN_IF_ERROR(read_records(reader, file_size, path, on_record, result));
  return result;
}

struct BackupStore::Impl {
  DiskBackupOptions options;
  // Declared before the other descriptors so that it is released last,
  // after every file is closed.
  UniqueFd lock_fd;
  UniqueFd dir_fd;
  // Files that are done with (leftovers of an earlier process, then files
  // this store rotated away from), oldest first, and their total size.
  std::vector<FileEntry> full_files;
  std::uint64_t full_bytes = 0;
  // The file being appended to; not open until the first append.
  UniqueFd current_fd;
  std::string current_path;
  std::uint64_t current_size = 0;  // 0 until the magic is written
  std::uint64_t current_records = 0;
  std::uint64_t next_sequence = 1;
  bool file_unsynced = false;
  bool dir_unsynced = false;  // a created file's name is not durable yet
  std::optional<std::chrono::steady_clock::time_point> last_sync;
  std::uint64_t records_written = 0;
  std::string frames;  // reused by every append: no allocation once warm

  absl::Status scan_leftovers();
  absl::Status check_records(absl::Span<const absl::string_view> records) const;
  absl::Status check_total(std::uint64_t batch_bytes, bool rotate) const;
  absl::Status create_file();
  absl::Status rotate(std::chrono::steady_clock::time_point now);
  void set_current_aside();
  void build_frames(absl::Span<const absl::string_view> records, std::uint64_t batch_bytes);
  absl::Status write_frames();
  absl::Status sync(std::chrono::steady_clock::time_point now);
  absl::Status sync_if_due(std::chrono::steady_clock::time_point now);
  absl::Status unlink_full_files();
  absl::Status truncate_current();
};

absl::Status BackupStore::Impl::scan_leftovers() {
  SIFT_ASSIGN_OR_RETURN(std::vector<FileEntry> files,
                        list_backup_files(options.directory, dir_fd.get()));
  for (FileEntry& file : files) {
    next_sequence = std::max(next_sequence, file.sequence + 1);
    // A file holding no more than the magic has no record to replay; it is
    // what a process that crashed right after release_all() leaves.
    if (file.size <= kHeaderBytes && ::unlink(file.path.c_str()) == 0) continue;
    full_bytes += file.size;
    full_files.push_back(std::move(file));
  }
  return absl::OkStatus();
}

absl::Status BackupStore::Impl::check_records(absl::Span<const absl::string_view> records) const {
  for (const absl::string_view record : records) {
    // The reader would take a longer record for corruption and stop there.
    if (record.size() > kMaxBackupRecordBytes) {
      return absl::InvalidArgumentError(absl::StrCat("backup record of ", record.size(),
                                                     " bytes is over the limit of ",
                                                     kMaxBackupRecordBytes));
    }
  }
  return absl::OkStatus();
}

absl::Status BackupStore::Impl::check_total(std::uint64_t batch_bytes, bool rotate) const {
  // A file that has no magic yet (a new one, or the current one before its
  // first write) costs its header too.
  std::uint64_t after = full_bytes + batch_bytes;
  after +=
      rotate ? current_size + kHeaderBytes : std::max<std::uint64_t>(current_size, kHeaderBytes);
  if (after <= options.max_total_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("disk backup in ", options.directory, " is full: ", after,
                   " bytes would pass max_total_bytes = ", options.max_total_bytes));
}

absl::Status BackupStore::Impl::create_file() {
  const std::string path = join_path(options.directory, file_name(next_sequence++));
  // O_EXCL: never append to a file we did not list. O_APPEND: writes land at
  // the end even after release_all() truncates the file under the offset.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_status(errno, absl::StrCat("create of ", path));
  current_fd = std::move(fd);
  current_path = path;
  current_size = 0;
  current_records = 0;
  dir_unsynced = true;
  return absl::OkStatus();
}

absl::Status BackupStore::Impl::rotate(std::chrono::steady_clock::time_point now) {
  // Synced before it is set aside: later syncs only ever touch the current file.
  if (file_unsynced) SIFT_RETURN_IF_ERROR(sync(now));
  set_current_aside();
  return absl::OkStatus();
}

// Moves the current file to full_files; the next append creates a new one.
void BackupStore::Impl::set_current_aside() {
  full_files.push_back({0, current_path, current_size});
  full_bytes += current_size;
  current_fd.reset();
  current_path.clear();
  current_size = 0;
  current_records = 0;
  file_unsynced = false;
}

void BackupStore::Impl::build_frames(absl::Span<const absl::string_view> records,
                                     std::uint64_t batch_bytes) {
  frames.clear();  // keeps the capacity
  frames.reserve(kHeaderBytes + batch_bytes);
  if (current_size == 0) frames.append(kBackupMagic, kHeaderBytes);
  for (const absl::string_view record : records) {
    put_u32_le(frames, static_cast<std::uint32_t>(record.size()));
    put_u32_le(frames, crc32(record.data(), record.size()));
    frames.append(record.data(), record.size());
  }
}

absl::Status BackupStore::Impl::write_frames() {
  std::size_t written = 0;
  const absl::Status status = write_all(current_fd.get(), frames, current_path, &written);
  if (status.ok()) {
    current_size += frames.size();
    return status;
  }
  // Cut a partial batch off, or the reader would stop at it and never reach
  // the records appended after it.
  if (written == 0 || ::ftruncate(current_fd.get(), current_size) == 0) return status;
  // Cannot undo it: set the file aside (its records before the tear are
  // still readable) so the next append starts a clean one. Its earlier
  // records get a last, best-effort sync, as no later sync will reach it.
  (void)::fdatasync(current_fd.get());
  current_size += written;
  set_current_aside();
  return status;
}

absl::Status BackupStore::Impl::sync(std::chrono::steady_clock::time_point now) {
  int rc;
  do {
    rc = ::fdatasync(current_fd.get());
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return errno_status(errno, absl::StrCat("fdatasync of ", current_path));
  file_unsynced = false;
  last_sync = now;
  // A new file's data is only durable once its directory entry is. Some
  // file systems cannot sync a directory (EINVAL): nothing more to do there.
  if (dir_unsynced) {
    if (::fsync(dir_fd.get()) != 0 && errno != EINVAL) {
      return errno_status(errno, absl::StrCat("fsync of directory ", options.directory));
    }
    dir_unsynced = false;
  }
  return absl::OkStatus();
}

absl::Status BackupStore::Impl::sync_if_due(std::chrono::steady_clock::time_point now) {
  if (!file_unsynced || !current_fd.valid()) return absl::OkStatus();
  if (last_sync && now - *last_sync < options.fsync_interval) return absl::OkStatus();
  return sync(now);
}

absl::Status BackupStore::Impl::unlink_full_files() {
  absl::Status first_error;
  std::vector<FileEntry> kept;
  for (FileEntry& file : full_files) {
    if (::unlink(file.path.c_str()) == 0 || errno == ENOENT) {
      full_bytes -= file.size;
      continue;
    }
    first_error.Update(errno_status(errno, absl::StrCat("unlink of ", file.path)));
    kept.push_back(std::move(file));  // listed still, so a later call retries it
  }
  full_files = std::move(kept);
  return first_error;
}

absl::Status BackupStore::Impl::truncate_current() {
  if (!current_fd.valid() || current_size <= kHeaderBytes) return absl::OkStatus();
  if (::ftruncate(current_fd.get(), kHeaderBytes) != 0) {
    return errno_status(errno, absl::StrCat("ftruncate of ", current_path));
  }
  current_size = kHeaderBytes;
  current_records = 0;
  // Not synced: should the truncation be lost in a crash, the next process
  // replays rows that were delivered already, a duplicate and not a loss.
  file_unsynced = false;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BackupStore>> BackupStore::open(const DiskBackupOptions& options) {
  if (options.directory.empty()) {
    return absl::InvalidArgumentError("disk backup needs a directory");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  SIFT_RETURN_IF_ERROR(make_directories(options.directory));
  SIFT_ASSIGN_OR_RETURN(impl->lock_fd, lock_directory(options.directory));
  impl->dir_fd.reset(::open(options.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!impl->dir_fd.valid()) {
    return errno_status(errno, absl::StrCat("open of directory ", options.directory));
  }
  SIFT_RETURN_IF_ERROR(impl->scan_leftovers());
  return std::unique_ptr<BackupStore>(new BackupStore(std::move(impl)));
}

BackupStore::BackupStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BackupStore::~BackupStore() {
  Impl& s = *impl_;
  if (!s.current_fd.valid()) return;
  if (s.current_records == 0) {
    // Nothing to keep: leave no header-only file for the next process.
    ::unlink(s.current_path.c_str());
  } else if (s.file_unsynced) {
    // Best effort: a destructor has nobody to report a failure to.
    (void)s.sync(std::chrono::steady_clock::now());
  }
}

absl::Status BackupStore::append(absl::Span<const absl::string_view> records,
                                 std::chrono::steady_clock::time_point now) {
  Impl& s = *impl_;
  if (records.empty()) return absl::OkStatus();
  SIFT_RETURN_IF_ERROR(s.check_records(records));
  std::uint64_t batch_bytes = 0;
  for (const absl::string_view record : records) batch_bytes += kFrameHeaderBytes + record.size();
  // A batch that alone passes max_file_bytes still goes whole into one file.
  const bool rotate =
      s.current_records > 0 && s.current_size + batch_bytes > s.options.max_file_bytes;
  SIFT_RETURN_IF_ERROR(s.check_total(batch_bytes, rotate));
  if (rotate) SIFT_RETURN_IF_ERROR(s.rotate(now));
  if (!s.current_fd.valid()) SIFT_RETURN_IF_ERROR(s.create_file());
  s.build_frames(records, batch_bytes);
  SIFT_RETURN_IF_ERROR(s.write_frames());
  s.current_records += records.size();
  s.records_written += records.size();
  s.file_unsynced = true;
  return s.sync_if_due(now);
}

absl::Status BackupStore::sync_if_due(std::chrono::steady_clock::time_point now) {
  return impl_->sync_if_due(now);
}

std::vector<std::string> BackupStore::pending_files() const {
  std::vector<std::string> paths;
  paths.reserve(impl_->full_files.size() + 1);
  for (const FileEntry& file : impl_->full_files) paths.push_back(file.path);
  if (impl_->current_records > 0) paths.push_back(impl_->current_path);
  return paths;
}

absl::Status BackupStore::release_all() {
  absl::Status status = impl_->unlink_full_files();
  status.Update(impl_->truncate_current());
  return status;
}

std::uint64_t BackupStore::total_bytes() const {
  // The current file counts once it holds records: until then its header
  // is not pending data (and it is not in pending_files()).
  return impl_->full_bytes + (impl_->current_records > 0 ? impl_->current_size : 0);
}

std::uint64_t BackupStore::records_written() const { return impl_->records_written; }

}  // namespace internal
}  // namespace sift
