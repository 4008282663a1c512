// One upload to POST /api/v0/remote-files/upload, as the multipart parser
// hands it over: text parts are kept, the `file` part streams to a file in the
// data directory, and finish() checks the form, stores the record and says
// what to answer. Independent of the HTTP library.
#ifndef SIFT_EMULATOR_FILE_UPLOAD_H_
#define SIFT_EMULATOR_FILE_UPLOAD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "multipart.h"
#include "store.h"

namespace sift {
namespace emulator {

struct HttpReply {
  int status = 200;
  std::string json;
};

class FileUpload final : public MultipartHandler {
 public:
  FileUpload(Store& store, std::string data_dir, std::uint64_t max_file_size);
  ~FileUpload() override;  // removes the bytes of an upload that was not stored
  FileUpload(const FileUpload&) = delete;
  FileUpload& operator=(const FileUpload&) = delete;

  void on_part(const MultipartPart& part) override;
  void on_data(const char* data, std::size_t size) override;
  void on_part_end() override;

  // After the whole body; `parse_error` is the parser's complaint, if any.
  HttpReply finish(const std::string& parse_error);

 private:
  enum class Sink { kNone, kText, kFile, kDiscard };

  // Keeps the first failure; later parts are then only drained.
  void fail(int http_status, absl::StatusCode code, std::string message);
  void fail_entity_type();
  void open_file();
  void drop_file();

  Store& store_;
  const std::string data_dir_;
  const std::uint64_t max_file_size_;

  std::map<std::string, std::string> text_;  // entityId, entityType, ...
  Sink sink_ = Sink::kNone;
  std::string* text_sink_ = nullptr;
  std::string text_part_;  // the name of the text part being read

  bool has_file_ = false;
  std::string file_name_;
  std::string mime_type_;
  std::string content_encoding_;
  std::string remote_file_id_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  bool stored_ = false;

  std::optional<HttpReply> failure_;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_FILE_UPLOAD_H_
