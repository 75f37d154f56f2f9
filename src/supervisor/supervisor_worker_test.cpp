// Workers (no port) and the systemd notification protocol: readiness after min_uptime or at
// READY=1, malformed messages ignored, STOPPING=1, the watchdog, and adoption by a new daemon.
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include "supervisor/supervisor.hpp"
#include "supervisor/supervisor_fixture.hpp"

namespace baton::supervisor {
using namespace testing;

namespace {
// Sends each argument as one datagram to $NOTIFY_SOCKET, as sd_notify() does (a leading '@' is
// the abstract namespace).
const std::string kNotify =
    "perl -MSocket -MIO::Socket::UNIX -e '($a = $ENV{NOTIFY_SOCKET}) =~ s/^\\@/\\0/; "
    "$s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $a) or die \"notify: $!\"; "
    "for (@ARGV) { $s->send($_) or die \"send: $!\" }'";

// Prints the variables a worker's readiness depends on, as the app sees them.
const std::string kPrintEnvironment =
    "echo \"env: port=${PORT:-none} socket=${NOTIFY_SOCKET:-none} watchdog=${WATCHDOG_USEC:-none}\"";

void touch(const std::filesystem::path& path) { std::ofstream{path}; }
}  // namespace

class WorkerTest : public SupervisorTest {
 protected:
  ServiceSpec worker(const std::string& command) {
    auto s = spec(command);
    s.worker = true;
    s.output_dir = dir_.path();
    return s;
  }
  ServiceSpec notifying(const std::string& command) {
    auto s = worker(command);
    s.notify = true;
    return s;
  }
  // A shell loop that returns once the test creates `name` in the temp dir.
  std::string wait_for_file(std::string_view name) const {
    return fmt::format("while [ ! -e {} ]; do sleep 0.02; done", (dir_.path() / name).string());
  }
  // Runs the supervisor for a while: what has not happened by then was not asked for.
  void run_a_while() { io_.run_for(300ms); }
};

TEST_F(WorkerTest, AWorkerHasNoPortAndIsReadyAfterMinUptime) {
  auto s = worker(kPrintEnvironment + "; exec sleep 30");
  s.min_uptime = 100ms;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  auto status = instance(0);
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(status.port, 0);
  EXPECT_EQ(started_.at(0).port, 0);
  // No PORT for a worker, and NOTIFY_SOCKET only with notify.
  EXPECT_TRUE(wait_for([&] { return log_contains("out| env: port=none socket=none watchdog=none\n"); }));
}

TEST_F(WorkerTest, AWorkerThatExitsBeforeMinUptimeIsNeverReady) {
  auto s = worker("exit 3");
  s.min_uptime = 1h;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 2; }));
  EXPECT_EQ(count(InstanceEvent::Kind::ready), 0u);
}

TEST_F(WorkerTest, WithNotifyItIsReadyWhenItSendsReadyAndNotBefore) {
  ASSERT_TRUE(start(
      notifying(kPrintEnvironment + "; " + wait_for_file("go") + "; " + kNotify + " READY=1; exec sleep 30")));
  // WATCHDOG_USEC only with a watchdog.
  auto socket = (dir_.path() / "web@v1.0.notify").string();
  EXPECT_TRUE(wait_for([&] { return log_contains("out| env: port=none socket=" + socket + " watchdog=none\n"); }));
  run_a_while();
  EXPECT_EQ(count(InstanceEvent::Kind::ready), 0u) << "ready before READY=1";
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  EXPECT_EQ(instance(0).restarts, 0u);
}

TEST_F(WorkerTest, AnAppWrittenForSystemdWorksUnchanged) {
  if (::system("command -v systemd-notify >/dev/null 2>&1") != 0) GTEST_SKIP() << "no systemd-notify";
  ASSERT_TRUE(start(notifying(wait_for_file("go") + "; systemd-notify --ready --status=started; exec sleep 30")));
  run_a_while();
  EXPECT_EQ(count(InstanceEvent::Kind::ready), 0u);
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  EXPECT_EQ(instance(0).notify_rejected, 0u);
}

TEST_F(WorkerTest, MalformedAndOversizedMessagesAreCountedAndChangeNothing) {
  ASSERT_TRUE(start(notifying(kNotify + " garbage READY=2 \"STATUS=$(perl -e 'print \"x\" x 5000')\" ''; " +
                              kNotify + " READY=1; exec sleep 30")));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  // The same socket delivers in order: READY=1 came after the four bad ones.
  auto status = instance(0);
  EXPECT_EQ(status.notify_rejected, 4u);
  EXPECT_EQ(status.restarts, 0u);
  EXPECT_TRUE(status.ready);
}

