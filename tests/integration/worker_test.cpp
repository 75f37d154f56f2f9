// Workers: managed services without a port. A queue consumer is deployed 20 times while a producer
// adds jobs, and no job is lost or run twice; `baton start` registers one; one that never says
// READY=1 fails its deploy and the old release keeps working.
#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
// A consumer of a file-backed queue: claims a job by renaming it out of pending/ (atomic: one
// claimant wins), works on it, appends "JOB PID" to runs.log, and on SIGTERM finishes the job in
// hand before it exits. With --notify it says READY=1 through NOTIFY_SOCKET (sd_notify's protocol).
constexpr std::string_view kQueueWorker = R"PY(import os, signal, socket, sys, time
queue = sys.argv[1]
stopping = False
def on_term(signum, frame):
    global stopping
    stopping = True
signal.signal(signal.SIGTERM, on_term)
pid = os.getpid()
def notify(message):
    address = os.environ["NOTIFY_SOCKET"]
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode(), address)
if "--notify" in sys.argv:
    notify("READY=1\nSTATUS=consuming")
print("worker %d consuming" % pid, flush=True)
while not stopping:
    jobs = sorted(os.listdir(os.path.join(queue, "pending")))
    if not jobs:
        time.sleep(0.01)
        continue
    for job in jobs:
        if stopping:
            break
        mine = os.path.join(queue, "claimed", "%s.%d" % (job, pid))
        try:
            os.rename(os.path.join(queue, "pending", job), mine)
        except FileNotFoundError:
            continue
        time.sleep(0.01)  # the work: a SIGTERM now waits for it to end
        fd = os.open(os.path.join(queue, "runs.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, ("%s %d\n" % (job, pid)).encode())
        os.close(fd)
        os.unlink(mine)
print("worker %d stopped after the job in hand" % pid, flush=True)
)PY";

// An app written for systemd's Type=notify with a watchdog: READY=1 (after two malformed messages,
// which must change nothing), then WATCHDOG=1 every 200 ms ("ping", counting the pings in a file)
// or never again ("hang").
constexpr std::string_view kWatchdogApp = R"PY(import os, socket, sys, time
def notify(message):
    address = os.environ["NOTIFY_SOCKET"]
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(message, address)
    except OSError:
        pass  # no daemon right now (a restart): sd_notify's callers ignore it too
notify(b"this is not KEY=VALUE\nREADY=1")
notify(b"STATUS=" + b"x" * 5000)
notify(b"READY=1")
mode, count_file = sys.argv[1], sys.argv[2]
pings = 0
while True:
    if mode == "ping":
        notify(b"WATCHDOG=1")
        pings += 1
        with open(count_file + ".new", "w") as f:
            f.write(str(pings))
        os.rename(count_file + ".new", count_file)
    time.sleep(0.2)
)PY";

class Workers : public Deploys {
 protected:
  void SetUp() override {
    Deploys::SetUp();
    if (IsSkipped()) return;
    python_ = interpreter();
    if (python_.empty()) GTEST_SKIP() << "no python3";
    queue_ = dir_.path() / "queue";
    for (const char* sub : {"pending", "claimed", "incoming"}) std::filesystem::create_directories(queue_ / sub);
    script_ = dir_.path() / "queue_worker.py";
    std::ofstream(script_) << kQueueWorker;
  }

  // The interpreter itself, not a wrapper that may run it as a child (pyenv's shims): the stop
  // signal must reach the process that handles it.
  std::string interpreter() {
    Process which("python", {"/bin/sh", "-c", "exec python3 -c 'import sys; print(sys.executable)'"}, dir_.path());
    if (which.wait() != 0) return {};
    auto path = which.output(Stream::out);
    while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
    return path;
  }

  std::string worker_log() const { return read_text(std::filesystem::path(home_) / "logs" / "worker.log"); }

