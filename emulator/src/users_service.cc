// sift.users.v2.UserService: the API key's own user plus
// EmulatorOptions::users, read-only.
#include <algorithm>
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/users/v2/users.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

namespace users_v2 = ::sift::users::v2;

constexpr std::uint32_t kMaxPageSize = 1000;

class UsersService final : public users_v2::UserService::Service {
 public:
  explicit UsersService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status GetUser(grpc::ServerContext* context, const users_v2::GetUserRequest* request,
                       users_v2::GetUserResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<users_pb::User> user = deps_.store->user(request->user_id());
    if (!user.ok()) return to_grpc(user.status());
    *response->mutable_user() = std::move(*user);
    return grpc::Status::OK;
  }

  // Sift's default order here is by name, A to Z.
  grpc::Status ListActiveUsers(grpc::ServerContext* context,
                               const users_v2::ListActiveUsersRequest* request,
                               users_v2::ListActiveUsersResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListActiveUsers", request->order_by()); !s.ok()) return s;
    absl::StatusOr<std::vector<users_pb::User>> users =
        list("ListActiveUsers", request->filter(), request->organization_id());
    if (!users.ok()) return to_grpc(users.status());
    std::stable_sort(users->begin(), users->end(),
                     [](const users_pb::User& a, const users_pb::User& b) {
                       return a.user_name() < b.user_name();
                     });
    absl::StatusOr<Page> page =
        parse_page("ListActiveUsers", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    response->set_next_page_token(take_page(
        *users, *page, [&](users_pb::User&& user) { *response->add_users() = std::move(user); }));
    return grpc::Status::OK;
  }

  grpc::Status ListUsers(grpc::ServerContext* context, const users_v2::ListUsersRequest* request,
                         users_v2::ListUsersResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListUsers", request->order_by()); !s.ok()) return s;
    absl::StatusOr<std::vector<users_pb::User>> users = list("ListUsers", request->filter(), "");
    if (!users.ok()) return to_grpc(users.status());
    absl::StatusOr<Page> page =
        parse_page("ListUsers", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    response->set_next_page_token(take_page(
        *users, *page, [&](users_pb::User&& user) { *response->add_users() = std::move(user); }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateUserOrganizationActive(
      grpc::ServerContext* context, const users_v2::UpdateUserOrganizationActiveRequest*,
      users_v2::UpdateUserOrganizationActiveResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    return unimplemented("sift.users.v2.UserService/UpdateUserOrganizationActive");
  }

 private:
  // Users matching `filter` (fields `name`, `user_id`), in creation order;
  // none for an organization other than the emulator's one.
  absl::StatusOr<std::vector<users_pb::User>> list(const char* method, const std::string& text,
                                                   const std::string& organization_id) const {
    absl::StatusOr<Filter> filter = parse_filter_for(method, text, {"name", "user_id"});
    if (!filter.ok()) return filter.status();
    return deps_.store->users([&](const users_pb::User& user) {
      if (!organization_id.empty() &&
          std::none_of(user.organizations().begin(), user.organizations().end(),
                       [&](const auto& o) { return o.organization_id() == organization_id; })) {
        return false;
      }
      return filter->matches([&](const std::string& field) {
        return field == "name" ? user.user_name() : user.user_id();
      });
    });
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_users_service(const ServiceDeps& deps) {
  return std::make_unique<UsersService>(deps);
}

}  // namespace emulator
}  // namespace sift
