#include "harness.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "usage.h"

extern char** environ;

namespace sift_bench {
namespace {

std::string self_exe() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "/proc/self/exe";
  return std::string(path, static_cast<std::size_t>(n));
}

// Spawns the child with its stdout on a pipe; returns the read end.
absl::StatusOr<int> spawn_child(const std::vector<std::string>& args, pid_t* pid) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // posix_spawn: fork + exec without copying this (multi-threaded) process.
  const int err = posix_spawn(pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    return absl::InternalError(absl::StrCat("cannot start ", args[0], ": ", std::strerror(err)));
  }
  return fds[0];
}

}  // namespace

absl::StatusOr<Measurement> measure(const sift::emulator::Emulator& emulator,
                                    const std::string& client, std::uint64_t rows) {
  static const std::string exe = self_exe();
  const sift::emulator::IngestCounts before = emulator.ingest_counts();
  pid_t pid = 0;
  absl::StatusOr<int> out = spawn_child(
      {exe, "--child", client, "--uri", emulator.endpoint(), "--rows", std::to_string(rows)}, &pid);
  if (!out.ok()) return out.status();

  Measurement m;
  m.client = client;
  bool ready = false, done = false, reported = false;
  std::int64_t server_start = 0;
  FILE* in = fdopen(*out, "r");
  char* line = nullptr;
  std::size_t cap = 0;
  while (getline(&line, &cap, in) > 0) {
    if (std::strcmp(line, "ready\n") == 0) {
      server_start = process_cpu_us();
      ready = true;
    } else if (std::strcmp(line, "done\n") == 0) {
      m.server_cpu_us = process_cpu_us() - server_start;
      done = ready;
    } else if (std::sscanf(line, "rows=%" SCNu64 " seconds=%lf cpu_us=%" SCNd64 " maxrss_kb=%ld",
                           &m.rows, &m.seconds, &m.client_cpu_us, &m.client_maxrss_kb) == 4) {
      reported = true;
    }
  }
  std::free(line);
  std::fclose(in);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return absl::InternalError(absl::StrCat("client ", client, " failed (",
                                            WIFEXITED(wstatus)
                                                ? absl::StrCat("exit status ", WEXITSTATUS(wstatus))
                                                : absl::StrCat("signal ", WTERMSIG(wstatus)),
                                            ")"));
  }
  if (!done || !reported) {
    return absl::InternalError(absl::StrCat("client ", client, " did not report its figures"));
  }
  const sift::emulator::IngestCounts after = emulator.ingest_counts();
  const std::uint64_t counted = after.rows - before.rows;
  m.bytes = after.bytes - before.bytes;
  if (counted != rows || m.rows != rows) {
    return absl::InternalError(absl::StrCat("client ", client, " sent ", rows,
                                            " rows but the emulator counted ", counted));
  }
  return m;
}

}  // namespace sift_bench
