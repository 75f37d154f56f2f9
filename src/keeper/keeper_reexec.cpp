#include "keeper/keeper_reexec.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fmt/format.h>

#include "net/program_output.hpp"

namespace baton {
namespace {
std::vector<std::string> keeper_args(const KeeperOptions& options) {
  std::vector<std::string> args{"--home", options.home, "--daemon-binary", options.daemon_binary};
  if (!options.config_path.empty()) args.insert(args.end(), {"--config", options.config_path});
  if (!options.log_level.empty()) args.insert(args.end(), {"--log-level", options.log_level});
  return args;
}
}  // namespace

std::expected<std::string, std::string> check_keeper_binary(const std::string& path) {
  ProgramQuestion question;
  question.args = {"--version"};
  auto out = ask_program(path, question);
  auto line = out ? out->substr(0, out->find('\n')) : "";
  if (!out && out.error().starts_with("no executable")) return std::unexpected(out.error());
  if (!line.starts_with("baton-keeper "))
    return std::unexpected(fmt::format("{} is not a baton-keeper ('{} --version' printed no baton-keeper version{})",
                                       path, path, out ? "" : ": " + out.error()));
  return line;
}

std::expected<void, std::string> try_resume(const std::string& path, const KeeperOptions& options,
                                            const KeeperState& state) {
  auto args = keeper_args(options);
  args.push_back(std::string(kKeeperCheckResumeFlag));
  auto out = ask_program(path, {.args = std::move(args),
                                .env = {{kKeeperResumeVariable, encode_keeper_state(state)}},
                                .inherited_fds = descriptors_of(state),
                                .patience = kProgramAnswerPatience});
  if (!out) return std::unexpected(fmt::format("{} failed its trial resume ({}): it would not keep", path, out.error()));
  return {};
}

std::vector<int> descriptors_of(const KeeperState& state) {
  std::vector<int> fds{state.lock_fd};
  if (state.link_fd >= 0) fds.push_back(state.link_fd);
  for (const auto& held : state.held) fds.push_back(held.fd);
  for (const auto& passed : state.passed) fds.push_back(passed.fd);
  return fds;
}

std::string reexec_keeper(const std::string& path, const KeeperOptions& options, const KeeperState& state) {
  std::vector<std::string> args{path};
  for (auto& arg : keeper_args(options)) args.push_back(std::move(arg));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto fds = descriptors_of(state);
  for (int fd : fds) ::fcntl(fd, F_SETFD, 0);
  ::setenv(kKeeperResumeVariable, encode_keeper_state(state).c_str(), 1);
  ::execv(path.c_str(), argv.data());  // the blocked signals and the pending ones cross it too
  int error = errno;
  ::unsetenv(kKeeperResumeVariable);
  for (int fd : fds) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fmt::format("cannot run {}: {}", path, std::strerror(error));
}
}  // namespace baton
