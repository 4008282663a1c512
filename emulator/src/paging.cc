#include "paging.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sift {
namespace emulator {

absl::StatusOr<Page> parse_page(const char* method, std::uint32_t page_size,
                                const std::string& page_token, std::uint32_t max_page_size) {
  Page page;
  page.size = page_size == 0 ? kDefaultPageSize : std::min(page_size, max_page_size);
  if (page_token.empty()) return page;
  std::uint64_t offset = 0;
  const bool digits = std::all_of(page_token.begin(), page_token.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (!digits || page_token.size() > 12 || !absl::SimpleAtoi(page_token, &offset)) {
    return absl::InvalidArgumentError(
        absl::StrCat(method, ": page_token was not issued by this emulator"));
  }
  page.offset = static_cast<std::size_t>(offset);
  return page;
}

}  // namespace emulator
}  // namespace sift
