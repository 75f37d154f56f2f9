// The restart policy (autorestart, stop_exit_codes, max_restarts) and the memory limit over the
// whole process group, drained first, on a real supervisor.
#include <fmt/format.h>
#include <signal.h>

#include <fstream>

#include "supervisor/supervisor.hpp"
#include "supervisor/supervisor_fixture.hpp"

namespace baton::supervisor {
using namespace testing;

namespace {
bool stays(InstanceStatus s, InstanceState state) { return s.state == state && s.pid == 0; }

// The drainer's work is recorded when it is called; the wait itself is nothing.
awaitable<void> drained_at_once() { co_return; }
}  // namespace

TEST_F(SupervisorTest, NeverMeansAnExitedInstanceStaysExited) {
  auto s = spec("exit 1");
  s.restart.autorestart = AutoRestart::never;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return stays(instance(0), InstanceState::exited); }));
  auto status = instance(0);
  EXPECT_EQ(status.restarts, 0u);
  EXPECT_EQ(status.exits, 1u);
  EXPECT_EQ(status.last_exit, (ExitStatus{ExitStatus::Kind::exited, 1}));
  EXPECT_NE(status.last_error.find("autorestart = \"never\""), std::string::npos) << status.last_error;
  EXPECT_EQ(started_.size(), 1u);
  EXPECT_EQ(to_string(status.state), "exited");
}

TEST_F(SupervisorTest, OnFailureLeavesACleanExitAloneAndRestartsAFailure) {
  auto clean = spec("exit 0");
  clean.restart.autorestart = AutoRestart::on_failure;
  ASSERT_TRUE(start(clean));
  ASSERT_TRUE(wait_for([&] { return stays(instance(0), InstanceState::exited); }));
  EXPECT_EQ(instance(0).restarts, 0u);
  run(io_, supervisor_->stop("web@v1"));

  auto failing = spec("exec sleep 30");
  failing.restart.autorestart = AutoRestart::on_failure;
  ASSERT_TRUE(start(failing));
  pid_t first = instance(0).pid;
  ::kill(first, SIGKILL);  // a signal is a failure
  ASSERT_TRUE(wait_for([&] { return instance(0).pid != 0 && instance(0).pid != first; }));
  EXPECT_EQ(instance(0).restarts, 1u);
}

TEST_F(SupervisorTest, AStopExitCodeEndsTheInstanceEvenWithAlways) {
  auto s = spec("exit 3");
  s.restart.stop_exit_codes = {3};
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return stays(instance(0), InstanceState::exited); }));
  EXPECT_EQ(instance(0).restarts, 0u);
  EXPECT_NE(instance(0).last_error.find("3 is in stop_exit_codes"), std::string::npos) << instance(0).last_error;
}

TEST_F(SupervisorTest, MoreThanMaxRestartsInTheWindowLeavesTheInstanceErrored) {
  auto s = spec("exit 2");
  s.restart.max_restarts = 3;
  s.restart.restart_window = 60s;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return stays(instance(0), InstanceState::errored); }));
  auto status = instance(0);
  EXPECT_EQ(status.restarts, 3u);
  EXPECT_EQ(status.exits, 4u);
  EXPECT_EQ(started_.size(), 4u);
  EXPECT_NE(status.last_error.find("3 restarts within 1m"), std::string::npos) << status.last_error;
  EXPECT_EQ(to_string(status.state), "errored");
  // A stop still ends it cleanly, and a new start (what restart and deploy do) runs it again.
  run(io_, supervisor_->stop("web@v1"));
  ASSERT_TRUE(start(spec("exec sleep 30")));
  EXPECT_EQ(instance(0).state, InstanceState::starting);
}

TEST_F(SupervisorTest, WithoutAWindowMaxRestartsCountsRestartsInARowAfterShortRunsAsPm2Does) {
  auto s = spec("exit 2");
  s.restart.max_restarts = 2;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return stays(instance(0), InstanceState::errored); }));
  EXPECT_EQ(instance(0).restarts, 2u);
  EXPECT_NE(instance(0).last_error.find("2 restarts in a row after runs shorter than 10s (max_restarts)"),
            std::string::npos)
      << instance(0).last_error;
}

