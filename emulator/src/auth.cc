#include "auth.h"

#include <utility>

namespace sift {
namespace emulator {
namespace {

// Compares without stopping at the first difference, so response timing does
// not reveal how much of a guessed key was right.
bool same_text(grpc::string_ref a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const char ca = i < a.size() ? a.data()[i] : 0;
    diff |= static_cast<unsigned char>(ca ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

Auth::Auth(std::optional<std::string> api_key) {
  if (api_key.has_value()) expected_ = "Bearer " + *api_key;
}

grpc::Status Auth::check(const grpc::ServerContextBase& context) const {
  if (!expected_.has_value()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto found = metadata.equal_range("authorization");
  if (found.first == found.second) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "sift-emulator: missing `authorization: Bearer <api key>` metadata");
  }
  for (auto it = found.first; it != found.second; ++it) {
    if (same_text(it->second, *expected_)) return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "sift-emulator: invalid API key");
}

std::string Auth::check_http(const std::vector<std::string>& authorization) const {
  if (!expected_.has_value()) return std::string();
  if (authorization.empty()) {
    return "sift-emulator: missing `Authorization: Bearer <api key>` header";
  }
  for (const std::string& value : authorization) {
    if (same_text(grpc::string_ref(value), *expected_)) return std::string();
  }
  return "sift-emulator: invalid API key";
}

}  // namespace emulator
}  // namespace sift
