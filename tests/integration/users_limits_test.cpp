// Instances as another user, and in cgroups of their own with memory_max and cpu_max: the real
// daemon, real processes, what the kernel reports about them (/proc, the cgroup files).
#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
// Answers 200, writes its uid to stdout and one line per request to stderr; with HOG=SECONDS it
// allocates 160 MiB that long after it starts serving.
constexpr std::string_view kUserApp = R"PY(
import http.server, os, threading, time
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("serving as uid", os.getuid(), flush=True)
if os.environ.get("HOG"):
    time.sleep(float(os.environ["HOG"]))
    hog = b"x" * (160 << 20)
    print("allocated", len(hog), flush=True)
threading.Event().wait()
)PY";

std::string status_line(pid_t pid, std::string_view field) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field)) return line;
  return "";
}

std::string cgroup_path_of(pid_t pid) {
  std::ifstream cgroup(fmt::format("/proc/{}/cgroup", pid));
  for (std::string line; std::getline(cgroup, line);)
    if (line.starts_with("0::")) return line.substr(3);
  return "";
}

// The value of key= in the first daemon log line with `event`, "" without one.
std::string log_field(const std::string& log, std::string_view event, std::string_view key) {
  auto at = log.find(event);
  if (at == std::string::npos) return "";
  auto line = log.substr(at, log.find('\n', at) - at);
  auto start = line.find(fmt::format(" {}=", key));
  if (start == std::string::npos) return "";
  start += key.size() + 2;
  if (line[start] == '"') return line.substr(start + 1, line.find('"', start + 1) - start - 1);
  return line.substr(start, line.find(' ', start) - start);
}

class UsersAndLimits : public Deploys {
 protected:
  Baton& start_app(std::string_view keys) {
    toml_ = fmt::format("[services.web]\nlisten = \"127.0.0.1:0\"\ncommand = [\"/usr/bin/python3\", \"-c\", '''{}''']\n"
                        "stop_timeout = \"5s\"\n{}\n",
                        kUserApp, keys);
    return restart_service();
  }

  nlohmann::json instance() {
    auto ls = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    if (!ls.is_object() || ls["instances"].empty()) return {};
    return ls["instances"][0];
  }

  pid_t pid() {
    auto one = instance();
    return one.is_object() ? one["pid"].get<pid_t>() : 0;
  }

  // Stops the instances too: nothing is left running, and their cgroups go.
  void shut_down(Baton& baton) {
    baton.process().expect_exit();
    EXPECT_EQ(cli({"shutdown", "--stop-apps"}).first, 0);
    baton.process().wait();
  }

  static std::string get(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/");
    return response ? response->body : "error: " + client.last_error();
  }
};

TEST_F(UsersAndLimits, AnInstanceRunsAsNobodyLogsAndIsAdoptedByTheNextDaemon) {
  if (::geteuid() != 0) GTEST_SKIP() << "only a daemon running as root can run instances as nobody";
  auto& first = start_app("user = \"nobody\"\ncwd = \"/tmp\"");
  pid_t before = pid();
  ASSERT_GT(before, 0);
  EXPECT_EQ(status_line(before, "Uid:"), "Uid:\t65534\t65534\t65534\t65534");
  EXPECT_EQ(status_line(before, "Gid:"), "Gid:\t65534\t65534\t65534\t65534");
  auto log = dir_.path() / "home" / "logs" / "web.log";
  EXPECT_TRUE(eventually([&] { return read_text(log).find("serving as uid 65534") != std::string::npos; }));
  first.process().signal(SIGKILL);
  first.process().wait();
  auto& second = restart_service();
  EXPECT_EQ(pid(), before) << "adopted, not started again";
  EXPECT_NE(second.process().output(Stream::err).find("event=instance_adopted"), std::string::npos);
  EXPECT_EQ(get(second.port()), "ok");
  // http.server logs each request on stderr: the adopted instance's output still reaches the log.
  EXPECT_TRUE(eventually([&] { return read_text(log).find("\"GET / HTTP/1.1\" 200") != std::string::npos; }));
  shut_down(second);
  EXPECT_TRUE(eventually([&] { return ::kill(before, 0) != 0; })) << "stopped as another user";
}

