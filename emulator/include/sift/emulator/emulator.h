// sift-emulator: a local Sift-compatible gRPC server for development,
// examples and tests (yours too: start one inside a GoogleTest suite).
#ifndef SIFT_EMULATOR_EMULATOR_H_
#define SIFT_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/channel.h"
#include "sift/ingestion/flow.h"
#include "sift/time.h"

namespace sift {
namespace emulator {

struct EmulatorOptions {
  // host:port to listen on; port 0 picks a free port. Loopback by default.
  std::string listen = "127.0.0.1:0";
  // When set, every call without `authorization: Bearer <api_key>` fails
  // with UNAUTHENTICATED.
  std::optional<std::string> api_key;
  // Benchmarks only: IngestWithConfigDataStream parses every request and
  // counts its rows and bytes (ingest_counts()), nothing more: no
  // validation, no storage, so the server costs the same for every client.
  // All other services behave as usual (ingestion configs can be created).
  bool ingest_count_only = false;
  // Active users (UserService ListActiveUsers/GetUser), by name, e.g. the
  // assignee of a review rule (`ellen.ripley@weylandcorp.com`). The API key's
  // own user is always there too.
  std::vector<std::string> users;
  // Tags that exist from the start (TagService ListTags), by name, e.g. the
  // annotation tags of a rule action. CreateTag adds more.
  std::vector<std::string> tags;
  // The HTTP listener for Sift's REST file endpoints (the upload endpoint
  // and the download URLs that GetRemoteFileDownloadUrl hands out):
  // host:port, port 0 picks a free port. Unset = no HTTP listener
  // (RemoteFileService still answers over gRPC).
  std::optional<std::string> http_listen;
  // Where uploaded files' bytes are kept. Empty = a fresh temporary directory,
  // removed when the emulator is destroyed; a given directory is kept.
  std::string data_dir;
  // Largest file the upload endpoint accepts, in bytes (HTTP 413 above it).
  std::uint64_t max_file_size = std::uint64_t{1} << 30;
};

// A file stored by the upload endpoint (inspection).
struct RemoteFileInfo {
  std::string remote_file_id;
  std::string entity_id;
  std::string entity_type;  // "runs", "annotations" or "annotation_logs"
  std::string file_name;
  std::string mime_type;
  std::string content_encoding;
  std::uint64_t size = 0;
  std::string description;
  std::string path;  // where its bytes are, under the data directory
};

// What IngestWithConfigDataStream has read since the emulator was built.
struct IngestCounts {
  std::uint64_t rows = 0;   // requests read (in normal mode rejected ones too)
  std::uint64_t bytes = 0;  // their serialized size (ByteSizeLong of each)
};

// What one stored channel holds (one line of --summary-on-exit).
struct ChannelSummary {
  std::string asset;
  std::string channel;  // fully qualified name
  std::size_t rows = 0;
  std::size_t runs = 0;  // distinct run ids among the rows (the empty run counts)
};

// An annotation as stored (inspection); rule annotations are created by the
// emulator's rule evaluation.
struct AnnotationInfo {
  std::string annotation_id;
  std::string name;     // the rule's name for rule annotations
  std::string rule_id;  // empty when not created by a rule
  std::string kind;     // "review" or "phase"
  std::string state;    // "open", "flagged", "resolved"; "none" for phase
  std::string asset;    // asset name
  std::string run_id;   // empty = no run
  std::string assigned_to_user_id;
  std::vector<std::string> tags;  // tag names
  Timestamp start;
  std::optional<Timestamp> end;  // nullopt while the rule is still true
};

// One stored sample of one channel (inspection).
struct StoredRow {
  Timestamp timestamp;
  std::string run_id;  // empty = no run
  TypedValue value;
};

// An ingestion config as stored, with its flows in creation order (inspection).
struct IngestionConfigInfo {
  std::string ingestion_config_id;
  std::string asset_id;
  std::string asset_name;
  std::string client_key;
  std::vector<FlowConfig> flows;
};

// A run as stored (inspection). Metadata values are text, number or boolean.
struct RunInfo {
  std::string run_id;
  std::string name;
  std::string description;
  std::optional<std::string> client_key;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::variant<std::string, double, bool>>> metadata;
  std::vector<std::string> asset_ids;  // assets that have rows in the run
  bool is_pinned = false;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> stop_time;
};

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options = {});
  ~Emulator();  // stops
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Starts serving. After stop(), start() serves the same store again (on the
  // same port when one was picked), which is how tests simulate an outage.
  absl::Status start();
  // Stops serving; the store is kept. Open calls get 250 ms to finish, then
  // are cancelled (a cut stream never ends OK). Calls fail with UNAVAILABLE
  // until start(), over TCP and in-process channels alike.
  void stop();
  bool running() const;

  // `127.0.0.1:PORT` while running (the port actually bound; after stop(),
  // the port start() binds again). Empty before a port 0 was ever bound.
  std::string endpoint() const;
  // A channel to this emulator that does not touch the network, carrying
  // `apikey` like use_sift_channel() would. Valid across stop()/start() (and
  // usable before start(): UNAVAILABLE until then); a channel that outlives
  // the emulator fails with UNAVAILABLE.
  SiftChannel in_process_channel(const std::string& apikey = "") const;

  // Inspection, for tests and --summary-on-exit.
  std::vector<ChannelSummary> channel_summaries() const;
  // The summary lines, exactly
  // `asset=<asset> channel=<fqn> rows=<n> runs=<distinct run count>`, one per
  // channel with rows, sorted by asset then channel, followed by one line per annotation, in
  // creation order, exactly `annotation rule=<rule name> kind=<review|phase> state=<open|...>
  // asset=<asset> start=<RFC 3339> end=<RFC 3339 or open>`.
  std::vector<std::string> summary_lines() const;
  // Annotations, in creation order.
  std::vector<AnnotationInfo> annotations() const;
  // Rows that a rule skipped because they were older than a row it already
  // evaluated for the same asset and run (a replay after a reconnect),
  // counted once per row; they are stored all the same.
  std::uint64_t out_of_order_rows() const;
  // Rows dropped because they failed validation (end_stream_on_validation_error unset).
  std::uint64_t rejected_rows() const;
  // Why they were dropped: the most recent 100 reasons, oldest first.
  std::vector<std::string> rejected_row_errors() const;
  // The rows of one channel (asset name, fully qualified channel name) in
  // time order; empty when there is no such channel.
  std::vector<StoredRow> rows(const std::string& asset, const std::string& channel) const;
  // Asset names, in creation order.
  std::vector<std::string> asset_names() const;
  // Ingestion configs and runs, in creation order.
  std::vector<IngestionConfigInfo> ingestion_configs() const;
  std::vector<RunInfo> runs() const;
  // Rows and bytes read by IngestWithConfigDataStream, counted in both modes.
  IngestCounts ingest_counts() const;

  // `127.0.0.1:PORT` of the HTTP listener while running (the port actually
  // bound); empty when options.http_listen is unset.
  std::string http_endpoint() const;
  // Files the upload endpoint stored and not yet deleted, in upload order.
  std::vector<RemoteFileInfo> remote_files() const;
  // Fault injection for REST client tests: the next `count` HTTP requests
  // (any route) are answered with `http_status` (e.g. 503) and nothing else
  // happens.
  void fail_next_http_requests(int count, int http_status);
  // Fault injection: the next download GET sends its headers (with the full
  // Content-Length) and the first `bytes` bytes of the body, then closes the
  // connection.
  void cut_next_download_after(std::uint64_t bytes);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_EMULATOR_H_
