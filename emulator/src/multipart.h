// A streaming multipart/form-data reader (RFC 7578) for the upload endpoint.
// cpp-httplib's own parser drops part headers other than Content-Type (the
// file part's Content-Encoding among them), so the endpoint reads the raw
// body and parses it here. Fed the body in chunks of any size, it hands each
// part's headers, its bytes and its end to a handler, keeping no more than a
// boundary's worth of bytes between chunks: a large file never sits in memory.
#ifndef SIFT_EMULATOR_MULTIPART_H_
#define SIFT_EMULATOR_MULTIPART_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sift {
namespace emulator {

// What the headers of one part say.
struct MultipartPart {
  std::string name;                     // Content-Disposition's name
  std::optional<std::string> filename;  // set for file parts
  std::string content_type;             // empty when the part has none
  std::string content_encoding;         // empty when the part has none
};

class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual void on_part(const MultipartPart& part) = 0;
  virtual void on_data(const char* data, std::size_t size) = 0;
  virtual void on_part_end() = 0;
};

class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartHandler* handler);

  // False once the body is malformed (error() says how); nothing more is
  // parsed after that.
  bool feed(const char* data, std::size_t size);
  // After the last chunk: false when the closing boundary never came.
  bool finish();
  const std::string& error() const { return error_; }
  // Bytes held back between feed() calls (a possible boundary, a header
  // line): stays small whatever the size of a part.
  std::size_t buffered_bytes() const { return buf_.size(); }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kDone, kFailed };

  bool step();  // one state transition on buf_; false when it needs more bytes
  bool fail(std::string message);
  bool parse_header_line(std::string_view line);

  const std::string dash_boundary_;  // "--" + boundary
  const std::string delimiter_;      // "\r\n--" + boundary
  MultipartHandler* handler_;
  State state_ = State::kPreamble;
  std::string buf_;  // bytes received and not yet consumed
  MultipartPart part_;
  bool has_disposition_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t parts_ = 0;
  std::string error_;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type
// (quoted or not); nullopt for any other type or a missing boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_MULTIPART_H_
