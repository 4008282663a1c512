// MIME type and content encoding from a file name, as sift_py gets them from
// Python's mimetypes.guess_type. The table is Python 3.11's built-in strict
// table (the same on every platform), plus the common types that Debian's
// /etc/mime.types adds and Python reads when present (webp, mkv, flac, ...),
// plus a few telemetry formats neither knows (.log, .yaml, .jsonl, .parquet).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "internal/file_attachment_request.h"

namespace sift {
namespace internal {
namespace {

struct Entry {
  std::string_view extension;
  std::string_view mime_type;
};

// Sorted by extension (binary search).
constexpr Entry kTypes[] = {
    {".3g2", "audio/3gpp2"},
    {".3gp", "audio/3gpp"},
    {".3gpp", "audio/3gpp"},
    {".3gpp2", "audio/3gpp2"},
    {".7z", "application/x-7z-compressed"},
    {".a", "application/octet-stream"},
    {".aac", "audio/aac"},
    {".adts", "audio/aac"},
    {".ai", "application/postscript"},
    {".aif", "audio/x-aiff"},
    {".aifc", "audio/x-aiff"},
    {".aiff", "audio/x-aiff"},
    {".apng", "image/apng"},
    {".ass", "audio/aac"},
    {".au", "audio/basic"},
    {".avi", "video/x-msvideo"},
    {".avif", "image/avif"},
    {".bat", "text/plain"},
    {".bcpio", "application/x-bcpio"},
    {".bin", "application/octet-stream"},
    {".bmp", "image/bmp"},
    {".c", "text/plain"},
    {".cdf", "application/x-netcdf"},
    {".cpio", "application/x-cpio"},
    {".csh", "application/x-csh"},
    {".css", "text/css"},
    {".csv", "text/csv"},
    {".dll", "application/octet-stream"},
    {".doc", "application/msword"},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {".dot", "application/msword"},
    {".dvi", "application/x-dvi"},
    {".eml", "message/rfc822"},
    {".eps", "application/postscript"},
    {".etx", "text/x-setext"},
    {".exe", "application/octet-stream"},
    {".flac", "audio/flac"},
    {".flv", "video/x-flv"},
    {".geojson", "application/geo+json"},
    {".gif", "image/gif"},
    {".glb", "model/gltf-binary"},
    {".gltf", "model/gltf+json"},
    {".gtar", "application/x-gtar"},
    {".h", "text/plain"},
    {".h5", "application/x-hdf5"},
    {".hdf", "application/x-hdf"},
    {".heic", "image/heic"},
    {".heif", "image/heif"},
    {".htm", "text/html"},
    {".html", "text/html"},
    {".ico", "image/vnd.microsoft.icon"},
    {".ief", "image/ief"},
    {".jp2", "image/jp2"},
    {".jpe", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".jpg", "image/jpeg"},
    {".js", "application/javascript"},
    {".json", "application/json"},
    {".jsonl", "application/jsonl"},
    {".jxl", "image/jxl"},
    {".kml", "application/vnd.google-earth.kml+xml"},
    {".kmz", "application/vnd.google-earth.kmz"},
    {".ksh", "text/plain"},
    {".latex", "application/x-latex"},
    {".loas", "audio/aac"},
    {".log", "text/plain"},
    {".m1v", "video/mpeg"},
    {".m3u", "application/vnd.apple.mpegurl"},
    {".m3u8", "application/vnd.apple.mpegurl"},
    {".m4a", "audio/mp4"},
    {".m4v", "video/mp4"},
    {".man", "application/x-troff-man"},
    {".md", "text/markdown"},
    {".me", "application/x-troff-me"},
    {".mht", "message/rfc822"},
    {".mhtml", "message/rfc822"},
    {".mif", "application/x-mif"},
    {".mjs", "application/javascript"},
    {".mkv", "video/x-matroska"},
    {".mov", "video/quicktime"},
    {".movie", "video/x-sgi-movie"},
    {".mp2", "audio/mpeg"},
    {".mp3", "audio/mpeg"},
    {".mp4", "video/mp4"},
    {".mpa", "video/mpeg"},
    {".mpe", "video/mpeg"},
    {".mpeg", "video/mpeg"},
    {".mpg", "video/mpeg"},
    {".ms", "application/x-troff-ms"},
    {".n3", "text/n3"},
    {".nc", "application/x-netcdf"},
    {".ndjson", "application/x-ndjson"},
    {".nq", "application/n-quads"},
    {".nt", "application/n-triples"},
    {".nws", "message/rfc822"},
    {".o", "application/octet-stream"},
    {".obj", "application/octet-stream"},
    {".oda", "application/oda"},
    {".odp", "application/vnd.oasis.opendocument.presentation"},
    {".ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {".odt", "application/vnd.oasis.opendocument.text"},
    {".oga", "audio/ogg"},
    {".ogg", "audio/ogg"},
    {".ogv", "video/ogg"},
    {".opus", "audio/opus"},
    {".p12", "application/x-pkcs12"},
    {".p7c", "application/pkcs7-mime"},
    {".parquet", "application/vnd.apache.parquet"},
    {".pbm", "image/x-portable-bitmap"},
    {".pdf", "application/pdf"},
    {".pfx", "application/x-pkcs12"},
    {".pgm", "image/x-portable-graymap"},
    {".pl", "text/plain"},
    {".png", "image/png"},
    {".pnm", "image/x-portable-anymap"},
    {".pot", "application/vnd.ms-powerpoint"},
    {".ppa", "application/vnd.ms-powerpoint"},
    {".ppm", "image/x-portable-pixmap"},
    {".pps", "application/vnd.ms-powerpoint"},
    {".ppt", "application/vnd.ms-powerpoint"},
    {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {".ps", "application/postscript"},
    {".pwz", "application/vnd.ms-powerpoint"},
    {".py", "text/x-python"},
    {".pyc", "application/x-python-code"},
    {".pyo", "application/x-python-code"},
    {".qt", "video/quicktime"},
    {".ra", "audio/x-pn-realaudio"},
    {".ram", "application/x-pn-realaudio"},
    {".rar", "application/vnd.rar"},
    {".ras", "image/x-cmu-raster"},
    {".rdf", "application/xml"},
    {".rgb", "image/x-rgb"},
    {".roff", "application/x-troff"},
    {".rtf", "application/rtf"},
    {".rtx", "text/richtext"},
    {".sgm", "text/x-sgml"},
    {".sgml", "text/x-sgml"},
    {".sh", "application/x-sh"},
    {".shar", "application/x-shar"},
    {".snd", "audio/basic"},
    {".so", "application/octet-stream"},
    {".src", "application/x-wais-source"},
    {".srt", "text/plain"},
    {".stl", "model/stl"},
    {".sv4cpio", "application/x-sv4cpio"},
    {".sv4crc", "application/x-sv4crc"},
    {".svg", "image/svg+xml"},
    {".swf", "application/x-shockwave-flash"},
    {".t", "application/x-troff"},
    {".tar", "application/x-tar"},
    {".tcl", "application/x-tcl"},
    {".tex", "application/x-tex"},
    {".texi", "application/x-texinfo"},
    {".texinfo", "application/x-texinfo"},
    {".tif", "image/tiff"},
    {".tiff", "image/tiff"},
    {".tr", "application/x-troff"},
    {".trig", "application/trig"},
    {".tsv", "text/tab-separated-values"},
    {".txt", "text/plain"},
    {".ustar", "application/x-ustar"},
    {".vcf", "text/x-vcard"},
    {".vtt", "text/vtt"},
    {".wasm", "application/wasm"},
    {".wav", "audio/x-wav"},
    {".webm", "video/webm"},
    {".webmanifest", "application/manifest+json"},
    {".webp", "image/webp"},
    {".wiz", "application/msword"},
    {".wma", "audio/x-ms-wma"},
    {".wmv", "video/x-ms-wmv"},
    {".wsdl", "application/xml"},
    {".xbm", "image/x-xbitmap"},
    {".xlb", "application/vnd.ms-excel"},
    {".xls", "application/vnd.ms-excel"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {".xml", "text/xml"},
    {".xpdl", "application/xml"},
    {".xpm", "image/x-xpixmap"},
    {".xsl", "application/xml"},
    {".xwd", "image/x-xwindowdump"},
    {".yaml", "application/yaml"},
    {".yml", "application/yaml"},
    {".zip", "application/zip"},
    {".zst", "application/zstd"},
};

// Python's suffix_map: one extension standing for two.
constexpr Entry kSuffixAliases[] = {
    {".svgz", ".svg.gz"}, {".taz", ".tar.gz"}, {".tbz2", ".tar.bz2"},
    {".tgz", ".tar.gz"},  {".txz", ".tar.xz"}, {".tz", ".tar.gz"},
};

// Python's encodings_map (case-sensitive, as in Python).
constexpr Entry kEncodings[] = {
    {".Z", "compress"}, {".br", "br"}, {".bz2", "bzip2"}, {".gz", "gzip"}, {".xz", "xz"},
};

template <std::size_t N>
std::optional<std::string_view> lookup(const Entry (&table)[N], std::string_view extension) {
  for (const Entry& entry : table) {
    if (entry.extension == extension) return entry.mime_type;
  }
  return std::nullopt;
}

std::optional<std::string_view> lookup_type(std::string_view extension) {
  const Entry* end = std::end(kTypes);
  const Entry* found = std::lower_bound(
      std::begin(kTypes), end, extension,
      [](const Entry& entry, std::string_view ext) { return entry.extension < ext; });
  if (found == end || found->extension != extension) return std::nullopt;
  return found->mime_type;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// posixpath.splitext: the extension starts at the last '.' of the last path
// component, unless that component is all leading dots up to it (`.bashrc`).
void split_extension(const std::string& path, std::string* base, std::string* extension) {
  const std::size_t slash = path.rfind('/');
  const std::size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  const std::size_t dot = path.rfind('.');
  if (dot != std::string::npos && dot > name_start) {
    std::size_t first_non_dot = name_start;
    while (first_non_dot < dot && path[first_non_dot] == '.') ++first_non_dot;
    if (first_non_dot < dot) {
      *base = path.substr(0, dot);
      *extension = path.substr(dot);
      return;
    }
  }
  *base = path;
  extension->clear();
}

}  // namespace

MimeGuess guess_mime_type(std::string_view file_name) {
  std::string base;
  std::string extension;
  split_extension(std::string(file_name), &base, &extension);
  // Python 3.11: aliases are matched lower-cased, encodings case-sensitively,
  // types lower-cased.
  for (int guard = 0; guard < 8; ++guard) {
    const std::optional<std::string_view> alias = lookup(kSuffixAliases, lower(extension));
    if (!alias.has_value()) break;
    split_extension(base + std::string(*alias), &base, &extension);
  }
  MimeGuess guess;
  if (const std::optional<std::string_view> encoding = lookup(kEncodings, extension)) {
    guess.encoding = std::string(*encoding);
    split_extension(std::string(base), &base, &extension);
  }
  if (const std::optional<std::string_view> type = lookup_type(lower(extension))) {
    guess.mime_type = std::string(*type);
  }
  return guess;
}

}  // namespace internal
}  // namespace sift