  // A daemon whose only service is the worker (so it opens no listener).
  Baton& start_worker(unsigned instances, std::string_view keys) {
    toml_ = fmt::format("[services.worker]\ncommand = [\"{}\", \"{}\", \"{}\", \"--notify\"]\n"
                        "instances = {}\nnotify = true\nstop_timeout = \"10s\"\n{}",
                        python_, script_.string(), queue_.string(), instances, keys);
    auto& baton = launch_baton(toml_);
    home_ = (dir_.path() / "home").string();
    EXPECT_TRUE(eventually([&] { return ready_instances("") == instances; })) << cli({"ls", "--json"}).second;
    return baton;
  }

  unsigned ready_instances(const std::string& release) {
    auto status = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    if (!status.is_object()) return 0;
    unsigned ready = 0;
    for (const auto& instance : status["instances"])
      if (instance.value("ready", false) && instance.value("healthy", false) &&
          (release.empty() || instance.value("release", "") == release))
        ++ready;
    return ready;
  }

  std::pair<int, std::string> deploy_worker(const std::string& version, const std::vector<std::string>& more,
                                            const std::vector<std::string>& command) {
    std::vector<std::string> args{baton_binary(), "deploy", "worker", "--home", home_, "--version", version};
    args.insert(args.end(), more.begin(), more.end());
    args.push_back("--");
    args.insert(args.end(), command.begin(), command.end());
    Process process("deploy-" + std::to_string(++cli_runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }

  std::vector<std::string> worker_command() const {
    return {python_, script_.string(), queue_.string(), "--notify"};
  }

  // Adds job-000001, job-000002, ... every 20 ms until stopped (well within what two instances
  // consume, so the queue stays short); a job appears in pending/ whole (written, then renamed).
  void start_producer() {
    producer_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        auto name = fmt::format("job-{:06}", ++produced_);
        std::ofstream(queue_ / "incoming" / name) << name << "\n";
        std::filesystem::rename(queue_ / "incoming" / name, queue_ / "pending" / name);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }

  void stop_producer() {
    producer_.request_stop();
    producer_.join();
  }

  bool queue_empty() const {
    return std::filesystem::is_empty(queue_ / "pending") && std::filesystem::is_empty(queue_ / "claimed");
  }

  // Job -> the pids that ran it, from runs.log.
  std::map<std::string, std::vector<std::string>> runs() const {
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream lines(read_text(queue_ / "runs.log"));
    for (std::string job, pid; lines >> job >> pid;) out[job].push_back(pid);
    return out;
  }

  // A daemon with no config file, for services registered with `baton start`.
  void start_bare_daemon() {
    home_ = (dir_.path() / "home").string();
    bare_ = std::make_unique<Process>("daemon", std::vector<std::string>{baton_binary(), "daemon", "--home", home_},
                                      dir_.path());
    EXPECT_TRUE(eventually([&] { return cli({"ls"}).first == 0; })) << bare_->output(Stream::err);
  }
  void TearDown() override {
    if (bare_ && !bare_->wait(std::chrono::milliseconds(0))) {
      cli({"shutdown", "--stop-apps"});
      bare_->wait();
    }
    Deploys::TearDown();
  }

  // A daemon running the watchdog app in `mode` as service `worker`.
  Baton& start_watchdog_app(std::string_view mode, std::string_view watchdog) {
    auto script = dir_.path() / "watchdog_app.py";
    std::ofstream(script) << kWatchdogApp;
    toml_ = fmt::format("[services.worker]\ncommand = [\"{}\", \"{}\", \"{}\", \"{}\"]\nnotify = true\n"
                        "watchdog = \"{}\"\nstop_timeout = \"2s\"\n",
                        python_, script.string(), mode, pings_file().string(), watchdog);
    auto& baton = launch_baton(toml_);
    home_ = (dir_.path() / "home").string();
    EXPECT_TRUE(eventually([&] { return ready_instances("") == 1; })) << cli({"ls", "--json"}).second;
    return baton;
  }
  std::filesystem::path pings_file() const { return dir_.path() / "pings"; }
  unsigned pings() const {
    auto text = read_text(pings_file());
    return text.empty() ? 0 : static_cast<unsigned>(std::stoul(text));
  }
  nlohmann::json first_instance() {
    auto status = nlohmann::json::parse(cli({"ls", "--json"}).second, nullptr, false);
    if (!status.is_object() || status["instances"].empty()) return nlohmann::json::object();
    return status["instances"][0];
  }

  std::unique_ptr<Process> bare_;
  std::string python_;
  std::filesystem::path queue_;
  std::filesystem::path script_;
  std::jthread producer_;
  std::atomic<unsigned> produced_{0};
};

TEST_F(Workers, NoJobIsLostOrRunTwiceAcrossTwentyDeploys) {
  start_worker(2, "strategy = \"rolling\"\ndeploy_timeout = \"30s\"\n");
  start_producer();
  const char* strategies[] = {"rolling", "recreate", "blue-green"};
  std::set<pid_t> seen = pids_of(cli({"ls", "--json"}).second);
  for (int i = 1; i <= 20; ++i) {
    // Jobs keep arriving between and during deploys; wait for a few new ones before each deploy so the
    // count does not depend on how fast deploys are.
    const unsigned want = produced_ + 6;
    ASSERT_TRUE(eventually([&] { return produced_ >= want; })) << "the producer stalled";
    std::string version = fmt::format("v{}", i);
    auto [code, out] = deploy_worker(version, {"--strategy", strategies[i % 3]}, worker_command());
    ASSERT_EQ(code, 0) << version << ": " << out;
    auto now = pids_of(cli({"ls", "--json"}).second);
    EXPECT_EQ(now.size(), 2u) << version << ": the count after a deploy is the release's\n" << worker_log();
    for (pid_t pid : now) EXPECT_FALSE(seen.contains(pid)) << version << ": instance " << pid << " was not replaced";
    seen.insert(now.begin(), now.end());
  }
  stop_producer();
  ASSERT_TRUE(eventually([&] { return queue_empty(); }, std::chrono::seconds(60))) << "jobs left in the queue\n" << worker_log();
  auto ran = runs();
  unsigned produced = produced_;
  ASSERT_GT(produced, 100u);
  RecordProperty("jobs", static_cast<int>(produced));
  fmt::print("{} jobs across 20 deploys, {} instances started\n", produced, seen.size());
  EXPECT_EQ(ran.size(), produced) << "every job ran";
  unsigned twice = 0;
  for (const auto& [job, pids] : ran)
    if (pids.size() != 1) ++twice, ADD_FAILURE() << job << " ran " << pids.size() << " times";
  EXPECT_EQ(twice, 0u);
  for (unsigned i = 1; i <= produced; ++i)
    EXPECT_TRUE(ran.contains(fmt::format("job-{:06}", i))) << "job " << i << " was lost";
  auto log = read_text(std::filesystem::path(home_) / "logs" / "worker.log");
  EXPECT_NE(log.find("stopped after the job in hand"), std::string::npos) << "old instances got their stop signal";
}

TEST_F(Workers, ACanaryOfAWorkerIsRefusedAndChangesNothing) {
  start_worker(1, "");
  auto before = pids_of(cli({"ls", "--json"}).second);
  auto [code, out] = deploy_worker("v2", {"--strategy", "canary"}, worker_command());
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("worker is a worker (no listen): a canary is judged by the requests it serves"),
            std::string::npos)
      << out;
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second), before);
}

