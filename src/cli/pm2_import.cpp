#include "cli/pm2_import.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/unique_fd.hpp"
#include "cli/js_literal.hpp"

extern char** environ;

namespace baton::cli {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxEcosystemBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxNodeOutput = 64 * 1024 * 1024;
// Reading a config file takes node well under a second; a file that starts a server never ends.
constexpr std::chrono::seconds kNodePatience{15};

// Loads the file as PM2 does (require, or import for an ES module) and prints {"ok": VALUE} or
// {"error": "why"} on stdout, so that node's own warnings on stderr never mix with the JSON; then
// exits, whatever timers the file started.
constexpr std::string_view kNodeScript = R"js(
const file = process.argv[1];
const done = (v) => process.stdout.write(JSON.stringify(v), () => process.exit(0));
const fail = (e) => done({ error: String((e && e.message) || e) });
const ok = (v) => { try { done({ ok: v === undefined ? null : v }); } catch (e) { fail(e); } };
// An ES module's namespace (node may require one) holds the config as its default export.
const unwrap = (m) => (m && m.apps === undefined && m.default !== undefined ? m.default : m);
try {
  ok(unwrap(require(file)));
} catch (e) {
  if (e && e.code === 'ERR_REQUIRE_ESM')
    import(require('url').pathToFileURL(file).href).then((m) => ok(unwrap(m)), fail);
  else
    fail(e);
}
)js";

std::string node_on_path() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    auto end = dirs.find(':');
    auto dir = dirs.substr(0, end);
    dirs = end == std::string_view::npos ? std::string_view() : dirs.substr(end + 1);
    if (dir.empty()) continue;
    auto candidate = std::string(dir) + "/node";
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
  }
  return {};
}

std::expected<std::string, std::string> read_all(int fd, pid_t child) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + kNodePatience;
  char buffer[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd waiting{.fd = fd, .events = POLLIN, .revents = 0};
    int ready = left.count() > 0 ? ::poll(&waiting, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(child, SIGKILL);
      return std::unexpected(fmt::format("node did not finish reading it within {}s", kNodePatience.count()));
    }
    auto got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(got));
    if (out.size() > kMaxNodeOutput) {
      ::kill(child, SIGKILL);
      return std::unexpected("node printed more than 64 MiB for it");
    }
  }
}

// The file's value as node sees it, run from the file's directory as `pm2 start` usually is.
std::expected<json, std::string> value_from_node(const std::string& node, const fs::path& file) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_addchdir_np(&actions, file.parent_path().c_str());
  std::string script(kNodeScript);
  std::string file_arg = file.string();
  std::vector<char*> argv{const_cast<char*>(node.c_str()), const_cast<char*>("-e"), script.data(), file_arg.data(), nullptr};
  pid_t child = -1;
  int spawned = ::posix_spawn(&child, node.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return std::unexpected(fmt::format("cannot run {}: {}", node, std::strerror(spawned)));
  write_end.reset();
  auto output = read_all(read_end.get(), child);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  if (!output) return std::unexpected(output.error());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::unexpected(fmt::format("node failed on it (exit status {})", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  auto answer = json::parse(*output, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) return std::unexpected("node printed something that is not JSON");
  if (answer.contains("error"))
    return std::unexpected(fmt::format("node cannot load it: {}",
                                       answer["error"].dump(-1, ' ', false, json::error_handler_t::replace)));
  if (!answer.contains("ok")) return std::unexpected("its value cannot be written as JSON");
  return answer["ok"];
}

std::expected<std::string, std::string> read_text(const fs::path& path) {
  std::error_code error;
  auto size = fs::file_size(path, error);
  if (error) return std::unexpected(fmt::format("cannot read {}: {}", path.string(), error.message()));
  if (size > kMaxEcosystemBytes) return std::unexpected(fmt::format("{} is larger than 16 MiB", path.string()));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return std::unexpected(fmt::format("cannot read {}", path.string()));
  return text.str();
}
}  // namespace

std::expected<json, std::string> read_ecosystem_text(const std::string& text, const std::string& name) {
  auto value = parse_js_literal(text);
  if (value) return std::move(*value);
  return std::unexpected(describe_js_error(value.error(), name));
}

std::expected<json, std::string> read_ecosystem_file(const std::string& path) {
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  auto value = parse_js_literal(*text);
  if (value) return std::move(*value);
  auto where = describe_js_error(value.error(), path);
  if (!value.error().beyond_subset || fs::path(path).extension() == ".json") return std::unexpected(where);
  auto node = node_on_path();
  if (node.empty())
    return std::unexpected(fmt::format(
        "{}\n  this file is more than literals, and reading it needs node, which is not on PATH.\n"
        "  Where PM2 runs it: pm2 jlist > apps.json; baton import pm2 --jlist apps.json",
        where));
  auto from_node = value_from_node(node, fs::absolute(path));
  if (!from_node) return std::unexpected(fmt::format("{}: {}", path, from_node.error()));
  return from_node;
}
}  // namespace baton::cli
