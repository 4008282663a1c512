// Downloading telemetry: sift_py's `sift_py.data.service.DataService`.
// execute() resolves the query's names with list calls, fetches every
// channel's pages with GetData (several channels at once, bounded) and
// decodes them into typed series. See docs/data.md ("DataService").
#ifndef SIFT_DATA_SERVICE_H_
#define SIFT_DATA_SERVICE_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sift/data/query.h"
#include "sift/data/result.h"
#include "sift/grpc/transport.h"

namespace sift {

struct DataServiceOptions {
  // GetData calls in flight at once, each for one channel (or calculated
  // channel) of the query; each channel's pages are fetched one after the
  // other. sift_py has no bound. Must be at least 1.
  std::size_t max_concurrent_requests = 4;
  // Remember asset, run and channel look-ups for the service's lifetime, as
  // sift_py always does (names not found are not remembered); clear_cache()
  // is sift_py's `bust_cache`. Off: every execute() looks names up afresh.
  bool enable_caching = false;
  // Parse and type-check calculated channel expressions locally against the
  // referenced channels' types before anything is fetched (sift_py means to
  // validate them but never waits for the answer). Turn off to send
  // expressions using functions this SDK's expression language does not know
  // (docs/rules.md) and let the server judge them.
  bool check_expressions = true;
};

// How far a download is. Counts only grow.
struct DataProgress {
  std::size_t pages = 0;         // GetData responses decoded
  std::size_t points = 0;        // values decoded (each bit-field element counts)
  std::size_t queries_done = 0;  // wire queries (one per channel) fetched completely
  std::size_t queries_total = 0;
};

// Called on the thread that called execute(), never concurrently, while
// pages arrive (one call may cover several pages); the last call carries the
// final totals when everything was fetched. Not called after a failure.
using ProgressCallback = std::function<void(const DataProgress&)>;

class DataService {
 public:
  explicit DataService(SiftChannel channel, DataServiceOptions options = {});
  ~DataService();
  DataService(DataService&&) noexcept;
  DataService& operator=(DataService&&) noexcept;
  DataService(const DataService&) = delete;
  DataService& operator=(const DataService&) = delete;

  // Runs `query` (validated first, DataQuery::validate()):
  //  1. the asset by name (ListAssets `name=="..."`): NOT_FOUND naming it;
  //  2. the runs named by the query (ListRuns `name in [...]`, every page):
  //     NOT_FOUND naming every unknown run; a name shared by several runs
  //     picks the ones that hold data of the asset, and more than one left is
  //     INVALID_ARGUMENT listing their ids;
  //  3. the channels (ListChannels `asset_id=="..." && name in [...]`, every
  //     page): NOT_FOUND naming every unknown channel and the asset; a name
  //     with several channels (different data types) queries each;
  //  4. calculated channels: references bound to channel ids (a name with
  //     several channels needs the reference's data_type) and, unless
  //     options.check_expressions is off, the expression checked against the
  //     channels' types: INVALID_ARGUMENT naming the channel_key, with the
  //     column and the expression;
  //  5. GetData for each channel: all pages, query.page_size values per
  //     page, up to options.max_concurrent_requests channels at once. The
  //     first failure stops the download (calls in flight are cancelled) and
  //     is returned naming the channel.
  // Series come back in the order of query.channels. Memory holds the decoded
  // columns only, never the raw responses. Safe to call from several threads.
  absl::StatusOr<DataQueryResult> execute(const DataQuery& query, ProgressCallback progress = {});

  // Forgets remembered look-ups (sift_py's bust_cache).
  void clear_cache();

  const DataServiceOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sift

#endif  // SIFT_DATA_SERVICE_H_
