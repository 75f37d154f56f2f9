#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace baton::itest {
namespace {
constexpr std::chrono::milliseconds kStopGrace = 10s;
constexpr std::chrono::milliseconds kPollStep = 10ms;

std::runtime_error system_error(std::string_view what) {
  return std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
constexpr const char* kOwnerMark = "BATON_ITEST_OWNER";

// Apps outlive the daemon that started them (its stop leaves them for the next daemon), so a
// test's apps would outlive the test. Every process the test starts inherits a mark with the
// test process's pid, and so do the apps of every daemon it starts; whatever still carries the
// mark when the test process exits is killed.
class LeftoverSweeper {
 public:
  LeftoverSweeper() : mark_(std::string(kOwnerMark) + "=" + std::to_string(::getpid())) {
    ::setenv(kOwnerMark, std::to_string(::getpid()).c_str(), 1);
  }
  ~LeftoverSweeper() {
    for (int round = 0; round < 50 && kill_marked() > 0; ++round) std::this_thread::sleep_for(20ms);
  }

 private:
  int kill_marked() const {
    int killed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
      const auto name = entry.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      pid_t pid = std::atoi(name.c_str());
      if (pid == ::getpid()) continue;
      std::ifstream in(entry.path() / "environ", std::ios::binary);
      std::string environment((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const std::string nul(1, '\0');
      if ((nul + environment).find(nul + mark_ + nul) == std::string::npos) continue;
      if (::kill(pid, SIGKILL) == 0) ++killed;
    }
    return killed;
  }
  std::string mark_;
};
const LeftoverSweeper sweeper;
}  // namespace

TempDir::TempDir() {
  auto base = std::filesystem::temp_directory_path() / "baton-itest-XXXXXX";
  std::string pattern = base.string();
  if (!::mkdtemp(pattern.data())) throw system_error("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Process::Process(std::string name, std::vector<std::string> argv, const std::filesystem::path& log_dir)
    : name_(std::move(name)) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw system_error("pipe2");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw system_error("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    pid_ = -1;
    errno = rc;
    throw system_error("posix_spawn " + argv[0]);
  }
  pidfd_ = pidfd_open(pid_);
  out_.reader = std::thread([this, fd = out_pipe[0], file = log_dir / (name_ + ".stdout")] {
    read_into(fd, out_, file);
  });
  err_.reader = std::thread([this, fd = err_pipe[0], file = log_dir / (name_ + ".stderr")] {
    read_into(fd, err_, file);
  });
}

Process::~Process() {
  if (spawned() && !exit_code_) {
    signal(SIGKILL);
    wait(kStopGrace);
  }
  if (out_.reader.joinable()) out_.reader.join();
  if (err_.reader.joinable()) err_.reader.join();
  if (pidfd_ >= 0) ::close(pidfd_);
}

void Process::read_into(int fd, Capture& capture, const std::filesystem::path& file) {
  std::ofstream copy(file, std::ios::binary);
  char buffer[4096];
  for (;;) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    copy.write(buffer, n);
    copy.flush();
    std::lock_guard lock(mutex_);
    capture.text.append(buffer, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  capture.closed = true;
  changed_.notify_all();
}

void Process::signal(int sig) {
  signalled_ = true;
  if (spawned() && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (exit_code_ || !spawned()) return exit_code_;
  if (pidfd_ >= 0) {
    pollfd p{pidfd_, POLLIN, 0};
    int rc;
    do rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (rc < 0 && errno == EINTR);
    if (rc == 0) return std::nullopt;
  }
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, pidfd_ >= 0 ? 0 : WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollStep);  // only without pidfd support
  }
  exit_code_ = exit_code_of(status);
  // The pipes end with the process: once the readers finish, output() is complete.
  if (out_.reader.joinable()) out_.reader.join();
  if (err_.reader.joinable()) err_.reader.join();
  return exit_code_;
}

void Process::stop() {
  signal(SIGTERM);
  if (!wait(kStopGrace)) {
    signal(SIGKILL);
    wait(kStopGrace);
  }
}

std::string Process::output(Stream s) const {
  std::lock_guard lock(mutex_);
  return s == Stream::out ? out_.text : err_.text;
}

bool Process::wait_for_output(Stream s, const std::function<bool(std::string_view)>& done,
                              std::chrono::milliseconds timeout) {
  const Capture& capture = s == Stream::out ? out_ : err_;
  std::unique_lock lock(mutex_);
  bool met = false;
  changed_.wait_for(lock, timeout, [&] {
    met = done(capture.text);
    return met || capture.closed;
  });
  return met;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
  return true;
}
}  // namespace baton::itest
