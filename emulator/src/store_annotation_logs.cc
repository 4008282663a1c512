// Store: annotation logs, the entries of an annotation's activity history
// (comments, state changes, assignments). Kept minimal: they exist so files
// can be attached to them; they do not change the annotation itself.
#include <utility>

#include "absl/strings/str_cat.h"
#include "store.h"

namespace sift {
namespace emulator {

absl::StatusOr<annotation_logs_pb::AnnotationLogSearchResult> Store::create_annotation_log(
    const annotation_logs_pb::CreateAnnotationLogRequest& request) {
  using Request = annotation_logs_pb::CreateAnnotationLogRequest;
  const std::string label =
      absl::StrCat("annotation log on annotation '", request.annotation_id(), "'");
  // The kind and the oneof member must agree (the member's field numbers
  // differ between this request and the result, so they are copied by name).
  Request::PropertiesCase expected = Request::PROPERTIES_NOT_SET;
  switch (request.kind()) {
    case annotation_logs_pb::ANNOTATION_LOG_KIND_COMMENT:
      expected = Request::kComment;
      break;
    case annotation_logs_pb::ANNOTATION_LOG_KIND_STATE_UPDATE:
      expected = Request::kStateUpdate;
      break;
    case annotation_logs_pb::ANNOTATION_LOG_KIND_ASSIGNED:
      expected = Request::kAssigned;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(label,
                       ": kind must be ANNOTATION_LOG_KIND_COMMENT, _STATE_UPDATE or "
                       "_ASSIGNED, not ",
                       static_cast<int>(request.kind())));
  }
  if (request.properties_case() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": kind ", annotation_logs_pb::AnnotationLogKind_Name(request.kind()),
                     " needs its properties (comment, state_update or assigned to match)"));
  }
  if (expected == Request::kStateUpdate &&
      (request.state_update().state() < annotation_logs_pb::ANNOTATION_LOG_STATE_CREATED ||
       request.state_update().state() > annotation_logs_pb::ANNOTATION_LOG_STATE_RESOLVED)) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, ": unknown state_update.state ", static_cast<int>(request.state_update().state())));
  }

  std::lock_guard<std::mutex> lock(mu_);
  if (annotation_by_id_.count(request.annotation_id()) == 0) {
    return absl::NotFoundError(
        absl::StrCat("annotation '", request.annotation_id(), "' not found"));
  }
  if (expected == Request::kAssigned &&
      user_by_id_.count(request.assigned().assigned_to_user_id()) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": assigned_to_user_id '",
                                                   request.assigned().assigned_to_user_id(),
                                                   "' is not a known user"));
  }
  annotation_logs_pb::AnnotationLogSearchResult log;
  log.set_annotation_log_id(ids_.next());
  stamp(log.mutable_created_date(), log.mutable_modified_date());
  log.set_annotation_id(request.annotation_id());
  log.set_kind(request.kind());
  log.set_created_by_user_id(user_id_);
  log.set_created_by_user_name(users_[user_by_id_.at(user_id_)].user_name());
  switch (expected) {
    case Request::kComment:
      *log.mutable_comment() = request.comment();
      break;
    case Request::kStateUpdate:
      *log.mutable_state_update() = request.state_update();
      break;
    default:
      *log.mutable_assigned() = request.assigned();
      break;
  }
  annotation_log_by_id_[log.annotation_log_id()] = annotation_logs_.size();
  annotation_logs_.push_back(log);
  return log;
}

std::vector<annotation_logs_pb::AnnotationLogSearchResult> Store::annotation_logs(
    const Predicate<annotation_logs_pb::AnnotationLogSearchResult>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<annotation_logs_pb::AnnotationLogSearchResult> out;
  for (const auto& log : annotation_logs_) {
    if (keep(log)) out.push_back(log);
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
