#include "data_token.h"

#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace sift {
namespace emulator {
namespace {

constexpr char kVersion[] = "gd1";

// FNV-1a: stable across processes, unlike absl::Hash.
std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

absl::Status bad_token(const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token is not a GetData token for this request (", why,
                   "); send the same request with the next_page_token of its previous page, "
                   "or no page_token for the first page"));
}

}  // namespace

std::uint64_t request_fingerprint(const ::sift::data::v2::GetDataRequest& request) {
  ::sift::data::v2::GetDataRequest copy = request;
  copy.clear_page_token();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // map fields (legacy references) in key order
    copy.SerializeToCodedStream(&coded);
  }
  return fnv1a(bytes);
}

std::string encode_data_token(std::uint64_t fingerprint, const DataCursor& cursor) {
  const SeriesPosition& p = cursor.position;
  std::uint64_t prev_bits = 0;
  std::memcpy(&prev_bits, &p.prev_value, sizeof prev_bits);
  const std::string text = absl::StrCat(
      kVersion, ":", absl::Hex(fingerprint), ":", cursor.query, ":", cursor.group, ":", p.time, ":",
      p.tie, ":", p.has_prev ? 1 : 0, ":", p.prev_time, ":", absl::Hex(prev_bits));
  return absl::WebSafeBase64Escape(text);
}

absl::StatusOr<DataCursor> decode_data_token(const std::string& token, std::uint64_t fingerprint,
                                             std::size_t query_count) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return bad_token("not base64");
  const std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 9 || parts[0] != kVersion) return bad_token("unknown format");
  std::uint64_t issued_for = 0;
  std::uint64_t prev_bits = 0;
  std::uint32_t has_prev = 0;
  DataCursor cursor;
  SeriesPosition& p = cursor.position;
  if (!absl::SimpleHexAtoi(parts[1], &issued_for) || !absl::SimpleAtoi(parts[2], &cursor.query) ||
      !absl::SimpleAtoi(parts[3], &cursor.group) || !absl::SimpleAtoi(parts[4], &p.time) ||
      !absl::SimpleAtoi(parts[5], &p.tie) || !absl::SimpleAtoi(parts[6], &has_prev) ||
      !absl::SimpleAtoi(parts[7], &p.prev_time) || !absl::SimpleHexAtoi(parts[8], &prev_bits) ||
      has_prev > 1) {
    return bad_token("malformed");
  }
  if (issued_for != fingerprint) return bad_token("it was issued for a different request");
  if (cursor.query >= query_count) return bad_token("it names a query the request does not have");
  p.has_prev = has_prev == 1;
  std::memcpy(&p.prev_value, &prev_bits, sizeof prev_bits);
  return cursor;
}

}  // namespace emulator
}  // namespace sift
