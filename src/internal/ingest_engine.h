// The ingestion engine: a bounded queue of encoded rows fed by any number of
// producers and drained by one sender thread that keeps one
// IngestWithConfigDataStream call open, checkpoints it, retries with replay
// and optionally backs rows up to disk. docs/ingestion_engine.md has the
// semantics; this header is the producers' side and the state both share.
#ifndef SIFT_INTERNAL_INGEST_ENGINE_H_
#define SIFT_INTERNAL_INGEST_ENGINE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "internal/row_block.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/engine.h"

namespace sift {
namespace internal {

class IngestSender;

// Standard block size: large enough to amortise the queue's lock over about
// a thousand typical rows, small enough that a partly filled block sent at a
// checkpoint wastes little.
inline constexpr std::size_t kRowBlockBytes = 64 * 1024;

class IngestEngine {
 public:
  // Starts the sender thread (and opens the disk backup, which can fail).
  static absl::StatusOr<std::unique_ptr<IngestEngine>> start(SiftChannel channel,
                                                             IngestionEngineOptions options);
  // shutdown(drain_timeout) unless done; a failure goes to stderr.
  ~IngestEngine();
  IngestEngine(const IngestEngine&) = delete;
  IngestEngine& operator=(const IngestEngine&) = delete;

  // Queues every row of `rows` (all or nothing), numbering them in order.
  absl::Status append(const RowBlock& rows);
  // Queues a whole block without copying it; on success `*block` becomes an
  // empty block to reuse. On failure `*block` is untouched.
  absl::Status append_block(RowBlockPtr* block);

  absl::Status flush(std::chrono::milliseconds timeout);
  IngestionMetrics metrics() const;
  absl::Status shutdown(std::chrono::milliseconds timeout);

  // An empty block of at least `capacity` bytes, recycled when possible.
  RowBlockPtr new_block(std::size_t capacity = kRowBlockBytes);

 private:
  friend class IngestSender;
  IngestEngine(SiftChannel channel, IngestionEngineOptions options);

  // Applies the backpressure policy until `rows`/`bytes` fit. `mu_` held.
  absl::Status make_room_locked(std::unique_lock<std::mutex>& lock, std::size_t rows,
                                std::size_t bytes);
  bool fits_locked(std::size_t rows, std::size_t bytes) const;
  void drop_oldest_locked(std::size_t rows, std::size_t bytes);
  void seal_open_locked();
  void accepted_locked(std::size_t rows, std::size_t bytes);
  void recycle_locked(RowBlockPtr block);
  // Lowest sequence number not yet acknowledged nor given up on.
  std::uint64_t unresolved_floor_locked() const;

  const SiftChannel channel_;
  const IngestionEngineOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // producers/flush/shutdown -> sender
  std::condition_variable space_cv_;  // sender -> blocked producers
  std::condition_variable ack_cv_;    // sender -> flush()
  std::deque<RowBlockPtr> queue_;     // sealed blocks, oldest first
  RowBlockPtr open_;                  // the block producers append to
  std::vector<RowBlockPtr> pool_;
  std::uint64_t next_seq_ = 1;  // 0 stands for a previous process's rows
  // In memory (queued, plus unacknowledged rows the sender keeps for replay).
  std::size_t buffered_rows_ = 0;
  std::size_t buffered_bytes_ = 0;
  std::size_t queued_rows_ = 0;
  std::size_t queued_bytes_ = 0;
  // First sequence number the sender holds unresolved (sent, on disk or being
  // replayed), if any.
  std::optional<std::uint64_t> sender_floor_;
  bool flush_requested_ = false;
  bool accepting_ = true;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::uint64_t dropped_reported_ = 0;  // rows_dropped at the last flush()
  std::uint64_t unacked_rows_ = 0;      // sent (or on disk) since the last checkpoint
  bool sender_exited_ = false;
  IngestionMetrics metrics_;

  std::unique_ptr<IngestSender> sender_;
  std::thread thread_;
  bool shut_down_ = false;
  absl::Status shutdown_status_;
};

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_INGEST_ENGINE_H_
