// sift.annotation_logs.v1.AnnotationLogService, minimal: create and list the
// log entries of annotations, so that files can be attached to them.
#include <utility>

#include "absl/strings/str_cat.h"
#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/annotation_logs/v1/annotation_logs.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

class AnnotationLogsService final : public annotation_logs_pb::AnnotationLogService::Service {
 public:
  explicit AnnotationLogsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateAnnotationLog(
      grpc::ServerContext* context, const annotation_logs_pb::CreateAnnotationLogRequest* request,
      annotation_logs_pb::CreateAnnotationLogResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    auto log = deps_.store->create_annotation_log(*request);
    if (!log.ok()) return to_grpc(log.status());
    *response->mutable_annotation_log() = std::move(*log);
    return grpc::Status::OK;
  }

  // In creation order; `annotation_id` empty lists the entries of every
  // annotation.
  grpc::Status ListAnnotationLogs(
      grpc::ServerContext* context, const annotation_logs_pb::ListAnnotationLogsRequest* request,
      annotation_logs_pb::ListAnnotationLogsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListAnnotationLogs", request->filter(),
                         {"annotation_log_id", "annotation_id", "created_by_user_id", "kind"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListAnnotationLogs", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    const std::string& annotation_id = request->annotation_id();
    if (!annotation_id.empty()) {
      if (absl::Status s = deps_.store->annotation(annotation_id).status(); !s.ok()) {
        return to_grpc(s);
      }
    }
    auto logs =
        deps_.store->annotation_logs([&](const annotation_logs_pb::AnnotationLogSearchResult& log) {
          if (!annotation_id.empty() && log.annotation_id() != annotation_id) return false;
          return filter->matches([&](const std::string& field) {
            if (field == "annotation_log_id") return log.annotation_log_id();
            if (field == "annotation_id") return log.annotation_id();
            if (field == "created_by_user_id") return log.created_by_user_id();
            return annotation_logs_pb::AnnotationLogKind_Name(log.kind());  // kind
          });
        });
    response->set_next_page_token(
        take_page(logs, *page, [&](annotation_logs_pb::AnnotationLogSearchResult&& log) {
          *response->add_annotation_logs() = std::move(log);
        }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteAnnotationLog(grpc::ServerContext* context,
                                   const annotation_logs_pb::DeleteAnnotationLogRequest*,
                                   annotation_logs_pb::DeleteAnnotationLogResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    return unimplemented("sift.annotation_logs.v1.AnnotationLogService/DeleteAnnotationLog");
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_annotation_logs_service(const ServiceDeps& deps) {
  return std::make_unique<AnnotationLogsService>(deps);
}

}  // namespace emulator
}  // namespace sift
