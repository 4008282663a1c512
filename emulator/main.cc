// sift-emulator: a local Sift-compatible gRPC server. See docs/emulator.md.
#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "sift/emulator/emulator.h"

namespace {

constexpr char kUsage[] =
    "Usage: sift-emulator [--listen HOST:PORT] [--api-key KEY] [--summary-on-exit]\n"
    "                     [--ingest-count-only] [--user NAME]... [--tag NAME]...\n"
    "                     [--http-listen HOST:PORT] [--data-dir DIR] [--max-file-size BYTES]\n"
    "\n"
    "A local server speaking Sift's gRPC API, for development, examples and tests.\n"
    "\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:50051); port 0\n"
    "                      picks a free port\n"
    "  --api-key KEY       require `authorization: Bearer KEY` on every call\n"
    "  --summary-on-exit   on SIGINT/SIGTERM, print one line per stored channel:\n"
    "                      asset=<asset> channel=<channel> rows=<n> runs=<distinct runs>\n"
    "                      then one per annotation, in creation order:\n"
    "                      annotation rule=<rule> kind=<review|phase> state=<state>\n"
    "                      asset=<asset> start=<RFC 3339> end=<RFC 3339|open>\n"
    "  --ingest-count-only for benchmarks: ingested rows are parsed and counted, not\n"
    "                      validated nor stored; on exit prints\n"
    "                      `ingested rows=<n> bytes=<n>` on stderr\n"
    "  --user NAME         an active user (e.g. a review rule's assignee); repeatable\n"
    "  --tag NAME          a tag that exists from the start (e.g. a rule's annotation\n"
    "                      tag); repeatable\n"
    "  --http-listen HOST:PORT\n"
    "                      also serve Sift's REST file endpoints over HTTP there (the\n"
    "                      upload endpoint and download URLs); port 0 picks a free port\n"
    "  --data-dir DIR      keep uploaded files in DIR (created if missing, kept on exit;\n"
    "                      default: a temporary directory removed on exit)\n"
    "  --max-file-size BYTES\n"
    "                      largest file the upload endpoint accepts (default 1073741824)\n"
    "  --help              show this text\n"
    "\n"
    "Prints `sift-emulator listening on HOST:PORT` once it serves, then\n"
    "`sift-emulator http listening on HOST:PORT` with --http-listen; stops on SIGINT or\n"
    "SIGTERM.\n";

struct Flags {
  sift::emulator::EmulatorOptions options;
  bool summary_on_exit = false;
  bool help = false;
};

// Plain decimal digits.
bool parse_bytes(const std::string& text, std::uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = value;
  return true;
}

// The host as given (a wildcard stays a wildcard), with the port bound.
std::string shown_address(const std::string& listen, const std::string& endpoint) {
  return listen.substr(0, listen.rfind(':')) + endpoint.substr(endpoint.rfind(':'));
}

// Accepts `--flag value` and `--flag=value`.
bool parse_flags(int argc, char** argv, Flags* flags, std::string* error) {
  flags->options.listen = "127.0.0.1:50051";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::optional<std::string> inline_value;
    if (const std::size_t eq = arg.find('='); arg.substr(0, 2) == "--" && eq != arg.npos) {
      inline_value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
    }
    auto value = [&](std::string* out) {
      if (inline_value.has_value()) {
        *out = *inline_value;
        return true;
      }
      if (i + 1 >= argc) {
        *error = std::string(arg) + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
    } else if (arg == "--listen") {
      if (!value(&flags->options.listen)) return false;
    } else if (arg == "--api-key") {
      std::string key;
      if (!value(&key)) return false;
      flags->options.api_key = key;
    } else if (arg == "--http-listen") {
      std::string listen;
      if (!value(&listen)) return false;
      flags->options.http_listen = listen;
    } else if (arg == "--data-dir") {
      if (!value(&flags->options.data_dir)) return false;
      if (flags->options.data_dir.empty()) {
        *error = "--data-dir needs a non-empty directory";
        return false;
      }
    } else if (arg == "--max-file-size") {
      std::string bytes;
      if (!value(&bytes)) return false;
      if (!parse_bytes(bytes, &flags->options.max_file_size)) {
        *error = "--max-file-size needs a number of bytes, not '" + bytes + "'";
        return false;
      }
    } else if (arg == "--user" || arg == "--tag") {
      std::string name;
      if (!value(&name)) return false;
      if (name.empty()) {
        *error = std::string(arg) + " needs a non-empty name";
        return false;
      }
      (arg == "--user" ? flags->options.users : flags->options.tags).push_back(name);
    } else if (arg == "--summary-on-exit" && !inline_value.has_value()) {
      flags->summary_on_exit = true;
    } else if (arg == "--ingest-count-only" && !inline_value.has_value()) {
      flags->options.ingest_count_only = true;
    } else {
      *error = "unknown argument: " + std::string(arg);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!parse_flags(argc, argv, &flags, &error)) {
    std::cerr << "sift-emulator: " << error << "\n\n" << kUsage;
    return 2;
  }
  if (flags.help) {
    std::cout << kUsage;
    return 0;
  }

  // Block the stop signals before gRPC starts its threads (they inherit the
  // mask), then wait for them here: no work ever runs in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A reader that went away must not kill us before the summary is attempted.
  signal(SIGPIPE, SIG_IGN);

  sift::emulator::Emulator emulator(flags.options);
  if (absl::Status status = emulator.start(); !status.ok()) {
    std::cerr << "sift-emulator: " << status.message() << "\n";
    return 1;
  }
  std::cout << "sift-emulator listening on "
            << shown_address(flags.options.listen, emulator.endpoint()) << std::endl;
  if (flags.options.http_listen.has_value()) {
    std::cout << "sift-emulator http listening on "
              << shown_address(*flags.options.http_listen, emulator.http_endpoint()) << std::endl;
  }

  int received = 0;
  while (sigwait(&stop_signals, &received) != 0) {
  }
  emulator.stop();
  if (flags.summary_on_exit) {
    for (const std::string& line : emulator.summary_lines()) std::cout << line << "\n";
    std::cout.flush();
  }
  // stderr, so the summary on stdout stays exactly its lines.
  if (flags.options.ingest_count_only) {
    const sift::emulator::IngestCounts counts = emulator.ingest_counts();
    std::cerr << "sift-emulator: ingested rows=" << counts.rows << " bytes=" << counts.bytes
              << "\n";
  }
  if (const std::uint64_t rejected = emulator.rejected_rows(); rejected > 0) {
    std::cerr << "sift-emulator: " << rejected
              << " rows failed validation; last: " << emulator.rejected_row_errors().back() << "\n";
  }
  return 0;
}
