// bench_ingest's output: the table, the RSS check and, last, the RESULT line.
#ifndef SIFT_BENCH_REPORT_H_
#define SIFT_BENCH_REPORT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "harness.h"

namespace sift_bench {

inline constexpr char kRaw[] = "raw";
inline constexpr char kSdkIngestFlows[] = "sdk_ingest_flows";
inline constexpr char kSdkTryIngestFlows[] = "sdk_try_ingest_flows";

// `clients` in the order given; `runs` holds every measurement of each.
// `rss_limit_mib`: the SDK queue's byte limit + 64 MiB.
void print_report(const std::vector<std::string>& clients, const std::vector<Measurement>& runs,
                  double rss_limit_mib);

}  // namespace sift_bench

#endif  // SIFT_BENCH_REPORT_H_
