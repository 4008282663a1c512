// The API-key check every handler runs first.
#ifndef SIFT_EMULATOR_AUTH_H_
#define SIFT_EMULATOR_AUTH_H_

#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace sift {
namespace emulator {

class Auth {
 public:
  explicit Auth(std::optional<std::string> api_key);

  // OK without a configured key, or when the call carries exactly
  // `authorization: Bearer <key>`; UNAUTHENTICATED otherwise. The message
  // never repeats what the caller sent.
  grpc::Status check(const grpc::ServerContextBase& context) const;
  // The same check for an HTTP request's `Authorization` header values
  // (none, one or several): empty when accepted, else why not (never
  // repeating what was sent).
  std::string check_http(const std::vector<std::string>& authorization) const;

 private:
  std::optional<std::string> expected_;  // "Bearer <key>"
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_AUTH_H_
