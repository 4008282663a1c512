// sift.tags.v2.TagService: tags from EmulatorOptions::tags and CreateTag.
#include <utility>

#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/tags/v2/tags.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;

class TagsService final : public tags_pb::TagService::Service {
 public:
  explicit TagsService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status CreateTag(grpc::ServerContext* context, const tags_pb::CreateTagRequest* request,
                         tags_pb::CreateTagResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<tags_pb::Tag> tag = deps_.store->create_tag(request->name());
    if (!tag.ok()) return to_grpc(tag.status());
    *response->mutable_tag() = std::move(*tag);
    return grpc::Status::OK;
  }

  // Oldest first (Sift's default). `tag_type` is accepted and ignored: the
  // emulator's tags carry no type, so every tag is of every type.
  grpc::Status ListTags(grpc::ServerContext* context, const tags_pb::ListTagsRequest* request,
                        tags_pb::ListTagsResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListTags", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListTags", request->filter(), {"name", "tag_id"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListTags", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<tags_pb::Tag> tags = deps_.store->tags([&](const tags_pb::Tag& tag) {
      return filter->matches(
          [&](const std::string& field) { return field == "name" ? tag.name() : tag.tag_id(); });
    });
    response->set_next_page_token(take_page(
        tags, *page, [&](tags_pb::Tag&& tag) { *response->add_tags() = std::move(tag); }));
    return grpc::Status::OK;
  }

 private:
  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_tags_service(const ServiceDeps& deps) {
  return std::make_unique<TagsService>(deps);
}

}  // namespace emulator
}  // namespace sift
