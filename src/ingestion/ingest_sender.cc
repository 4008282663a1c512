// The sender thread of the ingestion engine (see internal/ingest_sender.h).
// It owns the stream, the replay state and the backup store; it touches the
// engine's shared state only under the engine's lock, and never does I/O
// while holding it.
#include "internal/ingest_sender.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sift {
namespace internal {
namespace {

using Clock = std::chrono::steady_clock;

// Failures worth a reconnect: the server or the network went away, or the
// call was cut. Anything else (a rejected row, a bad key, an unknown config)
// would fail the same way again.
bool retryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

// Rows replayed from memory between two acknowledgements: about a block's
// worth of a second at typical rates, small enough to finish between drops
// of a flapping link.
constexpr std::uint64_t kReplayChunkRows = 65536;

// Bytes a block takes in a backup file: an 8-byte frame per row.
std::uint64_t backup_size(const RowBlock& block) { return block.bytes() + 8 * block.rows(); }

}  // namespace

absl::StatusOr<std::unique_ptr<IngestSender>> IngestSender::create(IngestEngine& engine) {
  std::unique_ptr<BackupStore> backup;
  if (engine.options_.disk_backup.has_value()) {
    absl::StatusOr<std::unique_ptr<BackupStore>> opened =
        BackupStore::open(*engine.options_.disk_backup);
    if (!opened.ok()) return opened.status();
    backup = std::move(*opened);
  }
  return std::unique_ptr<IngestSender>(new IngestSender(engine, std::move(backup)));
}

IngestSender::IngestSender(IngestEngine& engine, std::unique_ptr<BackupStore> backup)
    : e_(engine), options_(engine.options_), backup_(std::move(backup)), backoff_(options_.retry) {
  if (backup_ != nullptr && !backup_->pending_files().empty()) {
    disk_replay_ = true;
    leftover_replay_ = true;
    std::lock_guard<std::mutex> lock(e_.mu_);
    e_.metrics_.backup_bytes = backup_->total_bytes();
    // Before every row of this process: flush() waits for the leftovers too.
    e_.sender_floor_ = 0;
  }
}

void IngestSender::run() {
  if (options_.on_sender_thread_start) options_.on_sender_thread_start();
  while (true) {
    Work work = wait_for_work();
    if (work.exit) break;
    process(std::move(work));
  }
  exit_cleanup();
}

void IngestSender::abort() {
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    aborted_ = true;
  }
  e_.work_cv_.notify_all();
  std::lock_guard<std::mutex> lock(stream_mu_);
  if (stream_ != nullptr) stream_->cancel();
}

bool IngestSender::take_blocks_locked(Work* work) {
  e_.seal_open_locked();
  std::uint64_t room = 0;
  if (backup_ != nullptr) {
    const std::uint64_t used = backup_->total_bytes();
    const std::uint64_t limit = options_.disk_backup->max_total_bytes;
    room = used < limit ? limit - used : 0;
  }
  while (!e_.queue_.empty()) {
    RowBlock& front = *e_.queue_.front();
    if (backup_ != nullptr) {
      // A full backup stops the draining: backpressure reaches producers.
      if (backup_size(front) + 8 > room) break;
      room -= backup_size(front) + 8;
    }
    if (!e_.sender_floor_.has_value()) e_.sender_floor_ = front.first_seq;
    held_rows_ += front.rows();
    e_.unacked_rows_ = held_rows_;
    e_.queued_rows_ -= front.rows();
    e_.queued_bytes_ -= front.bytes();
    work->blocks.push_back(std::move(e_.queue_.front()));
    e_.queue_.pop_front();
  }
  return !work->blocks.empty();
}

std::optional<Clock::time_point> IngestSender::next_wake_locked() const {
  std::optional<Clock::time_point> wake;
  auto earliest = [&](Clock::time_point t) { wake = wake.has_value() ? std::min(*wake, t) : t; };
  if (stream_ != nullptr) earliest(stream_opened_ + options_.checkpoint_interval);
  if (retry_at_.has_value()) earliest(*retry_at_);
  if (unsynced_since_.has_value())
    earliest(*unsynced_since_ + options_.disk_backup->fsync_interval);
  if (e_.stopping_) earliest(e_.drain_deadline_);
  return wake;
}

