// The download example end to end: it ingests into a real sift-emulator over
// TCP, downloads, merges and writes a CSV; every CSV row must be what the
// emulator stored for the example's run (the "done when").
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "sift/emulator/emulator.h"
#include "sift/time.h"

namespace {

#ifdef SIFT_DOWNLOAD_EXAMPLE

// Stored values of one channel in the run, by time.
template <typename Get>
std::map<int64_t, std::string> stored(const sift::emulator::Emulator& emulator,
                                      const std::string& channel, const std::string& run_id,
                                      Get get) {
  std::map<int64_t, std::string> by_time;
  for (const sift::emulator::StoredRow& row : emulator.rows("NostromoLV426", channel)) {
    if (row.run_id != run_id) continue;
    by_time[row.timestamp.time_since_epoch().count()] = get(row.value);
  }
  return by_time;
}

TEST(DownloadExampleTest, CsvRowsAreWhatTheEmulatorStoredForTheRun) {
  sift::emulator::Emulator emulator;
  ASSERT_TRUE(emulator.start().ok());
  const std::string out = testing::TempDir() + "download_example.csv";
  std::remove(out.c_str());
  const std::string command = std::string(SIFT_DOWNLOAD_EXAMPLE) + " --uri " + emulator.endpoint() +
                              " --no-tls --rows 1234 --out '" + out + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::vector<sift::emulator::RunInfo> runs = emulator.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name.rfind("nostromo-download-", 0), 0u) << runs[0].name;
  const std::string run_id = runs[0].run_id;
  auto voltage = stored(emulator, "voltage", run_id,
                        [](const sift::TypedValue& v) { return std::to_string(v.as_int32()); });
  auto velocity = stored(emulator, "mainmotor.velocity", run_id, [](const sift::TypedValue& v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", v.as_double());
    return std::string(text);
  });
  auto twelve_volt = stored(emulator, "gpio", run_id, [](const sift::TypedValue& v) {
    return std::to_string(static_cast<unsigned char>(v.as_bytes().at(0)) & 1u);
  });
  ASSERT_EQ(voltage.size(), 1234u);

  std::ifstream in(out);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "time,voltage,mainmotor.velocity,gpio.12v");
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    ASSERT_EQ(cells.size(), 4u) << line;
    absl::StatusOr<sift::Timestamp> time = sift::parse_rfc3339(cells[0]);
    ASSERT_TRUE(time.ok()) << line;
    const int64_t ns = time->time_since_epoch().count();
    ASSERT_EQ(voltage.count(ns), 1u) << "no stored row at " << cells[0];
    EXPECT_EQ(cells[1], voltage[ns]) << line;
    // The CSV holds the shortest text that parses back to the stored double.
    EXPECT_EQ(std::strtod(cells[2].c_str(), nullptr), std::strtod(velocity[ns].c_str(), nullptr))
        << line;
    EXPECT_EQ(cells[3], twelve_volt[ns]) << line;
    ++rows;
  }
  EXPECT_EQ(rows, voltage.size());
  std::remove(out.c_str());
}

TEST(DownloadExampleTest, ExitsNonZeroWhenTheServerIsDown) {
  sift::emulator::Emulator emulator;
  ASSERT_TRUE(emulator.start().ok());
  const std::string endpoint = emulator.endpoint();
  emulator.stop();
  const std::string out = testing::TempDir() + "download_example_down.csv";
  const std::string command = std::string(SIFT_DOWNLOAD_EXAMPLE) + " --uri " + endpoint +
                              " --no-tls --out '" + out + "' 2>/dev/null";
  EXPECT_NE(std::system(command.c_str()), 0);
  std::ifstream in(out);
  EXPECT_FALSE(in.good()) << "a CSV was written although nothing was downloaded";
}

#else

TEST(DownloadExampleTest, DISABLED_NeedsTheExamples) {}

#endif  // SIFT_DOWNLOAD_EXAMPLE

}  // namespace
