// Connection flags shared by the examples that talk to Sift:
//   --uri HOST:PORT   (or SIFT_URI)      default: plaintext emulator at 127.0.0.1:50051
//   --apikey KEY      (or SIFT_API_KEY)
//   --no-tls          (or SIFT_USE_SSL=false)
// Header-only so that each example also builds on its own against an
// installed sift.
#ifndef SIFT_EXAMPLES_COMMON_EXAMPLE_FLAGS_H_
#define SIFT_EXAMPLES_COMMON_EXAMPLE_FLAGS_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sift/grpc/transport.h"

namespace sift_examples {

struct ExampleFlags {
  sift::SiftChannelConfig channel;
  // Arguments this parser does not know, in order, for the example itself.
  std::vector<std::string> rest;
};

inline const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// Exits with a usage message on a malformed command line.
inline ExampleFlags parse_example_flags(int argc, char** argv, const char* extra_usage = "") {
  ExampleFlags flags;
  bool have_uri = false;
  bool no_tls = false;
  if (const char* uri = env_or_null("SIFT_URI")) {
    flags.channel.uri = uri;
    have_uri = true;
  }
  if (const char* key = env_or_null("SIFT_API_KEY")) flags.channel.apikey = key;
  if (const char* ssl = env_or_null("SIFT_USE_SSL")) {
    no_tls = std::strcmp(ssl, "false") == 0 || std::strcmp(ssl, "0") == 0;
  }
  auto usage = [&](int code) {
    std::fprintf(code == 0 ? stdout : stderr,
                 "usage: %s [--uri HOST:PORT] [--apikey KEY] [--no-tls]%s\n"
                 "  without --uri (or SIFT_URI): a plaintext sift-emulator at 127.0.0.1:50051\n",
                 argv[0], extra_usage);
    std::exit(code);
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage(0);
    if (arg == "--no-tls") {
      no_tls = true;
    } else if (arg == "--uri" || arg == "--apikey") {
      if (i + 1 >= argc) usage(2);
      (arg == "--uri" ? flags.channel.uri : flags.channel.apikey) = argv[++i];
      if (arg == "--uri") have_uri = true;
    } else {
      flags.rest.push_back(arg);
    }
  }
  if (!have_uri) {
    flags.channel.uri = "127.0.0.1:50051";
    no_tls = true;
  }
  flags.channel.use_ssl = !no_tls;
  return flags;
}

// The examples' only own flag, `--rows N` (a positive count); exits with 2 on
// anything else left in `flags.rest`.
inline int rows_flag(const ExampleFlags& flags, int default_rows) {
  int rows = default_rows;
  for (size_t i = 0; i < flags.rest.size(); ++i) {
    const std::string& arg = flags.rest[i];
    if (arg == "--rows" && i + 1 < flags.rest.size()) {
      rows = std::atoi(flags.rest[++i].c_str());
      if (rows > 0) continue;
    }
    std::fprintf(stderr, "bad argument %s (expected --rows N, N > 0)\n", arg.c_str());
    std::exit(2);
  }
  return rows;
}

// Prints `what: status` and returns the process exit code for a failure.
template <typename StatusLike>
int fail(const char* what, const StatusLike& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return EXIT_FAILURE;
}

}  // namespace sift_examples

#endif  // SIFT_EXAMPLES_COMMON_EXAMPLE_FLAGS_H_
