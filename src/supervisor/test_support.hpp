#pragma once
// Helpers for the supervisor's tests (not linked into the daemon). Waits are on events or on
// process state, each under a generous guard that fails the test rather than hang it: tests
// assert what happened, never how long it took.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "net/asio.hpp"
#include "supervisor/proc_files.hpp"

namespace baton::supervisor::testing {
constexpr std::chrono::seconds kGuard{20};

// Runs handlers until `done()` holds. When no handler is pending, `done()` is about the outside
// world (a process exiting), so it is polled.
template <typename Predicate>
bool run_until(asio::io_context& io, Predicate done, std::chrono::seconds guard = kGuard) {
  auto deadline = std::chrono::steady_clock::now() + guard;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "gave up waiting after " << guard.count() << " s";
      return false;
    }
    if (io.stopped()) io.restart();
    if (io.run_one_for(std::chrono::milliseconds(100)) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// For state outside any io_context (a process exiting): polled under the guard.
template <typename Predicate>
bool poll_until(Predicate done, std::chrono::seconds guard = kGuard) {
  auto deadline = std::chrono::steady_clock::now() + guard;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "gave up waiting after " << guard.count() << " s";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

template <typename T>
T run(asio::io_context& io, awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    done = true;
  });
  run_until(io, [&] { return done; });
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("the coroutine did not finish");
  return std::move(*result);
}

inline void run(asio::io_context& io, awaitable<void> task) {
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  run_until(io, [&] { return done; });
  if (error) std::rethrow_exception(error);
}

// Running, as opposed to gone or a zombie waiting for whatever reaps it.
inline bool alive(pid_t pid) {
  auto stat = read_proc_stat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X';
}

inline bool proc_entry_exists(pid_t pid) {
  return std::filesystem::exists("/proc/" + std::to_string(pid));
}

inline std::set<int> open_fds(pid_t pid) {
  std::set<int> fds;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    fds.insert(std::stoi(entry.path().filename().string()));
  return fds;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "baton-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void kill_group_and_reap(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}
}  // namespace baton::supervisor::testing
