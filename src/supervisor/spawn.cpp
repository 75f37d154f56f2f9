#include "supervisor/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "supervisor/output_fifo.hpp"
#include "supervisor/spawn_child.hpp"

extern char** environ;

namespace baton::supervisor {
namespace {
constexpr std::string_view kListenPidPrefix = "LISTEN_PID=";
constexpr int kMaxFdFallback = 1 << 20;

// The strings the child's argv and envp point into; built before fork(), pointers taken last,
// once the image sits where it stays.
struct ExecImage {
  std::string shown;  // the program as the user wrote it, for messages
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::vector<char*> argv;
  std::vector<char*> envp;
  char* listen_pid = nullptr;
};

struct ChildFds {
  UniqueFd devnull, out_read, out_write, err_read, err_write, error_read, error_write;
};

std::unexpected<std::string> system_error(std::string_view what) {
  return std::unexpected(fmt::format("{}: {}", what, std::strerror(errno)));
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Who the child becomes: nobody else when no user or group is asked for, or when the daemon (not
// root) already is that user and group.
std::expected<std::optional<Account>, std::string> account_for(const SpawnSpec& spec) {
  if (spec.user.empty() && spec.group.empty()) return std::nullopt;
  auto account = resolve_account(spec.user, spec.group);
  if (!account) return std::unexpected(account.error().message);
  if (auto problem = account_problem(*account, spec.group, ::geteuid(), ::getegid()))
    return std::unexpected(fmt::format("{} {}", problem->field == AccountField::user ? "user" : "group",
                                       problem->message));
  if (::geteuid() != 0) return std::nullopt;
  return *account;
}

std::expected<ExecImage, std::string> prepare_image(const SpawnSpec& spec, const std::optional<Account>& account,
                                                   const std::string& token) {
  auto command = build_command(spec.command, spec.port, spec.command_is_line);
  if (command.argv.empty()) return std::unexpected("the command is empty");
  EnvList additions;
  if (account) {
    additions.emplace_back("HOME", account->home);
    additions.emplace_back("USER", account->user);
    additions.emplace_back("LOGNAME", account->user);
  }
  additions.insert(additions.end(), spec.env.begin(), spec.env.end());
  additions.emplace_back(kTokenVariable, token);
  if (spec.listen_fd >= 0) {
    additions.emplace_back("LISTEN_FDS", "1");
    additions.emplace_back("LISTEN_PID", std::string(20, '0'));  // room for the child's pid
  }
  ExecImage image;
  image.shown = command.program;
  image.env = build_environment(environ, additions);
  image.path = resolve_program(command.program, image.env);
  image.args = std::move(command.argv);
  return image;
}

void link_pointers(ExecImage& image, bool socket_activation) {
  image.argv = pointers(image.args);
  image.envp = pointers(image.env);
  for (auto& entry : image.env)
    if (socket_activation && entry.starts_with(kListenPidPrefix))
      image.listen_pid = entry.data() + kListenPidPrefix.size();
}

std::expected<void, std::string> make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return system_error("cannot create a pipe");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return {};
}

std::expected<void, std::string> make_fifo(const std::filesystem::path& path, UniqueFd& read_end,
                                          UniqueFd& write_end) {
  auto ends = create_output_fifo(path);
  if (!ends) return std::unexpected(ends.error());
  read_end = std::move(ends->read);
  write_end = std::move(ends->write);
  return {};
}

std::expected<ChildFds, std::string> open_child_fds(bool capture, const std::filesystem::path& fifos) {
  ChildFds fds;
  fds.devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!fds.devnull) return system_error("cannot open /dev/null");
  if (auto ok = make_pipe(fds.error_read, fds.error_write); !ok) return std::unexpected(ok.error());
  if (!capture) return fds;
  if (!fifos.empty()) {
    auto named = [&](const char* suffix) { return std::filesystem::path(fifos.string() + suffix); };
    if (auto ok = make_fifo(named(".out"), fds.out_read, fds.out_write); !ok) return std::unexpected(ok.error());
    if (auto ok = make_fifo(named(".err"), fds.err_read, fds.err_write); !ok) return std::unexpected(ok.error());
    return fds;
  }
  if (auto ok = make_pipe(fds.out_read, fds.out_write); !ok) return std::unexpected(ok.error());
  if (auto ok = make_pipe(fds.err_read, fds.err_write); !ok) return std::unexpected(ok.error());
  ::fcntl(fds.out_read.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(fds.err_read.get(), F_SETFL, O_NONBLOCK);
  return fds;
}

int max_fd() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur > kMaxFdFallback) return kMaxFdFallback;
  return static_cast<int>(limit.rlim_cur);
}

ChildPlan make_plan(const SpawnSpec& spec, const std::optional<Account>& account, const ExecImage& image,
                    const ChildFds& fds) {
  int out = fds.out_write ? fds.out_write.get() : fds.devnull.get();
  int err = fds.err_write ? fds.err_write.get() : fds.devnull.get();
  return ChildPlan{image.path.c_str(), image.argv.data(), image.envp.data(),
                   spec.cwd.empty() ? nullptr : spec.cwd.c_str(), fds.devnull.get(), out, err,
                   spec.listen_fd, fds.error_write.get(), image.listen_pid, max_fd(), spec.cgroup_procs_fd,
                   account.has_value(), account ? account->uid : 0, account ? account->gid : 0,
                   account ? account->groups.data() : nullptr, account ? account->groups.size() : 0};
}

// vfork, not fork: fork() copies the daemon's page tables under its memory lock and makes every page
// copy-on-write until the exec, which stalls the proxy threads' page faults for milliseconds at each
// instance start (measured: p99 from 1 ms to 10-14 ms during deploys). The child shares our memory
// until execve() or _exit(), so run_child() only makes system calls on data prepared beforehand.
pid_t fork_child(const ChildPlan& plan) {
  // Signals stay blocked across vfork() so no daemon handler runs in the child (on our stack, in
  // our memory) before it resets them.
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = ::vfork();
  if (pid == 0) run_child(plan);
  int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = fork_error;
  return pid;
}

// Waits for the exec: the error pipe closes on success, or carries why the child gave up.
std::optional<ChildFailure> read_child_failure(int fd) {
  ChildFailure failure{};
  ssize_t n;
  do n = ::read(fd, &failure, sizeof failure);
  while (n < 0 && errno == EINTR);
  if (n == 0) return std::nullopt;
  if (n != sizeof failure) return ChildFailure{ChildStep::exec, EIO};
  return failure;
}

std::string describe(const ChildFailure& failure, const SpawnSpec& spec, const ExecImage& image,
                     const std::optional<Account>& account) {
  auto reason = std::strerror(failure.error);
  switch (failure.step) {
    case ChildStep::chdir: return fmt::format("cannot change to directory '{}': {}", spec.cwd, reason);
    case ChildStep::exec: return fmt::format("cannot run '{}': {}", image.shown, reason);
    case ChildStep::setsid: return fmt::format("cannot start '{}' in a new session: {}", image.shown, reason);
    case ChildStep::redirect: return fmt::format("cannot set up the output of '{}': {}", image.shown, reason);
    case ChildStep::cgroup: return fmt::format("cannot move '{}' into its cgroup: {}", image.shown, reason);
    case ChildStep::groups:
      return fmt::format("cannot set the supplementary groups of user '{}': {}", account->user, reason);
    case ChildStep::setgid: return fmt::format("cannot switch to group {}: {}", account->gid, reason);
    case ChildStep::setuid: return fmt::format("cannot switch to user '{}': {}", account->user, reason);
  }
  return fmt::format("cannot run '{}': {}", image.shown, reason);
}

void reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void kill_and_reap(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
  reap(pid);
}
}  // namespace