TEST_F(UsersAndLimits, ANonRootDaemonRefusesAnotherUser) {
  // As root, the daemon and the check run as nobody; otherwise as whoever runs the test.
  bool root = ::geteuid() == 0;
  std::vector<std::string> as{};
  if (root) as = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
  const std::string other = "root";  // never the user running the check or the daemon
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
  auto shared = dir_.path() / "shared";
  std::filesystem::create_directory(shared);
  std::filesystem::permissions(shared, std::filesystem::perms::all);
  auto config = shared / "baton.toml";
  std::ofstream(config) << fmt::format("[services.web]\nlisten = \"127.0.0.1:0\"\ncommand = \"sleep 60\"\n"
                                       "user = \"{}\"\n", other);
  std::string expected = fmt::format("'user' in [services.web] is '{}', but only a daemon running as root "
                                     "can run instances as another user", other);
  auto run = [&](std::string name, std::vector<std::string> args) {
    std::vector<std::string> argv = as;
    argv.push_back(baton_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    Process process(std::move(name), argv, dir_.path());
    auto code = process.wait();
    return std::pair{code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  };
  auto [check_code, check_out] = run("check-as-nobody", {"check", "--config", config.string()});
  EXPECT_NE(check_code, 0) << check_out;
  EXPECT_NE(check_out.find(expected), std::string::npos) << check_out;
  EXPECT_NE(check_out.find("baton.toml:4:"), std::string::npos) << "names the file and line: " << check_out;
  auto [daemon_code, daemon_out] =
      run("daemon-as-nobody", {"daemon", "--config", config.string(), "--home", (shared / "home").string()});
  EXPECT_NE(daemon_code, 0) << daemon_out;
  EXPECT_NE(daemon_out.find(expected), std::string::npos) << daemon_out;
}

TEST_F(UsersAndLimits, EachInstanceRunsInItsOwnCgroupWithMemoryMaxAndCpuMaxWhichGoesWithIt) {
  auto& baton = start_app("memory_max = \"64MiB\"\ncpu_max = \"50%\"\ninstances = 2");
  auto log = baton.process().output(Stream::err);
  if (log.find("event=cgroups_unavailable") != std::string::npos)
    GTEST_SKIP() << "the daemon cannot create cgroups here: " << log_field(log, "event=cgroups_unavailable", "error");
  auto root = log_field(log, "event=cgroup_root", "cgroup");
  ASSERT_FALSE(root.empty()) << log;
  auto ls = nlohmann::json::parse(cli({"ls", "--json"}).second);
  ASSERT_EQ(ls["instances"].size(), 2u) << ls;
  std::vector<std::filesystem::path> dirs;
  for (const auto& instance : ls["instances"]) {
    auto name = fmt::format("web@{}.{}", instance["release"].get<std::string>(), instance["instance"].get<unsigned>());
    auto dir = std::filesystem::path(root) / name;
    EXPECT_TRUE(cgroup_path_of(instance["pid"].get<pid_t>()).ends_with("/" + name))
        << cgroup_path_of(instance["pid"].get<pid_t>());
    EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
    dirs.push_back(dir);
  }
  bool memory = log_field(log, "event=cgroup_root", "memory") == "true";
  bool cpu = log_field(log, "event=cgroup_root", "cpu") == "true";
  if (memory) {
    EXPECT_EQ(read_text(dirs[0] / "memory.max"), "67108864\n");
  } else {
    EXPECT_NE(log.find("event=memory_max_fallback service=web memory_max=67108864"), std::string::npos) << log;
  }
  if (cpu) {
    EXPECT_EQ(read_text(dirs[1] / "cpu.max"), "50000 100000\n");
  } else {
    EXPECT_NE(log.find("event=cpu_max_not_enforced service=web cpu_max=\"50000 100000\""), std::string::npos)
        << log;
  }
  shut_down(baton);
  for (const auto& dir : dirs) EXPECT_FALSE(std::filesystem::exists(dir)) << dir << " outlived its instance";
  EXPECT_FALSE(std::filesystem::exists(root)) << "the daemon's cgroup root goes with its last instance";
  if (!memory || !cpu)
    GTEST_SKIP() << "memory.max or cpu.max not read back: " << log_field(log, "event=cgroup_root", "missing");
}

TEST_F(UsersAndLimits, AnAppOverMemoryMaxIsKilledAndRestarted) {
  auto& baton = start_app("memory_max = \"64MiB\"\nenv = { HOG = \"0.5\" }");
  ASSERT_TRUE(eventually([&] {
    auto one = instance();
    return one.is_object() && one["restarts"].get<unsigned>() >= 1;
  })) << "restarted after going over memory_max";
  auto log = baton.process().output(Stream::err);
  if (log_field(log, "event=cgroup_root", "memory") == "true") {
    EXPECT_NE(log.find("event=instance_oom_killed instance=web#0"), std::string::npos) << log;
  } else {
    // The documented fallback: the resident memory of the instance, watched as max_memory is.
    EXPECT_NE(log.find("event=memory_max_fallback service=web"), std::string::npos) << log;
    EXPECT_NE(log.find("event=instance_over_memory instance=web#0"), std::string::npos) << log;
  }
  EXPECT_FALSE(baton.process().wait(std::chrono::milliseconds(0))) << "the daemon goes on";
  shut_down(baton);
}
}  // namespace
}  // namespace baton::itest
