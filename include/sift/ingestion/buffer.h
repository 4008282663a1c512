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

// How long flush() and the destructor wait for the server to acknowledge
// the rows handed over (IngestionService::flush's timeout).
inline constexpr std::chrono::seconds kBufferedSendTimeout{30};

// Stages rows and hands them to the IngestionService's engine in batches:
// when `buffer_size` rows are staged, every flush interval (if set), on
// flush(), and on destruction. A size-triggered hand-off does not restart the
// interval (as in sift_py). The engine streams them, retries and replays
// (docs/ingestion_engine.md); a hand-off fails only when the engine's queue
// has no room (its backpressure policy: by default RESOURCE_EXHAUSTED), and
// then the rows stay staged; no more than `buffer_size` rows are ever staged.
// The destructor never throws: it stops the interval thread, hands over what
// is staged and waits up to kBufferedSendTimeout for the acknowledgement. If
// the hand-over fails, `on_error` receives the status and the staged rows
// (then discarded); if the acknowledgement does not come in time, it receives
// the status and no rows (the service keeps sending them). Without on_error,
// one line goes to stderr. A failed interval hand-off is reported to
// `on_error` with a copy of the staged rows, which stay staged.
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

  // Encode rows (validated by try_*, as IngestionService does) and stage
  // them, handing over whenever `buffer_size` are staged. On an error the rows
  // of this call staged so far stay staged (as sift_py).
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

  // Hands over everything staged, restarts the interval, and waits until the
  // server acknowledged every row the service accepted so far (up to
  // kBufferedSendTimeout). On a failed hand-over the rows stay staged.
  absl::Status flush();

  // Rows staged, not yet handed to the engine.
  std::size_t buffered() const;
  // Number of batches handed to the engine so far.
  std::size_t sends() const;

  struct Impl;

 private:
  friend class IngestionService;
  explicit BufferedIngestion(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_INGESTION_BUFFER_H_
