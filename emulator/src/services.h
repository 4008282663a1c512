// The gRPC services, each a thin adapter: enter the gate (which checks the
// API key), call the store, translate the result.
#ifndef SIFT_EMULATOR_SERVICES_H_
#define SIFT_EMULATOR_SERVICES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "auth.h"
#include "files.h"
#include "gate.h"
#include "store.h"

namespace sift {
namespace emulator {

// absl and gRPC share their status codes.
grpc::Status to_grpc(const absl::Status& status);
// UNIMPLEMENTED naming the full method (`sift.runs.v2.RunService/StopRun`).
grpc::Status unimplemented(std::string_view method);
// UNIMPLEMENTED for any non-empty order_by: the emulator lists in Sift's
// default order only.
grpc::Status check_order_by(std::string_view method, const std::string& order_by);

// What every adapter uses. The store is touched only inside a CallGuard (the
// gate is open only while the emulator lives); the key and the gate are
// shared because a server an in-process channel still points at may outlive
// the emulator.
// Rows and bytes read by IngestWithConfigDataStream (Emulator::ingest_counts()).
struct IngestCounters {
  std::atomic<std::uint64_t> rows{0};
  std::atomic<std::uint64_t> bytes{0};
};

struct ServiceDeps {
  Store* store = nullptr;
  IngestCounters* ingest_counters = nullptr;  // owned like the store
  // EmulatorOptions::ingest_count_only: the ingest handler only counts.
  bool ingest_count_only = false;
  std::shared_ptr<const Auth> auth;
  std::shared_ptr<Gate> gate;
  // Where GetRemoteFileDownloadUrl points (empty: no HTTP listener).
  std::shared_ptr<const HttpAddress> http_address;
};

std::unique_ptr<grpc::Service> make_ping_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_assets_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_ingestion_configs_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_ingest_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_runs_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_channels_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_rules_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_users_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_tags_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_annotations_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_data_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_remote_files_service(const ServiceDeps& deps);
std::unique_ptr<grpc::Service> make_annotation_logs_service(const ServiceDeps& deps);
// Answers every method no service above registers (files, ...) with
// UNIMPLEMENTED naming it, after the API-key check.
std::unique_ptr<grpc::CallbackGenericService> make_unknown_method_service(const ServiceDeps& deps);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_SERVICES_H_
