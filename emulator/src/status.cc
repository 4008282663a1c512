// Status helpers shared by the service adapters.
#include "absl/strings/str_cat.h"
#include "services.h"

namespace sift {
namespace emulator {

grpc::Status to_grpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::Status unimplemented(std::string_view method) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      absl::StrCat("sift-emulator does not implement ",
                                   absl::string_view(method.data(), method.size())));
}

grpc::Status check_order_by(std::string_view method, const std::string& order_by) {
  if (order_by.empty()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      absl::StrCat(absl::string_view(method.data(), method.size()),
                                   ": sift-emulator does not support order_by `", order_by,
                                   "`; it lists in Sift's default order"));
}

}  // namespace emulator
}  // namespace sift