TEST_F(Workers, AWorkerThatNeverSignalsReadyFailsItsDeployAndTheOldOneKeepsWorking) {
  start_worker(1, "deploy_timeout = \"2s\"\n");
  auto before = pids_of(cli({"ls", "--json"}).second);
  // Without --notify the script never sends READY=1.
  auto [code, out] = deploy_worker("silent", {}, {python_, script_.string(), queue_.string()});
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("not healthy within 2000 ms"), std::string::npos) << out;
  EXPECT_EQ(pids_of(cli({"ls", "--json"}).second), before) << "the old release runs on";
  std::ofstream(queue_ / "pending" / "after-failure") << "x\n";
  EXPECT_TRUE(eventually([&] { return runs().contains("after-failure"); })) << "and still consumes";
}

TEST_F(Workers, StartRegistersANotifyingWorkerWithoutListenAndLsShowsIt) {
  start_bare_daemon();
  std::vector<std::string> start{baton_binary(), "start", "mailer", "-i", "2", "--notify", "--home", home_, "--",
                                 python_, script_.string(), queue_.string(), "--notify"};
  Process starting("start", start, dir_.path());
  auto code = starting.wait();
  ASSERT_EQ(code, 0) << starting.output(Stream::out) << starting.output(Stream::err);
  auto [listed, table] = cli({"ls"});
  EXPECT_EQ(listed, 0) << table;
  EXPECT_NE(table.find("mailer: live r1"), std::string::npos) << table;
  EXPECT_EQ(ready_instances(""), 2u) << cli({"ls", "--json"}).second;
  auto status = nlohmann::json::parse(cli({"ls", "--json"}).second);
  for (const auto& instance : status["instances"]) EXPECT_EQ(instance["port"], 0) << instance;
  EXPECT_NE(bare_->output(Stream::err).find("event=instance_notified instance=mailer#1 message=READY=1"),
            std::string::npos)
      << "ready through NOTIFY_SOCKET: " << bare_->output(Stream::err);
  std::ofstream(queue_ / "pending" / "from-start") << "x\n";
  EXPECT_TRUE(eventually([&] { return runs().contains("from-start"); }));
}
}  // namespace
}  // namespace baton::itest

