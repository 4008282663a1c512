// The ingestion engine's disk backup: encoded rows not yet acknowledged by
// the server, appended to files so that an outage longer than memory allows,
// or a crash of the process, loses nothing that reached the disk. Owned and
// used by the sender thread only (not thread-safe). File format:
// docs/ingestion_engine.md ("Disk backup").
#ifndef SIFT_INTERNAL_BACKUP_STORE_H_
#define SIFT_INTERNAL_BACKUP_STORE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sift/ingestion/engine.h"

namespace sift {
namespace internal {

// CRC-32 (IEEE 802.3, the zlib/PNG one): crc32("123456789") == 0xCBF43926.
// Pass the previous result as `crc` to continue a running checksum.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

// Every backup file starts with these 8 bytes.
inline constexpr char kBackupMagic[8] = {'S', 'I', 'F', 'T', 'B', 'K', '0', '1'};
// A record longer than this is taken for corruption when reading back.
inline constexpr std::uint32_t kMaxBackupRecordBytes = 64u << 20;

struct BackupReadResult {
  std::uint64_t records = 0;          // valid records passed to the callback
  std::uint64_t corrupt_records = 0;  // 0 or 1: reading stops at the first bad record
  std::uint64_t corrupt_bytes = 0;    // bytes from the bad record to the end of the file
};

// Reads one backup file from the start, calling `on_record` with each valid
// record's payload in order. Reading stops at the first record that is
// truncated, longer than kMaxBackupRecordBytes or fails its CRC (a torn
// tail), or if the magic is wrong: that is counted, never an error. Returns
// an error only when the file cannot be opened or read, or when `on_record`
// returns false (CANCELLED).
absl::StatusOr<BackupReadResult> read_backup_file(
    const std::string& path, const std::function<bool(absl::string_view payload)>& on_record);

class BackupStore {
 public:
  // Creates `options.directory` if missing and takes an exclusive flock() on
  // `<directory>/LOCK` (FAILED_PRECONDITION naming the directory when another
  // live process holds it). Backup files already there are leftovers of an
  // earlier process: they are listed first by pending_files().
  static absl::StatusOr<std::unique_ptr<BackupStore>> open(const DiskBackupOptions& options);

  ~BackupStore();  // syncs and closes; keeps the files; releases the lock
  BackupStore(const BackupStore&) = delete;
  BackupStore& operator=(const BackupStore&) = delete;

  // Appends the records in order, each framed as
  // [u32 LE payload length][u32 LE crc32(payload)][payload], with one write()
  // per call when possible. Starts a new file first when the current one
  // would pass max_file_bytes. RESOURCE_EXHAUSTED, writing nothing, when the
  // total would pass max_total_bytes. Syncs when the schedule says so.
  absl::Status append(absl::Span<const absl::string_view> records,
                      std::chrono::steady_clock::time_point now);

  // fdatasync() of the current file if it has unsynced data and the last
  // sync is fsync_interval old (the sender calls this while idle too).
  absl::Status sync_if_due(std::chrono::steady_clock::time_point now);

  // Every backup file holding data, oldest first: leftovers, then the files
  // this store wrote that are not released yet (the current one last, if it
  // holds records).
  std::vector<std::string> pending_files() const;

  // Everything appended so far and every leftover was acknowledged: deletes
  // all pending files (the current one is truncated and reused).
  absl::Status release_all();

  // Bytes of all pending files together (headers included).
  std::uint64_t total_bytes() const;
  std::uint64_t records_written() const;  // by append(), since open()

  struct Impl;

 private:
  explicit BackupStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_BACKUP_STORE_H_
