// A producer with disk backup is SIGKILLed mid-ingest while the server is
// away: the next process replays the backup, and the emulator ends up with
// every row that had reached the backup file before the kill. The rows a
// crash can lose are those accepted but not yet written to the backup (still
// in the queue): the test checks that nothing before the last backed-up row
// is missing.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/engine_test_util.h"
#include "gtest/gtest.h"
#include "internal/backup_store.h"
#include "internal/ingest_request.h"
#include "sift/emulator/emulator.h"
#include "sift/ingestion/service.h"

namespace sift {
namespace {

using std::chrono::milliseconds;
using namespace testing_util;

constexpr std::size_t kQueueRows = 5000;

// The child's stdout, line by line.
class Child {
 public:
  Child(const std::string& endpoint, const std::string& dir) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const std::string queue = std::to_string(kQueueRows);
      execl(SIFT_FAULT_CHILD, SIFT_FAULT_CHILD, endpoint.c_str(), dir.c_str(), queue.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Child() {
    if (pid_ > 0) kill_now();
    if (out_ != nullptr) fclose(out_);
  }
  // Reads lines until one starts with `prefix`; returns the number after it
  // (or 0), -1 at end of output.
  long long read_until(const char* prefix) {
    char line[256];
    while (out_ != nullptr && std::fgets(line, sizeof line, out_) != nullptr) {
      if (std::strncmp(line, prefix, std::strlen(prefix)) == 0) {
        return std::strtoll(line + std::strlen(prefix), nullptr, 10);
      }
    }
    return -1;
  }
  void kill_now() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
};

TEST(CrashFaultTest, TheNextProcessReplaysEveryRowThatReachedTheBackup) {
  emulator::Emulator emulator;
  ASSERT_TRUE(emulator.start().ok());
  TempDir temp("sift-crash");
  const std::string& dir = temp.path();
  ASSERT_FALSE(dir.empty());

  long long accepted = 0;
  {
    Child child(emulator.endpoint(), dir);
    ASSERT_EQ(child.read_until("ready"), 0);
    ASSERT_GE(child.read_until("accepted "), 0);
    // Some rows reach the server; then it goes away and rows pile up on disk.
    while (accepted < 20000) accepted = child.read_until("accepted ");
    emulator.stop();
    while (accepted >= 0 && accepted < 80000) accepted = child.read_until("accepted ");
    ASSERT_GE(accepted, 80000);
    child.kill_now();
  }

  // What had reached the backup files at the kill (a torn last record does
  // not count: it never fully reached the file).
  std::set<std::int64_t> on_disk;
  std::uint64_t torn = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sbk") continue;
    auto read = internal::read_backup_file(entry.path().string(), [&](absl::string_view row) {
      absl::StatusOr<IngestRequest> request = internal::decode_request(row);
      if (request.ok()) {
        on_disk.insert(
            std::chrono::duration_cast<std::chrono::microseconds>(request->timestamp - tick_time(0))
                .count());
      }
      return true;
    });
    ASSERT_TRUE(read.ok()) << read.status();
    torn += read->corrupt_records;
  }
  ASSERT_FALSE(on_disk.empty());

  ASSERT_TRUE(emulator.start().ok());
  absl::StatusOr<SiftChannel> channel = tcp_channel(emulator);
  ASSERT_TRUE(channel.ok());
  IngestionServiceOptions options;
  options.engine.disk_backup = DiskBackupOptions{};
  options.engine.disk_backup->directory = dir;
  auto next = IngestionService::create(*channel, engine_config(), options);
  ASSERT_TRUE(next.ok()) << next.status();
  absl::Status flushed = (*next)->flush(std::chrono::seconds(120));
  const IngestionMetrics m = (*next)->metrics();
  ASSERT_TRUE(flushed.ok()) << flushed << " (on disk " << on_disk.size() << ", replayed "
                            << m.backup_rows_replayed << ", acknowledged " << m.rows_acknowledged
                            << ", checkpoints " << m.checkpoints << ", failed streams "
                            << m.failed_streams << ")";

  const StoredTicks stored = stored_ticks(emulator);
  std::uint64_t missing_from_backup = 0;
  for (std::int64_t id : on_disk) missing_from_backup += stored.ids.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing_from_backup, 0u);
  EXPECT_EQ((*next)->metrics().backup_rows_replayed, on_disk.size());
  // The queue is FIFO and the sender backs rows up in order: nothing before
  // the last row on disk may be missing. Rows after it were accepted but
  // still queued at the kill: the only ones a crash loses, at most a queue.
  const std::int64_t last_on_disk = *on_disk.rbegin();
  std::uint64_t holes = 0;
  for (std::int64_t id = 0; id <= last_on_disk; ++id) holes += stored.ids.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(holes, 0u);
  EXPECT_GE(last_on_disk + 1, accepted - static_cast<long long>(kQueueRows));
  std::printf("accepted>=%lld last_on_disk=%lld on_disk=%zu torn=%llu stored=%llu\n", accepted,
              static_cast<long long>(last_on_disk), on_disk.size(),
              static_cast<unsigned long long>(torn),
              static_cast<unsigned long long>(stored.distinct));
}

}  // namespace
}  // namespace sift
