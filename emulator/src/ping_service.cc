// sift.ping.v1.PingService.
#include <utility>

#include "services.h"
#include "sift/ping/v1/ping.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

namespace ping_pb = ::sift::ping::v1;

class PingService final : public ping_pb::PingService::Service {
 public:
  explicit PingService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status Ping(grpc::ServerContext* context, const ping_pb::PingRequest*,
                    ping_pb::PingResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    response->set_response("Hello from sift-emulator");
    return grpc::Status::OK;
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_ping_service(const ServiceDeps& deps) {
  return std::make_unique<PingService>(deps);
}

}  // namespace emulator
}  // namespace sift
