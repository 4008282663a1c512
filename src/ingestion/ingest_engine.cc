// The producers' side of the ingestion engine: admission into the bounded
// queue (backpressure policies), flush() and shutdown().
#include "internal/ingest_engine.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/ingest_sender.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

// Recycled blocks kept for reuse: enough for the queue to breathe without
// holding on to a burst's worth of memory forever. Blocks grown past the
// largest size (a stage for huge batches, a huge row) are freed instead.
constexpr std::size_t kPoolBlocks = 16;
constexpr std::size_t kPoolMaxBlockBytes = 4 << 20;

}  // namespace

IngestEngine::IngestEngine(SiftChannel channel, IngestionEngineOptions options)
    : channel_(std::move(channel)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<IngestEngine>> IngestEngine::start(SiftChannel channel,
                                                                  IngestionEngineOptions options) {
  if (options.max_buffered_rows == 0 || options.max_buffered_bytes == 0) {
    return absl::InvalidArgumentError(
        "IngestionEngineOptions: max_buffered_rows and max_buffered_bytes must be positive");
  }
  if (options.checkpoint_interval.count() <= 0) {
    return absl::InvalidArgumentError(
        "IngestionEngineOptions: checkpoint_interval must be positive");
  }
  const RetryPolicy& retry = options.retry;
  if (retry.initial_backoff.count() < 0 || retry.max_backoff.count() < 0 ||
      retry.max_backoff > std::chrono::hours(24) || !(retry.multiplier >= 0.0) ||
      retry.multiplier > 1e6 || retry.max_elapsed.count() < 0) {
    return absl::InvalidArgumentError(
        "IngestionEngineOptions.retry: backoffs must be in [0, 24 h], the multiplier a number "
        "in [0, 1e6] and max_elapsed non-negative");
  }
  std::unique_ptr<IngestEngine> engine(new IngestEngine(std::move(channel), std::move(options)));
  SIFT_ASSIGN_OR_RETURN(engine->sender_, IngestSender::create(*engine));
  IngestSender* sender = engine->sender_.get();
  engine->thread_ = std::thread([sender] { sender->run(); });
  return engine;
}

IngestEngine::~IngestEngine() {
  absl::Status status = shutdown(options_.drain_timeout);
  if (!status.ok()) {
    // Nothing else can report it from a destructor.
    std::fprintf(stderr, "sift: IngestionService: %s\n", status.ToString().c_str());
  }
}

RowBlockPtr IngestEngine::new_block(std::size_t capacity) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = pool_.size(); i > 0; --i) {
      if (pool_[i - 1]->capacity() >= capacity) {
        RowBlockPtr block = std::move(pool_[i - 1]);
        pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(i - 1));
        return block;
      }
    }
  }
  return std::make_unique<RowBlock>(std::max(capacity, kRowBlockBytes));
}

void IngestEngine::recycle_locked(RowBlockPtr block) {
  if (block == nullptr || pool_.size() >= kPoolBlocks || block->capacity() > kPoolMaxBlockBytes) {
    return;
  }
  block->clear();
  pool_.push_back(std::move(block));
}

bool IngestEngine::fits_locked(std::size_t rows, std::size_t bytes) const {
  return buffered_rows_ + rows <= options_.max_buffered_rows &&
         buffered_bytes_ + bytes <= options_.max_buffered_bytes;
}

void IngestEngine::seal_open_locked() {
  if (open_ != nullptr && !open_->empty()) queue_.push_back(std::move(open_));
  open_.reset();
}

void IngestEngine::drop_oldest_locked(std::size_t rows, std::size_t bytes) {
  seal_open_locked();
  while (!fits_locked(rows, bytes) && !queue_.empty()) {
    RowBlockPtr oldest = std::move(queue_.front());
    queue_.pop_front();
    buffered_rows_ -= oldest->rows();
    buffered_bytes_ -= oldest->bytes();
    queued_rows_ -= oldest->rows();
    queued_bytes_ -= oldest->bytes();
    metrics_.rows_dropped += oldest->rows();
    recycle_locked(std::move(oldest));
  }
}

absl::Status IngestEngine::make_room_locked(std::unique_lock<std::mutex>& lock, std::size_t rows,
                                            std::size_t bytes) {
  auto refuse = [&](absl::Status status) {
    metrics_.rows_rejected += rows;
    return status;
  };
  if (!accepting_) {
    return refuse(
        absl::FailedPreconditionError("IngestionService is shut down: no more rows are accepted"));
  }
  if (rows > options_.max_buffered_rows || bytes > options_.max_buffered_bytes) {
    return refuse(absl::ResourceExhaustedError(absl::StrCat(
        "one ingest call of ", rows, " rows (", bytes,
        " bytes) is larger than the whole queue (max_buffered_rows=", options_.max_buffered_rows,
        ", max_buffered_bytes=", options_.max_buffered_bytes, "): split it")));
  }
  if (fits_locked(rows, bytes)) return absl::OkStatus();
  switch (options_.backpressure) {
    case BackpressurePolicy::kReject:
      break;
    case BackpressurePolicy::kDropOldest:
      drop_oldest_locked(rows, bytes);
      break;
    case BackpressurePolicy::kBlock: {
      auto ready = [&] { return !accepting_ || fits_locked(rows, bytes); };
      if (options_.block_timeout.has_value()) {
        space_cv_.wait_for(lock, *options_.block_timeout, ready);
      } else {
        space_cv_.wait(lock, ready);
      }
      if (!accepting_) return make_room_locked(lock, rows, bytes);
      break;
    }
  }
  if (fits_locked(rows, bytes)) return absl::OkStatus();
  return refuse(absl::ResourceExhaustedError(absl::StrCat(
      "ingestion queue full: ", buffered_rows_, " rows / ", buffered_bytes_,
      " bytes not yet acknowledged (max_buffered_rows=", options_.max_buffered_rows,
      ", max_buffered_bytes=", options_.max_buffered_bytes, "); ", rows,
      " rows of this call not queued",
      metrics_.last_error.ok() ? std::string()
                               : absl::StrCat("; last error: ", metrics_.last_error.message()))));
}

