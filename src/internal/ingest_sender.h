// The ingestion engine's sender thread: drains the queue into one
// IngestWithConfigDataStream call, checkpoints it (the server's OK at close
// acknowledges every row since the previous one), and on failure reconnects
// with backoff and replays what was not acknowledged, from memory or from
// the disk backup.
#ifndef SIFT_INTERNAL_INGEST_SENDER_H_
#define SIFT_INTERNAL_INGEST_SENDER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "internal/backoff.h"
#include "internal/backup_store.h"
#include "internal/ingest_engine.h"
#include "internal/raw_ingest_stream.h"
#include "internal/row_block.h"

namespace sift {
namespace internal {

class IngestSender {
 public:
  static absl::StatusOr<std::unique_ptr<IngestSender>> create(IngestEngine& engine);

  // The thread's body; returns when the engine stops (drained, or at the
  // drain deadline).
  void run();
  // From another thread, past the drain deadline: cancels the stream the
  // sender may be blocked on and makes run() return.
  void abort();
  // After run() returned: OK, or what was left undelivered. Engine lock held.
  absl::Status leftover_status() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Work {
    std::vector<RowBlockPtr> blocks;
    bool flush = false;
    bool exit = false;
  };

  IngestSender(IngestEngine& engine, std::unique_ptr<BackupStore> backup);

  Work wait_for_work();
  bool take_blocks_locked(Work* work);
  // When the sender must look again even if nobody wakes it.
  std::optional<Clock::time_point> next_wake_locked() const;
  void process(Work work);
  void process_round(Work& work);
  // The blocks taken for the round in progress, not yet written or kept.
  std::uint64_t in_hand_rows() const;
  // Held rows back to those in hand (after a checkpoint or a drop). Engine lock held.
  void reset_held_locked();
  // Appends the blocks to the disk backup (true when they are on disk) and
  // syncs it when due.
  bool back_up(const std::vector<RowBlockPtr>& blocks);
  bool backing_off(Clock::time_point now) const {
    return retry_at_.has_value() && now < *retry_at_;
  }
  // Blocks this process() could not send (stream broken or backing off):
  // kept for replay from memory, or released when they are on disk.
  void keep_unsent(std::vector<RowBlockPtr> blocks, bool on_disk);
  void open_stream();
  bool replay();
  void count_replayed(std::uint64_t rows, std::uint64_t bytes, std::uint64_t from_disk);
  // Closes the call mid-replay and opens the next one; the rows written so
  // far are acknowledged (not released: the caller does that).
  absl::Status checkpoint_partial();
  // checkpoint_partial() after the first `blocks` blocks of unacked_, which
  // are then released; false (after fail()) when the server refused.
  bool acknowledge_replayed(std::size_t blocks);
  bool write_blocks(const std::vector<RowBlockPtr>& blocks);
  bool checkpoint_due(bool flush_requested, Clock::time_point now) const;
  void checkpoint();
  void fail(absl::Status status);
  void drop_window(const absl::Status& why);
  void release_memory(std::vector<RowBlockPtr> blocks);
  void exit_cleanup();
  bool holds_unresolved() const { return window_rows_ > 0 || !unacked_.empty() || disk_replay_; }

  IngestEngine& e_;
  const IngestionEngineOptions& options_;
  std::unique_ptr<BackupStore> backup_;
  Backoff backoff_;

  // The open call, if any; guarded by stream_mu_ only for abort()'s sake.
  std::mutex stream_mu_;
  std::unique_ptr<RawIngestStream> stream_;
  bool aborted_ = false;  // engine lock
  Clock::time_point stream_opened_;

  // Rows written on the current call (replays included) and their bytes.
  std::uint64_t window_rows_ = 0;
  std::uint64_t window_bytes_ = 0;
  // Without disk backup (or when writing it failed): sent, unacknowledged
  // blocks, replayed after a failure.
  std::deque<RowBlockPtr> unacked_;
  std::size_t unacked_rows_ = 0;
  std::size_t unacked_bytes_ = 0;
  // Rows taken from the queue and not yet acknowledged nor given up on.
  std::uint64_t held_rows_ = 0;
  bool mem_replay_ = false;
  // The backup files must be replayed before anything else is sent.
  bool disk_replay_ = false;
  bool leftover_replay_ = false;  // the files are another process's
  std::optional<Clock::time_point> retry_at_;
  std::optional<Clock::time_point> failing_since_;
  std::optional<Clock::time_point> unsynced_since_;
  std::vector<absl::string_view> records_;  // reused for backup appends
  const std::vector<RowBlockPtr>* in_hand_ = nullptr;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_INGEST_SENDER_H_
