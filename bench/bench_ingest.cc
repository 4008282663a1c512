// bench_ingest: end-to-end ingestion benchmark. The parent runs an
// in-process sift-emulator in count-only mode on 127.0.0.1 and, for each
// measurement, starts itself again as one client process (so clients never
// share a process or warm caches); the clients are interleaved per
// repetition. See bench/README.md.
//
//   bench_ingest [--rows N] [--reps N] [--clients raw,sdk_ingest_flows,sdk_try_ingest_flows]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "child.h"
#include "harness.h"
#include "report.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/engine.h"

namespace {

constexpr char kUsage[] =
    "Usage: bench_ingest [--rows N] [--reps N] [--clients a,b,...]\n"
    "  --rows N      rows per measurement (default 1000000)\n"
    "  --reps N      repetitions of every client (default 3)\n"
    "  --clients     comma list of raw, sdk_ingest_flows, sdk_try_ingest_flows (default all)\n";

struct Flags {
  std::uint64_t rows = 1000000;
  int reps = 3;
  std::vector<std::string> clients = {sift_bench::kRaw, sift_bench::kSdkIngestFlows,
                                      sift_bench::kSdkTryIngestFlows};
  std::string child;  // --child CLIENT: run one client (internal)
  std::string uri;
  bool help = false;
};

bool known_client(std::string_view c) {
  return c == sift_bench::kRaw || c == sift_bench::kSdkIngestFlows ||
         c == sift_bench::kSdkTryIngestFlows;
}

bool parse_flags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (arg == "--rows") {
      if (!absl::SimpleAtoi(value, &flags->rows) || flags->rows == 0) return false;
    } else if (arg == "--reps") {
      if (!absl::SimpleAtoi(value, &flags->reps) || flags->reps <= 0) return false;
    } else if (arg == "--clients") {
      flags->clients = absl::StrSplit(value, ',', absl::SkipEmpty());
      for (const std::string& c : flags->clients) {
        if (!known_client(c)) return false;
      }
      if (flags->clients.empty()) return false;
    } else if (arg == "--child") {
      if (!known_client(value)) return false;
      flags->child = value;
    } else if (arg == "--uri") {
      flags->uri = value;
    } else {
      return false;
    }
  }
  return true;
}

int run_child(const Flags& flags) {
  const sift_bench::ChildArgs args{flags.uri, flags.rows};
  if (flags.child == sift_bench::kRaw) return sift_bench::run_raw_client(args);
  return sift_bench::run_sdk_client(args, flags.child == sift_bench::kSdkTryIngestFlows);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!parse_flags(argc, argv, &flags)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (flags.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!flags.child.empty()) return run_child(flags);

  sift::emulator::EmulatorOptions options;
  options.listen = "127.0.0.1:0";
  options.ingest_count_only = true;
  sift::emulator::Emulator emulator(options);
  if (absl::Status s = emulator.start(); !s.ok()) {
    std::fprintf(stderr, "bench_ingest: emulator: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("bench_ingest: %llu rows x %d reps, emulator (count-only) on %s\n",
              static_cast<unsigned long long>(flags.rows), flags.reps, emulator.endpoint().c_str());
  std::vector<sift_bench::Measurement> runs;
  for (int rep = 1; rep <= flags.reps; ++rep) {
    for (const std::string& client : flags.clients) {
      absl::StatusOr<sift_bench::Measurement> m = sift_bench::measure(emulator, client, flags.rows);
      if (!m.ok()) {
        std::fprintf(stderr, "bench_ingest: %s\n", m.status().ToString().c_str());
        return 1;
      }
      m->rep = rep;
      std::printf(
          "rep %d %-22s %10.0f rows/s  client %.3f us/row  server %.3f us/row  "
          "peak rss %.1f MiB  %.1f bytes/row\n",
          rep, client.c_str(), m->rows_per_second(), m->client_us_per_row(), m->server_us_per_row(),
          m->client_maxrss_kb / 1024.0,
          static_cast<double>(m->bytes) / static_cast<double>(m->rows));
      std::fflush(stdout);
      runs.push_back(*m);
    }
  }
  // The SDK clients' default queue byte limit, plus 64 MiB.
  const double rss_limit_mib =
      static_cast<double>(sift::IngestionEngineOptions{}.max_buffered_bytes) / (1 << 20) + 64;
  sift_bench::print_report(flags.clients, runs, rss_limit_mib);
  return 0;
}
