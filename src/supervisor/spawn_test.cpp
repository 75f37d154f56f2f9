#include "supervisor/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "supervisor/port_allocator.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;

std::string read_until_eof(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, 10'000) <= 0) return text + "<timed out>";
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

// The process has exec'd and settled in its sleep: what it has open now is what it inherited.
void wait_until_sleeping(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = read_proc_file(pid, "syscall").value_or("");
    long number = std::atol(text.c_str());
    if (number == SYS_clock_nanosleep || number == SYS_nanosleep) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ADD_FAILURE() << "pid " << pid << " never went to sleep";
}

int reap(pid_t pid) {
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

SpawnSpec sleeper() { return SpawnSpec{.command = {"sleep", "30"}, .env = {{"LC_ALL", "C"}}}; }
}  // namespace

TEST(Spawn, MissingBinaryIsAnErrorNotAProcess) {
  auto spawned = spawn(SpawnSpec{.command = {"no-such-binary-for-baton-tests", "--flag"}});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error(), "cannot run 'no-such-binary-for-baton-tests': No such file or directory");
  EXPECT_LE(::waitpid(-1, nullptr, WNOHANG), 0);  // the failed child was reaped
}

TEST(Spawn, MissingBinaryOnACommandLine) {
  auto spawned = spawn(SpawnSpec{.command = {"/nonexistent/app --port {port}"}, .port = 80});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error(), "cannot run '/nonexistent/app': No such file or directory");
}

TEST(Spawn, FileWithoutExecutePermission) {
  TempDir dir;
  auto file = dir.path() / "not-executable";
  std::ofstream(file) << "#!/bin/sh\n";
  ::chmod(file.c_str(), 0644);
  auto spawned = spawn(SpawnSpec{.command = {file.string()}});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error(), "cannot run '" + file.string() + "': Permission denied");
}

TEST(Spawn, MissingWorkingDirectory) {
  auto spawned = spawn(SpawnSpec{.command = {"sleep", "1"}, .cwd = "/nonexistent-baton-dir"});
  ASSERT_FALSE(spawned);
  EXPECT_EQ(spawned.error(), "cannot change to directory '/nonexistent-baton-dir': No such file or directory");
}

TEST(Spawn, EmptyCommand) {
  EXPECT_EQ(spawn(SpawnSpec{.command = {}}).error(), "the command is empty");
}

TEST(Spawn, OwnSessionAndProcessGroup) {
  auto spawned = spawn(sleeper()).value();
  pid_t pid = spawned.identity.pid;
  EXPECT_EQ(::getsid(pid), pid);
  EXPECT_EQ(::getpgid(pid), pid);
  kill_group_and_reap(pid);
}

TEST(Spawn, InheritsOnlyTheStandardDescriptors) {
  int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, on purpose
  auto spawned = spawn(sleeper()).value();
  ::close(leaked);
  wait_until_sleeping(spawned.identity.pid);
  EXPECT_EQ(open_fds(spawned.identity.pid), (std::set<int>{0, 1, 2}));
  kill_group_and_reap(spawned.identity.pid);
}

TEST(Spawn, SocketActivationPassesTheSocketAsFd3) {
  auto socket = open_activation_socket().value();
  UniqueFd owned(socket.fd);
  auto spec = sleeper();
  spec.listen_fd = socket.fd;
  auto spawned = spawn(spec).value();
  pid_t pid = spawned.identity.pid;
  wait_until_sleeping(pid);
  EXPECT_EQ(open_fds(pid), (std::set<int>{0, 1, 2, 3}));
  auto ours = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(socket.fd));
  EXPECT_EQ(std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/3"), ours);
  auto environ = read_proc_file(pid, "environ").value();
  EXPECT_TRUE(environ_contains(environ, "LISTEN_FDS", "1"));
  EXPECT_TRUE(environ_contains(environ, "LISTEN_PID", std::to_string(pid)));
  kill_group_and_reap(pid);
}

TEST(Spawn, SignalDispositionsAndMaskAreReset) {
  auto previous = ::signal(SIGPIPE, SIG_IGN);
  sigset_t usr1, old_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);
  auto spawned = spawn(sleeper()).value();
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::signal(SIGPIPE, previous);
  auto status = read_proc_file(spawned.identity.pid, "status").value();
  EXPECT_NE(status.find("SigBlk:\t0000000000000000"), std::string::npos) << status;
  EXPECT_NE(status.find("SigIgn:\t0000000000000000"), std::string::npos) << status;
  kill_group_and_reap(spawned.identity.pid);
}

TEST(Spawn, CapturesOutputAndSubstitutesThePort) {
  auto spawned = spawn(SpawnSpec{.command = {"echo {port} $PORT $BATON_INSTANCE_TOKEN; echo oops >&2"},
                                 .env = {{"PORT", "4321"}},
                                 .port = 4321})
                     .value();
  EXPECT_EQ(read_until_eof(spawned.stdout_pipe.get()), "4321 4321 " + spawned.identity.token + "\n");
  EXPECT_EQ(read_until_eof(spawned.stderr_pipe.get()), "oops\n");
  int status = reap(spawned.identity.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Spawn, PipesAreCloseOnExecOnTheDaemonSide) {
  auto spawned = spawn(SpawnSpec{.command = {"true"}}).value();
  EXPECT_TRUE(::fcntl(spawned.stdout_pipe.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(spawned.stderr_pipe.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(spawned.pidfd.get(), F_GETFD) & FD_CLOEXEC);
  reap(spawned.identity.pid);
}

TEST(Spawn, WithoutCaptureOutputGoesToDevNull) {
  auto spec = sleeper();
  spec.capture_output = false;
  auto spawned = spawn(spec).value();
  EXPECT_FALSE(spawned.stdout_pipe);
  auto target = std::filesystem::read_symlink("/proc/" + std::to_string(spawned.identity.pid) + "/fd/1");
  EXPECT_EQ(target, "/dev/null");
  kill_group_and_reap(spawned.identity.pid);
}

TEST(Spawn, RecordsTheIdentity) {
  auto spawned = spawn(sleeper()).value();
  const auto& id = spawned.identity;
  EXPECT_EQ(id.start_time, read_proc_stat(id.pid).value().start_time);
  EXPECT_EQ(id.boot_id, current_boot_id().value());
  EXPECT_EQ(id.token.size(), 32u);
  // Until the child's execve the kernel shows the parent's environment: polled.
  EXPECT_TRUE(testing::poll_until([&] {
    auto environ_text = read_proc_file(id.pid, "environ");
    return environ_text && environ_contains(*environ_text, kTokenVariable, id.token);
  }));
  kill_group_and_reap(id.pid);
}

TEST(Spawn, RunsInTheGivenDirectory) {
  TempDir dir;
  auto spawned = spawn(SpawnSpec{.command = {"pwd"}, .cwd = dir.path().string()}).value();
  EXPECT_EQ(read_until_eof(spawned.stdout_pipe.get()), std::filesystem::canonical(dir.path()).string() + "\n");
  reap(spawned.identity.pid);
}
}  // namespace baton::supervisor
