// The SDK's version, for the gRPC user agent. Kept equal to project(VERSION)
// in the top-level CMakeLists.txt (tests/unit/transport_test.cc checks it);
// a build may override it with -DSIFT_VERSION="x.y.z".
#ifndef SIFT_INTERNAL_VERSION_H_
#define SIFT_INTERNAL_VERSION_H_

namespace sift {
namespace internal {

#ifdef SIFT_VERSION
inline constexpr char kSiftVersion[] = SIFT_VERSION;
#else
inline constexpr char kSiftVersion[] = "0.1.0";
#endif

// Sent as gRPC's secondary user agent (sift_py sends `sift_stack_py/<version>`).
inline constexpr char kUserAgentProduct[] = "sift-cpp";

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_VERSION_H_
