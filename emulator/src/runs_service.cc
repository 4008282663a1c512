// sift.runs.v2.RunService: create, get, list (by name, id or client key), update.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/runs/v2/runs.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

class RunsService final : public runs_pb::RunService::Service {
 public:
  explicit RunsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateRun(grpc::ServerContext* context, const runs_pb::CreateRunRequest* request,
                         runs_pb::CreateRunResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<runs_pb::Run> run = deps_.store->create_run(*request);
    if (!run.ok()) return to_grpc(run.status());
    *response->mutable_run() = std::move(*run);
    return grpc::Status::OK;
  }

  grpc::Status GetRun(grpc::ServerContext* context, const runs_pb::GetRunRequest* request,
                      runs_pb::GetRunResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<runs_pb::Run> run = deps_.store->run(request->run_id());
    if (!run.ok()) return to_grpc(run.status());
    *response->mutable_run() = std::move(*run);
    return grpc::Status::OK;
  }

  grpc::Status ListRuns(grpc::ServerContext* context, const runs_pb::ListRunsRequest* request,
                        runs_pb::ListRunsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListRuns", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListRuns", request->filter(), {"name", "run_id", "client_key"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListRuns", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<runs_pb::Run> runs = deps_.store->runs([&](const runs_pb::Run& run) {
      return filter->matches([&](const std::string& field) {
        if (field == "name") return run.name();
        if (field == "client_key") return run.client_key();
        return run.run_id();
      });
    });
    response->set_next_page_token(take_page(
        runs, *page, [&](runs_pb::Run&& run) { *response->add_runs() = std::move(run); }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateRun(grpc::ServerContext* context, const runs_pb::UpdateRunRequest* request,
                         runs_pb::UpdateRunResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<runs_pb::Run> run =
        deps_.store->update_run(request->run(), request->update_mask());
    if (!run.ok()) return to_grpc(run.status());
    *response->mutable_run() = std::move(*run);
    return grpc::Status::OK;
  }

  grpc::Status CreateAdhocRun(grpc::ServerContext* context, const runs_pb::CreateAdhocRunRequest*,
                              runs_pb::CreateAdhocRunResponse*) override {
    return not_here(*context, "CreateAdhocRun");
  }
  grpc::Status DeleteRun(grpc::ServerContext* context, const runs_pb::DeleteRunRequest*,
                         runs_pb::DeleteRunResponse*) override {
    return not_here(*context, "DeleteRun");
  }
  grpc::Status StopRun(grpc::ServerContext* context, const runs_pb::StopRunRequest*,
                       runs_pb::StopRunResponse*) override {
    return not_here(*context, "StopRun");
  }
  grpc::Status GetFilterFields(grpc::ServerContext* context, const runs_pb::GetFilterFieldsRequest*,
                               runs_pb::GetFilterFieldsResponse*) override {
    return not_here(*context, "GetFilterFields");
  }
  grpc::Status ValidateRunFilter(grpc::ServerContext* context,
                                 const runs_pb::ValidateRunFilterRequest*,
                                 runs_pb::ValidateRunFilterResponse*) override {
    return not_here(*context, "ValidateRunFilter");
  }
  grpc::Status CreateAutomaticRunAssociationForAssets(
      grpc::ServerContext* context, const runs_pb::CreateAutomaticRunAssociationForAssetsRequest*,
      runs_pb::CreateAutomaticRunAssociationForAssetsResponse*) override {
    return not_here(*context, "CreateAutomaticRunAssociationForAssets");
  }

 private:
  grpc::Status not_here(grpc::ServerContext& context, const char* method) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    return unimplemented(std::string("sift.runs.v2.RunService/") + method);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_runs_service(const ServiceDeps& deps) {
  return std::make_unique<RunsService>(deps);
}

}  // namespace emulator
}  // namespace sift
