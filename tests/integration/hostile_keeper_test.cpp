// The control plane on a bad day, under a keeper and under load, in a seeded random order:
// deploys of releases that crash, never get healthy, never answer or flap; rollbacks, scales,
// restarts, pauses; `baton apply` of good files (a second service added, changed, removed, web
// rescaled) and of bad ones (refused, nothing changed); `baton start` and `baton delete` of a
// registered service; the daemon restarted by SIGTERM, or killed in the middle of a deploy; and
// rounds of clients at once. Throughout: no daemon dies unasked, no connection is refused, the
// data plane answers, and `baton ls` agrees with the releases and with what the commands did.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "keeper_fixture.hpp"

namespace baton::itest {
namespace {
using nlohmann::json;
constexpr std::uint32_t kHostileKeeperSeed = 18;  // BATON_HOSTILE_SEED=N replays another day
constexpr int kHostileKeeperSteps = 24;
constexpr unsigned kHostileClients = 3;
constexpr std::string_view kHostileWebKeys = "strategy = \"rolling\"\ndeploy_timeout = \"3s\"\n";

std::uint32_t hostile_seed() {
  const char* text = std::getenv("BATON_HOSTILE_SEED");
  return text ? static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10)) : kHostileKeeperSeed;
}

std::string hostile_name_at(std::uint16_t port) {
  Client client(port);
  auto response = client.get("/name");
  return response && response->status == 200 ? response->body : "";
}

// What the commands that succeeded say runs.
struct HostileExpected {
  std::string web_version;
  unsigned web_count = 2;       // instances of web's live release
  unsigned file_web_count = 2;  // web's instances in the keeper's file: what a deploy takes
  std::string api_version;      // "" while the file has no api
  bool worker = false;          // registered with `baton start`
  bool flapping = false;        // web's live release exits now and then: scaling it may fail
};

struct CliRun {
  int code = -1;  // -1: still running after kPatience, a hang
  std::string out;
};

class HostileKeeper : public KeeperRun {
 protected:
  void SetUp() override {
    KeeperRun::SetUp();
    api_port_ = free_port();
    worker_port_ = free_port();
  }