IngestSender::Work IngestSender::wait_for_work() {
  std::unique_lock<std::mutex> lock(e_.mu_);
  while (true) {
    Work work;
    const Clock::time_point now = Clock::now();
    if (aborted_) {
      work.exit = true;
      return work;
    }
    // A backoff with nothing left to retry just ends (rows were given up on).
    if (retry_at_.has_value() && now >= *retry_at_ && !holds_unresolved()) retry_at_.reset();
    const bool backing_off = retry_at_.has_value() && now < *retry_at_;
    const bool queued = !e_.queue_.empty() || (e_.open_ != nullptr && !e_.open_->empty());
    if (e_.stopping_ && ((!queued && !holds_unresolved()) || now >= e_.drain_deadline_)) {
      work.exit = true;
      return work;
    }
    // Without a backup, rows wait in the queue while the server is away
    // (that is the backpressure); with one, they keep draining to disk.
    if (queued && (backup_ != nullptr || !backing_off)) take_blocks_locked(&work);
    work.flush = e_.flush_requested_ && !backing_off;
    if (work.flush) e_.flush_requested_ = false;
    const bool stream_due =
        stream_ != nullptr && now >= stream_opened_ + options_.checkpoint_interval;
    const bool retry_due = retry_at_.has_value() && !backing_off && holds_unresolved();
    const bool sync_due = unsynced_since_.has_value() &&
                          now >= *unsynced_since_ + options_.disk_backup->fsync_interval;
    const bool draining = e_.stopping_ && !backing_off && holds_unresolved();
    const bool replay_due = (disk_replay_ || mem_replay_) && !backing_off;
    if (!work.blocks.empty() || stream_due || retry_due || sync_due || draining || replay_due ||
        (work.flush && holds_unresolved())) {
      return work;
    }
    const std::optional<Clock::time_point> wake = next_wake_locked();
    if (wake.has_value()) {
      e_.work_cv_.wait_until(lock, *wake);
    } else {
      e_.work_cv_.wait(lock);
    }
  }
}

std::uint64_t IngestSender::in_hand_rows() const {
  std::uint64_t rows = 0;
  if (in_hand_ != nullptr) {
    for (const RowBlockPtr& block : *in_hand_) rows += block != nullptr ? block->rows() : 0;
  }
  return rows;
}

void IngestSender::reset_held_locked() {
  // Rows taken for this round but not written yet stay unresolved: flush()
  // must not see them as acknowledged by a checkpoint they were not part of.
  held_rows_ = in_hand_rows();
  e_.sender_floor_.reset();
  if (held_rows_ > 0) {
    for (const RowBlockPtr& block : *in_hand_) {
      if (block != nullptr) {
        e_.sender_floor_ = block->first_seq;
        break;
      }
    }
  }
  e_.unacked_rows_ = held_rows_;
}

void IngestSender::process(Work work) {
  in_hand_ = &work.blocks;
  process_round(work);
  in_hand_ = nullptr;
}

void IngestSender::process_round(Work& work) {
  // Replay first, and checkpoint right after it: on a flapping link the
  // replayed rows are secured as soon as possible instead of riding along
  // with new rows until the next interval (and being replayed again).
  if (!backing_off(Clock::now()) && (disk_replay_ || mem_replay_)) {
    if (stream_ == nullptr) open_stream();
    if (replay()) checkpoint();
  }
  const bool on_disk = back_up(work.blocks);
  if (backing_off(Clock::now()) || disk_replay_ || mem_replay_) {
    keep_unsent(std::move(work.blocks), on_disk);
    return;
  }
  if (!work.blocks.empty()) {
    if (stream_ == nullptr) open_stream();
    const bool ok = write_blocks(work.blocks);
    if (on_disk) {
      release_memory(std::move(work.blocks));
    } else {
      std::lock_guard<std::mutex> lock(e_.mu_);
      for (RowBlockPtr& block : work.blocks) {
        unacked_rows_ += block->rows();
        unacked_bytes_ += block->bytes();
        unacked_.push_back(std::move(block));
      }
    }
    if (!ok) {
      fail(stream_->finish());
      return;
    }
  }
  if (stream_ != nullptr && checkpoint_due(work.flush, Clock::now())) checkpoint();
}

