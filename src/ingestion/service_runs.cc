// Runs (spec 6): attach by name (reuse unless force_new), detach.
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/cel.h"
#include "internal/grpc_util.h"
#include "internal/ingestion_service_impl.h"
#include "sift/ingestion/service.h"
#include "sift/status.h"

namespace sift {
namespace {

constexpr char kListRuns[] = "RunService.ListRuns";
constexpr char kCreateRun[] = "RunService.CreateRun";

absl::Status in_run(const std::string& run_name, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat("attach_run('", run_name, "'): ", status.message()));
}

absl::Status encode_metadata(const std::string& run_name, const Metadata& metadata,
                             runs::v2::CreateRunRequest* request) {
  std::set<std::string> keys;
  for (const auto& [key, value] : metadata) {
    if (!keys.insert(key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("attach_run('", run_name, "'): metadata key '", key, "' already exists"));
    }
    metadata::v1::MetadataValue* out = request->add_metadata();
    out->mutable_key()->set_name(key);
    if (const std::string* text = std::get_if<std::string>(&value)) {
      out->mutable_key()->set_type(metadata::v1::METADATA_KEY_TYPE_STRING);
      out->set_string_value(*text);
    } else if (const bool* flag = std::get_if<bool>(&value)) {
      out->mutable_key()->set_type(metadata::v1::METADATA_KEY_TYPE_BOOLEAN);
      out->set_boolean_value(*flag);
    } else {
      out->mutable_key()->set_type(metadata::v1::METADATA_KEY_TYPE_NUMBER);
      out->set_number_value(std::get<double>(value));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status IngestionService::attach_run(const std::string& run_name, const RunOptions& options) {
  if (run_name.empty()) {
    return absl::InvalidArgumentError("attach_run: the run name cannot be empty");
  }
  if (!options.force_new) {
    // Runs are matched by name across the organisation, not per asset.
    runs::v2::ListRunsRequest request;
    request.set_filter(internal::cel_equals("name", run_name));
    request.set_page_size(1);
    runs::v2::ListRunsResponse response;
    SIFT_RETURN_IF_ERROR(
        in_run(run_name, internal::unary_call(impl_->channel, kListRuns, [&](auto* context) {
                 return impl_->runs->ListRuns(context, request, &response);
               })));
    if (response.runs_size() > 0) {
      // The existing run is reused as it is: options are not applied to it.
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->run_id = response.runs(0).run_id();
      return absl::OkStatus();
    }
  }

  runs::v2::CreateRunRequest request;
  request.set_name(run_name);
  request.set_description(options.description);
  // The argument's organisation, not the telemetry config's (as sift_py).
  request.set_organization_id(options.organization_id.value_or(""));
  for (const std::string& tag : options.tags) request.add_tags(tag);
  SIFT_RETURN_IF_ERROR(encode_metadata(run_name, options.metadata, &request));
  runs::v2::CreateRunResponse response;
  SIFT_RETURN_IF_ERROR(
      in_run(run_name, internal::unary_call(impl_->channel, kCreateRun, [&](auto* context) {
               return impl_->runs->CreateRun(context, request, &response);
             })));
  if (response.run().run_id().empty()) {
    return absl::InternalError(
        absl::StrCat("attach_run('", run_name, "'): RunService.CreateRun returned no run id"));
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->run_id = response.run().run_id();
  return absl::OkStatus();
}

void IngestionService::detach_run() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->run_id.reset();
}

std::optional<std::string> IngestionService::run_id() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->run_id;
}

}  // namespace sift
