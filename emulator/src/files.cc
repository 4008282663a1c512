#include "files.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {

std::string_view entity_type_name(remote_files_pb::EntityType type) {
  switch (type) {
    case remote_files_pb::ENTITY_TYPE_RUN:
      return "runs";
    case remote_files_pb::ENTITY_TYPE_ANNOTATION:
      return "annotations";
    case remote_files_pb::ENTITY_TYPE_ANNOTATION_LOG:
      return "annotation_logs";
    default:
      return {};
  }
}

std::optional<remote_files_pb::EntityType> entity_type_from_name(std::string_view name) {
  for (remote_files_pb::EntityType type :
       {remote_files_pb::ENTITY_TYPE_RUN, remote_files_pb::ENTITY_TYPE_ANNOTATION,
        remote_files_pb::ENTITY_TYPE_ANNOTATION_LOG}) {
    if (entity_type_name(type) == name) return type;
  }
  return std::nullopt;
}

void HttpAddress::set(std::string address) {
  std::lock_guard<std::mutex> lock(mu_);
  address_ = std::move(address);
}

std::string HttpAddress::get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return address_;
}

absl::StatusOr<std::unique_ptr<DataDir>> DataDir::open(const std::string& dir) {
  std::error_code error;
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, error);
    if (error || !std::filesystem::is_directory(dir, error)) {
      return absl::UnavailableError(
          absl::StrCat("sift-emulator cannot use data directory '", dir,
                       "': ", error ? error.message() : "not a directory"));
    }
    return std::unique_ptr<DataDir>(new DataDir(dir, false));
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/sift-emulator-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("sift-emulator cannot create a data directory like '", pattern,
                     "': ", std::strerror(errno)));
  }
  return std::unique_ptr<DataDir>(new DataDir(pattern, true));
}

DataDir::~DataDir() {
  if (!temporary_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string download_url(const std::string& address, const std::string& remote_file_id,
                         const std::string& token) {
  // Ids and tokens are hex and dashes: nothing to escape.
  return absl::StrCat("http://", address, kDownloadPathPrefix, remote_file_id, "?token=", token);
}

std::string random_token() {
  // getrandom(), not std::random_device: its constructor throws when no
  // entropy source opens, which -fno-exceptions turns into an abort.
  unsigned char bytes[16] = {};
  std::size_t filled = 0;
  while (filled < sizeof(bytes)) {
    const ssize_t n = ::getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (n > 0) {
      filled += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (filled < sizeof(bytes)) {
    // No kernel entropy: a local test server falls back to a clock-seeded
    // generator rather than refusing to serve.
    std::mt19937_64 fallback(
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(fallback());
  }
  std::string token;
  for (unsigned char b : bytes) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", b);
    token += hex;
  }
  return token;
}

}  // namespace emulator
}  // namespace sift
