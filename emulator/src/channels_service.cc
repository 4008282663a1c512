// sift.channels.v3.ChannelService: the channels ingestion configs created.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/channels/v3/channels.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 10000;

class ChannelsService final : public channels_pb::ChannelService::Service {
 public:
  explicit ChannelsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status GetChannel(grpc::ServerContext* context,
                          const channels_pb::GetChannelRequest* request,
                          channels_pb::GetChannelResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<channels_pb::Channel> channel = deps_.store->channel(request->channel_id());
    if (!channel.ok()) return to_grpc(channel.status());
    *response->mutable_channel() = std::move(*channel);
    return grpc::Status::OK;
  }

  grpc::Status ListChannels(grpc::ServerContext* context,
                            const channels_pb::ListChannelsRequest* request,
                            channels_pb::ListChannelsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListChannels", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListChannels", request->filter(), {"asset_id", "name", "channel_id"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListChannels", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<channels_pb::Channel> channels =
        deps_.store->channels([&](const channels_pb::Channel& channel) {
          return filter->matches([&](const std::string& field) {
            if (field == "asset_id") return channel.asset_id();
            if (field == "name") return channel.name();
            return channel.channel_id();
          });
        });
    response->set_next_page_token(take_page(channels, *page, [&](channels_pb::Channel&& channel) {
      *response->add_channels() = std::move(channel);
    }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateChannel(grpc::ServerContext* context, const channels_pb::UpdateChannelRequest*,
                             channels_pb::UpdateChannelResponse*) override {
    return not_here(*context, "UpdateChannel");
  }
  grpc::Status BatchArchiveChannels(grpc::ServerContext* context,
                                    const channels_pb::BatchArchiveChannelsRequest*,
                                    channels_pb::BatchArchiveChannelsResponse*) override {
    return not_here(*context, "BatchArchiveChannels");
  }
  grpc::Status BatchUnarchiveChannels(grpc::ServerContext* context,
                                      const channels_pb::BatchUnarchiveChannelsRequest*,
                                      channels_pb::BatchUnarchiveChannelsResponse*) override {
    return not_here(*context, "BatchUnarchiveChannels");
  }

 private:
  grpc::Status not_here(grpc::ServerContext& context, const char* method) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    return unimplemented(std::string("sift.channels.v3.ChannelService/") + method);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_channels_service(const ServiceDeps& deps) {
  return std::make_unique<ChannelsService>(deps);
}

}  // namespace emulator
}  // namespace sift