  // BATON WORDS --home HOME [-- COMMAND...]
  std::vector<std::string> argv(std::vector<std::string> words, const std::vector<std::string>& command = {}) const {
    words.insert(words.begin(), baton_binary());
    words.insert(words.end(), {"--home", home_});
    if (!command.empty()) words.push_back("--");
    words.insert(words.end(), command.begin(), command.end());
    return words;
  }
  std::vector<std::string> backend(const std::string& name, std::vector<std::string> more = {}) const {
    std::vector<std::string> command{*backend_binary(), "--listen", "127.0.0.1:{port}", "--name", name};
    command.insert(command.end(), more.begin(), more.end());
    return command;
  }
  std::string next_name() { return "hostile-" + std::to_string(++runs_); }
  CliRun run(const std::vector<std::string>& args, const std::string& name) {
    Process process(name, args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }
  CliRun run(const std::vector<std::string>& args) { return run(args, next_name()); }
  std::vector<std::string> deploy_argv(const std::string& version, std::vector<std::string> app_args = {},
                                       std::vector<std::string> more = {}) const {
    std::vector<std::string> words{"deploy", "web", "--version", version};
    words.insert(words.end(), more.begin(), more.end());
    return argv(words, backend(version, std::move(app_args)));
  }

  std::string config_text(unsigned web_count, const std::string& api_version) const {
    auto text = web_toml(web_count, kHostileWebKeys);
    if (!api_version.empty())
      text += fmt::format(
          "[services.api]\nlisten = \"127.0.0.1:{}\"\ncommand = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", "
          "\"--name\", \"{}\"]\ninstances = 2\nhealth = \"/health\"\nstop_timeout = \"5s\"\n",
          api_port_, *backend_binary(), api_version);
    return text;
  }
  std::string current_config() const { return config_text(expected_.file_web_count, expected_.api_version); }

  // web's live release as `baton releases` has it: exactly one, no deploy left running.
  void learn_web() {
    auto list = json::parse(run(argv({"releases", "web", "--json"})).out, nullptr, false);
    ASSERT_TRUE(list.is_object()) << list;
    int live = 0;
    for (const auto& release : list["releases"]) {
      EXPECT_NE(release["status"], "deploying") << list;
      if (release["status"] != "live") continue;
      ++live;
      expected_.web_version = release["version"];
      expected_.web_count = release["instances"];
      expected_.flapping = flapping_versions_.contains(expected_.web_version);
    }
    EXPECT_EQ(live, 1) << list;
  }

  void note(const std::string& what, const CliRun& done) {
    log_ += fmt::format("\n[{}] exit {}\n{}", what, done.code, done.out);
    trace_ += fmt::format(" {}={}", what, done.code);
  }
  std::string disagreement();
  void check_truth(const std::string& step);
  void act(std::mt19937& random, int step);
  void deploy_step(std::mt19937& random, int step);
  void apply_good(std::mt19937& random, int step);
  void apply_bad(std::mt19937& random);
  void register_or_delete(int step);
  void restart_daemon(bool mid_deploy, int step);
  void clients_at_once(std::mt19937& random, int step);

  std::uint16_t api_port_ = 0;
  std::uint16_t worker_port_ = 0;
  HostileExpected expected_;
  std::size_t restarts_ = 0;  // daemons the test ended: any other the keeper replaced died unasked
  int runs_ = 0;
  std::set<std::string> flapping_versions_;
  std::string trace_;  // one word per command and its exit code
  std::string log_;  // what each step did and printed, for a failure's message
};

// Why `baton ls` disagrees with the expectation or with the processes; "" when it agrees.
std::string HostileKeeper::disagreement() {
  auto ls = run(argv({"ls", "--json"}));
  auto status = json::parse(ls.out, nullptr, false);
  if (ls.code != 0 || !status.is_object()) return "ls failed: " + ls.out;
  std::map<std::string, unsigned> want{{"web", expected_.web_count}};
  if (!expected_.api_version.empty()) want["api"] = 2;
  if (expected_.worker) want["worker"] = 1;
  std::map<std::string, std::string> live;
  for (const auto& service : status["services"]) {
    if (service.contains("deploy")) return "a deploy still runs: " + ls.out;
    live[service["name"]] = service["live"];
    if (service["name"] == "web" && service["version"] != expected_.web_version)
      return "web's live version is not " + expected_.web_version + ": " + ls.out;
  }
  std::map<std::string, unsigned> counted;
  for (const auto& instance : status["instances"]) {
    auto service = instance["service"].get<std::string>();
    if (!live.contains(service) || instance["release"] != live[service]) return "an instance of no live release: " + ls.out;
    auto state = instance["state"].get<std::string>();
    auto pid = instance["pid"].get<pid_t>();
    if ((state == "running" || state == "starting") && (pid <= 0 || ::kill(pid, 0) != 0))
      return "instance " + instance.dump() + " does not run";
    ++counted[service];
  }
  for (const auto& [service, count] : want) live.erase(service);
  if (!live.empty()) return "a service nothing expects: " + ls.out;
  return counted == want ? "" : "not the instances expected: " + ls.out;
}

void HostileKeeper::check_truth(const std::string& step) {
  ASSERT_FALSE(keeper_->wait(std::chrono::milliseconds(0))) << "the keeper died at " << step;
  ASSERT_EQ(daemons_started(), 1 + restarts_) << "a daemon died unasked at " << step << "\n"
                                              << keeper_->output(Stream::err) << log_;
  std::string problem;
  EXPECT_TRUE(eventually([&] { return (problem = disagreement()).empty(); })) << step << ": " << problem << log_;
  EXPECT_TRUE(eventually([&] { return static_cast<bool>(Client(port_).get("/hello")); }))
      << "web does not answer after " << step;
  if (!expected_.api_version.empty()) {
    EXPECT_TRUE(eventually([&] { return hostile_name_at(api_port_) == expected_.api_version; })) << step;
  }
  if (expected_.worker) {
    EXPECT_TRUE(eventually([&] { return !hostile_name_at(worker_port_).empty(); })) << step;
  }
}

// Deploys that crash, never get healthy, never answer, or flap; and good ones.
void HostileKeeper::deploy_step(std::mt19937& random, int step) {
  auto version = "h" + std::to_string(step);
  std::vector<std::vector<std::string>> bad{
      deploy_argv(version, {"--exit-immediately"}), deploy_argv(version, {"--unhealthy"}),
      deploy_argv(version, {"--startup-delay", "60000"}),
      argv({"deploy", "web", "--version", version}, {"/bin/sleep", "3600"})};
  auto kind = random() % (bad.size() + 2);
  bool flapping = kind == bad.size() + 1;
  std::vector<std::string> app_args;
  if (flapping) app_args = {"--exit-after", "700"};
  auto done = run(kind < bad.size() ? bad[kind] : deploy_argv(version, app_args));
  static constexpr const char* kKinds[] = {"crashing", "unhealthy", "hanging", "silent", "good", "flapping"};
  note(fmt::format("{}:deploy-{}", step, kKinds[kind]), done);
  if (kind < bad.size()) {
    EXPECT_NE(done.code, 0) << done.out;
    EXPECT_NE(done.code, -1) << "the deploy hung: " << done.out;
  } else if (done.code == 0) {
    expected_.web_version = version;
    expected_.web_count = expected_.file_web_count;
    expected_.flapping = flapping;
    if (flapping) flapping_versions_.insert(version);
  } else {
    EXPECT_TRUE(flapping) << "a good deploy failed: " << done.out;
  }
}

// A good file: api added, changed or removed, or web's instance count changed.
void HostileKeeper::apply_good(std::mt19937& random, int step) {
  auto next = expected_;
  switch (random() % 3) {
    case 0: next.api_version = "a" + std::to_string(step); break;
    case 1: next.api_version.clear(); break;
    default: next.file_web_count = next.file_web_count == 2 ? 3 : 2;
  }
  std::ofstream(keeper_config()) << config_text(next.file_web_count, next.api_version);
  auto done = run(argv({"apply", keeper_config().string()}));
  note(fmt::format("{}:apply-web{}-api{}", step, next.file_web_count, next.api_version.empty() ? "-" : next.api_version),
       done);
  if (next.file_web_count != expected_.file_web_count) next.web_count = next.file_web_count;
  expected_ = next;
  if (done.code != 0 && expected_.flapping) return learn_web();  // a flapping web may not get healthy
  ASSERT_EQ(done.code, 0) << done.out;
}

// A file that does not parse, one with web's route twice, one on a port in use: each refused.
void HostileKeeper::apply_bad(std::mt19937& random) {
  HeldPort taken;
  taken.listen(8);
  auto kind = random() % 3;
  auto text = current_config();
  if (kind == 0) text += "instances = \n";
  if (kind == 1) text += "[services.copy]\nlisten = \"127.0.0.1:0\"\ntargets = [\"127.0.0.1:1\"]\n";
  if (kind == 2) text += fmt::format("[services.clash]\nlisten = \"{}\"\ntargets = [\"127.0.0.1:1\"]\n", taken.address());
  auto path = dir_.path() / "bad.toml";
  std::ofstream(path) << text;
  auto done = run(argv({"apply", path.string()}));
  note(fmt::format("apply-bad{}", kind), done);
  EXPECT_EQ(done.code, kind == 2 ? 1 : 2) << done.out;
  EXPECT_NE(done.out.find(kind == 0 ? "bad.toml:" : kind == 1 ? "same route" : "nothing was changed"),
            std::string::npos)
      << done.out;
}

void HostileKeeper::register_or_delete(int step) {
  auto done = expected_.worker
                  ? run(argv({"delete", "worker"}))
                  : run(argv({"start", "worker", "-i", "1", "--listen", fmt::format("127.0.0.1:{}", worker_port_),
                              "--health", "/health"},
                             backend("w" + std::to_string(step))));
  note(fmt::format("{}:{}-worker", step, expected_.worker ? "delete" : "start"), done);
  ASSERT_EQ(done.code, 0) << done.out;
  expected_.worker = !expected_.worker;
}

// SIGTERM (a restart), or SIGKILL while a deploy runs: the next daemon ends it on the release before.
void HostileKeeper::restart_daemon(bool mid_deploy, int step) {
  if (mid_deploy) {
    auto started = run(deploy_argv("k" + std::to_string(step), {"--startup-delay", "1000"}, {"--detach"}));
    ASSERT_EQ(started.code, 0) << started.out;
  }
  ++restarts_;
  ASSERT_NO_FATAL_FAILURE(signal_daemon_and_wait_for_the_next(mid_deploy ? SIGKILL : SIGTERM));
  note(fmt::format("{}:daemon-{}", step, mid_deploy ? "killed-mid-deploy" : "sigterm"), {0, ""});
  ASSERT_TRUE(eventually([&] { return run(argv({"ls"})).code == 0; })) << keeper_->output(Stream::err);
  // Nothing changes: the interrupted deploy is ended on the release that was live before it.
}

void HostileKeeper::act(std::mt19937& random, int step) {
  switch (random() % 10) {
    case 0: case 1: return deploy_step(random, step);
    case 2: {
      auto done = run(argv({"rollback", "web"}));
      note(fmt::format("{}:rollback", step), done);
      return learn_web();
    }
    case 3: {
      unsigned count = 1 + random() % 3;
      auto done = run(argv({"scale", "web", std::to_string(count)}));
      note(fmt::format("{}:scale-{}", step, count), done);
      if (done.code != 0 && expected_.flapping) return learn_web();
      ASSERT_EQ(done.code, 0) << done.out;
      expected_.web_count = count;
      return;
    }
    case 4: {
      auto paused = run(argv({"pause", "web"}));
      auto resumed = run(argv({"resume", "web"}));
      note(fmt::format("{}:pause", step), paused);
      note(fmt::format("{}:resume", step), resumed);
      EXPECT_EQ(paused.code, 0) << paused.out;
      EXPECT_EQ(resumed.code, 0) << resumed.out;
      return;
    }
    case 5: return apply_good(random, step);
    case 6: return apply_bad(random);
    case 7: return register_or_delete(step);
    case 8: return restart_daemon(random() % 2 == 0, step);
    default: return clients_at_once(random, step);
  }
}

// Several clients at once, perhaps with a daemon restart among them: each command ends, with
// success or a clear refusal; what stands after is one of the outcomes they allowed.
void HostileKeeper::clients_at_once(std::mt19937& random, int step) {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> names;
  for (unsigned i = 0; i < kHostileClients; ++i) {
    auto version = fmt::format("c{}x{}", step, i);
    std::vector<std::vector<std::string>> pool{
        deploy_argv(version), argv({"scale", "web", std::to_string(1 + random() % 3)}), argv({"rollback", "web"}),
        argv({"restart", "web"}), argv({"apply", keeper_config().string()}), argv({"ls", "--json"}),
        deploy_argv(version, {"--unhealthy"})};
    commands.push_back(pool[random() % pool.size()]);
    names.push_back(next_name());
  }
  bool restart = random() % 3 == 0;
  std::vector<CliRun> done(commands.size());
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < commands.size(); ++i)
    clients.emplace_back([&, i] { done[i] = run(commands[i], names[i]); });
  if (restart) {
    note(fmt::format("{}:at-once-daemon-sigterm", step), {0, ""});
    ++restarts_;
    signal_daemon_and_wait_for_the_next(SIGTERM);
  }
  for (auto& client : clients) client.join();
  auto before = expected_;
  std::set<std::string> versions{before.web_version};
  std::set<unsigned> counts{before.web_count};
  bool rolled_back = false;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto& word = commands[i][1];
    note(fmt::format("{}:at-once-{}", step, word), done[i]);
    EXPECT_TRUE(done[i].code >= 0 && done[i].code <= 3) << "a client hung or crashed: " << done[i].out;
    if (done[i].code != 0) {
      // A refusal says "baton: ...", a deploy that ran and failed ends with "failed: ...".
      bool clear = done[i].out.find("baton: ") != std::string::npos || done[i].out.find("failed: ") != std::string::npos;
      EXPECT_TRUE(clear) << "no clear error: " << done[i].out;
      continue;
    }
    rolled_back = rolled_back || word == "rollback";
    if (word == "deploy") versions.insert(commands[i][4]), counts.insert(before.file_web_count);
    if (word == "scale") counts.insert(static_cast<unsigned>(std::stoul(commands[i][3])));
  }
  ASSERT_TRUE(eventually([&] {
    return run(argv({"releases", "web", "--json"})).out.find("\"status\":\"deploying\"") == std::string::npos;
  }));
  ASSERT_NO_FATAL_FAILURE(learn_web());
  if (rolled_back) return;  // any release before may be live again
  EXPECT_TRUE(versions.contains(expected_.web_version)) << expected_.web_version << log_;
  EXPECT_TRUE(counts.contains(expected_.web_count)) << expected_.web_count << log_;
}