bool IngestSender::back_up(const std::vector<RowBlockPtr>& blocks) {
  const Clock::time_point now = Clock::now();
  bool on_disk = false;
  if (backup_ != nullptr && !blocks.empty()) {
    records_.clear();
    for (const RowBlockPtr& block : blocks) {
      for (std::size_t i = 0; i < block->rows(); ++i) records_.push_back(block->row(i));
    }
    absl::Status written = backup_->append(records_, now);
    std::lock_guard<std::mutex> lock(e_.mu_);
    if (written.ok()) {
      on_disk = true;
      e_.metrics_.backup_rows_written += records_.size();
      if (!unsynced_since_.has_value()) unsynced_since_ = now;
    } else {
      // Not durable, but not lost either: these rows replay from memory.
      e_.metrics_.last_error = written;
      e_.metrics_.last_error_time = std::chrono::system_clock::now();
    }
    e_.metrics_.backup_bytes = backup_->total_bytes();
  }
  if (backup_ != nullptr && unsynced_since_.has_value() &&
      now >= *unsynced_since_ + options_.disk_backup->fsync_interval) {
    absl::Status synced = backup_->sync_if_due(now);
    unsynced_since_.reset();
    if (!synced.ok()) {
      std::lock_guard<std::mutex> lock(e_.mu_);
      e_.metrics_.last_error = synced;
      e_.metrics_.last_error_time = std::chrono::system_clock::now();
    }
  }
  return on_disk;
}

void IngestSender::keep_unsent(std::vector<RowBlockPtr> blocks, bool on_disk) {
  if (blocks.empty()) return;
  if (on_disk) {
    disk_replay_ = true;
    release_memory(std::move(blocks));
    return;
  }
  std::lock_guard<std::mutex> lock(e_.mu_);
  for (RowBlockPtr& block : blocks) {
    unacked_rows_ += block->rows();
    unacked_bytes_ += block->bytes();
    unacked_.push_back(std::move(block));
  }
  mem_replay_ = true;
}

void IngestSender::release_memory(std::vector<RowBlockPtr> blocks) {
  std::lock_guard<std::mutex> lock(e_.mu_);
  for (RowBlockPtr& block : blocks) {
    if (block == nullptr) continue;
    e_.buffered_rows_ -= block->rows();
    e_.buffered_bytes_ -= block->bytes();
    e_.recycle_locked(std::move(block));
  }
  e_.space_cv_.notify_all();
}

void IngestSender::open_stream() {
  const auto deadline =
      std::chrono::system_clock::now() + options_.checkpoint_interval + options_.stream_timeout;
  auto stream = std::make_unique<RawIngestStream>(e_.channel_, deadline);
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_ = std::move(stream);
  }
  stream_opened_ = Clock::now();
  retry_at_.reset();  // this is the attempt
  window_rows_ = 0;
  window_bytes_ = 0;
  std::lock_guard<std::mutex> lock(e_.mu_);
  if (failing_since_.has_value()) ++e_.metrics_.reconnects;
}

bool IngestSender::replay() {
  // A long replay is acknowledged piece by piece: each call stays short (its
  // deadline is the stream's), and a link that drops again soon still makes
  // progress instead of replaying everything once more.
  if (disk_replay_) {
    for (const std::string& path : backup_->pending_files()) {
      std::uint64_t rows = 0;
      std::uint64_t bytes = 0;
      absl::Status cut;
      absl::StatusOr<BackupReadResult> read = read_backup_file(path, [&](absl::string_view row) {
        if (!stream_->write_row(row, /*buffer_hint=*/true)) return false;
        bytes += row.size();
        if (++rows < kReplayChunkRows) return true;
        count_replayed(rows, bytes, rows);
        rows = 0;
        bytes = 0;
        // The files are released only once all of them are acknowledged: a
        // failure later replays this file again (at least once).
        cut = checkpoint_partial();
        return cut.ok();
      });
      count_replayed(rows, bytes, rows);
      {
        std::lock_guard<std::mutex> lock(e_.mu_);
        e_.metrics_.backup_corrupt_records += read.ok() ? read->corrupt_records : 0;
      }
      if (!cut.ok()) {
        fail(cut);
        return false;
      }
      if (!read.ok()) {
        fail(stream_->finish());
        return false;
      }
    }
  }
  if (mem_replay_) {
    const bool chunked = !disk_replay_;
    std::size_t written = 0;  // blocks of unacked_ written on this call
    std::uint64_t chunk_rows = 0;
    while (written < unacked_.size()) {
      const RowBlock& block = *unacked_[written];
      if (!stream_->write_block(block)) {
        fail(stream_->finish());
        return false;
      }
      count_replayed(block.rows(), block.bytes(), 0);
      ++written;
      chunk_rows += block.rows();
      if (chunked && chunk_rows >= kReplayChunkRows && written < unacked_.size()) {
        if (!acknowledge_replayed(written)) return false;
        written = 0;
        chunk_rows = 0;
      }
    }
  }
  // Sent again on this call: acknowledged (or replayed again) with it.
  disk_replay_ = false;
  mem_replay_ = false;
  return true;
}

