#include "internal/auth_interceptor.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sift {
namespace internal {
namespace {

using Metadata = std::vector<std::pair<std::string, std::string>>;

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit AuthInterceptor(std::shared_ptr<const Metadata> metadata)
      : metadata_(std::move(metadata)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      // Merged with what the caller set on the context (sift_py replaced it).
      std::multimap<std::string, std::string>* sent = methods->GetSendInitialMetadata();
      for (const auto& [key, value] : *metadata_) sent->emplace(key, value);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<const Metadata> metadata_;
};

class AuthInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(std::shared_ptr<const Metadata> metadata)
      : metadata_(std::move(metadata)) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new AuthInterceptor(metadata_);
  }

 private:
  std::shared_ptr<const Metadata> metadata_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
make_auth_interceptors(const std::string& apikey, Metadata extra_metadata) {
  auto metadata = std::make_shared<Metadata>();
  metadata->emplace_back("authorization", "Bearer " + apikey);
  for (auto& entry : extra_metadata) metadata->push_back(std::move(entry));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<AuthInterceptorFactory>(std::move(metadata)));
  return factories;
}

}  // namespace internal
}  // namespace sift
