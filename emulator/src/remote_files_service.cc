// sift.remote_files.v1.RemoteFileService: get, list (by entity, id or name),
// delete and download URLs of the files the REST upload endpoint stored.
// Records only move bytes through HTTP, so CreateRemoteFile (a record without
// bytes) and UpdateRemoteFile are not served.
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "filter.h"
#include "paging.h"
#include "services.h"
#include "sift/remote_files/v1/remote_files.grpc.pb.h"

namespace sift {
namespace emulator {
namespace {

constexpr std::uint32_t kMaxPageSize = 1000;
constexpr int kMaxBatchDelete = 1000;
constexpr char kService[] = "sift.remote_files.v1.RemoteFileService/";

grpc::Status invalid(std::string message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

class RemoteFilesService final : public remote_files_pb::RemoteFileService::Service {
 public:
  explicit RemoteFilesService(ServiceDeps deps) : deps_(std::move(deps)) {}

  grpc::Status GetRemoteFile(grpc::ServerContext* context,
                             const remote_files_pb::GetRemoteFileRequest* request,
                             remote_files_pb::GetRemoteFileResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (request->remote_file_id().empty())
      return invalid("GetRemoteFile: remote_file_id is required");
    absl::StatusOr<remote_files_pb::RemoteFile> file =
        deps_.store->remote_file(request->remote_file_id());
    if (!file.ok()) return to_grpc(file.status());
    *response->mutable_remote_file() = std::move(*file);
    return grpc::Status::OK;
  }

  // Newest first (Sift's default: created_date desc).
  grpc::Status ListRemoteFiles(grpc::ServerContext* context,
                               const remote_files_pb::ListRemoteFilesRequest* request,
                               remote_files_pb::ListRemoteFilesResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (grpc::Status s = check_order_by("ListRemoteFiles", request->order_by()); !s.ok()) return s;
    absl::StatusOr<Filter> filter =
        parse_filter_for("ListRemoteFiles", request->filter(),
                         {"remote_file_id", "entity_id", "entity_type", "file_name"});
    if (!filter.ok()) return to_grpc(filter.status());
    absl::StatusOr<Page> page =
        parse_page("ListRemoteFiles", request->page_size(), request->page_token(), kMaxPageSize);
    if (!page.ok()) return to_grpc(page.status());
    std::vector<remote_files_pb::RemoteFile> files =
        deps_.store->remote_files([&](const remote_files_pb::RemoteFile& file) {
          return filter->matches_any([&](const std::string& field) -> std::vector<std::string> {
            if (field == "remote_file_id") return {file.remote_file_id()};
            if (field == "entity_id") return {file.entity_id()};
            if (field == "file_name") return {file.file_name()};
            // sift_py's strings (`runs`) and the enum's names both match.
            return {std::string(entity_type_name(file.entity_type())),
                    remote_files_pb::EntityType_Name(file.entity_type())};
          });
        });
    response->set_next_page_token(take_page(files, *page, [&](remote_files_pb::RemoteFile&& file) {
      *response->add_remote_files() = std::move(file);
    }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteRemoteFile(grpc::ServerContext* context,
                                const remote_files_pb::DeleteRemoteFileRequest* request,
                                remote_files_pb::DeleteRemoteFileResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (request->remote_file_id().empty()) {
      return invalid("DeleteRemoteFile: remote_file_id is required");
    }
    return remove({request->remote_file_id()});
  }

  grpc::Status BatchDeleteRemoteFiles(grpc::ServerContext* context,
                                      const remote_files_pb::BatchDeleteRemoteFilesRequest* request,
                                      remote_files_pb::BatchDeleteRemoteFilesResponse*) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    if (request->remote_file_ids_size() > kMaxBatchDelete) {
      return invalid(absl::StrCat("BatchDeleteRemoteFiles: at most ", kMaxBatchDelete,
                                  " remote_file_ids per call, got ",
                                  request->remote_file_ids_size()));
    }
    return remove({request->remote_file_ids().begin(), request->remote_file_ids().end()});
  }

  grpc::Status GetRemoteFileDownloadUrl(
      grpc::ServerContext* context, const remote_files_pb::GetRemoteFileDownloadUrlRequest* request,
      remote_files_pb::GetRemoteFileDownloadUrlResponse* response) override {
    CallGuard guard(*deps_.gate, *deps_.auth, context);
    if (!guard.ok()) return guard.status();
    absl::StatusOr<std::string> token = deps_.store->remote_file_token(request->remote_file_id());
    if (!token.ok()) return to_grpc(token.status());
    const std::string address = deps_.http_address->get();
    if (address.empty()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "GetRemoteFileDownloadUrl: sift-emulator has no HTTP listener to serve "
                          "downloads (start it with --http-listen HOST:PORT, or set "
                          "EmulatorOptions::http_listen)");
    }
    response->set_download_url(download_url(address, request->remote_file_id(), *token));
    return grpc::Status::OK;
  }

  grpc::Status CreateRemoteFile(grpc::ServerContext* context,
                                const remote_files_pb::CreateRemoteFileRequest*,
                                remote_files_pb::CreateRemoteFileResponse*) override {
    return not_here(*context, "CreateRemoteFile",
                    "; upload files with POST /api/v0/remote-files/upload on the HTTP listener");
  }
  grpc::Status UpdateRemoteFile(grpc::ServerContext* context,
                                const remote_files_pb::UpdateRemoteFileRequest*,
                                remote_files_pb::UpdateRemoteFileResponse*) override {
    return not_here(*context, "UpdateRemoteFile", "; stored files cannot be changed");
  }

 private:
  // Deletes the records (all or none), then their bytes.
  grpc::Status remove(const std::vector<std::string>& ids) {
    absl::StatusOr<std::vector<std::string>> paths = deps_.store->delete_remote_files(ids);
    if (!paths.ok()) return to_grpc(paths.status());
    for (const std::string& path : *paths) std::remove(path.c_str());
    return grpc::Status::OK;
  }

  grpc::Status not_here(grpc::ServerContext& context, const char* method, const char* why) const {
    CallGuard guard(*deps_.gate, *deps_.auth, &context);
    if (!guard.ok()) return guard.status();
    grpc::Status status = unimplemented(absl::StrCat(kService, method));
    return grpc::Status(status.error_code(), status.error_message() + why);
  }

  const ServiceDeps deps_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_remote_files_service(const ServiceDeps& deps) {
  return std::make_unique<RemoteFilesService>(deps);
}

}  // namespace emulator
}  // namespace sift
