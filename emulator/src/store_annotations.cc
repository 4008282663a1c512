// Store: annotations. Rule evaluation creates most of them (store_eval.cc);
// CreateAnnotation adds plain, user-made ones.
#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store.h"

namespace sift {
namespace emulator {
namespace {

bool in_range(const google::protobuf::Timestamp& ts) {
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000000000 - 1;
  return ts.nanos() >= 0 && ts.nanos() <= 999999999 && ts.seconds() <= kMaxSeconds &&
         ts.seconds() >= -kMaxSeconds;
}

Timestamp to_time(const google::protobuf::Timestamp& ts) {
  return Timestamp(std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos()));
}

std::string state_name(const annotations_pb::Annotation& a) {
  if (!a.has_state()) return "none";
  switch (a.state()) {
    case annotations_pb::ANNOTATION_STATE_OPEN:
      return "open";
    case annotations_pb::ANNOTATION_STATE_FLAGGED:
      return "flagged";
    case annotations_pb::ANNOTATION_STATE_RESOLVED:
      return "resolved";
    default:
      return "none";
  }
}

}  // namespace

absl::StatusOr<annotations_pb::Annotation> Store::create_annotation(
    const annotations_pb::CreateAnnotationRequest& request) {
  if (request.name().empty()) {
    return absl::InvalidArgumentError("annotation name must not be empty");
  }
  const std::string label = absl::StrCat("annotation '", request.name(), "'");
  if (!request.has_start_time() || !request.has_end_time()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": start_time and end_time are required"));
  }
  if (!in_range(request.start_time()) || !in_range(request.end_time())) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": start_time or end_time out of range"));
  }
  if (to_time(request.end_time()) < to_time(request.start_time())) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": end_time is before start_time"));
  }
  annotations_pb::AnnotationType type = request.annotation_type();
  if (type == annotations_pb::ANNOTATION_TYPE_UNSPECIFIED) {
    type = annotations_pb::ANNOTATION_TYPE_DATA_REVIEW;
  }
  if (type != annotations_pb::ANNOTATION_TYPE_DATA_REVIEW &&
      type != annotations_pb::ANNOTATION_TYPE_PHASE) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": unknown annotation_type ", static_cast<int>(type)));
  }
  const bool phase = type == annotations_pb::ANNOTATION_TYPE_PHASE;
  if (request.has_state()) {
    if (phase) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": a phase annotation has no state"));
    }
    if (request.state() < annotations_pb::ANNOTATION_STATE_OPEN ||
        request.state() > annotations_pb::ANNOTATION_STATE_RESOLVED) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": unknown state ", static_cast<int>(request.state())));
    }
  }
  if (phase && !request.assign_to_user_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": a phase annotation cannot be assigned"));
  }
  if (request.assets().empty() && request.tags().empty() && request.linked_channels().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": needs at least one asset, tag or linked channel"));
  }

  std::lock_guard<std::mutex> lock(mu_);
  annotations_pb::Annotation a;
  for (const std::string& name : request.assets()) {
    auto it = asset_by_name_.find(name);
    if (it == asset_by_name_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": asset '", name, "' not found"));
    }
    a.add_asset_ids(assets_[it->second].asset_id());
  }
  for (const std::string& tag : request.tags()) {
    if (tag_by_name_.count(tag) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": tag '", tag, "' not found (CreateTag makes it)"));
    }
  }
  if (!request.run_id().empty() && run_by_id_.count(request.run_id()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": run '", request.run_id(), "' not found"));
  }
  const std::string& assignee = request.assign_to_user_id();
  if (!assignee.empty() && user_by_id_.count(assignee) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": assign_to_user_id '", assignee, "' is not a known user"));
  }
  for (const annotations_pb::AnnotationLinkedChannel& linked : request.linked_channels()) {
    std::string channel_id;
    if (linked.has_channel()) {
      channel_id = linked.channel().channel_id();
    } else if (linked.has_bit_field_element()) {
      channel_id = linked.bit_field_element().channel_id();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(label,
                       ": sift-emulator links channels and bit-field elements only, not calculated "
                       "channels"));
    }
    auto it = channel_by_id_.find(channel_id);
    if (it == channel_by_id_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(label, ": linked channel '", channel_id, "' not found"));
    }
    if (!linked.has_bit_field_element()) continue;
    const auto& elements = channels_[it->second].proto.bit_field_elements();
    const std::string& element = linked.bit_field_element().bit_field_name();
    if (std::none_of(elements.begin(), elements.end(),
                     [&](const auto& e) { return e.name() == element; })) {
      return absl::InvalidArgumentError(absl::StrCat(label, ": channel '", channel_id,
                                                     "' has no bit-field element '", element, "'"));
    }
  }

  a.set_annotation_id(ids_.next());
  a.set_name(request.name());
  a.set_description(request.description());
  *a.mutable_start_time() = request.start_time();
  *a.mutable_end_time() = request.end_time();
  a.set_created_by_user_id(user_id_);
  a.set_modified_by_user_id(user_id_);
  stamp(a.mutable_created_date(), a.mutable_modified_date());
  if (!request.run_id().empty()) a.set_run_id(request.run_id());
  if (!phase) {
    a.set_state(request.has_state() ? request.state() : annotations_pb::ANNOTATION_STATE_OPEN);
  }
  a.set_organization_id(organization_id_);
  a.set_annotation_type(type);
  if (!assignee.empty()) {
    a.set_assigned_to_user_id(assignee);
    *a.mutable_assigned_to_user() = users_[user_by_id_.at(assignee)];
  }
  a.mutable_tags()->CopyFrom(request.tags());
  if (request.has_legend_config()) a.set_legend_config(request.legend_config());
  if (request.has_created_by_condition_id()) {
    a.set_created_by_condition_id(request.created_by_condition_id());
  }
  if (request.has_created_by_rule_condition_version_id()) {
    a.set_created_by_rule_condition_version_id(request.created_by_rule_condition_version_id());
  }
  a.mutable_linked_channels()->CopyFrom(request.linked_channels());
  a.mutable_metadata()->CopyFrom(request.metadata());
  annotation_by_id_[a.annotation_id()] = annotations_.size();
  annotations_.push_back(AnnotationRecord{a, ""});
  return a;
}

