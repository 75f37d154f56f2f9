// baton-keeper, the keeper's own small binary: `baton keeper` runs it in place, it stays
// under 2 MiB resident, and `baton upgrade --keeper` replaces it under load without closing a
// socket, restarting the daemon or an app.
#include <csignal>
#include <fstream>

#include "keeper_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;
constexpr std::string_view kKeeperResumed = "[keeper] event=keeper_resumed pid=";
constexpr std::uint64_t kKeeperRssLimit = 2 * 1024 * 1024;

std::string keeper_binary_path() { return (fs::path(baton_binary()).parent_path() / "baton-keeper").string(); }

class KeeperBinary : public KeeperRun {
 protected:
  // An executable shell script in the test's directory.
  fs::path script(const std::string& name, const std::string& body) const {
    auto path = dir_.path() / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }
};

TEST_F(KeeperBinary, BatonKeeperRunsTheSmallBinaryInPlaceUnderTwoMebibytes) {
#if defined(BATON_SANITIZED)
  GTEST_SKIP() << "sanitizer builds link baton-keeper dynamically, with their runtime";
#endif
  start_keeper(1);
  EXPECT_EQ(fs::read_symlink(fmt::format("/proc/{}/exe", keeper_->pid())), fs::canonical(keeper_binary_path()))
      << "the same pid runs baton-keeper";
  EXPECT_TRUE(serves());
  auto rss = resident_bytes(keeper_->pid());
  std::printf("baton-keeper VmRSS: %llu KiB (limit %llu KiB)\n", static_cast<unsigned long long>(rss / 1024),
              static_cast<unsigned long long>(kKeeperRssLimit / 1024));
  EXPECT_GT(rss, 0u);
  EXPECT_LT(rss, kKeeperRssLimit);
}

TEST_F(KeeperBinary, BatonKeeperWithoutTheKeeperBinaryBesideItIsAClearError) {
  auto lonely = dir_.path() / "alone" / "baton";
  fs::create_directories(lonely.parent_path());
  fs::copy_file(baton_binary(), lonely);
  Process keeper("lonely-keeper", {lonely.string(), "keeper", "--home", (dir_.path() / "home").string()}, dir_.path());
  EXPECT_EQ(keeper.wait().value_or(-1), 1);
  auto err = keeper.output(Stream::err);
  EXPECT_NE(err.find("cannot run the keeper " + (lonely.parent_path() / "baton-keeper").string()), std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(dir_.path() / "home" / "keeper.lock")) << "nothing was started";
}

TEST_F(KeeperBinary, BadArgumentsAreUsageErrors) {
  Process version("keeper-version", {keeper_binary_path(), "--version"}, dir_.path());
  EXPECT_EQ(version.wait().value_or(-1), 0);
  EXPECT_TRUE(version.output(Stream::out).starts_with("baton-keeper ")) << version.output(Stream::out);
  for (auto args : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"--config", "x.toml"}, {"--home"}, {"--home", "h", "--log-level", "loud"}}) {
    args.insert(args.begin(), keeper_binary_path());
    Process bad("keeper-bad", args, dir_.path());
    EXPECT_EQ(bad.wait().value_or(-1), 2) << args.back();
    EXPECT_NE(bad.output(Stream::err).find("usage: baton-keeper"), std::string::npos) << bad.output(Stream::err);
  }
  Process no_daemon("keeper-no-daemon",
                    {keeper_binary_path(), "--home", (dir_.path() / "h").string(), "--daemon-binary", "/nonexistent"},
                    dir_.path());
  EXPECT_EQ(no_daemon.wait().value_or(-1), 1);
  EXPECT_NE(no_daemon.output(Stream::err).find("no baton binary"), std::string::npos) << no_daemon.output(Stream::err);
}

// Two baton-keeper binaries (the second a copy under another path), swapped under load.
TEST_F(KeeperBinary, KeeperUpgradesUnderLoadCloseNoSocketAndKeepTheDaemonAndTheApps) {
  start_keeper(2);
  auto apps = app_pids();
  ASSERT_EQ(apps.size(), 2u);
  pid_t daemon = daemon_pid();
  auto other = dir_.path() / "baton-keeper-other";
  fs::copy_file(keeper_binary_path(), other);
  fs::permissions(other, fs::perms::owner_all);
  auto& load = start_load(port_);
  constexpr int kKeeperUpgrades = 3;
  for (int i = 0; i < kKeeperUpgrades; ++i) {
    auto binary = i % 2 == 0 ? other.string() : keeper_binary_path();
    auto [code, out] = cli({"upgrade", "--keeper", "--binary", binary});
    ASSERT_EQ(code, 0) << out << keeper_->output(Stream::err);
    EXPECT_NE(out.find("keeper upgraded to"), std::string::npos) << out;
    EXPECT_EQ(keeper_said(kKeeperResumed), static_cast<std::size_t>(i + 1));
    EXPECT_EQ(fs::read_symlink(fmt::format("/proc/{}/exe", keeper_->pid())), fs::canonical(binary));
    EXPECT_TRUE(serves());
  }
  auto summary = stop_load(load);
  std::printf("%d keeper upgrades under load: %s\n", kKeeperUpgrades, summary.dump().c_str());
  expect_no_failure_nor_refusal(summary);
  EXPECT_EQ(daemon_pid(), daemon) << "the daemon was not restarted";
  EXPECT_EQ(::kill(daemon, 0), 0) << "the daemon still runs";
  EXPECT_EQ(app_pids(), apps) << "the apps were not restarted";
  EXPECT_FALSE(keeper_->wait(std::chrono::milliseconds(0))) << "the same keeper process runs";
  // The resumed keeper still keeps: a killed daemon is replaced on the same socket.
  ::kill(daemon, SIGKILL);
  ASSERT_TRUE(eventually([&] { return daemon_pid() != daemon; })) << keeper_->output(Stream::err);
  EXPECT_TRUE(eventually([&] { return serves(); }));
  EXPECT_EQ(app_pids(), apps);
}

