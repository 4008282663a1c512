// sift.data.v2.DataService: GetData over what the store holds.
#include <utility>

#include "services.h"
#include "sift/data/v2/data.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

class DataService final : public data_pb::DataService::Service {
 public:
  explicit DataService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status GetData(grpc::ServerContext* context, const data_pb::GetDataRequest* request,
                       data_pb::GetDataResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    return to_grpc(deps_.store->get_data(*request, response));
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_data_service(const ServiceDeps& deps) {
  return std::make_unique<DataService>(deps);
}

}  // namespace emulator
}  // namespace sift
