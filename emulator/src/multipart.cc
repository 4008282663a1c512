#include "multipart.h"

#include <cctype>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {
namespace {

// Part headers are a few short lines; more than this is not a form.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
// Spaces and tabs allowed between a boundary and its line break.
constexpr std::size_t kMaxPaddingBytes = 1024;

absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) { return absl::AsciiStrToLower(av(s)); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 5987 `charset'language'percent-encoded` (filename*=UTF-8''a%20b.png).
std::string decode_ext_value(std::string_view value) {
  const std::size_t first = value.find('\'');
  const std::size_t second = first == value.npos ? value.npos : value.find('\'', first + 1);
  if (second != value.npos) value.remove_prefix(second + 1);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      const int hi = hex_digit(value[i + 1]);
      const int lo = hex_digit(value[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(value[i]);
  }
  return out;
}

// `type; key=value; key="quoted \" value"` -> the parameters, keys lower-cased.
// False on an unterminated quoted string.
template <typename Add>
bool parse_parameters(std::string_view text, Add add) {
  std::size_t i = text.find(';');
  while (i != text.npos && i < text.size()) {
    ++i;  // past ';'
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t key_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != ';') ++i;
    const std::string key = lower(trim(text.substr(key_start, i - key_start)));
    std::string value;
    if (i < text.size() && text[i] == '=') {
      ++i;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          const char c = text[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && i < text.size()) {
            value.push_back(text[i++]);
          } else {
            value.push_back(c);
          }
        }
        if (!closed) return false;
        i = text.find(';', i);
      } else {
        const std::size_t end = text.find(';', i);
        value = std::string(trim(text.substr(i, end == text.npos ? text.npos : end - i)));
        i = end;
      }
    } else if (i >= text.size()) {
      i = text.npos;
    }
    if (!key.empty()) add(key, std::move(value));
  }
  return true;
}

}  // namespace

MultipartParser::MultipartParser(std::string boundary, MultipartHandler* handler)
    : dash_boundary_("--" + boundary), delimiter_("\r\n--" + boundary), handler_(handler) {}

bool MultipartParser::fail(std::string message) {
  state_ = State::kFailed;
  error_ = std::move(message);
  buf_.clear();
  return false;
}

bool MultipartParser::feed(const char* data, std::size_t size) {
  if (state_ == State::kFailed) return false;
  if (state_ == State::kDone) return true;  // the epilogue is ignored
  buf_.append(data, size);
  while (step()) {
  }
  return state_ != State::kFailed;
}

bool MultipartParser::finish() {
  if (state_ == State::kDone) return true;
  if (state_ == State::kFailed) return false;
  return fail(absl::StrCat("the body ends before the closing boundary '", dash_boundary_, "--'"));
}