TEST_F(WorkerTest, AWorkerThatStopsPingingIsStoppedAndStartedAgain) {
  auto s = notifying(kPrintEnvironment + "; " + kNotify + " READY=1; exec sleep 30");
  s.watchdog = 300ms;
  ASSERT_TRUE(start(s));
  pid_t first = instance(0).pid;
  EXPECT_TRUE(wait_for([&] { return log_contains(" watchdog=300000\n"); }));
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
  EXPECT_EQ(instance(0).last_exit, (ExitStatus{ExitStatus::Kind::signaled, SIGTERM})) << "its stop signal";
  EXPECT_FALSE(alive(first));
}

TEST_F(WorkerTest, AWorkerThatPingsKeepsRunning) {
  auto s = notifying(kNotify + " READY=1; for i in $(seq 40); do " + kNotify +
                     " WATCHDOG=1; sleep 0.05; done; echo pinged; exec sleep 30");
  s.watchdog = 1s;
  ASSERT_TRUE(start(s));
  pid_t first = instance(0).pid;
  ASSERT_TRUE(wait_for([&] { return log_contains("out| pinged"); }));
  EXPECT_EQ(instance(0).restarts, 0u);
  EXPECT_EQ(instance(0).pid, first);
}

TEST_F(WorkerTest, WatchdogTriggerRestartsTheInstance) {
  ASSERT_TRUE(start(notifying(kNotify + " READY=1; " + wait_for_file("go") + "; " + kNotify +
                              " WATCHDOG=trigger; exec sleep 30")));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
}

TEST_F(WorkerTest, StoppingTakesItOutOfServiceBeforeItExits) {
  ASSERT_TRUE(start(notifying(kNotify + " READY=1; " + wait_for_file("go") + "; " + kNotify + " STOPPING=1; " +
                              wait_for_file("exit") + "; exit 0")));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  pid_t pid = instance(0).pid;
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::down) == 1; }));
  EXPECT_FALSE(events_.back().exit) << "down before it exited";
  EXPECT_TRUE(alive(pid));
  EXPECT_EQ(instance(0).state, InstanceState::stopping);
  touch(dir_.path() / "exit");
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
}

TEST_F(WorkerTest, AWebServiceWithNotifyNeedsReadyAsWellAsItsPort) {
  auto s = spec("(" + listener_command() + ") & " + wait_for_file("go") + "; " + kNotify + " READY=1; wait");
  s.notify = true;
  s.output_dir = dir_.path();
  ASSERT_TRUE(start(s));
  run_a_while();
  EXPECT_EQ(count(InstanceEvent::Kind::ready), 0u) << "it listens, but has not sent READY=1";
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  EXPECT_GT(instance(0).port, 0);
}

TEST_F(WorkerTest, AnInstanceRunningAsAnotherUserReachesItsNotifySocket) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root runs instances as another user";
  auto s = notifying(kNotify + " READY=1; exec sleep 30");
  s.user = "nobody";
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  EXPECT_EQ(instance(0).restarts, 0u);
}

TEST_F(WorkerTest, AnAdoptedInstanceStillReachesTheDaemonThroughItsNotifySocket) {
  auto s = notifying(kNotify + " READY=1; " + wait_for_file("go") + "; " + kNotify + " garbage; exec sleep 30");
  AdoptedInstance record;
  {
    asio::io_context old_io;
    Supervisor old(old_io.get_executor(), {});
    ASSERT_TRUE(run(old_io, old.start(s)));
    ASSERT_TRUE(run_until(old_io, [&] { return old.status().at(0).ready; }));
    auto status = old.status().at(0);
    record = AdoptedInstance{0, status.port, status.identity.value()};
  }  // the old daemon is gone, its instance is not
  ASSERT_TRUE(start(s, {record}));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; })) << "its READY=1 was the old daemon's";
  touch(dir_.path() / "go");
  ASSERT_TRUE(wait_for([&] { return instance(0).notify_rejected == 1; }));
  EXPECT_EQ(instance(0).pid, record.identity.pid);
  run(io_, supervisor_->stop("web@v1"));
  ::waitpid(record.identity.pid, nullptr, 0);  // this test process is its real parent
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "web@v1.0.notify")) << "a stopped instance's socket is removed";
}
}  // namespace baton::supervisor
