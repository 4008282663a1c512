// How many rows the fault tests ingest: SIFT_FAULT_ROWS, else `fallback`.
#ifndef SIFT_TESTS_FAULT_FAULT_ROWS_H_
#define SIFT_TESTS_FAULT_FAULT_ROWS_H_

#include <cstdint>
#include <cstdlib>

namespace sift {
namespace testing_util {

inline std::int64_t fault_rows(std::int64_t fallback) {
  const char* text = std::getenv("SIFT_FAULT_ROWS");
  if (text == nullptr || *text == '\0') return fallback;
  const long long rows = std::strtoll(text, nullptr, 10);
  return rows > 0 ? rows : fallback;
}

}  // namespace testing_util
}  // namespace sift

#endif  // SIFT_TESTS_FAULT_FAULT_ROWS_H_
