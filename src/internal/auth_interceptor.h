// Adds `authorization: Bearer <key>` and the user's extra metadata to every
// call of a channel (unary and streaming alike). An interceptor rather than
// call credentials, because gRPC refuses call credentials on plaintext
// channels and the emulator is plaintext.
#ifndef SIFT_INTERNAL_AUTH_INTERCEPTOR_H_
#define SIFT_INTERNAL_AUTH_INTERCEPTOR_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/support/client_interceptor.h>

namespace sift {
namespace internal {

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
make_auth_interceptors(const std::string& apikey,
                       std::vector<std::pair<std::string, std::string>> extra_metadata = {});

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_AUTH_INTERCEPTOR_H_
