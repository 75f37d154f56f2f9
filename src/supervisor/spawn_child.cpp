#include "supervisor/spawn_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace baton::supervisor {
namespace {
[[noreturn]] void fail(const ChildPlan& plan, ChildStep step) {
  ChildFailure failure{step, errno};
  (void)!::write(plan.error_fd, &failure, sizeof failure);
  ::_exit(127);
}

// Handlers do not survive exec anyway, but ignored signals (the daemon ignores SIGPIPE) and the
// blocked mask would, and an app that cannot be stopped with SIGTERM is a nasty surprise.
void reset_signals() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &action, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Moves an fd above 3, so that placing the others at 0..3 cannot overwrite it.
int lift(int fd) { return fd < 0 || fd > 3 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 4); }

// Every fd the daemon had, whoever opened it without O_CLOEXEC, stays out of the app. Marked rather
// than closed: the error pipe must stay open until execve().
void mark_close_on_exec_from(int first, int max_fd) {
  if (::close_range(static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  for (int fd = first; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // kernels before 5.11
}

void write_decimal(char* out, long value) {
  char digits[24];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + value % 10);
  while ((value /= 10) != 0);
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

// Before the user changes: moving a process between cgroups needs the daemon's rights.
void join_cgroup(const ChildPlan& plan) {
  if (plan.cgroup_procs_fd < 0) return;
  char pid[24];
  write_decimal(pid, ::getpid());
  std::size_t length = 0;
  while (pid[length] != '\0') ++length;
  if (::write(plan.cgroup_procs_fd, pid, length) != static_cast<ssize_t>(length)) fail(plan, ChildStep::cgroup);
}

// Groups first: once the user is not root any more it may not change them.
void switch_user(const ChildPlan& plan) {
  if (!plan.switch_user) return;
  if (::syscall(SYS_setgroups, plan.group_count, plan.groups) != 0) fail(plan, ChildStep::groups);
  if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) fail(plan, ChildStep::setgid);
  if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) fail(plan, ChildStep::setuid);
}

void place_fds(const ChildPlan& plan) {
  int in = lift(plan.stdin_fd), out = lift(plan.stdout_fd), err = lift(plan.stderr_fd);
  int listen = lift(plan.listen_fd);
  if (in < 0 || out < 0 || err < 0 || (plan.listen_fd >= 0 && listen < 0)) fail(plan, ChildStep::redirect);
  // dup2() clears close-on-exec on the copy: these are the fds the app keeps.
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) fail(plan, ChildStep::redirect);
  if (listen >= 0 && ::dup2(listen, 3) < 0) fail(plan, ChildStep::redirect);
  mark_close_on_exec_from(listen >= 0 ? 4 : 3, plan.max_fd);
}
}  // namespace

void run_child(ChildPlan plan) {
  plan.error_fd = lift(plan.error_fd);
  // A new session makes the child a process-group leader: stop signals the whole group, and the
  // daemon's terminal or death never reaches it.
  if (::setsid() < 0) fail(plan, ChildStep::setsid);
  join_cgroup(plan);
  reset_signals();
  place_fds(plan);
  if (plan.listen_pid) write_decimal(plan.listen_pid, ::getpid());
  switch_user(plan);  // before chdir: the working directory must be the user's to enter
  if (plan.cwd && ::chdir(plan.cwd) != 0) fail(plan, ChildStep::chdir);
  ::execve(plan.program, plan.argv, plan.envp);
  fail(plan, ChildStep::exec);
}
}  // namespace baton::supervisor