absl::StatusOr<annotations_pb::Annotation> Store::annotation(
    const std::string& annotation_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = annotation_by_id_.find(annotation_id);
  if (it == annotation_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("annotation '", annotation_id, "' not found"));
  }
  return annotations_[it->second].proto;
}

std::vector<annotations_pb::Annotation> Store::annotations(
    const std::function<bool(const AnnotationView&)>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<annotations_pb::Annotation> out;
  for (auto it = annotations_.rbegin(); it != annotations_.rend(); ++it) {
    AnnotationView view{it->proto, it->rule_id, {}};
    for (const std::string& id : it->proto.asset_ids()) {
      if (auto asset = asset_by_id_.find(id); asset != asset_by_id_.end()) {
        view.asset_names.push_back(assets_[asset->second].name());
      }
    }
    if (keep(view)) out.push_back(it->proto);
  }
  return out;
}

std::vector<AnnotationInfo> Store::annotation_infos() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AnnotationInfo> out;
  for (const AnnotationRecord& record : annotations_) {
    const annotations_pb::Annotation& a = record.proto;
    AnnotationInfo info;
    info.annotation_id = a.annotation_id();
    info.name = a.name();
    info.rule_id = record.rule_id;
    info.kind = a.annotation_type() == annotations_pb::ANNOTATION_TYPE_PHASE ? "phase" : "review";
    info.state = state_name(a);
    std::vector<std::string> names;
    for (const std::string& id : a.asset_ids()) {
      if (auto asset = asset_by_id_.find(id); asset != asset_by_id_.end()) {
        names.push_back(assets_[asset->second].name());
      }
    }
    info.asset = absl::StrJoin(names, ",");
    info.run_id = a.run_id();
    info.assigned_to_user_id = a.assigned_to_user_id();
    info.tags.assign(a.tags().begin(), a.tags().end());
    info.start = to_time(a.start_time());
    if (a.has_end_time()) info.end = to_time(a.end_time());
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
