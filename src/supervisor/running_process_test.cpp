#include "supervisor/running_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include "supervisor/spawn.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;
using namespace std::chrono_literals;

struct Started {
  std::unique_ptr<RunningProcess> process;
  pid_t grandchild = 0;  // when the command printed one with `echo $!`
};

class RunningProcessTest : public ::testing::Test {
 protected:
  Started start(std::string command) {
    auto spawned = spawn(SpawnSpec{.command = {std::move(command)}}).value();
    Started out;
    out.process = std::make_unique<RunningProcess>(io_.get_executor(), spawned.identity.pid,
                                                   std::move(spawned.pidfd), RunningProcess::Relation::child);
    out_ = std::move(spawned.stdout_pipe);
    return out;
  }

  // The first line the command printed: the pid of a background job.
  pid_t read_pid_line() {
    std::string text;
    char c;
    while (text.find('\n') == std::string::npos) {
      pollfd entry{out_.get(), POLLIN, 0};
      if (::poll(&entry, 1, 10'000) <= 0 || ::read(out_.get(), &c, 1) != 1) break;
      text.push_back(c);
    }
    return std::atoi(text.c_str());
  }

  asio::io_context io_;
  UniqueFd out_;
};

awaitable<std::size_t> wait_or_timer(RunningProcess& process, asio::steady_timer& timer) {
  using namespace asio::experimental::awaitable_operators;
  auto result = co_await (process.wait() || timer.async_wait(use_nothrow));
  co_return result.index();
}
}  // namespace

TEST_F(RunningProcessTest, ReportsTheExitCodeAndLeavesNoZombie) {
  auto started = start("exit 3");
  pid_t pid = started.process->pid();
  auto status = run(io_, started.process->wait());
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::exited, 3}));
  EXPECT_EQ(status.text(), "exited with 3");
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_FALSE(proc_entry_exists(pid));
  EXPECT_LE(::waitpid(-1, nullptr, WNOHANG), 0);
}

TEST_F(RunningProcessTest, ReportsTheKillingSignal) {
  auto started = start("exec sleep 30");
  ::kill(started.process->pid(), SIGKILL);
  auto status = run(io_, started.process->wait());
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::signaled, SIGKILL}));
  EXPECT_EQ(status.text(), "killed by SIGKILL");
}

TEST_F(RunningProcessTest, StopSignalsTheWholeGroup) {
  auto started = start("sleep 100 & echo $!; sleep 100");
  pid_t pid = started.process->pid();
  pid_t grandchild = read_pid_line();
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(alive(grandchild));
  auto status = run(io_, started.process->stop(SIGTERM, 10s));
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
  EXPECT_FALSE(alive(grandchild));
  EXPECT_FALSE(process_group_alive(pid));
  EXPECT_FALSE(proc_entry_exists(pid));
}

TEST_F(RunningProcessTest, StopEscalatesToKillWhenTermIsIgnored) {
  auto started = start("trap '' TERM; sleep 100 & echo $!; sleep 100");
  pid_t pid = started.process->pid();
  pid_t grandchild = read_pid_line();
  auto status = run(io_, started.process->stop(SIGTERM, 200ms));
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::signaled, SIGKILL}));
  EXPECT_FALSE(alive(grandchild));
  EXPECT_FALSE(process_group_alive(pid));
}

TEST_F(RunningProcessTest, StopKillsAMemberThatOutlivesTheLeader) {
  // The leader dies of SIGTERM; a worker it started ignores SIGTERM and would keep its port.
  auto started = start("trap '' TERM; sleep 100 & trap - TERM; echo $!; sleep 100");
  pid_t pid = started.process->pid();
  pid_t worker = read_pid_line();
  auto status = run(io_, started.process->stop(SIGTERM, 200ms));
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
  EXPECT_FALSE(alive(worker));
  EXPECT_FALSE(process_group_alive(pid));
}

TEST_F(RunningProcessTest, ALeaderThatCatchesTheStopSignalGetsItOnce) {
  // Its handler takes a while, as an app's drain does: a second copy would run it again.
  TempDir dir;
  auto file = dir.path() / "caught";
  // (stderr to /dev/null: this fixture closes the stderr pipe, and a write there would be SIGPIPE.)
  auto started = start(fmt::format("exec 2>/dev/null; trap 'echo TERM >> {}; sleep 0.3; exit 0' TERM; echo ready; "
                                   "while :; do sleep 0.05; done",
                                   file.string()));
  read_pid_line();  // "ready": the trap is set
  auto status = run(io_, started.process->stop(SIGTERM, 10s));
  EXPECT_EQ(status, (ExitStatus{ExitStatus::Kind::exited, 0}));
  EXPECT_EQ(read_file(file), "TERM\n");
}

TEST_F(RunningProcessTest, StopAfterExitReturnsTheStatus) {
  auto started = start("exit 7");
  run(io_, started.process->wait());
  EXPECT_EQ(run(io_, started.process->stop(SIGTERM, 1s)), (ExitStatus{ExitStatus::Kind::exited, 7}));
}

TEST_F(RunningProcessTest, AdoptedProcessExitIsSeenOnThePidfd) {
  // A grandchild is not our child: like an instance of a previous daemon, it cannot be reaped here.
  auto started = start("sleep 100 & echo $!; sleep 100");
  pid_t stranger = read_pid_line();
  auto pidfd = open_pidfd(stranger).value();
  RunningProcess adopted(io_.get_executor(), stranger, std::move(pidfd), RunningProcess::Relation::adopted);
  ::kill(stranger, SIGKILL);
  EXPECT_EQ(run(io_, adopted.wait()).kind, ExitStatus::Kind::unknown);
  run(io_, started.process->stop(SIGKILL, 1s));
}

TEST_F(RunningProcessTest, WaitCanBeCancelledAndAwaitedAgain) {
  auto started = start("exec sleep 30");
  asio::steady_timer timer(io_, 10ms);
  EXPECT_EQ(run(io_, wait_or_timer(*started.process, timer)), 1u);
  ::kill(started.process->pid(), SIGTERM);
  EXPECT_EQ(run(io_, started.process->wait()), (ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
}
}  // namespace baton::supervisor