absl::Status IngestSender::checkpoint_partial() {
  absl::Status status = stream_->finish();
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_.reset();
  }
  if (!status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    e_.metrics_.rows_acknowledged += window_rows_;
    e_.metrics_.bytes_acknowledged += window_bytes_;
    ++e_.metrics_.checkpoints;
  }
  window_rows_ = 0;
  window_bytes_ = 0;
  // The link works: later failures start their backoff afresh.
  backoff_.reset();
  failing_since_.reset();
  open_stream();
  return absl::OkStatus();
}

void IngestSender::count_replayed(std::uint64_t rows, std::uint64_t bytes,
                                  std::uint64_t from_disk) {
  window_rows_ += rows;
  window_bytes_ += bytes;
  std::lock_guard<std::mutex> lock(e_.mu_);
  e_.metrics_.rows_sent += rows;
  e_.metrics_.bytes_sent += bytes;
  if (!leftover_replay_) e_.metrics_.rows_retried += rows;
  e_.metrics_.backup_rows_replayed += from_disk;
}

bool IngestSender::acknowledge_replayed(std::size_t blocks) {
  absl::Status status = checkpoint_partial();
  if (!status.ok()) {
    fail(status);
    return false;
  }
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    for (std::size_t i = 0; i < blocks; ++i) {
      RowBlockPtr block = std::move(unacked_.front());
      unacked_.pop_front();
      rows += block->rows();
      bytes += block->bytes();
      e_.recycle_locked(std::move(block));
    }
    e_.buffered_rows_ -= rows;
    e_.buffered_bytes_ -= bytes;
    held_rows_ -= rows;
    e_.unacked_rows_ = held_rows_;
    e_.sender_floor_ = unacked_.front()->first_seq;
  }
  unacked_rows_ -= rows;
  unacked_bytes_ -= bytes;
  e_.ack_cv_.notify_all();
  e_.space_cv_.notify_all();
  return true;
}

bool IngestSender::write_blocks(const std::vector<RowBlockPtr>& blocks) {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  bool ok = true;
  for (const RowBlockPtr& block : blocks) {
    if (!stream_->write_block(*block)) {
      ok = false;
      break;
    }
    rows += block->rows();
    bytes += block->bytes();
  }
  window_rows_ += rows;
  window_bytes_ += bytes;
  std::lock_guard<std::mutex> lock(e_.mu_);
  e_.metrics_.rows_sent += rows;
  e_.metrics_.bytes_sent += bytes;
  return ok;
}

bool IngestSender::checkpoint_due(bool flush_requested, Clock::time_point now) const {
  if (flush_requested || now >= stream_opened_ + options_.checkpoint_interval) return true;
  // Keep what awaits acknowledgement within half the limits.
  if (unacked_rows_ * 2 >= options_.max_buffered_rows ||
      unacked_bytes_ * 2 >= options_.max_buffered_bytes) {
    return true;
  }
  if (backup_ != nullptr && backup_->total_bytes() * 2 >= options_.disk_backup->max_total_bytes) {
    return true;
  }
  std::lock_guard<std::mutex> lock(e_.mu_);
  // Draining for shutdown: acknowledge as soon as the queue is empty.
  return e_.stopping_ && e_.queue_.empty() && (e_.open_ == nullptr || e_.open_->empty());
}

void IngestSender::checkpoint() {
  absl::Status status = stream_->finish();
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_.reset();
  }
  if (!status.ok()) {
    fail(status);
    return;
  }
  if (backup_ != nullptr) {
    absl::Status released = backup_->release_all();
    unsynced_since_.reset();
    if (!released.ok()) {
      std::lock_guard<std::mutex> lock(e_.mu_);
      e_.metrics_.last_error = released;
      e_.metrics_.last_error_time = std::chrono::system_clock::now();
    }
  }
  std::deque<RowBlockPtr> acked = std::move(unacked_);
  unacked_.clear();
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    e_.metrics_.rows_acknowledged += window_rows_;
    e_.metrics_.bytes_acknowledged += window_bytes_;
    ++e_.metrics_.checkpoints;
    if (backup_ != nullptr) e_.metrics_.backup_bytes = backup_->total_bytes();
    e_.buffered_rows_ -= unacked_rows_;
    e_.buffered_bytes_ -= unacked_bytes_;
    for (RowBlockPtr& block : acked) e_.recycle_locked(std::move(block));
    reset_held_locked();
  }
  unacked_rows_ = 0;
  unacked_bytes_ = 0;
  window_rows_ = 0;
  window_bytes_ = 0;
  leftover_replay_ = false;
  backoff_.reset();
  failing_since_.reset();
  retry_at_.reset();
  e_.ack_cv_.notify_all();
  e_.space_cv_.notify_all();
}

