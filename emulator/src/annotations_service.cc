// sift.annotations.v1.AnnotationService: list and get annotations (rule
// evaluation makes most of them) and create plain ones.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/annotations/v1/annotations.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

// The values of one filter field for an annotation (enums by their full
// names, booleans as "true"/"false").
std::vector<std::string> field_values(const AnnotationView& view, const std::string& field) {
  const annotations_pb::Annotation& a = view.annotation;
  if (field == "annotation_id") return {a.annotation_id()};
  if (field == "run_id") return {a.run_id()};
  if (field == "name") return {a.name()};
  if (field == "description") return {a.description()};
  if (field == "state")
    return {a.has_state() ? annotations_pb::AnnotationState_Name(a.state()) : ""};
  if (field == "created_by_user_id") return {a.created_by_user_id()};
  if (field == "created_by_rule_condition_version_id") {
    return {a.created_by_rule_condition_version_id()};
  }
  if (field == "rule_id") return {view.rule_id};
  if (field == "annotation_type") return {annotations_pb::AnnotationType_Name(a.annotation_type())};
  if (field == "tag_name") return std::vector<std::string>(a.tags().begin(), a.tags().end());
  if (field == "asset_id")
    return std::vector<std::string>(a.asset_ids().begin(), a.asset_ids().end());
  if (field == "asset_name") return view.asset_names;
  if (field == "pending") return {a.pending() ? "true" : "false"};
  if (field == "assignee") return {a.assigned_to_user_id(), a.assigned_to_user().user_name()};
  return {a.is_archived() ? "true" : "false"};  // is_archived
}

class AnnotationsService final : public annotations_pb::AnnotationService::Service {
 public:
  explicit AnnotationsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateAnnotation(grpc::ServerContext* context,
                                const annotations_pb::CreateAnnotationRequest* request,
                                annotations_pb::CreateAnnotationResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<annotations_pb::Annotation> annotation =
        deps_.store->create_annotation(*request);
    if (!annotation.ok()) return to_grpc(annotation.status());
    *response->mutable_annotation() = std::move(*annotation);
    return grpc::Status::OK;
  }

  grpc::Status GetAnnotation(grpc::ServerContext* context,
                             const annotations_pb::GetAnnotationRequest* request,
                             annotations_pb::GetAnnotationResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<annotations_pb::Annotation> annotation =
        deps_.store->annotation(request->annotation_id());
    if (!annotation.ok()) return to_grpc(annotation.status());
    *response->mutable_annotation() = std::move(*annotation);
    return grpc::Status::OK;
  }

  // Newest first (Sift's default: created_date desc).
  grpc::Status ListAnnotations(grpc::ServerContext* context,
                               const annotations_pb::ListAnnotationsRequest* request,
                               annotations_pb::ListAnnotationsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListAnnotations", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter = parse_filter_for(
        "ListAnnotations", request->filter(),
        {"annotation_id", "run_id", "name", "description", "state", "created_by_user_id",
         "created_by_rule_condition_version_id", "rule_id", "annotation_type", "tag_name",
         "asset_id", "asset_name", "pending", "assignee", "is_archived"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListAnnotations", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<annotations_pb::Annotation> annotations =
        deps_.store->annotations([&](const AnnotationView& view) {
          return filter->matches_any(
              [&](const std::string& field) { return field_values(view, field); });
        });
    response->set_next_page_token(
        take_page(annotations, *page, [&](annotations_pb::Annotation&& annotation) {
          *response->add_annotations() = std::move(annotation);
        }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteAnnotation(grpc::ServerContext* context,
                                const annotations_pb::DeleteAnnotationRequest*,
                                annotations_pb::DeleteAnnotationResponse*) override {
    return not_here(*context, "DeleteAnnotation");
  }
  grpc::Status ArchiveAnnotation(grpc::ServerContext* context,
                                 const annotations_pb::ArchiveAnnotationRequest*,
                                 annotations_pb::ArchiveAnnotationResponse*) override {
    return not_here(*context, "ArchiveAnnotation");
  }
  grpc::Status UnarchiveAnnotation(grpc::ServerContext* context,
                                   const annotations_pb::UnarchiveAnnotationRequest*,
                                   annotations_pb::UnarchiveAnnotationResponse*) override {
    return not_here(*context, "UnarchiveAnnotation");
  }
  grpc::Status BatchDeleteAnnotations(grpc::ServerContext* context,
                                      const annotations_pb::BatchDeleteAnnotationsRequest*,
                                      annotations_pb::BatchDeleteAnnotationsResponse*) override {
    return not_here(*context, "BatchDeleteAnnotations");
  }
  grpc::Status BatchArchiveAnnotations(grpc::ServerContext* context,
                                       const annotations_pb::BatchArchiveAnnotationsRequest*,
                                       annotations_pb::BatchArchiveAnnotationsResponse*) override {
    return not_here(*context, "BatchArchiveAnnotations");
  }
  grpc::Status BatchUnarchiveAnnotations(
      grpc::ServerContext* context, const annotations_pb::BatchUnarchiveAnnotationsRequest*,
      annotations_pb::BatchUnarchiveAnnotationsResponse*) override {
    return not_here(*context, "BatchUnarchiveAnnotations");
  }
  grpc::Status UpdateAnnotation(grpc::ServerContext* context,
                                const annotations_pb::UpdateAnnotationRequest*,
                                annotations_pb::UpdateAnnotationResponse*) override {
    return not_here(*context, "UpdateAnnotation");
  }

 private:
  grpc::Status not_here(grpc::ServerContext& context, const char* method) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    return unimplemented(std::string("sift.annotations.v1.AnnotationService/") + method);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_annotations_service(const ServiceDeps& deps) {
  return std::make_unique<AnnotationsService>(deps);
}

}  // namespace emulator
}  // namespace sift
