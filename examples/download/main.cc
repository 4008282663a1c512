// Downloading telemetry, the seed's pandas example in C++: ingest the
// NostromoLV426 readings into a fresh run (1 ms apart), download voltage,
// mainmotor.velocity and the gpio bit field's 12v element for that run, merge
// them onto one time column and write a CSV. Every merged row is compared with
// what was sent; any difference is a failure.
//
//   download [--uri HOST:PORT] [--apikey KEY] [--no-tls] [--rows N] [--out PATH]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../common/example_flags.h"
#include "../common/nostromo.h"
#include "sift/data/query.h"
#include "sift/data/result.h"
#include "sift/data/service.h"
#include "sift/data/table.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/service.h"
#include "sift/time.h"

namespace {

struct Args {
  int rows = 1000;
  std::string out = "nostromo.csv";
};

Args parse_args(const sift_examples::ExampleFlags& flags) {
  Args args;
  for (std::size_t i = 0; i < flags.rest.size(); ++i) {
    const std::string& arg = flags.rest[i];
    const bool has_value = i + 1 < flags.rest.size();
    if (arg == "--rows" && has_value) {
      args.rows = std::atoi(flags.rest[++i].c_str());
      if (args.rows > 0) continue;
    } else if (arg == "--out" && has_value) {
      args.out = flags.rest[++i];
      continue;
    }
    std::fprintf(stderr, "bad argument %s (expected --rows N with N > 0, or --out PATH)\n",
                 arg.c_str());
    std::exit(2);
  }
  return args;
}

// What row i sends; the download must give exactly this back.
double velocity_at(int i) { return 0.25 * i; }
int32_t voltage_at(int i) { return 3 + i % 10; }
uint32_t twelve_volt_at(int i) { return (i / 7) % 2; }
// gpio's one byte: 12v is bit 0, led (bits 3-6) = 0b0001.
char gpio_at(int i) { return static_cast<char>(0b00001000 | twelve_volt_at(i)); }

// Ingests `rows` readings 1 ms apart from `start` into a new run; returns its name.
absl::StatusOr<std::string> ingest(const sift::SiftChannel& channel, sift::Timestamp start,
                                   int rows) {
  absl::StatusOr<sift::TelemetryConfig> config =
      sift::TelemetryConfig::create(sift_examples::nostromo_lv_426_draft());
  if (!config.ok()) return config.status();
  absl::StatusOr<std::unique_ptr<sift::IngestionService>> service =
      sift::IngestionService::create(channel, *config);
  if (!service.ok()) return service.status();

  // Named after its start so that running the example again makes a new run.
  const std::string run_name = "nostromo-download-" + sift::to_rfc3339(start);
  sift::RunOptions run_options;
  run_options.description = "sift-cpp download example";
  run_options.force_new = true;
  absl::Status attached = (*service)->attach_run(run_name, run_options);
  if (!attached.ok()) return attached;

  for (int i = 0; i < rows; ++i) {
    absl::Status sent = (*service)->try_ingest_flows({sift::Flow{
        "readings",
        start + std::chrono::milliseconds(i),
        {{"mainmotor.velocity", std::nullopt, sift::double_value(velocity_at(i))},
         {"voltage", std::nullopt, sift::int32_value(voltage_at(i))},
         {"vehicle_state", std::nullopt, sift::enum_value(static_cast<uint32_t>(i / 100 % 3))},
         {"gpio", std::nullopt, sift::bit_field_value(std::string(1, gpio_at(i)))}}}});
    if (!sent.ok()) return sent;
  }
  // Returns once the server has acknowledged every row.
  absl::Status flushed = (*service)->flush();
  if (!flushed.ok()) return flushed;
  return run_name;
}

// The first difference between `table` and what ingest() sent, or nullopt.
std::optional<std::string> compare(const sift::Table& table, sift::Timestamp start, int rows) {
  if (table.rows() != static_cast<std::size_t>(rows)) {
    return "expected " + std::to_string(rows) + " rows, downloaded " + std::to_string(table.rows());
  }
  const auto& voltage = *table.columns()[0].series->values_as<int32_t>();
  const auto& velocity = *table.columns()[1].series->values_as<double>();
  const auto& twelve_volt = *table.columns()[2].series->values_as<uint32_t>();
  for (int i = 0; i < rows; ++i) {
    const std::size_t row = static_cast<std::size_t>(i);
    const std::optional<std::size_t> v = table.source_index(row, 0);
    const std::optional<std::size_t> m = table.source_index(row, 1);
    const std::optional<std::size_t> g = table.source_index(row, 2);
    if (table.time(row) != start + std::chrono::milliseconds(i) || !v || !m || !g ||
        voltage[*v] != voltage_at(i) || velocity[*m] != velocity_at(i) ||
        twelve_volt[*g] != twelve_volt_at(i)) {
      return "row " + std::to_string(i) + " (" + sift::to_rfc3339(table.time(row)) +
             ") differs from what was sent";
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  const sift_examples::ExampleFlags flags =
      sift_examples::parse_example_flags(argc, argv, " [--rows N] [--out PATH]");
  const Args args = parse_args(flags);

  absl::StatusOr<sift::SiftChannel> channel = sift::use_sift_channel(flags.channel);
  if (!channel.ok()) return sift_examples::fail("channel", channel.status());

  // Whole milliseconds, so that the times in the CSV read cleanly.
  const sift::Timestamp start =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  absl::StatusOr<std::string> run_name = ingest(*channel, start, args.rows);
  if (!run_name.ok()) return sift_examples::fail("ingest", run_name.status());

  // The run's window: start inclusive, end exclusive.
  absl::StatusOr<sift::DataQuery> query =
      sift::DataQuery::create("NostromoLV426", start, start + std::chrono::milliseconds(args.rows),
                              {sift::ChannelQuery{"voltage", std::nullopt, *run_name},
                               sift::ChannelQuery{"mainmotor.velocity", std::nullopt, *run_name},
                               sift::ChannelQuery{"gpio", std::nullopt, *run_name}});
  if (!query.ok()) return sift_examples::fail("query", query.status());

  sift::DataService data_service(*channel);
  std::size_t pages = 0;
  absl::StatusOr<sift::DataQueryResult> result = data_service.execute(
      *query, [&](const sift::DataProgress& progress) { pages = progress.pages; });
  if (!result.ok()) return sift_examples::fail("download", result.status());

  // The bit field comes back as one series per element: gpio.12v is one of them.
  absl::StatusOr<std::vector<const sift::ChannelTimeSeries*>> columns =
      result->channels({"voltage", "mainmotor.velocity", "gpio.12v"});
  if (!columns.ok()) return sift_examples::fail("channels", columns.status());
  absl::StatusOr<sift::Table> table = sift::merge_asof(*columns);
  if (!table.ok()) return sift_examples::fail("merge_asof", table.status());

  if (std::optional<std::string> difference = compare(*table, start, args.rows)) {
    std::fprintf(stderr, "download: %s\n", difference->c_str());
    return EXIT_FAILURE;
  }
  absl::Status written = sift::write_csv(*table, args.out);
  if (!written.ok()) return sift_examples::fail("write_csv", written);

  std::printf(
      "download: run %s: %zu rows x %zu channels (%zu pages) match what was sent; wrote %s\n",
      run_name->c_str(), table->rows(), table->columns().size(), pages, args.out.c_str());
  return EXIT_SUCCESS;
}
