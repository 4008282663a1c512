// Store: runs.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "store.h"

namespace sift {
namespace emulator {
namespace {

// Sift's UpdateRun paths; camelCase spellings are accepted too.
const char* const kRunPaths[] = {"name",        "description",  "start_time", "stop_time",
                                 "tags",        "metadata",     "is_pinned",  "client_key",
                                 "is_archived", "archived_date"};

std::string snake_case(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::Status check_times(const runs_pb::Run& run) {
  if (run.has_start_time() && run.has_stop_time() && run.stop_time() < run.start_time()) {
    return absl::InvalidArgumentError(
        absl::StrCat("run '", run.name(), "': stop_time is before start_time"));
  }
  return absl::OkStatus();
}

void set_duration(runs_pb::Run& run) {
  if (run.has_start_time() && run.has_stop_time()) {
    *run.mutable_duration() = run.stop_time() - run.start_time();
  } else {
    run.clear_duration();
  }
}

}  // namespace

absl::StatusOr<runs_pb::Run> Store::create_run(const runs_pb::CreateRunRequest& request) {
  if (request.name().empty()) return absl::InvalidArgumentError("run name must not be empty");
  if (request.has_client_key()) {
    if (absl::Status s = validate_run_client_key(request.client_key()); !s.ok()) return s;
  }
  if (request.has_stop_time() && !request.has_start_time()) {
    return absl::InvalidArgumentError(
        absl::StrCat("run '", request.name(), "': stop_time requires start_time"));
  }
  runs_pb::Run run;
  run.set_name(request.name());
  run.set_description(request.description());
  run.mutable_tags()->CopyFrom(request.tags());
  run.mutable_metadata()->CopyFrom(request.metadata());
  if (request.has_start_time()) *run.mutable_start_time() = request.start_time();
  if (request.has_stop_time()) *run.mutable_stop_time() = request.stop_time();
  if (request.has_client_key()) run.set_client_key(request.client_key());
  if (absl::Status s = check_times(run); !s.ok()) return s;
  set_duration(run);

  std::lock_guard<std::mutex> lock(mu_);
  if (request.has_client_key() && run_by_client_key_.count(request.client_key()) != 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("a run with client_key '", request.client_key(), "' already exists"));
  }
  run.set_run_id(ids_.next());
  run.set_organization_id(request.organization_id().empty() ? organization_id_
                                                            : request.organization_id());
  run.set_created_by_user_id(user_id_);
  run.set_modified_by_user_id(user_id_);
  stamp(run.mutable_created_date(), run.mutable_modified_date());
  const std::size_t index = runs_.size();
  run_by_id_[run.run_id()] = index;
  if (run.has_client_key()) run_by_client_key_[run.client_key()] = index;
  runs_.push_back(std::move(run));
  return runs_[index];
}

absl::StatusOr<runs_pb::Run> Store::run(const std::string& run_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = run_by_id_.find(run_id);
  if (it == run_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("run '", run_id, "' not found"));
  }
  return runs_[it->second];
}

std::vector<runs_pb::Run> Store::runs(const Predicate<runs_pb::Run>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<runs_pb::Run> out;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
    if (keep(*it)) out.push_back(*it);
  }
  return out;
}

absl::StatusOr<runs_pb::Run> Store::update_run(const runs_pb::Run& changes,
                                               const google::protobuf::FieldMask& mask) {
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError("UpdateRun: update_mask must name at least one field");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = run_by_id_.find(changes.run_id());
  if (it == run_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("run '", changes.run_id(), "' not found"));
  }
  // Changes go to a copy, committed only when every path was valid.
  runs_pb::Run run = runs_[it->second];
  for (const std::string& raw_path : mask.paths()) {
    const std::string path = snake_case(raw_path);
    if (path == "name") {
      if (changes.name().empty()) return absl::InvalidArgumentError("run name must not be empty");
      run.set_name(changes.name());
    } else if (path == "description") {
      run.set_description(changes.description());
    } else if (path == "start_time") {
      if (changes.has_start_time()) {
        *run.mutable_start_time() = changes.start_time();
      } else {
        run.clear_start_time();
      }
    } else if (path == "stop_time") {
      if (changes.has_stop_time()) {
        *run.mutable_stop_time() = changes.stop_time();
      } else {
        run.clear_stop_time();
      }
    } else if (path == "tags") {
      run.mutable_tags()->CopyFrom(changes.tags());
    } else if (path == "metadata") {
      run.mutable_metadata()->CopyFrom(changes.metadata());
    } else if (path == "is_pinned") {
      run.set_is_pinned(changes.is_pinned());
    } else if (path == "client_key") {
      const std::string& key = changes.client_key();
      if (run.has_client_key() && run.client_key() != key) {
        return absl::InvalidArgumentError(
            absl::StrCat("run '", run.run_id(), "': client_key can be set only once"));
      }
      if (absl::Status s = validate_run_client_key(key); !s.ok()) return s;
      auto owner = run_by_client_key_.find(key);
      if (owner != run_by_client_key_.end() && owner->second != it->second) {
        return absl::AlreadyExistsError(
            absl::StrCat("a run with client_key '", key, "' already exists"));
      }
      run.set_client_key(key);
    } else if (path == "is_archived") {
      run.set_is_archived(changes.is_archived());
      if (changes.is_archived()) {
        stamp(run.mutable_archived_date(), nullptr);
      } else {
        run.clear_archived_date();
      }
    } else if (path == "archived_date") {
      if (changes.has_archived_date()) {
        *run.mutable_archived_date() = changes.archived_date();
      } else {
        run.clear_archived_date();
      }
      run.set_is_archived(changes.has_archived_date());
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("UpdateRun: update_mask path '", raw_path,
                       "' is not supported (supported: ", absl::StrJoin(kRunPaths, ", "), ")"));
    }
  }
  if (absl::Status s = check_times(run); !s.ok()) return s;
  set_duration(run);
  run.set_modified_by_user_id(user_id_);
  stamp(nullptr, run.mutable_modified_date());
  if (run.has_client_key()) run_by_client_key_[run.client_key()] = it->second;
  runs_[it->second] = run;
  return run;
}

}  // namespace emulator
}  // namespace sift
