// The download: plain std::thread workers (at most max_concurrent_requests)
// take wire queries in order and page through each with blocking GetData
// calls, decoding every page into that query's own accumulator and dropping
// the response. The calling thread waits, reports progress and, at the end,
// combines the accumulators in query order so the result does not depend on
// timing. The first failure cancels the calls in flight.
#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/data_decode.h"
#include "internal/data_service_impl.h"
#include "internal/grpc_util.h"
#include "internal/ingest_request.h"
#include "internal/paging.h"
#include "sift/status.h"

namespace sift {
namespace internal {
namespace {

constexpr char kGetData[] = "DataService.GetData";

data::v2::GetDataRequest build_request(const DataQuery& query, const WireQuery& wire) {
  data::v2::GetDataRequest request;
  data::v2::Query* out = request.add_queries();
  if (wire.calculated()) {
    data::v2::CalculatedChannelQuery* calculated = out->mutable_calculated_channel();
    calculated->set_channel_key(wire.channel_key);
    calculated->mutable_expression()->set_expression(wire.expression);
    for (const auto& [reference, channel_id] : wire.references) {
      auto* bound = calculated->mutable_expression()->add_expression_channel_references();
      bound->set_channel_reference(reference);
      bound->set_channel_id(channel_id);
    }
    if (wire.run_id.has_value()) calculated->set_run_id(*wire.run_id);
  } else {
    data::v2::ChannelQuery* channel = out->mutable_channel();
    channel->set_channel_id(wire.channel_id);
    if (wire.run_id.has_value()) channel->set_run_id(*wire.run_id);
  }
  encode_timestamp(query.start_time, request.mutable_start_time());
  encode_timestamp(query.end_time, request.mutable_end_time());
  request.set_sample_ms(query.sample_ms);
  request.set_page_size(query.page_size);
  return request;
}

absl::Status labelled(const WireQuery& wire, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(wire.label, ": ", status.message()));
}

// What the workers and the waiting caller share; everything under `mu`.
class Download {
 public:
  Download(DataService::Impl& impl, const DataQuery& query, const std::vector<WireQuery>& wire)
      : impl_(impl), query_(query), wire_(wire), accumulators_(wire.size()) {
    progress_.queries_total = wire.size();
  }

  absl::StatusOr<DataQueryResult> run(const ProgressCallback& callback) {
    const std::size_t workers = std::min(impl_.options.max_concurrent_requests, wire_.size());
    active_ = workers;
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (true) {
        cv_.wait(lock, [&] { return dirty_ || active_ == 0; });
        if (dirty_) {
          dirty_ = false;
          const DataProgress snapshot = progress_;
          if (callback && error_.ok()) {
            lock.unlock();
            callback(snapshot);
            lock.lock();
          }
          continue;
        }
        if (active_ == 0) break;
      }
    }
    for (std::thread& t : threads) t.join();
    if (!error_.ok()) return error_;
    SeriesAccumulator all;
    for (SeriesAccumulator& acc : accumulators_) all.merge_from(std::move(acc));
    return std::move(all).finish();
  }

 private:
  void work() {
    while (true) {
      std::size_t index = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_.ok() || next_ == wire_.size()) break;
        index = next_++;
      }
      const absl::Status status = labelled(wire_[index], fetch(index));
      std::lock_guard<std::mutex> lock(mu_);
      if (status.ok()) {
        ++progress_.queries_done;
        dirty_ = true;
      } else {
        fail_locked(status);
      }
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
    cv_.notify_all();
  }

  // Every page of one wire query.
  absl::Status fetch(std::size_t index) {
    const WireQuery& wire = wire_[index];
    SeriesAccumulator& acc = accumulators_[index];
    data::v2::GetDataRequest request = build_request(query_, wire);
    return for_each_page(kGetData, [&](const std::string& token) -> absl::StatusOr<std::string> {
      request.set_page_token(token);
      data::v2::GetDataResponse response;
      grpc::ClientContext context;
      set_unary_deadline(&context, impl_.channel);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_.ok()) return absl::CancelledError("stopped after another channel failed");
        in_flight_.insert(&context);
      }
      const grpc::Status status = impl_.data->GetData(&context, request, &response);
      {
        std::lock_guard<std::mutex> lock(mu_);
        in_flight_.erase(&context);
      }
      SIFT_RETURN_IF_ERROR(to_absl_status(status, kGetData, impl_.channel));
      const std::size_t before = acc.points();
      SIFT_RETURN_IF_ERROR(acc.add_page(response, wire.context));
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++progress_.pages;
        progress_.points += acc.points() - before;
        dirty_ = true;
      }
      cv_.notify_all();
      return response.next_page_token();
    });
  }

  void fail_locked(const absl::Status& status) {
    if (!error_.ok()) return;  // a later failure is usually our own cancellation
    error_ = status;
    for (grpc::ClientContext* context : in_flight_) context->TryCancel();
  }

  DataService::Impl& impl_;
  const DataQuery& query_;
  const std::vector<WireQuery>& wire_;
  // One per wire query, each touched by one worker only until run() combines them.
  std::vector<SeriesAccumulator> accumulators_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t next_ = 0;
  std::size_t active_ = 0;
  DataProgress progress_;
  bool dirty_ = false;
  absl::Status error_;
  std::set<grpc::ClientContext*> in_flight_;
};

}  // namespace

absl::StatusOr<DataQueryResult> fetch_all(DataService::Impl& impl, const DataQuery& query,
                                          const std::vector<WireQuery>& wire_queries,
                                          const ProgressCallback& progress) {
  Download download(impl, query, wire_queries);
  return download.run(progress);
}

}  // namespace internal
}  // namespace sift
