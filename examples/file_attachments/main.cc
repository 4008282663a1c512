// File attachments on a run: upload an image (with its size as metadata) and
// a log file, list the run's attachments, download both and check the bytes,
// delete the log and list again. Exits non-zero on any failure.
//
//   file_attachments [--uri HOST:PORT] [--apikey KEY] [--no-tls] [--rest-uri http://HOST:PORT]
//
// Sift serves the upload endpoint over REST: --rest-uri is its base URL
// (sift-emulator prints it as `sift-emulator http listening on HOST:PORT`);
// without it the gRPC host is used, as sift_py does.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "../common/example_flags.h"
#include "../common/nostromo.h"
#include "sift/file_attachment/service.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/service.h"

namespace {

namespace fs = std::filesystem;

// A 4x4 red PNG.
constexpr unsigned char kPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26,
    0x93, 0x09, 0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38,
    0xa1, 0xa1, 0x01, 0x47, 0x0c, 0xc4, 0x71, 0x00, 0xd1, 0x43, 0x11, 0x81, 0xa0, 0xd3, 0x6e,
    0x64, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

std::optional<std::string> rest_uri_flag(const sift_examples::ExampleFlags& flags) {
  std::optional<std::string> rest_uri;
  for (std::size_t i = 0; i < flags.rest.size(); ++i) {
    if (flags.rest[i] == "--rest-uri" && i + 1 < flags.rest.size()) {
      rest_uri = flags.rest[++i];
      continue;
    }
    std::fprintf(stderr, "bad argument %s (expected --rest-uri URL)\n", flags.rest[i].c_str());
    std::exit(2);
  }
  return rest_uri;
}

bool write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A run to attach to: the NostromoLV426 asset's ingestion service creates it.
absl::StatusOr<std::string> create_run(const sift::SiftChannel& channel) {
  absl::StatusOr<sift::TelemetryConfig> config =
      sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
  if (!config.ok()) return config.status();
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(channel, *config);
  if (!service.ok()) return service.status();
  sift::RunOptions options;
  options.description = "sift-cpp file attachments example";
  options.force_new = true;
  absl::Status attached = (*service)->attach_run("nostromo-file-attachments", options);
  if (!attached.ok()) return attached;
  return (*service)->run_id().value_or("");
}

int run(const sift_examples::ExampleFlags& flags, const fs::path& dir) {
  sift::FileAttachmentServiceOptions options;
  options.rest_uri = rest_uri_flag(flags);
  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());
  absl::StatusOr<sift::FileAttachmentService> files =
      sift::FileAttachmentService::create(*channel, flags.channel, options);
  if (!files.ok()) return sift_examples::fail("file attachment service", files.status());

  absl::StatusOr<std::string> run_id = create_run(*channel);
  if (!run_id.ok()) return sift_examples::fail("create run", run_id.status());
  const sift::Entity run_entity = sift::Entity::run(*run_id);

  // Two files to attach: the image and a log.
  const std::string image(std::begin(kPng), std::end(kPng));
  std::string log;
  for (int i = 0; i < 200; ++i)
    log += "INFO: mainmotor.velocity nominal, row " + std::to_string(i) + "\n";
  const fs::path image_path = dir / "thruster.png";
  const fs::path log_path = dir / "nostromo.log";
  if (!write_file(image_path, image) || !write_file(log_path, log)) {
    std::fprintf(stderr, "cannot write the files to upload in %s\n", dir.c_str());
    return EXIT_FAILURE;
  }

  absl::StatusOr<sift::RemoteFile> uploaded_image = files->upload_attachment(
      image_path, run_entity, sift::ImageMetadata{4, 4}, "thruster camera still");
  if (!uploaded_image.ok()) return sift_examples::fail("upload image", uploaded_image.status());
  absl::StatusOr<sift::RemoteFile> uploaded_log =
      files->upload_attachment(log_path, run_entity, {}, "asset log");
  if (!uploaded_log.ok()) return sift_examples::fail("upload log", uploaded_log.status());
  std::printf("file_attachments: uploaded %s (%s, %llu bytes) and %s (%s, %llu bytes) to run %s\n",
              uploaded_image->file_name.c_str(), uploaded_image->mime_type.c_str(),
              static_cast<unsigned long long>(uploaded_image->file_size),
              uploaded_log->file_name.c_str(), uploaded_log->mime_type.c_str(),
              static_cast<unsigned long long>(uploaded_log->file_size), run_id->c_str());

  absl::StatusOr<std::vector<sift::RemoteFile>> listed = files->retrieve_attachments(run_entity);
  if (!listed.ok()) return sift_examples::fail("retrieve attachments", listed.status());
  if (listed->size() != 2) {
    std::fprintf(stderr, "expected 2 attachments on the run, found %zu\n", listed->size());
    return EXIT_FAILURE;
  }

  // Download each into its own directory and compare with what was uploaded.
  const fs::path downloads = dir / "downloads";
  std::error_code error;
  fs::create_directories(downloads, error);
  for (const sift::RemoteFile& file : *listed) {
    absl::StatusOr<fs::path> path = files->download_attachment(file, downloads);
    if (!path.ok()) return sift_examples::fail("download", path.status());
    const std::string& sent = file.file_name == "thruster.png" ? image : log;
    if (read_file(*path) != sent) {
      std::fprintf(stderr, "%s: downloaded bytes differ from the upload\n", path->c_str());
      return EXIT_FAILURE;
    }
    std::printf("file_attachments: downloaded %s: %llu bytes, identical\n", file.file_name.c_str(),
                static_cast<unsigned long long>(file.file_size));
  }

  absl::Status deleted = files->delete_attachments({uploaded_log->remote_file_id});
  if (!deleted.ok()) return sift_examples::fail("delete", deleted);
  listed = files->retrieve_attachments(run_entity);
  if (!listed.ok()) return sift_examples::fail("retrieve attachments", listed.status());
  if (listed->size() != 1 || listed->front().remote_file_id != uploaded_image->remote_file_id) {
    std::fprintf(stderr, "after deleting the log the run should hold only the image\n");
    return EXIT_FAILURE;
  }
  std::printf("file_attachments: deleted %s; the run keeps %s\n", uploaded_log->file_name.c_str(),
              listed->front().file_name.c_str());
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  const sift_examples::ExampleFlags flags =
      sift_examples::parse_example_flags(argc, argv, " [--rest-uri http://HOST:PORT]");
  // Scratch space for the files to upload and the downloads, removed at the end.
  std::error_code error;
  const fs::path dir =
      fs::temp_directory_path(error) / ("sift-file-attachments-" + std::to_string(::getpid()));
  if (!error) fs::create_directories(dir, error);
  if (error) {
    std::fprintf(stderr, "cannot create %s: %s\n", dir.c_str(), error.message().c_str());
    return EXIT_FAILURE;
  }
  const int code = run(flags, dir);
  fs::remove_all(dir, error);
  return code;
}
