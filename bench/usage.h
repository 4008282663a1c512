// Process CPU time and peak RSS from getrusage(RUSAGE_SELF): all threads of
// the calling process.
#ifndef SIFT_BENCH_USAGE_H_
#define SIFT_BENCH_USAGE_H_

#include <sys/resource.h>

#include <cstdint>

namespace sift_bench {

// User + system CPU time of the whole process so far, in microseconds.
inline std::int64_t process_cpu_us() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const auto us = [](const timeval& tv) {
    return static_cast<std::int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

// Peak resident set size of the process so far, in KiB.
inline long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace sift_bench

#endif  // SIFT_BENCH_USAGE_H_