namespace baton::itest {
namespace {
TEST_F(Workers, AHungWorkerIsRestartedByItsWatchdogAndTheReasonIsLogged) {
  auto& baton = start_watchdog_app("hang", "1s");
  pid_t first = first_instance().value("pid", 0);
  ASSERT_GT(first, 0);
  ASSERT_TRUE(eventually([&] { return first_instance().value("restarts", 0) >= 1; })) << cli({"ls", "--json"}).second;
  EXPECT_TRUE(eventually([&] { return ::kill(first, 0) != 0; })) << "the hung process was stopped";
  auto log = baton.process().output(Stream::err);
  EXPECT_NE(log.find("event=instance_watchdog instance=worker#0 pid=" + std::to_string(first) +
                     " reason=\"no WATCHDOG=1 within 1s\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("event=notify_message_rejected instance=worker#0 reason=\"'this is not KEY' is not a key"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("reason=\"5007 bytes, more than 4096\""), std::string::npos) << log;
  EXPECT_GE(first_instance().value("notify_rejected", 0), 2) << "counted, and READY=1 still worked";
}

TEST_F(Workers, AWorkerThatKeepsPingingIsAdoptedByTheNextDaemonAndNeverRestarted) {
  auto& first_daemon = start_watchdog_app("ping", "2s");
  pid_t pid = first_instance().value("pid", 0);
  ASSERT_GT(pid, 0);
  first_daemon.process().signal(SIGTERM);  // the daemon goes, its apps stay
  first_daemon.process().wait();
  ASSERT_EQ(::kill(pid, 0), 0);
  launch_baton(toml_);
  ASSERT_TRUE(eventually([&] { return ready_instances("") == 1; })) << cli({"ls", "--json"}).second;
  EXPECT_EQ(first_instance().value("pid", 0), pid) << "adopted, not started again";
  // Three watchdog periods of pings, which only the new daemon's socket receives.
  unsigned adopted_at = pings();
  ASSERT_TRUE(eventually([&] { return pings() >= adopted_at + 30; }));
  auto instance = first_instance();
  EXPECT_EQ(instance.value("pid", 0), pid);
  EXPECT_EQ(instance.value("restarts", 1), 0) << instance;
  EXPECT_EQ(instance.value("ready", false), true) << instance;
}
}  // namespace
}  // namespace baton::itest
