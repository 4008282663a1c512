// BufferedIngestion (spec 7) with sift_py's defects fixed: one interval
// thread that is always joined, interval flush errors reported and retried,
// and a bounded, non-throwing final flush.
#include "sift/ingestion/buffer.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/ingestion_service_impl.h"
#include "sift/ingestion/service.h"
#include "sift/status.h"

namespace sift {

struct BufferedIngestion::Impl {
  IngestionService::Impl* service = nullptr;
  IngestionService* owner = nullptr;
  std::size_t buffer_size = kDefaultBufferSize;
  std::optional<std::chrono::milliseconds> interval;
  OnError on_error;

  mutable std::mutex mu;
  std::condition_variable wake;
  std::vector<IngestRequest> buffer;
  std::size_t sends = 0;
  bool stopping = false;
  std::chrono::steady_clock::time_point next_flush;
  std::thread worker;

  // Sends the whole buffer as one batch; clears it only on success. `mu` held.
  absl::Status send_locked() {
    if (buffer.empty()) return absl::OkStatus();
    internal::SendOptions options;
    options.deadline = std::chrono::system_clock::now() + kBufferedSendTimeout;
    SIFT_RETURN_IF_ERROR(service->ingest(buffer, options));
    ++sends;
    buffer.clear();  // keeps the capacity for the next batch
    return absl::OkStatus();
  }

  // Appends and sends when full. A full-buffer send leaves the interval
  // alone (sift_py's behaviour, whatever its docstring says). `mu` held.
  absl::Status add_locked(IngestRequest request) {
    buffer.push_back(std::move(request));
    if (buffer.size() >= buffer_size) return send_locked();
    return absl::OkStatus();
  }

  void run_interval() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      const auto due = next_flush;
      wake.wait_until(lock, due, [&] { return stopping || next_flush != due; });
      if (stopping) return;
      if (next_flush != due) continue;  // flush() restarted the interval
      absl::Status status = send_locked();
      next_flush = std::chrono::steady_clock::now() + *interval;
      if (!status.ok() && on_error) {
        // The requests stay buffered for the next interval; the callback
        // gets a copy and runs unlocked so it may call back into us.
        std::vector<IngestRequest> unsent = buffer;
        lock.unlock();
        on_error(status, std::move(unsent));
        lock.lock();
      }
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
    absl::Status status = send_locked();
    if (status.ok()) return;
    std::vector<IngestRequest> unsent = std::move(buffer);
    buffer.clear();
    lock.unlock();
    if (on_error) {
      on_error(status, std::move(unsent));
    } else {
      // Nothing else can report it from a destructor.
      std::fprintf(stderr, "sift: BufferedIngestion dropped %zu unsent requests: %s\n",
                   unsent.size(), status.ToString().c_str());
    }
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
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const Flow& flow : flows) {
    SIFT_ASSIGN_OR_RETURN(IngestRequest request, impl_->owner->try_create_ingestion_request(flow));
    SIFT_RETURN_IF_ERROR(impl_->add_locked(std::move(request)));
  }
  return absl::OkStatus();
}

absl::Status BufferedIngestion::try_ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  if (impl_ == nullptr) return moved_from();
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const FlowOrderedChannelValues& flow : flows) {
    SIFT_ASSIGN_OR_RETURN(IngestRequest request, impl_->owner->try_create_ingestion_request(flow));
    SIFT_RETURN_IF_ERROR(impl_->add_locked(std::move(request)));
  }
  return absl::OkStatus();
}

absl::Status BufferedIngestion::ingest_flows(absl::Span<const FlowOrderedChannelValues> flows) {
  if (impl_ == nullptr) return moved_from();
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const FlowOrderedChannelValues& flow : flows) {
    SIFT_RETURN_IF_ERROR(impl_->add_locked(impl_->owner->create_ingestion_request(flow)));
  }
  return absl::OkStatus();
}

absl::Status BufferedIngestion::flush() {
  if (impl_ == nullptr) return moved_from();
  absl::Status status;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    status = impl_->send_locked();
    if (impl_->interval.has_value()) {
      impl_->next_flush = std::chrono::steady_clock::now() + *impl_->interval;
    }
  }
  impl_->wake.notify_all();
  return status;
}

std::size_t BufferedIngestion::buffered() const {
  if (impl_ == nullptr) return 0;
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->buffer.size();
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
  impl->owner = this;
  // sift_py: a size of 0 means the default.
  impl->buffer_size = buffer_size == 0 ? kDefaultBufferSize : buffer_size;
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
