// MIME type and content encoding from file names: Python's mimetypes as
// sift_py uses it (spec 9.2 step 2), plus our telemetry additions.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/file_attachment_request.h"

namespace sift {
namespace internal {
namespace {

struct Case {
  const char* file_name;
  const char* mime_type;  // "" = unknown
  const char* encoding;   // "" = none
};

class GuessTest : public ::testing::TestWithParam<Case> {};

TEST_P(GuessTest, MatchesPythonMimetypes) {
  const Case& c = GetParam();
  const MimeGuess guess = guess_mime_type(c.file_name);
  EXPECT_EQ(guess.mime_type, c.mime_type) << c.file_name;
  EXPECT_EQ(guess.encoding, c.encoding) << c.file_name;
}

// Values from Python 3.11: mimetypes.guess_type(name) (strict).
INSTANTIATE_TEST_SUITE_P(
    Python, GuessTest,
    ::testing::Values(
        // images
        Case{"a.png", "image/png", ""}, Case{"a.jpg", "image/jpeg", ""},
        Case{"a.jpeg", "image/jpeg", ""}, Case{"a.gif", "image/gif", ""},
        Case{"a.bmp", "image/bmp", ""}, Case{"a.tif", "image/tiff", ""},
        Case{"a.tiff", "image/tiff", ""}, Case{"a.svg", "image/svg+xml", ""},
        Case{"a.heic", "image/heic", ""}, Case{"a.avif", "image/avif", ""},
        Case{"a.ico", "image/vnd.microsoft.icon", ""},
        // video
        Case{"a.mp4", "video/mp4", ""}, Case{"a.mov", "video/quicktime", ""},
        Case{"a.avi", "video/x-msvideo", ""}, Case{"a.webm", "video/webm", ""},
        Case{"a.mpeg", "video/mpeg", ""}, Case{"a.mpg", "video/mpeg", ""},
        // audio
        Case{"a.wav", "audio/x-wav", ""}, Case{"a.mp3", "audio/mpeg", ""},
        Case{"a.aac", "audio/aac", ""}, Case{"a.opus", "audio/opus", ""},
        Case{"a.aiff", "audio/x-aiff", ""}, Case{"a.3gp", "audio/3gpp", ""},
        // text and documents
        Case{"a.txt", "text/plain", ""}, Case{"a.csv", "text/csv", ""},
        Case{"a.tsv", "text/tab-separated-values", ""}, Case{"a.json", "application/json", ""},
        Case{"a.pdf", "application/pdf", ""}, Case{"a.xml", "text/xml", ""},
        Case{"a.html", "text/html", ""}, Case{"a.h5", "application/x-hdf5", ""},
        Case{"a.bin", "application/octet-stream", ""}, Case{"a.py", "text/x-python", ""},
        // archives and encodings
        Case{"a.zip", "application/zip", ""}, Case{"a.tar", "application/x-tar", ""},
        Case{"a.png.gz", "image/png", "gzip"}, Case{"a.csv.gz", "text/csv", "gzip"},
        Case{"a.csv.bz2", "text/csv", "bzip2"}, Case{"a.json.xz", "application/json", "xz"},
        Case{"a.txt.br", "text/plain", "br"}, Case{"a.tar.Z", "application/x-tar", "compress"},
        Case{"a.tgz", "application/x-tar", "gzip"}, Case{"a.txz", "application/x-tar", "xz"},
        Case{"a.tbz2", "application/x-tar", "bzip2"}, Case{"a.svgz", "image/svg+xml", "gzip"},
        // a bare encoding has no type; encodings are case-sensitive
        Case{"a.gz", "", "gzip"}, Case{"a.csv.GZ", "", ""},
        // types are matched lower-cased
        Case{"PHOTO.PNG", "image/png", ""}, Case{"Clip.Mp4", "video/mp4", ""},
        // directories and leading dots (posixpath.splitext)
        Case{"dir.d/a.png", "image/png", ""}, Case{"dir.png/readme", "", ""}, Case{".png", "", ""},
        Case{"..png", "", ""}, Case{"noext", "", ""}, Case{"a.", "", ""},
        // unknown to Python's built-in table
        Case{"a.mcap", "", ""}, Case{"a.dat", "", ""}, Case{"a.unknownext", "", ""}));

// Types Debian's /etc/mime.types gives Python, and our own additions.
INSTANTIATE_TEST_SUITE_P(
    Additions, GuessTest,
    ::testing::Values(Case{"a.webp", "image/webp", ""}, Case{"a.mkv", "video/x-matroska", ""},
                      Case{"a.flac", "audio/flac", ""}, Case{"a.ogg", "audio/ogg", ""},
                      Case{"a.m4a", "audio/mp4", ""}, Case{"a.md", "text/markdown", ""},
                      Case{"a.log", "text/plain", ""}, Case{"flight.log.gz", "text/plain", "gzip"},
                      Case{"a.yaml", "application/yaml", ""}, Case{"a.yml", "application/yaml", ""},
                      Case{"a.parquet", "application/vnd.apache.parquet", ""}));

}  // namespace
}  // namespace internal
}  // namespace sift
