// The ingestion engine's knobs and counters: how IngestionService (and every
// BufferedIngestion on it) streams rows to Sift. See docs/ingestion_engine.md.
#ifndef SIFT_INGESTION_ENGINE_H_
#define SIFT_INGESTION_ENGINE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace sift {

// What an ingest call does when the queue has no room for its rows.
enum class BackpressurePolicy {
  // Return RESOURCE_EXHAUSTED at once; nothing of the call is queued
  // (counted in IngestionMetrics::rows_rejected). The default: a producer on
  // a control loop must never stall on the network.
  kReject,
  // Wait until there is room (or until `block_timeout`, if set, then
  // RESOURCE_EXHAUSTED).
  kBlock,
  // Discard the oldest queued rows not yet sent to make room (counted in
  // rows_dropped). Rows already sent and awaiting acknowledgement are kept;
  // if they alone fill the limits, the call is refused as with kReject.
  kDropOldest,
};

// Reconnection after a failed stream: exponential backoff with full jitter
// (each wait is uniform in [0, min(max_backoff, initial * multiplier^n)]).
// IngestionService::create refuses negative or NaN values and waits over a day.
struct RetryPolicy {
  bool enabled = true;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 2.0;
  // Give up on the unacknowledged rows once failures have lasted this long
  // without a successful checkpoint: they are dropped and counted (with disk
  // backup they stay on disk and are retried forever instead). Zero: never
  // give up.
  std::chrono::milliseconds max_elapsed{std::chrono::minutes(5)};
};

// Rows not yet acknowledged are also appended to files in `directory`
// (created if missing; one process at a time). Leftover files of a process
// that died are replayed first on the next start. Format and guarantees:
// docs/ingestion_engine.md.
struct DiskBackupOptions {
  std::string directory;
  // Upper bound of all backup files together; when reached, the queue stops
  // draining to disk and backpressure applies to new rows.
  std::uint64_t max_total_bytes = std::uint64_t{1} << 30;  // 1 GiB
  // A file is closed and a new one started past this size.
  std::uint64_t max_file_bytes = std::uint64_t{64} << 20;  // 64 MiB
  // fdatasync() of the file being written at most this long after a write
  // (and at every rotation). Zero: after every batch written.
  std::chrono::milliseconds fsync_interval{500};
};

struct IngestionEngineOptions {
  // Rows held in memory, queued or sent and awaiting acknowledgement. When
  // the unacknowledged part reaches half of either limit, a checkpoint is
  // taken early so memory stays bounded.
  std::size_t max_buffered_rows = 1u << 20;
  std::size_t max_buffered_bytes = std::size_t{64} << 20;  // 64 MiB
  BackpressurePolicy backpressure = BackpressurePolicy::kReject;
  // kBlock only; unset waits for as long as it takes.
  std::optional<std::chrono::milliseconds> block_timeout;
  // The stream is closed, acknowledged by the server (the only proof of
  // delivery) and reopened this often while rows flow, and at every flush().
  // Why 1 s: docs/adr/0004-ingestion-checkpoints.md.
  std::chrono::milliseconds checkpoint_interval{1000};
  // A stream that makes no progress for this long (a hung server) fails
  // with DEADLINE_EXCEEDED and is retried.
  std::chrono::milliseconds stream_timeout{30000};
  RetryPolicy retry;
  std::optional<DiskBackupOptions> disk_backup;
  // How long IngestionService's destructor waits for the queue to drain.
  std::chrono::milliseconds drain_timeout{10000};
  // Runs first on the sender thread, e.g. to name it or set its priority
  // and affinity. Must not throw.
  std::function<void()> on_sender_thread_start;
};

// A snapshot of the engine's counters (IngestionService::metrics()).
struct IngestionMetrics {
  // Accepted by an ingest call into the queue.
  std::uint64_t rows_accepted = 0;
  std::uint64_t bytes_accepted = 0;
  // Refused by an ingest call (queue full, or the service shutting down).
  std::uint64_t rows_rejected = 0;
  // Written to a stream (replays included).
  std::uint64_t rows_sent = 0;
  std::uint64_t bytes_sent = 0;
  // Acknowledged by the server at a checkpoint.
  std::uint64_t rows_acknowledged = 0;
  std::uint64_t bytes_acknowledged = 0;
  // Written again after a failure (the same bytes as the first time).
  std::uint64_t rows_retried = 0;
  // Accepted, then given up on: drop-oldest, retries exhausted, or refused
  // by the server with a non-retryable status.
  std::uint64_t rows_dropped = 0;
  // Now in memory: waiting to be sent / sent and not yet acknowledged.
  std::uint64_t queue_depth_rows = 0;
  std::uint64_t queue_depth_bytes = 0;
  std::uint64_t unacknowledged_rows = 0;
  std::uint64_t reconnects = 0;   // streams opened after a failure
  std::uint64_t checkpoints = 0;  // successful stream closes
  std::uint64_t failed_streams = 0;
  // Disk backup (zero without it).
  std::uint64_t backup_rows_written = 0;
  std::uint64_t backup_bytes = 0;            // on disk now
  std::uint64_t backup_rows_replayed = 0;    // read back from disk and sent
  std::uint64_t backup_corrupt_records = 0;  // skipped when reading back
  // The most recent failure, and when it happened (OK / unset if none).
  absl::Status last_error;
  std::optional<std::chrono::system_clock::time_point> last_error_time;
};

}  // namespace sift

#endif  // SIFT_INGESTION_ENGINE_H_
