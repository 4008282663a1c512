// The upload endpoint's streaming multipart/form-data parser on its own: part
// headers, bodies split across chunks at every offset, malformed forms.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "multipart.h"

namespace {

using sift::emulator::multipart_boundary;
using sift::emulator::MultipartHandler;
using sift::emulator::MultipartParser;
using sift::emulator::MultipartPart;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::SizeIs;

struct Seen {
  MultipartPart part;
  std::string body;
  bool ended = false;
};

class Recorder final : public MultipartHandler {
 public:
  void on_part(const MultipartPart& part) override { parts.push_back(Seen{part, "", false}); }
  void on_data(const char* data, std::size_t size) override {
    ASSERT_FALSE(parts.empty());
    ASSERT_FALSE(parts.back().ended);
    parts.back().body.append(data, size);
  }
  void on_part_end() override { parts.back().ended = true; }

  std::vector<Seen> parts;
};

const std::string kForm =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"entityId\"\r\n"
    "\r\n"
    "run-1\r\n"
    "--XyZ\r\n"
    "content-disposition: FORM-DATA; name=\"file\"; filename=\"a \\\"b\\\".csv.gz\"\r\n"
    "Content-Type: text/csv\r\n"
    "Content-Encoding: gzip\r\n"
    "X-Ignored: yes\r\n"
    "\r\n"
    "line1\r\n--XyY\r\n\r\n--Xy\r\n"
    "--XyZ  \r\n"
    "Content-Disposition: form-data; name=\"empty\"\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue --XyZ\r\n";

void expect_form(const std::vector<Seen>& parts) {
  ASSERT_THAT(parts, SizeIs(3));
  EXPECT_EQ(parts[0].part.name, "entityId");
  EXPECT_FALSE(parts[0].part.filename.has_value());
  EXPECT_EQ(parts[0].body, "run-1");
  EXPECT_EQ(parts[1].part.name, "file");
  EXPECT_THAT(parts[1].part.filename, Optional(std::string("a \"b\".csv.gz")));
  EXPECT_EQ(parts[1].part.content_type, "text/csv");
  EXPECT_EQ(parts[1].part.content_encoding, "gzip");
  EXPECT_EQ(parts[1].body, "line1\r\n--XyY\r\n\r\n--Xy");
  EXPECT_EQ(parts[2].part.name, "empty");
  EXPECT_EQ(parts[2].body, "");
  for (const Seen& seen : parts) EXPECT_TRUE(seen.ended);
}

TEST(EmulatorMultipartTest, ParsesPartsInOneChunk) {
  Recorder recorder;
  MultipartParser parser("XyZ", &recorder);
  ASSERT_TRUE(parser.feed(kForm.data(), kForm.size())) << parser.error();
  ASSERT_TRUE(parser.finish()) << parser.error();
  expect_form(recorder.parts);
}

TEST(EmulatorMultipartTest, ParsesTheSameAtEverySplitAndByteByByte) {
  for (std::size_t split = 0; split <= kForm.size(); ++split) {
    Recorder recorder;
    MultipartParser parser("XyZ", &recorder);
    ASSERT_TRUE(parser.feed(kForm.data(), split)) << split << ": " << parser.error();
    ASSERT_TRUE(parser.feed(kForm.data() + split, kForm.size() - split)) << split;
    ASSERT_TRUE(parser.finish()) << split << ": " << parser.error();
    expect_form(recorder.parts);
  }
  Recorder recorder;
  MultipartParser parser("XyZ", &recorder);
  for (char c : kForm) ASSERT_TRUE(parser.feed(&c, 1)) << parser.error();
  ASSERT_TRUE(parser.finish());
  expect_form(recorder.parts);
}

TEST(EmulatorMultipartTest, LargeBodiesStreamWithoutBeingHeld) {
  std::string big(1 << 20, 'a');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = '-';
  const std::string form =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n" + big +
      "\r\n--b--";
  Recorder recorder;
  MultipartParser parser("b", &recorder);
  for (std::size_t at = 0; at < form.size(); at += 4096) {
    ASSERT_TRUE(parser.feed(form.data() + at, std::min<std::size_t>(4096, form.size() - at)));
    ASSERT_LE(parser.buffered_bytes(), 8192u) << "at byte " << at;
  }
  ASSERT_TRUE(parser.finish()) << parser.error();
  ASSERT_THAT(recorder.parts, SizeIs(1));
  EXPECT_TRUE(recorder.parts[0].body == big);
}

TEST(EmulatorMultipartTest, EndlessPaddingAfterABoundaryFails) {
  Recorder recorder;
  MultipartParser parser("b", &recorder);
  const std::string start = "--b";
  ASSERT_TRUE(parser.feed(start.data(), start.size()));
  const std::string spaces(512, ' ');
  bool ok = true;
  for (int i = 0; i < 16 && ok; ++i) ok = parser.feed(spaces.data(), spaces.size());
  EXPECT_FALSE(ok);
  EXPECT_THAT(parser.error(), HasSubstr("padding"));
  EXPECT_LE(parser.buffered_bytes(), 2048u);
}

TEST(EmulatorMultipartTest, FilenameStarIsDecoded) {
  const std::string form =
      "--b\r\nContent-Disposition: form-data; name=file; filename=\"plain.txt\"; "
      "filename*=UTF-8''caf%C3%A9%20menu.txt\r\n\r\nx\r\n--b--\r\n";
  Recorder recorder;
  MultipartParser parser("b", &recorder);
  ASSERT_TRUE(parser.feed(form.data(), form.size())) << parser.error();
  ASSERT_TRUE(parser.finish());
  ASSERT_THAT(recorder.parts, SizeIs(1));
  EXPECT_EQ(recorder.parts[0].part.name, "file");
  EXPECT_THAT(recorder.parts[0].part.filename, Optional(std::string("caf\xC3\xA9 menu.txt")));
}

TEST(EmulatorMultipartTest, MalformedFormsFailNamingTheProblem) {
  struct Case {
    std::string form;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {"--b\r\n\r\nno disposition\r\n--b--", "no `Content-Disposition"},
      {"--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nx\r\n--b--", "not form-data"},
      {"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", "has no name"},
      {"--b\r\nno colon here\r\n\r\nx\r\n--b--", "malformed header line"},
      {"--bX\r\n", "line break after the boundary"},
      {"--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\nx\r\n--b--", "unterminated"},
      {"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end", "closing boundary"},
      {"no boundary at all", "closing boundary"},
      {"--b\r\n" + std::string(20000, 'h'), "exceed"},
  };
  for (const Case& c : cases) {
    Recorder recorder;
    MultipartParser parser("b", &recorder);
    const bool fed = parser.feed(c.form.data(), c.form.size());
    const bool finished = fed && parser.finish();
    EXPECT_FALSE(finished) << c.fragment;
    EXPECT_THAT(parser.error(), HasSubstr(c.fragment)) << c.form.substr(0, 60);
    // Failed stays failed.
    EXPECT_FALSE(parser.feed("--b--", 5));
  }
}

TEST(EmulatorMultipartTest, BoundaryComesFromTheContentType) {
  EXPECT_THAT(multipart_boundary("multipart/form-data; boundary=abc"),
              Optional(std::string("abc")));
  EXPECT_THAT(multipart_boundary("Multipart/Form-Data;boundary=\"a b;c\"; charset=utf-8"),
              Optional(std::string("a b;c")));
  EXPECT_THAT(multipart_boundary("multipart/form-data; charset=x; BOUNDARY=z"),
              Optional(std::string("z")));
  EXPECT_EQ(multipart_boundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(multipart_boundary("application/json; boundary=abc"), std::nullopt);
  EXPECT_EQ(multipart_boundary(""), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')),
            std::nullopt);
}

}  // namespace
