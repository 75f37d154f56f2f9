#pragma once
// A child process for black-box tests: spawned with its stdout and stderr
// captured (in memory, and copied to files for post-mortems), and always
// reaped: the destructor kills what is still running, so a failed assertion
// never leaves a daemon behind.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace baton::itest {
using namespace std::chrono_literals;

// Upper bound for anything a test waits on. Never reached by a passing test:
// it only turns a hang into a failure with a message.
inline constexpr std::chrono::milliseconds kPatience = 20s;

// A fresh directory, removed with its contents at the end of the scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

enum class Stream { out, err };

class Process {
 public:
  // argv[0] is the executable's path. Output is mirrored to log_dir/NAME.{stdout,stderr}.
  Process(std::string name, std::vector<std::string> argv, const std::filesystem::path& log_dir);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  bool spawned() const { return pid_ > 0; }
  void signal(int sig);
  // Whether the test has signalled it: an exit is then expected, not a crash.
  bool signalled() const { return signalled_; }
  // Something else asked it to exit (`baton shutdown`): an exit is then expected too.
  void expect_exit() { signalled_ = true; }
  // The exit code (128 + N for death by signal N), or nullopt while it runs past the timeout.
  // Once it returns a code, output() holds everything the process wrote.
  std::optional<int> wait(std::chrono::milliseconds timeout = kPatience);
  // SIGTERM, then SIGKILL if it does not exit in time.
  void stop();

  std::string output(Stream s) const;
  // Blocks until `done(text so far)` holds. False when the stream ended (the
  // process exited) or the timeout passed first.
  bool wait_for_output(Stream s, const std::function<bool(std::string_view)>& done,
                       std::chrono::milliseconds timeout = kPatience);

 private:
  struct Capture {
    std::string text;
    bool closed = false;
    std::thread reader;
  };
  void read_into(int fd, Capture& capture, const std::filesystem::path& file);

  std::string name_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> exit_code_;
  bool signalled_ = false;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Capture out_;
  Capture err_;
};

// Polls `condition` until it holds or the timeout passes; for state that has
// no event to wait on (another process's counters). Returns the last result.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = kPatience);
}  // namespace baton::itest