void IngestEngine::accepted_locked(std::size_t rows, std::size_t bytes) {
  next_seq_ += rows;
  buffered_rows_ += rows;
  buffered_bytes_ += bytes;
  queued_rows_ += rows;
  queued_bytes_ += bytes;
  metrics_.rows_accepted += rows;
  metrics_.bytes_accepted += bytes;
}

absl::Status IngestEngine::append(const RowBlock& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::unique_lock<std::mutex> lock(mu_);
  SIFT_RETURN_IF_ERROR(make_room_locked(lock, rows.rows(), rows.bytes()));
  const bool was_idle = queue_.empty() && (open_ == nullptr || open_->empty());
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    const absl::string_view row = rows.row(i);
    if (open_ == nullptr || !open_->append(row)) {
      seal_open_locked();
      if (!pool_.empty() && pool_.back()->capacity() >= row.size()) {
        open_ = std::move(pool_.back());
        pool_.pop_back();
      } else {
        open_ = std::make_unique<RowBlock>(std::max(kRowBlockBytes, row.size()));
      }
      open_->first_seq = next_seq_ + i;
      open_->append(row);
    }
  }
  accepted_locked(rows.rows(), rows.bytes());
  lock.unlock();
  // The sender drains whatever is there whenever it comes round; waking it
  // for every row would cost a syscall per row.
  if (was_idle) work_cv_.notify_one();
  return absl::OkStatus();
}

absl::Status IngestEngine::append_block(RowBlockPtr* block) {
  if (*block == nullptr || (*block)->empty()) return absl::OkStatus();
  RowBlockPtr fresh = new_block((*block)->capacity());
  std::unique_lock<std::mutex> lock(mu_);
  const std::size_t rows = (*block)->rows();
  const std::size_t bytes = (*block)->bytes();
  absl::Status status = make_room_locked(lock, rows, bytes);
  if (!status.ok()) {
    recycle_locked(std::move(fresh));
    return status;
  }
  seal_open_locked();
  (*block)->first_seq = next_seq_;
  queue_.push_back(std::move(*block));
  accepted_locked(rows, bytes);
  *block = std::move(fresh);
  lock.unlock();
  work_cv_.notify_one();
  return absl::OkStatus();
}

std::uint64_t IngestEngine::unresolved_floor_locked() const {
  if (sender_floor_.has_value()) return *sender_floor_;
  if (!queue_.empty()) return queue_.front()->first_seq;
  if (open_ != nullptr && !open_->empty()) return open_->first_seq;
  return next_seq_;
}

absl::Status IngestEngine::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t target = next_seq_;
  if (unresolved_floor_locked() < target) {
    flush_requested_ = true;
    work_cv_.notify_one();
    ack_cv_.wait_for(lock, timeout, [&] { return unresolved_floor_locked() >= target; });
  }
  const std::uint64_t floor = unresolved_floor_locked();
  if (floor < target) {
    return absl::DeadlineExceededError(absl::StrCat(
        "flush: ", target - floor, " rows still not acknowledged by the server after ",
        timeout.count(), " ms (they stay queued and are retried)",
        metrics_.last_error.ok() ? std::string()
                                 : absl::StrCat("; last error: ", metrics_.last_error.message())));
  }
  const std::uint64_t dropped = metrics_.rows_dropped - dropped_reported_;
  dropped_reported_ = metrics_.rows_dropped;
  if (dropped > 0) {
    return absl::DataLossError(
        absl::StrCat("flush: ", dropped, " rows were given up on since the previous flush",
                     metrics_.last_error.ok() ? std::string()
                                              : absl::StrCat(": ", metrics_.last_error.message())));
  }
  return absl::OkStatus();
}

IngestionMetrics IngestEngine::metrics() const {
  std::lock_guard<std::mutex> lock(mu_);
  IngestionMetrics out = metrics_;
  // A deep copy: a Status shares its message by reference count, and the
  // snapshot outlives the lock (the count lives in uninstrumented abseil code,
  // so TSan cannot see that sharing is safe).
  out.last_error = absl::Status(metrics_.last_error.code(), metrics_.last_error.message());
  out.queue_depth_rows = queued_rows_;
  out.queue_depth_bytes = queued_bytes_;
  out.unacknowledged_rows = unacked_rows_;
  return out;
}

absl::Status IngestEngine::shutdown(std::chrono::milliseconds timeout) {
  if (sender_ == nullptr) return absl::OkStatus();  // start() failed before the thread
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return shutdown_status_;
    shut_down_ = true;
    accepting_ = false;
    stopping_ = true;
    flush_requested_ = true;
    drain_deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  bool exited;
  {
    std::unique_lock<std::mutex> lock(mu_);
    exited = ack_cv_.wait_until(lock, drain_deadline_, [&] { return sender_exited_; });
  }
  // Past the deadline: cut the stream the sender may be blocked on.
  if (!exited) sender_->abort();
  if (thread_.joinable()) thread_.join();

  std::lock_guard<std::mutex> lock(mu_);
  shutdown_status_ = sender_->leftover_status();
  ack_cv_.notify_all();
  return shutdown_status_;
}

}  // namespace internal
}  // namespace sift
