// write_csv: byte-exact text, exact numbers, quoting, the temporary file.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "internal/data_csv.h"
#include "sift/data/table.h"

namespace sift {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

template <typename T>
ChannelTimeSeries series(std::string name, ChannelDataType type, std::vector<int64_t> times,
                         std::vector<T> values) {
  ChannelTimeSeries s;
  s.name = std::move(name);
  s.data_type = type;
  s.time_ns = std::move(times);
  s.values = std::move(values);
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

class DataCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sift_csv_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& name : list_dir(dir_)) ::unlink((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;

  static constexpr int64_t kT0 = 1'000'000'000;
  static constexpr int64_t kT1 = 1'250'000'000;
  static constexpr int64_t kT2 = 2'000'000'001;
  ChannelTimeSeries voltage_ = series<double>("voltage", ChannelDataType::kDouble, {kT0, kT2},
                                              {0.1, -std::numeric_limits<double>::infinity()});
  ChannelTimeSeries note_ =
      series<std::string>("note", ChannelDataType::kString, {kT1, kT2}, {"a,\"b\"", ""});
  ChannelTimeSeries blob_ =
      series<std::string>("blob", ChannelDataType::kBytes, {kT1}, {std::string("\x00\xff", 2)});
  ChannelTimeSeries state_ = [] {
    ChannelTimeSeries s = series<uint32_t>("state", ChannelDataType::kEnum, {kT0, kT2}, {1u, 2u});
    s.enum_types = {ChannelEnumType{"on, really", 1, false}};
    return s;
  }();
  ChannelTimeSeries flag_ = series<bool>("flag", ChannelDataType::kBool, {kT1}, {true});
  ChannelTimeSeries f_ = series<float>("f", ChannelDataType::kFloat, {kT0, kT2},
                                       {0.1f, std::numeric_limits<float>::quiet_NaN()});
  ChannelTimeSeries big_ = series<uint64_t>("big", ChannelDataType::kUint64, {kT0},
                                            {std::numeric_limits<uint64_t>::max()});
  ChannelTimeSeries small_ = series<int64_t>("small", ChannelDataType::kInt64, {kT2},
                                             {std::numeric_limits<int64_t>::min()});
  ChannelTimeSeries i32_ = series<int32_t>("i32", ChannelDataType::kInt32, {kT1}, {-7});
  ChannelTimeSeries gpio_ = series<uint32_t>("gpio.12v", ChannelDataType::kBitField, {kT0}, {9u});

  Table table() {
    absl::StatusOr<Table> t = merge_asof(
        {&voltage_, &note_, &blob_, &state_, &flag_, &f_, &big_, &small_, &i32_, &gpio_});
    EXPECT_TRUE(t.ok()) << t.status();
    return *std::move(t);
  }
};

TEST_F(DataCsvTest, WritesTheExactText) {
  const std::string path = dir_ + "/out.csv";
  ASSERT_TRUE(write_csv(table(), path).ok());
  EXPECT_EQ(read_file(path),
            "time,voltage,note,blob,state,flag,f,big,small,i32,gpio.12v\n"
            "1970-01-01T00:00:01Z,0.1,,,1,,0.1,18446744073709551615,,,9\n"
            "1970-01-01T00:00:01.250Z,0.1,\"a,\"\"b\"\"\",00ff,1,true,0.1,18446744073709551615,,"
            "-7,9\n"
            "1970-01-01T00:00:02.000000001Z,-inf,\"\",00ff,2,true,nan,18446744073709551615,"
            "-9223372036854775808,-7,9\n");
  EXPECT_THAT(list_dir(dir_), UnorderedElementsAre("out.csv"));
}

TEST_F(DataCsvTest, OptionsNanosLabelsCrlf) {
  const std::string path = dir_ + "/out.csv";
  CsvOptions options;
  options.time_format = CsvOptions::TimeFormat::kUnixNanos;
  options.enum_labels = true;
  options.crlf = true;
  absl::StatusOr<Table> t = merge_asof({&state_, &flag_});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(write_csv(*t, path, options).ok());
  EXPECT_EQ(read_file(path),
            "time,state,flag\r\n"
            "1000000000,\"on, really\",\r\n"
            "1250000000,\"on, really\",true\r\n"
            "2000000001,2,true\r\n");
}

TEST_F(DataCsvTest, HonoursToleranceAndColumnNames) {
  MergeAsofOptions merge;
  merge.tolerance = std::chrono::nanoseconds(250'000'000);
  merge.column_names = {"v, volts", "time of note"};
  absl::StatusOr<Table> t = merge_asof({&voltage_, &note_}, merge);
  ASSERT_TRUE(t.ok()) << t.status();
  const std::string path = dir_ + "/out.csv";
  ASSERT_TRUE(write_csv(*t, path).ok());
  EXPECT_EQ(read_file(path),
            "time,\"v, volts\",time of note\n"
            "1970-01-01T00:00:01Z,0.1,\n"
            "1970-01-01T00:00:01.250Z,0.1,\"a,\"\"b\"\"\"\n"
            "1970-01-01T00:00:02.000000001Z,-inf,\"\"\n");
}

TEST_F(DataCsvTest, ReplacesAnExistingFile) {
  const std::string path = dir_ + "/out.csv";
  std::ofstream(path) << "old content that is longer than the new one\n" << std::string(1000, 'x');
  absl::StatusOr<Table> t = merge_asof({&flag_});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(write_csv(*t, path).ok());
  EXPECT_EQ(read_file(path), "time,flag\n1970-01-01T00:00:01.250Z,true\n");
  EXPECT_THAT(list_dir(dir_), UnorderedElementsAre("out.csv"));
}

TEST_F(DataCsvTest, FailureNamesThePathAndLeavesNothing) {
  absl::StatusOr<Table> t = merge_asof({&flag_});
  ASSERT_TRUE(t.ok());
  const std::string path = dir_ + "/missing/out.csv";
  absl::Status status = write_csv(*t, path);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_TRUE(list_dir(dir_).empty());

  // The target is a directory: the rename fails and the temporary file goes.
  ASSERT_EQ(::mkdir((dir_ + "/taken").c_str(), 0700), 0);
  status = write_csv(*t, dir_ + "/taken");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("taken"));
  EXPECT_THAT(list_dir(dir_), UnorderedElementsAre("taken"));
  ::rmdir((dir_ + "/taken").c_str());

  EXPECT_EQ(write_csv(*t, "").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DataCsvTest, ManyRowsAcrossSeveralFlushes) {
  constexpr int kRows = 200'000;  // ~7 MB of text: several buffer flushes
  std::vector<int64_t> times;
  std::vector<double> values;
  for (int i = 0; i < kRows; ++i) {
    times.push_back(int64_t{1'720'141'748'000'000'000} + i * int64_t{1'000'000});
    values.push_back(i / 3.0);
  }
  ChannelTimeSeries big = series<double>("x", ChannelDataType::kDouble, times, values);
  ChannelTimeSeries sparse =
      series<int32_t>("every1000", ChannelDataType::kInt32, {times[1000], times[150'000]}, {1, 2});
  absl::StatusOr<Table> t = merge_asof({&big, &sparse});
  ASSERT_TRUE(t.ok());
  const std::string path = dir_ + "/big.csv";
  ASSERT_TRUE(write_csv(*t, path).ok());
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kRows) + 1);
  EXPECT_EQ(lines[1], "2024-07-05T01:09:08Z,0,");
  EXPECT_EQ(lines[1001], "2024-07-05T01:09:09Z,333.3333333333333,1");
  EXPECT_EQ(lines[150'000], "2024-07-05T01:11:37.999Z,49999.666666666664,1");
  EXPECT_EQ(lines[150'001], "2024-07-05T01:11:38Z,50000,2");
  for (int i = 0; i < kRows; i += 7919) {
    const std::string& l = lines[static_cast<std::size_t>(i) + 1];
    const std::string number = l.substr(l.find(',') + 1, l.rfind(',') - l.find(',') - 1);
    EXPECT_EQ(std::strtod(number.c_str(), nullptr), values[static_cast<std::size_t>(i)]) << l;
  }
}

TEST(DataCsvFormatTest, NumbersRoundTripExactly) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 20'000; ++i) {
    const uint64_t bits = random();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    float f;
    const uint32_t fbits = static_cast<uint32_t>(bits >> 11);
    std::memcpy(&f, &fbits, sizeof(f));
    std::string dt;
    internal::append_csv_double(dt, d);
    std::string ft;
    internal::append_csv_float(ft, f);
    if (std::isnan(d)) {
      EXPECT_EQ(dt, "nan");
    } else {
      const double back = std::strtod(dt.c_str(), nullptr);
      EXPECT_EQ(std::memcmp(&back, &d, sizeof(d)), 0) << dt;
    }
    if (std::isnan(f)) {
      EXPECT_EQ(ft, "nan");
    } else {
      const float back = std::strtof(ft.c_str(), nullptr);
      EXPECT_EQ(std::memcmp(&back, &f, sizeof(f)), 0) << ft;
    }
  }
}

TEST(DataCsvFormatTest, ShortestForms) {
  auto d = [](double v) {
    std::string out;
    internal::append_csv_double(out, v);
    return out;
  };
  auto f = [](float v) {
    std::string out;
    internal::append_csv_float(out, v);
    return out;
  };
  EXPECT_EQ(d(0.1), "0.1");
  EXPECT_EQ(d(-0.0), "-0");
  EXPECT_EQ(d(1e21), "1e+21");
  EXPECT_EQ(d(123456.0), "123456");
  EXPECT_EQ(d(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(d(-std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(f(0.1f), "0.1");
  EXPECT_EQ(f(16777216.0f), "16777216");
  EXPECT_EQ(f(-std::numeric_limits<float>::infinity()), "-inf");
}

TEST(DataCsvFormatTest, QuotingAndHex) {
  auto text = [](std::string_view v) {
    std::string out;
    internal::append_csv_text(out, v);
    return out;
  };
  EXPECT_EQ(text("plain words"), "plain words");
  EXPECT_EQ(text(""), "\"\"");
  EXPECT_EQ(text("a,b"), "\"a,b\"");
  EXPECT_EQ(text("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(text("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(text("cr\r"), "\"cr\r\"");
  EXPECT_EQ(text(" spaced "), " spaced ");
  std::string hex;
  internal::append_csv_hex(hex, std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(hex, "0001abff");
  hex.clear();
  internal::append_csv_hex(hex, "");
  EXPECT_EQ(hex, "\"\"");
}

}  // namespace
}  // namespace sift
