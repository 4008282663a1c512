// The file_attachments example end to end against a real sift-emulator (gRPC
// and its HTTP listener over TCP): it must succeed and leave exactly the image
// on its run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sift/emulator/emulator.h"

namespace {

#ifdef SIFT_FILE_ATTACHMENTS_EXAMPLE

std::string command(const sift::emulator::Emulator& emulator, const std::string& rest_endpoint) {
  return std::string(SIFT_FILE_ATTACHMENTS_EXAMPLE) + " --uri " + emulator.endpoint() +
         " --no-tls --rest-uri http://" + rest_endpoint;
}

TEST(FileAttachmentsExampleTest, UploadsListsDownloadsAndDeletes) {
  sift::emulator::EmulatorOptions options;
  options.http_listen = "127.0.0.1:0";
  sift::emulator::Emulator emulator(options);
  ASSERT_TRUE(emulator.start().ok());
  ASSERT_EQ(std::system(command(emulator, emulator.http_endpoint()).c_str()), 0);

  std::vector<sift::emulator::RunInfo> runs = emulator.runs();
  ASSERT_EQ(runs.size(), 1u);
  std::vector<sift::emulator::RemoteFileInfo> files = emulator.remote_files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].file_name, "thruster.png");
  EXPECT_EQ(files[0].mime_type, "image/png");
  EXPECT_EQ(files[0].entity_type, "runs");
  EXPECT_EQ(files[0].entity_id, runs[0].run_id);
}

TEST(FileAttachmentsExampleTest, FailsWhenTheRestEndpointIsWrong) {
  sift::emulator::EmulatorOptions options;
  options.http_listen = "127.0.0.1:0";
  sift::emulator::Emulator emulator(options);
  ASSERT_TRUE(emulator.start().ok());
  // The gRPC port answers no HTTP: the upload fails and so must the example.
  EXPECT_NE(std::system((command(emulator, emulator.endpoint()) + " 2>/dev/null").c_str()), 0);
  EXPECT_TRUE(emulator.remote_files().empty());
}

#else

TEST(FileAttachmentsExampleTest, DISABLED_NeedsTheExamples) {}

#endif  // SIFT_FILE_ATTACHMENTS_EXAMPLE

}  // namespace
