// Buffered ingestion: sift_py's `sift_py.ingestion.buffer`.
#ifndef SIFT_INGESTION_BUFFER_H_
#define SIFT_INGESTION_BUFFER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sift/ingestion/flow.h"
#include "sift/ingestion/request.h"

namespace sift {

class IngestionService;

inline constexpr std::size_t kDefaultBufferSize = 1000;

// Deadline of each batch a BufferedIngestion sends (size-triggered, interval,
// flush() and the destructor's final flush), so that neither a producer nor
// the destructor can hang on a stalled server. A batch that misses it fails
// with DEADLINE_EXCEEDED and stays buffered.
inline constexpr std::chrono::seconds kBufferedSendTimeout{30};

// Buffers requests and sends them in batches: when `buffer_size` requests are
// buffered, every flush interval (if set), on flush(), and on destruction.
// A size-triggered send does not restart the interval (as in sift_py).
// The destructor never throws: it stops the interval thread (waiting for a
// send in progress), then sends what is left; if that fails, `on_error`
// receives the status and the unsent requests (without on_error, one line
// goes to stderr). It takes at most about 2 x kBufferedSendTimeout.
// A failed interval flush is reported to `on_error` with a copy of the
// unsent requests, which stay buffered and are retried at the next interval.
// `on_error` runs on the interval thread or in the destructor, without any
// lock held; it must not throw nor destroy the buffer.
// Every method is safe to call from several threads.
// Obtain one from IngestionService::buffered_ingestion(); it must not outlive
// the service.
class BufferedIngestion {
 public:
  using OnError =
      std::function<void(const absl::Status& status, std::vector<IngestRequest> unsent)>;

  BufferedIngestion(BufferedIngestion&&) noexcept;
  BufferedIngestion& operator=(BufferedIngestion&&) noexcept;
  BufferedIngestion(const BufferedIngestion&) = delete;
  BufferedIngestion& operator=(const BufferedIngestion&) = delete;
  ~BufferedIngestion();

  // Build requests (validated by try_*, as IngestionService does) and buffer
  // them, sending whenever the buffer is full. On an error the requests of
  // this call appended so far stay buffered (as sift_py); a failed send keeps
  // the whole buffer for the next attempt.
  absl::Status try_ingest_flows(absl::Span<const Flow> flows);
  absl::Status try_ingest_flows(std::initializer_list<Flow> flows) {
    return try_ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }
  absl::Status try_ingest_flows(absl::Span<const FlowOrderedChannelValues> flows);
  absl::Status try_ingest_flows(std::initializer_list<FlowOrderedChannelValues> flows) {
    return try_ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }
  absl::Status ingest_flows(absl::Span<const FlowOrderedChannelValues> flows);
  absl::Status ingest_flows(std::initializer_list<FlowOrderedChannelValues> flows) {
    return ingest_flows(absl::MakeConstSpan(flows.begin(), flows.size()));
  }

  // One or several flows as separate arguments (each a Flow, or each a
  // FlowOrderedChannelValues); several are copied once into an array.
  template <typename T, typename... More, typename = internal::EnableIfFlows<T, More...>>
  absl::Status try_ingest_flows(const T& first, const More&... more) {
    return internal::with_flow_span(
        [this](absl::Span<const T> flows) { return try_ingest_flows(flows); }, first, more...);
  }
  template <typename... More, typename = internal::EnableIfFlows<FlowOrderedChannelValues, More...>>
  absl::Status ingest_flows(const FlowOrderedChannelValues& first, const More&... more) {
    return internal::with_flow_span(
        [this](absl::Span<const FlowOrderedChannelValues> flows) { return ingest_flows(flows); },
        first, more...);
  }

  // Sends everything buffered so far (nothing when empty) and restarts the
  // interval; on failure the requests stay buffered.
  absl::Status flush();

  std::size_t buffered() const;
  // Number of batches sent successfully so far (for tests and metrics).
  std::size_t sends() const;

  struct Impl;

 private:
  friend class IngestionService;
  explicit BufferedIngestion(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_INGESTION_BUFFER_H_