TEST_F(HostileKeeper, ConcurrentClientsAppliesDeletesAndDaemonRestartsNeverTakeItDown) {
  auto seed = hostile_seed();
  std::printf("hostile keeper seed: %u (BATON_HOSTILE_SEED=%u replays it)\n", seed, seed);
  start_keeper(2, kHostileWebKeys);
  ASSERT_NO_FATAL_FAILURE(learn_web());
  auto& load = start_load(port_);
  std::mt19937 random(seed);
  for (int step = 0; step < kHostileKeeperSteps; ++step) {
    ASSERT_NO_FATAL_FAILURE(act(random, step)) << "seed " << seed << log_;
    ASSERT_NO_FATAL_FAILURE(check_truth(fmt::format("step {} (seed {})", step, seed)));
  }
  // Whatever ran last, a good deploy settles it: healthy, serving, and ls right. The service's
  // deploy_timeout is short (hanging releases end fast), so on a machine busy with other tests a
  // good release may miss it once; the live one keeps serving and the deploy is tried again.
  auto settled = run(deploy_argv("final"));
  for (int attempt = 1; attempt < 3 && settled.code != 0 && settled.out.find("not healthy within") != std::string::npos;
       ++attempt)
    settled = run(deploy_argv("final"));
  ASSERT_EQ(settled.code, 0) << settled.out;
  expected_.web_version = "final";
  expected_.web_count = expected_.file_web_count;
  ASSERT_NO_FATAL_FAILURE(check_truth("the end"));
  EXPECT_TRUE(eventually([&] { return serves(); }));
  auto summary = stop_load(load);
  std::printf("hostile keeper (seed %u, %zu daemon restarts):%s\nload: %s\n", seed, restarts_, trace_.c_str(),
              summary.dump().c_str());
  EXPECT_GT(summary["ok"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_FALSE(summary["errors"].contains("connect_refused")) << "a connection was refused: " << summary;
}
}  // namespace
}  // namespace baton::itest
