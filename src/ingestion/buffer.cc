// BufferedIngestion (spec 7) over the ingestion engine: rows are encoded
// into a staging block and handed to the engine's queue as a whole when
// `buffer_size` rows are staged, every flush interval, on flush() and on
// destruction. sift_py's defects stay fixed: one interval thread that is
// always joined, errors reported, and a bounded final flush.
#include "sift/ingestion/buffer.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/ingest_request.h"
#include "internal/ingestion_service_impl.h"
#include "sift/ingestion/service.h"
#include "sift/status.h"

namespace sift {

struct BufferedIngestion::Impl {
  IngestionService::Impl* service = nullptr;
  std::size_t buffer_size = kDefaultBufferSize;
  std::optional<std::chrono::milliseconds> interval;
  OnError on_error;

  mutable std::mutex mu;
  std::condition_variable wake;
  internal::RowBlockPtr staging;
  internal::RowBlock scratch{internal::kRowBlockBytes};
  std::size_t sends = 0;
  bool stopping = false;
  std::chrono::steady_clock::time_point next_flush;
  std::thread worker;

  // Hands the staged rows to the engine; they stay staged on failure. `mu` held.
  absl::Status hand_off_locked() {
    if (staging->empty()) return absl::OkStatus();
    SIFT_RETURN_IF_ERROR(service->engine->append_block(&staging));
    ++sends;
    return absl::OkStatus();
  }

  // Stages the rows encoded in `scratch` one by one, handing off whenever
  // buffer_size rows are staged. A row that finds the stage full and cannot
  // be handed off is refused with the engine's status. `mu` held.
  absl::Status stage_scratch_locked() {
    for (std::size_t i = 0; i < scratch.rows(); ++i) {
      if (staging->rows() >= buffer_size) SIFT_RETURN_IF_ERROR(hand_off_locked());
      // The stage grows to hold buffer_size rows; the engine recycles it.
      const absl::string_view row = scratch.row(i);
      std::memcpy(staging->reserve_growing(row.size()), row.data(), row.size());
      staging->commit(row.size());
      if (staging->rows() >= buffer_size) SIFT_RETURN_IF_ERROR(hand_off_locked());
    }
    return absl::OkStatus();
  }

  // Encodes and stages each row in turn: on an error, the rows before the
  // bad one stay staged (as sift_py). `encode_one(span, scratch)` encodes one.
  template <typename T, typename Encode>
  absl::Status add(absl::Span<const T> rows, const Encode& encode_one) {
    SIFT_RETURN_IF_ERROR(service->register_lazy_flows_for(rows));
    std::lock_guard<std::mutex> lock(mu);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      scratch.clear();
      SIFT_RETURN_IF_ERROR(encode_one(rows.subspan(i, 1), &scratch));
      SIFT_RETURN_IF_ERROR(stage_scratch_locked());
    }
    return absl::OkStatus();
  }

  std::vector<IngestRequest> staged_copy_locked() const {
    std::vector<IngestRequest> out;
    out.reserve(staging->rows());
    for (std::size_t i = 0; i < staging->rows(); ++i) {
      absl::StatusOr<IngestRequest> request = internal::decode_request(staging->row(i));
      if (request.ok()) out.push_back(*std::move(request));
    }
    return out;
  }

  void run_interval() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      const auto due = next_flush;
      wake.wait_until(lock, due, [&] { return stopping || next_flush != due; });
      if (stopping) return;
      if (next_flush != due) continue;  // flush() restarted the interval
      absl::Status status = hand_off_locked();
      next_flush = std::chrono::steady_clock::now() + *interval;
      if (!status.ok() && on_error) {
        // The rows stay staged for the next interval; the callback gets a
        // copy and runs unlocked so it may call back into us.
        std::vector<IngestRequest> unsent = staged_copy_locked();
        lock.unlock();
        on_error(status, std::move(unsent));
        lock.lock();
      }
    }
  }

  void report(const absl::Status& status, std::vector<IngestRequest> unsent) {
    if (on_error) {
      on_error(status, std::move(unsent));
    } else {
      // Nothing else can report it from a destructor.
      std::fprintf(stderr, "sift: BufferedIngestion: %zu rows not handed over: %s\n", unsent.size(),
                   status.ToString().c_str());
    }
  }

  void finish() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    wake.notify_all();
    if (worker.joinable()) worker.join();

    std::unique_lock<std::mutex> lock(mu);
    absl::Status status = hand_off_locked();
    if (!status.ok()) {
      std::vector<IngestRequest> unsent = staged_copy_locked();
      staging->clear();
      lock.unlock();
      report(status, std::move(unsent));
      return;
    }
    lock.unlock();
    status = service->engine->flush(kBufferedSendTimeout);
    // The rows are the service's now: it keeps sending them.
    if (!status.ok()) report(status, {});
  }
};

