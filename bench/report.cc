#include "report.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace sift_bench {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Summary {
  double rows_per_second = 0;
  double client_us_per_row = 0;
  double server_us_per_row = 0;
  double peak_rss_mib = 0;
  std::vector<const Measurement*> reps;
};

Summary summarize(const std::string& client, const std::vector<Measurement>& runs) {
  Summary s;
  std::vector<double> rate, client_cpu, server_cpu;
  for (const Measurement& m : runs) {
    if (m.client != client) continue;
    s.reps.push_back(&m);
    rate.push_back(m.rows_per_second());
    client_cpu.push_back(m.client_us_per_row());
    server_cpu.push_back(m.server_us_per_row());
    s.peak_rss_mib = std::max(s.peak_rss_mib, m.client_maxrss_kb / 1024.0);
  }
  s.rows_per_second = median(rate);
  s.client_us_per_row = median(client_cpu);
  s.server_us_per_row = median(server_cpu);
  return s;
}

// "X.XX", or "n/a" when a client was not run.
std::string ratio(double a, double b) {
  if (a <= 0 || b <= 0) return "n/a";
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", a / b);
  return text;
}

}  // namespace

void print_report(const std::vector<std::string>& clients, const std::vector<Measurement>& runs,
                  double rss_limit_mib) {
  std::map<std::string, Summary> by_client;
  for (const std::string& c : clients) by_client[c] = summarize(c, runs);

  std::printf("\n%-22s %12s %16s %16s %13s   %s\n", "client", "rows/s", "client_cpu_us/row",
              "server_cpu_us/row", "peak_rss_mib", "per rep: rows/s client_us server_us rss_mib");
  for (const std::string& c : clients) {
    const Summary& s = by_client[c];
    std::printf("%-22s %12.0f %16.3f %16.3f %13.1f  ", c.c_str(), s.rows_per_second,
                s.client_us_per_row, s.server_us_per_row, s.peak_rss_mib);
    for (const Measurement* m : s.reps) {
      std::printf(" [%.0f %.3f %.3f %.1f]", m->rows_per_second(), m->client_us_per_row(),
                  m->server_us_per_row(), m->client_maxrss_kb / 1024.0);
    }
    std::printf("\n");
  }
  std::printf(
      "(medians over reps; CPU = user + sys of the client process / of the emulator's "
      "process during the client's timed region)\n\n");

  std::printf("rss_limit_mib=%.0f", rss_limit_mib);
  for (const std::string& c : clients) {
    std::printf(" %s=%s", c.c_str(), by_client[c].peak_rss_mib < rss_limit_mib ? "under" : "OVER");
  }
  std::printf("\n");

  const auto get = [&](const char* name) {
    auto it = by_client.find(name);
    return it == by_client.end() ? Summary{} : it->second;
  };
  const Summary raw = get(kRaw), sdk = get(kSdkIngestFlows), sdk_try = get(kSdkTryIngestFlows);
  std::printf("RESULT sdk_vs_raw_throughput=%s sdk_vs_raw_cpu=%s validated_vs_unvalidated=%s\n",
              ratio(sdk_try.rows_per_second, raw.rows_per_second).c_str(),
              ratio(sdk_try.client_us_per_row, raw.client_us_per_row).c_str(),
              ratio(sdk_try.rows_per_second, sdk.rows_per_second).c_str());
  std::fflush(stdout);
}

}  // namespace sift_bench