TEST_F(SupervisorTest, TheBackoffStartsAtRestartDelayAndStopsGrowingAtItsMaximum) {
  auto s = spec("exit 3");
  s.backoff.initial = 30ms;
  s.backoff.max = 60ms;
  s.backoff.crash_loop_runs = 10;
  ASSERT_TRUE(start(s));
  std::vector<long> delays;
  ASSERT_TRUE(wait_for([&] {
    auto st = instance(0);
    bool waiting = st.state == InstanceState::backoff || st.state == InstanceState::crash_loop;
    if (waiting && st.restarts + 1 > delays.size()) delays.push_back(st.restart_delay.count());
    return delays.size() >= 4;
  }));
  EXPECT_EQ(delays, (std::vector<long>{30, 60, 60, 60}));
}

TEST_F(SupervisorTest, MemoryOfTheWholeProcessGroupCountsAndAWorkerLeavesServiceBeforeItsStop) {
  // The main process stays small; a child it forks grows past the limit.
  // (The size is computed at run time: a constant "a" x N would be allocated when perl compiles.)
  auto s = spec("perl -e 'if (fork() == 0) { $mib = 48; $x = \"a\" x ($mib * 1024 * 1024); sleep 30; exit } "
                "sleep 30'");
  s.worker = true;  // no port needed: the group and the drain are what is tested
  s.min_uptime = 10ms;
  s.max_memory = 24u << 20;
  s.memory_check_interval = 20ms;
  std::vector<std::uint16_t> drained;
  supervisor_->set_drainer([&](std::uint16_t port, Millis) {
    drained.push_back(port);
    return drained_at_once();
  });
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
  EXPECT_EQ(instance(0).last_exit, (ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
  // A worker has no port: nothing to drain, but it still left service first, marked as restarting.
  EXPECT_TRUE(drained.empty());
  auto down = std::find_if(events_.begin(), events_.end(), [](auto& e) { return e.kind == InstanceEvent::Kind::down; });
  ASSERT_NE(down, events_.end());
  EXPECT_TRUE(down->restarting);
}

TEST_F(SupervisorTest, AReadyWebInstanceOverMemoryIsTakenOutOfServiceThenDrainedThenStopped) {
  // It listens, then grows once the test says so (the file `grow` appears). The size is computed at
  // run time: perl folds a constant "a" x N when it compiles the script.
  auto grow = dir_.path() / "grow";
  auto s = spec(fmt::format("exec perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => \"127.0.0.1\", "
                            "LocalPort => {{port}}, Listen => 5, ReuseAddr => 1) or die; "
                            "until (-e \"{}\") {{ select(undef, undef, undef, 0.02) }} "
                            "$mib = 48; $x = \"a\" x ($mib * 1024 * 1024); sleep 30'",
                            grow.string()));
  s.max_memory = 24u << 20;
  s.memory_check_interval = 20ms;
  std::vector<std::uint16_t> drained;
  bool down_before_drain = false;
  bool alive_while_draining = false;
  supervisor_->set_drainer([&](std::uint16_t port, Millis) {
    drained.push_back(port);
    down_before_drain = !events_.empty() && events_.back().kind == InstanceEvent::Kind::down &&
                        events_.back().restarting && events_.back().port == port;
    alive_while_draining = instance(0).pid != 0;
    return drained_at_once();
  });
  ASSERT_TRUE(start(s));
  auto port = instance(0).port;
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  std::ofstream(grow) << "now";
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained[0], port);
  EXPECT_TRUE(down_before_drain) << "traffic leaves before the drain";
  EXPECT_TRUE(alive_while_draining) << "the stop signal comes after the drain";
}
}  // namespace baton::supervisor