std::expected<SpawnedProcess, std::string> spawn(const SpawnSpec& spec) {
  std::string token = new_token();
  auto account = account_for(spec);
  if (!account) return std::unexpected(account.error());
  auto image = prepare_image(spec, *account, token);
  if (!image) return std::unexpected(image.error());
  link_pointers(*image, spec.listen_fd >= 0);
  auto fds = open_child_fds(spec.capture_output, spec.output_fifos);
  if (!fds) return std::unexpected(fds.error());
  pid_t pid = fork_child(make_plan(spec, *account, *image, *fds));
  if (pid < 0) return system_error(fmt::format("cannot start '{}'", image->shown));
  // The parent's copies of the child's ends must close, or the error pipe never reaches end of file.
  fds->error_write.reset();
  fds->out_write.reset();
  fds->err_write.reset();
  if (auto failure = read_child_failure(fds->error_read.get())) {
    reap(pid);
    return std::unexpected(describe(*failure, spec, *image, *account));
  }
  auto pidfd = open_pidfd(pid);
  auto identity = identify(pid, std::move(token));
  if (!pidfd || !identity) {
    kill_and_reap(pid);
    return std::unexpected(!pidfd ? pidfd.error() : identity.error());
  }
  return SpawnedProcess{std::move(*pidfd), std::move(fds->out_read), std::move(fds->err_read),
                        std::move(*identity)};
}
}  // namespace baton::supervisor
