// Store: users and tags. Users exist from the start (the API key's own user
// plus EmulatorOptions::users); tags from EmulatorOptions::tags and CreateTag.
#include <utility>

#include "absl/strings/str_cat.h"
#include "store.h"

namespace sift {
namespace emulator {

void Store::add_user(const std::string& name, const std::string& user_id) {
  if (user_by_name_.count(name) != 0) return;
  users_pb::User user;
  user.set_user_id(user_id);
  user.set_user_name(name);
  users_pb::Organization* organization = user.add_organizations();
  organization->set_organization_id(organization_id_);
  organization->set_organization_name("sift-emulator");
  user_by_id_[user.user_id()] = users_.size();
  user_by_name_[name] = users_.size();
  users_.push_back(std::move(user));
}

std::size_t Store::add_tag(const std::string& name) {
  tags_pb::Tag tag;
  tag.set_tag_id(ids_.next());
  tag.set_name(name);
  tag.set_created_by_user_id(user_id_);
  stamp(tag.mutable_created_date(), nullptr);
  const std::size_t index = tags_.size();
  tag_by_id_[tag.tag_id()] = index;
  tag_by_name_[name] = index;
  tags_.push_back(std::move(tag));
  return index;
}

void Store::seed(const std::vector<std::string>& users, const std::vector<std::string>& tags) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& name : users) {
    if (!name.empty() && user_by_name_.count(name) == 0) add_user(name, ids_.next());
  }
  for (const std::string& name : tags) {
    if (!name.empty() && tag_by_name_.count(name) == 0) add_tag(name);
  }
}

absl::StatusOr<users_pb::User> Store::user(const std::string& user_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = user_by_id_.find(user_id);
  if (it == user_by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("user '", user_id, "' not found"));
  }
  return users_[it->second];
}

std::vector<users_pb::User> Store::users(const Predicate<users_pb::User>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<users_pb::User> out;
  for (const users_pb::User& user : users_) {
    if (keep(user)) out.push_back(user);
  }
  return out;
}

absl::StatusOr<tags_pb::Tag> Store::create_tag(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("tag name must not be empty");
  std::lock_guard<std::mutex> lock(mu_);
  if (tag_by_name_.count(name) != 0) {
    return absl::AlreadyExistsError(absl::StrCat("tag '", name, "' already exists"));
  }
  return tags_[add_tag(name)];
}

std::vector<tags_pb::Tag> Store::tags(const Predicate<tags_pb::Tag>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<tags_pb::Tag> out;
  for (const tags_pb::Tag& tag : tags_) {
    if (keep(tag)) out.push_back(tag);
  }
  return out;
}

}  // namespace emulator
}  // namespace sift
