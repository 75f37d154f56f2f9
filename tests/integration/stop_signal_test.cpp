// A managed service's `stop_signal` is what its instances get when they stop: a shell app that
// traps the signals writes down the one it received.
#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

// Runs the test backend as a child and records which signal asked it to stop. The signal goes to
// the whole process group, so the backend may already be gone when the trap runs.
constexpr std::string_view kApp = R"sh(trap 'echo USR1 >> "$SIGNALS"; kill $child 2>/dev/null; exit 0' USR1
trap 'echo INT >> "$SIGNALS"; kill $child 2>/dev/null; exit 0' INT
trap 'echo TERM >> "$SIGNALS"; kill $child 2>/dev/null; exit 0' TERM
"$BACKEND" --listen "127.0.0.1:$PORT" --name "$BATON_RELEASE" &
child=$!
wait $child
)sh";

class StopSignal : public Deploys {
 protected:
  // One instance of the trapping app, stopped with `signal`.
  void start_app(std::string_view signal) {
    std::ofstream(dir_.path() / "app.sh") << kApp;
    toml_ = fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\ncommand = [\"/bin/sh\", \"{}\"]\n"
        "env = {{ BACKEND = \"{}\", SIGNALS = \"{}\" }}\nhealth = \"/health\"\n"
        "stop_signal = \"{}\"\nstop_timeout = \"10s\"\n",
        (dir_.path() / "app.sh").string(), *backend_binary(), signals_.string(), signal);
    restart_service();
  }
  fs::path signals_ = dir_.path() / "signals";
};

TEST_F(StopSignal, BatonStopSendsTheConfiguredSignal) {
  start_app("USR1");
  auto pids = pids_of(cli({"ls", "--json"}).second);
  ASSERT_EQ(pids.size(), 1u);
  auto [code, out] = cli({"stop", "web"});
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(eventually([&] { return ::kill(*pids.begin(), 0) != 0; }));
  EXPECT_EQ(read_text(signals_), "USR1\n");
}

TEST_F(StopSignal, ADaemonShutdownSendsTheConfiguredSignalToo) {
  start_app("SIGINT");
  auto pids = pids_of(cli({"ls", "--json"}).second);
  ASSERT_EQ(pids.size(), 1u);
  batons_.front()->process().expect_exit();
  EXPECT_EQ(cli({"shutdown", "--stop-apps"}).first, 0);
  ASSERT_EQ(batons_.front()->process().wait(), 0);
  EXPECT_TRUE(eventually([&] { return ::kill(*pids.begin(), 0) != 0; }));
  EXPECT_EQ(read_text(signals_), "INT\n");
}
}  // namespace
}  // namespace baton::itest