void IngestSender::fail(absl::Status status) {
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_.reset();
  }
  const Clock::time_point now = Clock::now();
  if (!failing_since_.has_value()) failing_since_ = now;
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    ++e_.metrics_.failed_streams;
    e_.metrics_.last_error = status;
    e_.metrics_.last_error_time = std::chrono::system_clock::now();
  }
  const bool retry = options_.retry.enabled && retryable(status);
  const bool expired = backup_ == nullptr && options_.retry.max_elapsed.count() > 0 &&
                       now - *failing_since_ >= options_.retry.max_elapsed;
  if (!retry || expired) {
    drop_window(status);
    failing_since_.reset();
  } else if (backup_ != nullptr && backup_->total_bytes() > 0) {
    disk_replay_ = true;
  }
  if (!unacked_.empty()) mem_replay_ = true;
  window_rows_ = 0;
  window_bytes_ = 0;
  if (retry) {
    retry_at_ = now + backoff_.next();
  } else {
    backoff_.reset();
    retry_at_.reset();
  }
}

void IngestSender::drop_window(const absl::Status& why) {
  (void)why;  // already recorded as last_error
  if (backup_ != nullptr) {
    (void)backup_->release_all();
    disk_replay_ = false;
    leftover_replay_ = false;
  }
  std::deque<RowBlockPtr> blocks = std::move(unacked_);
  unacked_.clear();
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    e_.metrics_.rows_dropped += held_rows_ - in_hand_rows();
    e_.buffered_rows_ -= unacked_rows_;
    e_.buffered_bytes_ -= unacked_bytes_;
    for (RowBlockPtr& block : blocks) e_.recycle_locked(std::move(block));
    reset_held_locked();
    if (backup_ != nullptr) e_.metrics_.backup_bytes = backup_->total_bytes();
  }
  unacked_rows_ = 0;
  unacked_bytes_ = 0;
  mem_replay_ = false;
  e_.ack_cv_.notify_all();
  e_.space_cv_.notify_all();
}

void IngestSender::exit_cleanup() {
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_.reset();  // an unacknowledged call is cancelled
  }
  if (backup_ != nullptr) {
    // What is still queued goes to disk, where the next process finds it.
    Work work;
    {
      std::lock_guard<std::mutex> lock(e_.mu_);
      take_blocks_locked(&work);
    }
    if (!work.blocks.empty()) {
      records_.clear();
      for (const RowBlockPtr& block : work.blocks) {
        for (std::size_t i = 0; i < block->rows(); ++i) records_.push_back(block->row(i));
      }
      absl::Status written = backup_->append(records_, Clock::now());
      if (written.ok()) {
        release_memory(std::move(work.blocks));
      } else {
        keep_unsent(std::move(work.blocks), false);
      }
    }
    (void)backup_->sync_if_due(Clock::now() + std::chrono::hours(1));
  }
  {
    std::lock_guard<std::mutex> lock(e_.mu_);
    e_.sender_exited_ = true;
    if (backup_ != nullptr) e_.metrics_.backup_bytes = backup_->total_bytes();
  }
  e_.ack_cv_.notify_all();
}

absl::Status IngestSender::leftover_status() const {
  const std::uint64_t queued = e_.queued_rows_;
  const std::uint64_t in_memory_unacked = unacked_rows_;
  const std::uint64_t on_disk_bytes = backup_ != nullptr ? backup_->total_bytes() : 0;
  if (queued == 0 && in_memory_unacked == 0 && on_disk_bytes == 0) return absl::OkStatus();
  std::string message =
      absl::StrCat("shutdown: ", queued + in_memory_unacked, " rows not delivered (", queued,
                   " never sent, ", in_memory_unacked, " sent but not acknowledged)");
  if (on_disk_bytes > 0) {
    absl::StrAppend(&message, "; ", on_disk_bytes, " bytes of rows remain in the disk backup ",
                    options_.disk_backup->directory,
                    " and are replayed by the next IngestionService that uses it");
  }
  if (!e_.metrics_.last_error.ok()) {
    absl::StrAppend(&message, "; last error: ", e_.metrics_.last_error.message());
  }
  return absl::UnavailableError(message);
}

}  // namespace internal
}  // namespace sift
