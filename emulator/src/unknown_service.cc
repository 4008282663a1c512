// Catches every method the emulator does not serve, so the caller learns
// which one instead of getting gRPC's bare UNIMPLEMENTED.
#include <utility>

#include "services.h"

namespace sift {
namespace emulator {
namespace {

class UnknownMethodService final : public grpc::CallbackGenericService {
 public:
  explicit UnknownMethodService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    grpc::Status status;
    {
      CallGuard guard(*deps_.gate, *deps_.auth, ctx);
      status = guard.status();
    }
    if (status.ok()) {
      std::string method = ctx->method();
      if (!method.empty() && method.front() == '/') method.erase(0, 1);
      status = unimplemented(method);
    }
    return new Reactor(std::move(status));
  }

 private:
  // Finishing in the constructor is gRPC's own pattern for a reactor that
  // reads nothing.
  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(grpc::Status status) { Finish(std::move(status)); }
    void OnDone() override { delete this; }
  };

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::CallbackGenericService> make_unknown_method_service(const ServiceDeps& deps) {
  return std::make_unique<UnknownMethodService>(deps);
}

}  // namespace emulator
}  // namespace sift