namespace {

absl::Status moved_from() {
  return absl::FailedPreconditionError("BufferedIngestion: used after being moved from");
}

}  // namespace

BufferedIngestion::BufferedIngestion(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BufferedIngestion::BufferedIngestion(BufferedIngestion&& other) noexcept = default;

BufferedIngestion& BufferedIngestion::operator=(BufferedIngestion&& other) noexcept {
  if (this != &other) {
    if (impl_ != nullptr) impl_->finish();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

BufferedIngestion::~BufferedIngestion() {
  if (impl_ != nullptr) impl_->finish();
}

absl::Status BufferedIngestion::try_ingest_flows(absl::Span<const Flow> flows) {
  if (impl_ == nullptr) return moved_from();
  const IngestionService::Impl& service = *impl_->service;
  return impl_->add(flows, [&](absl::Span<const Flow> one, internal::RowBlock* out) {
    return service.encode(one, out);
  });
}

absl::Status BufferedIngestion::try_ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  if (impl_ == nullptr) return moved_from();
  const IngestionService::Impl& service = *impl_->service;
  return impl_->add(flows,
                    [&](absl::Span<const FlowOrderedChannelValues> one, internal::RowBlock* out) {
                      return service.encode(one, /*validate=*/true, out);
                    });
}

absl::Status BufferedIngestion::ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  if (impl_ == nullptr) return moved_from();
  const IngestionService::Impl& service = *impl_->service;
  return impl_->add(flows,
                    [&](absl::Span<const FlowOrderedChannelValues> one, internal::RowBlock* out) {
                      return service.encode(one, /*validate=*/false, out);
                    });
}

absl::Status BufferedIngestion::flush() {
  if (impl_ == nullptr) return moved_from();
  absl::Status status;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    status = impl_->hand_off_locked();
    if (impl_->interval.has_value()) {
      impl_->next_flush = std::chrono::steady_clock::now() + *impl_->interval;
    }
  }
  impl_->wake.notify_all();
  SIFT_RETURN_IF_ERROR(status);
  return impl_->service->engine->flush(kBufferedSendTimeout);
}

std::size_t BufferedIngestion::buffered() const {
  if (impl_ == nullptr) return 0;
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->staging->rows();
}

std::size_t BufferedIngestion::sends() const {
  if (impl_ == nullptr) return 0;
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->sends;
}

BufferedIngestion IngestionService::buffered_ingestion(
    std::size_t buffer_size, std::optional<std::chrono::milliseconds> flush_interval,
    BufferedIngestion::OnError on_error) {
  auto impl = std::make_unique<BufferedIngestion::Impl>();
  impl->service = impl_.get();
  // sift_py: a size of 0 means the default.
  impl->buffer_size = buffer_size == 0 ? kDefaultBufferSize : buffer_size;
  impl->staging = impl_->engine->new_block();
  impl->on_error = std::move(on_error);
  if (flush_interval.has_value() && flush_interval->count() > 0) {
    impl->interval = *flush_interval;
    impl->next_flush = std::chrono::steady_clock::now() + *flush_interval;
    BufferedIngestion::Impl* state = impl.get();
    impl->worker = std::thread([state] { state->run_interval(); });
  }
  return BufferedIngestion(std::move(impl));
}

}  // namespace sift
