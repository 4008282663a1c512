// What the file endpoints share: the entity-type strings of Sift's REST API,
// the address download URLs point at, the directory uploaded bytes live in,
// and the random tokens that make download URLs unguessable.
#ifndef SIFT_EMULATOR_FILES_H_
#define SIFT_EMULATOR_FILES_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sift/remote_files/v1/remote_files.pb.h"

namespace sift {
namespace emulator {

namespace remote_files_pb = ::sift::remote_files::v1;

// `runs`, `annotations`, `annotation_logs` (the upload form's entityType and
// ListRemoteFiles filters); empty for the entity types the emulator does not
// attach files to.
std::string_view entity_type_name(remote_files_pb::EntityType type);
std::optional<remote_files_pb::EntityType> entity_type_from_name(std::string_view name);

// `host:port` of the HTTP listener while one is configured, empty otherwise;
// shared by the gRPC services (download URLs) and the emulator that sets it.
class HttpAddress {
 public:
  void set(std::string address);
  std::string get() const;

 private:
  mutable std::mutex mu_;
  std::string address_;
};

// The directory uploads are stored in.
class DataDir {
 public:
  // `dir` empty: a fresh directory under $TMPDIR (else /tmp), removed with
  // this object. Otherwise `dir`, created when missing, and kept.
  static absl::StatusOr<std::unique_ptr<DataDir>> open(const std::string& dir);
  ~DataDir();
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  DataDir(std::string path, bool temporary) : path_(std::move(path)), temporary_(temporary) {}

  const std::string path_;
  const bool temporary_;
};

// The REST routes of the HTTP listener.
inline constexpr char kUploadPath[] = "/api/v0/remote-files/upload";
inline constexpr char kDownloadPathPrefix[] = "/files/";

// `http://<address>/files/<remote_file_id>?token=<token>`: presigned style,
// the token is all a download needs.
std::string download_url(const std::string& address, const std::string& remote_file_id,
                         const std::string& token);

// 32 hex digits from the OS's random source.
std::string random_token();

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_FILES_H_