bool MultipartParser::step() {
  switch (state_) {
    case State::kPreamble: {
      const std::size_t pos = buf_.find(dash_boundary_);
      if (pos == std::string::npos) {
        // Keep what could be the start of a boundary split across chunks.
        const std::size_t keep = dash_boundary_.size() - 1;
        if (buf_.size() > keep) buf_.erase(0, buf_.size() - keep);
        return false;
      }
      buf_.erase(0, pos + dash_boundary_.size());
      state_ = State::kAfterBoundary;
      return true;
    }
    case State::kAfterBoundary: {
      if (buf_.size() < 2) return false;
      if (buf_.compare(0, 2, "--") == 0) {
        state_ = State::kDone;
        buf_.clear();
        return false;
      }
      // Transport padding (spaces, tabs) may follow a boundary.
      const std::size_t i = buf_.find_first_not_of(" \t");
      if (i == std::string::npos && buf_.size() > kMaxPaddingBytes) {
        return fail(absl::StrCat("more than ", kMaxPaddingBytes,
                                 " bytes of padding after the boundary '", dash_boundary_,
                                 "' (part ", parts_ + 1, ")"));
      }
      if (i == std::string::npos || buf_.size() < i + 2) return false;
      if (buf_.compare(i, 2, "\r\n") != 0) {
        return fail(absl::StrCat("expected a line break after the boundary '", dash_boundary_,
                                 "' (part ", parts_ + 1, ")"));
      }
      buf_.erase(0, i + 2);
      part_ = MultipartPart();
      has_disposition_ = false;
      header_bytes_ = 0;
      state_ = State::kHeaders;
      return true;
    }
    case State::kHeaders: {
      const std::size_t pos = buf_.find("\r\n");
      if (pos == std::string::npos || header_bytes_ + pos > kMaxHeaderBytes) {
        if (header_bytes_ + buf_.size() > kMaxHeaderBytes) {
          return fail(absl::StrCat("the headers of part ", parts_ + 1, " exceed ",
                                   kMaxHeaderBytes / 1024, " KiB"));
        }
        return false;
      }
      header_bytes_ += pos + 2;
      const std::string line = buf_.substr(0, pos);
      buf_.erase(0, pos + 2);
      if (!line.empty()) return parse_header_line(line);
      if (!has_disposition_) {
        return fail(absl::StrCat("part ", parts_ + 1,
                                 " has no `Content-Disposition: form-data; name=\"...\"` header"));
      }
      ++parts_;
      state_ = State::kBody;
      handler_->on_part(part_);
      return true;
    }
    case State::kBody: {
      const std::size_t pos = buf_.find(delimiter_);
      if (pos == std::string::npos) {
        // Everything but a possible delimiter prefix at the end is content.
        const std::size_t keep = delimiter_.size() - 1;
        if (buf_.size() > keep) {
          const std::size_t n = buf_.size() - keep;
          handler_->on_data(buf_.data(), n);
          buf_.erase(0, n);
        }
        return false;
      }
      if (pos > 0) handler_->on_data(buf_.data(), pos);
      handler_->on_part_end();
      buf_.erase(0, pos + delimiter_.size());
      state_ = State::kAfterBoundary;
      return true;
    }
    case State::kDone:
      buf_.clear();
      return false;
    case State::kFailed:
      return false;
  }
  return false;
}

bool MultipartParser::parse_header_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == line.npos) {
    return fail(absl::StrCat("part ", parts_ + 1, ": malformed header line '", av(line), "'"));
  }
  const std::string name = lower(trim(line.substr(0, colon)));
  const std::string_view value = trim(line.substr(colon + 1));
  if (name == "content-type") {
    part_.content_type = std::string(value);
  } else if (name == "content-encoding") {
    part_.content_encoding = std::string(value);
  } else if (name == "content-disposition") {
    const std::string_view type = trim(value.substr(0, value.find(';')));
    if (lower(type) != "form-data") {
      return fail(absl::StrCat("part ", parts_ + 1, ": Content-Disposition '", av(value),
                               "' is not form-data"));
    }
    std::optional<std::string> name_param;
    std::optional<std::string> filename_ext;
    const bool ok = parse_parameters(value, [&](const std::string& key, std::string v) {
      if (key == "name") {
        name_param = std::move(v);
      } else if (key == "filename") {
        part_.filename = std::move(v);
      } else if (key == "filename*") {
        filename_ext = decode_ext_value(v);
      }
    });
    if (!ok) {
      return fail(
          absl::StrCat("part ", parts_ + 1, ": unterminated quoted string in '", av(value), "'"));
    }
    if (!name_param.has_value()) {
      return fail(
          absl::StrCat("part ", parts_ + 1, ": Content-Disposition '", av(value), "' has no name"));
    }
    if (filename_ext.has_value()) part_.filename = std::move(filename_ext);
    part_.name = std::move(*name_param);
    has_disposition_ = true;
  }
  return true;  // other part headers (Content-Length, ...) say nothing we keep
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  if (lower(type) != "multipart/form-data") return std::nullopt;
  std::optional<std::string> boundary;
  const bool ok = parse_parameters(content_type, [&](const std::string& key, std::string value) {
    if (key == "boundary") boundary = std::move(value);
  });
  // RFC 2046: 1 to 70 characters.
  if (!ok || !boundary.has_value() || boundary->empty() || boundary->size() > 70) {
    return std::nullopt;
  }
  return boundary;
}

}  // namespace emulator
}  // namespace sift