TEST_F(KeeperBinary, AKeeperUpgradeToABadBinaryChangesNothing) {
  start_keeper(1);
  pid_t daemon = daemon_pid();
  auto failing = script("keeper-broken", "exit 3\n");
  auto not_executable = dir_.path() / "keeper-plain";
  fs::copy_file(keeper_binary_path(), not_executable);
  fs::permissions(not_executable, fs::perms::owner_read);
  struct Case {
    std::string binary, reason;
  };
  for (const auto& [binary, reason] : std::vector<Case>{{"/bin/true", "is not a baton-keeper"},
                                                        {failing.string(), "is not a baton-keeper"},
                                                        {not_executable.string(), "no executable"},
                                                        {(dir_.path() / "nothing").string(), "no executable"}}) {
    auto [code, out] = cli({"upgrade", "--keeper", "--binary", binary});
    EXPECT_EQ(code, 1) << binary << ": " << out;
    EXPECT_NE(out.find(reason), std::string::npos) << binary << ": " << out;
  }
  EXPECT_EQ(keeper_said(kKeeperResumed), 0u);
  EXPECT_FALSE(keeper_->wait(std::chrono::milliseconds(0)));
  EXPECT_EQ(daemon_pid(), daemon);
  EXPECT_TRUE(serves());
  // The keeper itself turns away what the CLI let through: its check is the one that counts.
  std::ofstream(fs::path(home_) / "upgrade.keeper") << "/bin/true\n";
  ::kill(keeper_->pid(), SIGUSR1);
  EXPECT_TRUE(eventually([&] { return read_text(fs::path(home_) / "upgrade.result").starts_with("failed: "); }));
  EXPECT_NE(read_text(fs::path(home_) / "upgrade.result").find("is not a baton-keeper"), std::string::npos);
  EXPECT_EQ(daemon_pid(), daemon);
  EXPECT_TRUE(serves());
}

// A binary that answers --version like a baton-keeper and dies as it starts: its trial resume
// fails before the exec, so the keeper before keeps its pid, the sockets and the daemon.
TEST_F(KeeperBinary, AKeeperUpgradeToABinaryThatDiesAtStartIsRefusedAndTheKeeperKeeps) {
  start_keeper(1);
  pid_t daemon = daemon_pid();
  auto dying = script("keeper-dies-at-start", "[ \"$1\" = --version ] && { echo 'baton-keeper 9.9.9'; exit 0; }\nkill -SEGV $$\n");
  auto& load = start_load(port_);
  auto [code, out] = cli({"upgrade", "--keeper", "--binary", dying.string()});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("failed its trial resume (it was killed by signal 11)"), std::string::npos) << out;
  EXPECT_NE(out.find("the keeper before keeps running"), std::string::npos) << out;
  ASSERT_FALSE(keeper_->wait(std::chrono::milliseconds(0))) << "the keeper died: " << keeper_->output(Stream::err);
  EXPECT_EQ(keeper_said(kKeeperResumed), 0u);
  EXPECT_EQ(fs::read_symlink(fmt::format("/proc/{}/exe", keeper_->pid())), fs::canonical(keeper_binary_path()));
  EXPECT_EQ(daemon_pid(), daemon);
  EXPECT_TRUE(serves());
  expect_no_failure_nor_refusal(stop_load(load));
  // It still keeps: a killed daemon is replaced on the same socket.
  ::kill(daemon, SIGKILL);
  ASSERT_TRUE(eventually([&] { return daemon_pid() != daemon; })) << keeper_->output(Stream::err);
  EXPECT_TRUE(eventually([&] { return serves(); }));
}

// Asking a binary its version has a deadline on both sides: the CLI's `baton version` for a
// daemon upgrade, the keeper's `--version` for its own. One that never answers is refused.
TEST_F(KeeperBinary, UpgradesToABinaryThatNeverAnswersAreRefusedAtTheDeadline) {
  start_keeper(1);
  pid_t daemon = daemon_pid();
  auto silent = script("never-answers", "exec sleep 3600\n");
  for (std::vector<std::string> upgrade : {std::vector<std::string>{"upgrade", "--binary", silent.string()},
                                           std::vector<std::string>{"upgrade", "--keeper", "--binary", silent.string()}}) {
    auto [code, out] = cli(upgrade);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("did not answer within 5000 ms"), std::string::npos) << out;
  }
  EXPECT_FALSE(keeper_->wait(std::chrono::milliseconds(0)));
  EXPECT_EQ(keeper_said(kKeeperResumed), 0u);
  EXPECT_EQ(daemon_pid(), daemon);
  EXPECT_TRUE(serves());
}
}  // namespace
}  // namespace baton::itest
