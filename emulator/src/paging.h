// page_size / page_token handling shared by every List RPC (wire sheet 1.6):
// default 50, clamped to the RPC's maximum; the token is the offset of the
// next item in the (stable) filtered listing, empty when there is no more.
#ifndef SIFT_EMULATOR_PAGING_H_
#define SIFT_EMULATOR_PAGING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sift {
namespace emulator {

inline constexpr std::uint32_t kDefaultPageSize = 50;

struct Page {
  std::size_t offset = 0;
  std::size_t size = kDefaultPageSize;
};

// INVALID_ARGUMENT naming `method` for a token this emulator did not issue.
absl::StatusOr<Page> parse_page(const char* method, std::uint32_t page_size,
                                const std::string& page_token, std::uint32_t max_page_size);

// Moves the items of `page` out of `all` into `out`; returns the next token.
template <typename T, typename Add>
std::string take_page(std::vector<T>& all, const Page& page, Add add) {
  for (std::size_t i = page.offset; i < all.size() && i < page.offset + page.size; ++i) {
    add(std::move(all[i]));
  }
  const std::size_t next = page.offset + page.size;
  return next < all.size() ? std::to_string(next) : std::string();
}

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_PAGING_H_
