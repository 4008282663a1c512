// sift.assets.v1.AssetService: assets come from ingestion configs (or
// CreateAsset); Get and List read them.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/assets/v1/assets.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

class AssetsService final : public assets_pb::AssetService::Service {
 public:
  explicit AssetsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status GetAsset(grpc::ServerContext* context, const assets_pb::GetAssetRequest* request,
                        assets_pb::GetAssetResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<assets_pb::Asset> asset = deps_.store->asset(request->asset_id());
    if (!asset.ok()) return to_grpc(asset.status());
    *response->mutable_asset() = std::move(*asset);
    return grpc::Status::OK;
  }

  grpc::Status ListAssets(grpc::ServerContext* context, const assets_pb::ListAssetsRequest* request,
                          assets_pb::ListAssetsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListAssets", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListAssets", request->filter(), {"asset_id", "name"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListAssets", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<assets_pb::Asset> assets = deps_.store->assets([&](const assets_pb::Asset& asset) {
      return filter->matches([&](const std::string& field) {
        return field == "asset_id" ? asset.asset_id() : asset.name();
      });
    });
    response->set_next_page_token(take_page(assets, *page, [&](assets_pb::Asset&& asset) {
      *response->add_assets() = std::move(asset);
    }));
    return grpc::Status::OK;
  }

  grpc::Status CreateAsset(grpc::ServerContext* context,
                           const assets_pb::CreateAssetRequest* request,
                           assets_pb::CreateAssetResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<assets_pb::Asset> asset = deps_.store->create_asset(*request);
    if (!asset.ok()) return to_grpc(asset.status());
    *response->mutable_asset() = std::move(*asset);
    return grpc::Status::OK;
  }

  grpc::Status DeleteAsset(grpc::ServerContext* context, const assets_pb::DeleteAssetRequest*,
                           assets_pb::DeleteAssetResponse*) override {
    return not_here(*context, "DeleteAsset");
  }
  grpc::Status UpdateAsset(grpc::ServerContext* context, const assets_pb::UpdateAssetRequest*,
                           assets_pb::UpdateAssetResponse*) override {
    return not_here(*context, "UpdateAsset");
  }
  grpc::Status ArchiveAsset(grpc::ServerContext* context, const assets_pb::ArchiveAssetRequest*,
                            assets_pb::ArchiveAssetResponse*) override {
    return not_here(*context, "ArchiveAsset");
  }

 private:
  grpc::Status not_here(grpc::ServerContext& context, const char* method) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    return unimplemented(std::string("sift.assets.v1.AssetService/") + method);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_assets_service(const ServiceDeps& deps) {
  return std::make_unique<AssetsService>(deps);
}

}  // namespace emulator
}  // namespace sift
