#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <regex>

#include "supervisor/supervisor.hpp"
#include "supervisor/supervisor_fixture.hpp"

namespace baton::supervisor {
using namespace testing;

TEST_F(SupervisorTest, KilledInstanceIsRestarted) {
  ASSERT_TRUE(start(spec("exec sleep 30")));
  pid_t first = instance(0).pid;
  ::kill(first, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return instance(0).pid != 0 && instance(0).pid != first; }));
  auto status = instance(0);
  EXPECT_EQ(status.restarts, 1u);
  EXPECT_EQ(status.last_exit, (ExitStatus{ExitStatus::Kind::signaled, SIGKILL}));
  EXPECT_EQ(status.exits, 1u);
  EXPECT_FALSE(proc_entry_exists(first));  // reaped, no zombie
}

TEST_F(SupervisorTest, ReadyInstanceThatCrashesGoesDownThenReadyAgain) {
  ASSERT_TRUE(start(spec(listener_command())));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  ::kill(instance(0).pid, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 2; }));
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[1].kind, InstanceEvent::Kind::down);
  EXPECT_EQ(events_[1].exit, (ExitStatus{ExitStatus::Kind::signaled, SIGKILL}));
}

TEST_F(SupervisorTest, EverySpawnIsAnnouncedWithTheIdentityToRecord) {
  ASSERT_TRUE(start(spec(listener_command())));
  ASSERT_EQ(started_.size(), 1u) << "announced before start() returns";
  ASSERT_TRUE(started_[0].identity);
  pid_t first = started_[0].pid;
  EXPECT_EQ(started_[0].identity->pid, first);
  EXPECT_FALSE(started_[0].identity->token.empty());
  EXPECT_GT(started_[0].port, 0);
  ::kill(first, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return started_.size() == 2; }));
  ASSERT_TRUE(started_[1].identity);
  EXPECT_NE(started_[1].pid, first);
  EXPECT_EQ(started_[1].identity->pid, started_[1].pid);
  EXPECT_NE(started_[1].identity->token, started_[0].identity->token);
}

TEST_F(SupervisorTest, WorkersLeftByACrashedLeaderAreStoppedBeforeTheRestart) {
  ASSERT_TRUE(start(spec("sleep 100 & echo $!; exit 1")));
  std::smatch match;
  std::regex pid_line("out\\| (\\d+)\n");
  std::string text;
  ASSERT_TRUE(wait_for([&] { return std::regex_search(text = read_file(log_path()), match, pid_line); }));
  pid_t worker = std::stoi(match[1]);
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
  EXPECT_FALSE(alive(worker));
  EXPECT_EQ(instance(0).last_exit, (ExitStatus{ExitStatus::Kind::exited, 1}));
}

TEST_F(SupervisorTest, CommandThatExitsAtOnceBacksOffAndIsFlaggedAsACrashLoop) {
  ASSERT_TRUE(start(spec("exit 3")));
  std::vector<long> delays;
  ASSERT_TRUE(wait_for([&] {
    auto s = instance(0);
    bool waiting = s.state == InstanceState::backoff || s.state == InstanceState::crash_loop;
    if (waiting && (delays.empty() || delays.back() != s.restart_delay.count()))
      delays.push_back(s.restart_delay.count());
    return s.state == InstanceState::crash_loop;
  }));
  EXPECT_EQ(delays, (std::vector<long>{20, 40, 80, 160}));
  auto status = instance(0);
  EXPECT_EQ(status.restarts, 3u);
  EXPECT_EQ(status.last_exit, (ExitStatus{ExitStatus::Kind::exited, 3}));
  EXPECT_EQ(status.pid, 0);
  EXPECT_EQ(to_string(status.state), "crash_loop");
}

TEST_F(SupervisorTest, StopDuringBackoffEndsTheInstance) {
  auto s = spec("exit 1");
  s.backoff.initial = 60s;
  s.backoff.max = 60s;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return instance(0).state == InstanceState::backoff; }));
  run(io_, supervisor_->stop("web@v1"));
  EXPECT_TRUE(supervisor_->status().empty());
}

TEST_F(SupervisorTest, OverMaxMemoryIsRestarted) {
  auto s = spec("exec perl -e '$x = \"a\" x (48 * 1024 * 1024); sleep 30'");
  s.max_memory = 24u << 20;
  s.memory_check_interval = 20ms;
  ASSERT_TRUE(start(s));
  ASSERT_TRUE(wait_for([&] { return instance(0).restarts >= 1; }));
  EXPECT_EQ(instance(0).last_exit, (ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
}

TEST_F(SupervisorTest, AdoptsTheInstancesOfAPreviousDaemon) {
  auto s = spec("exec sleep 30");
  AdoptedInstance record;
  {
    asio::io_context old_io;
    Supervisor old(old_io.get_executor(), {});
    ASSERT_TRUE(run(old_io, old.start(s)));
    auto status = old.status().at(0);
    record = AdoptedInstance{0, status.port, status.identity.value()};
  }  // the old daemon is gone, its instance is not
  pid_t pid = record.identity.pid;
  ASSERT_TRUE(alive(pid));
  ASSERT_TRUE(start(s, {record}));
  auto status = instance(0);
  EXPECT_EQ(status.pid, pid);
  EXPECT_EQ(status.port, record.port);
  EXPECT_EQ(status.restarts, 0u);
  run(io_, supervisor_->stop("web@v1"));
  EXPECT_FALSE(alive(pid));
  ::waitpid(pid, nullptr, 0);  // this test process is its real parent
}

TEST_F(SupervisorTest, AnAdoptedInstanceKeepsItsOutputAcrossTheDaemonRestart) {
  auto count_file = dir_.path() / "count";
  // The count is renamed into place, so a reader never sees it half-written.
  auto s = spec(fmt::format("i=0; while :; do i=$((i+1)); echo tick $i; echo $i > {0}.new; mv {0}.new {0}; "
                            "sleep 0.01; done",
                            count_file.string()));
  s.output_dir = dir_.path();
  auto written = [&] {
    auto text = read_file(count_file);
    return text.empty() ? 0 : std::stoi(text);
  };
  AdoptedInstance record;
  {
    asio::io_context old_io;
    Supervisor old(old_io.get_executor(), {});
    ASSERT_TRUE(run(old_io, old.start(s)));
    ASSERT_TRUE(run_until(old_io, [&] { return log_contains(" tick 3\n"); }));
    auto status = old.status().at(0);
    record = AdoptedInstance{0, status.port, status.identity.value()};
  }  // the old daemon is gone, and its end of the output pipes with it
  int before = written();
  ASSERT_TRUE(run_until(io_, [&] { return written() >= before + 20; })) << "it writes on with nobody reading";
  int unread = written();
  ASSERT_TRUE(start(s, {record}));
  ASSERT_TRUE(wait_for([&] { return log_contains(fmt::format(" tick {}\n", unread + 5)); }));
  for (int i = before; i <= unread; ++i)
    EXPECT_TRUE(log_contains(fmt::format(" tick {}\n", i))) << "line " << i << " written while no daemon read";
  EXPECT_EQ(instance(0).pid, record.identity.pid) << "adopted, never killed by a broken pipe";
  EXPECT_EQ(instance(0).restarts, 0u);
  run(io_, supervisor_->stop("web@v1"));
  ::waitpid(record.identity.pid, nullptr, 0);  // this test process is its real parent
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "web@v1.0.out")) << "a stopped instance's pipes are removed";
}

TEST_F(SupervisorTest, AStaleRecordStartsAFreshInstance) {
  ProcessIdentity someone_else{::getpid(), read_proc_stat(::getpid()).value().start_time,
                               current_boot_id().value(), new_token()};
  ASSERT_TRUE(start(spec("exec sleep 30"), {AdoptedInstance{0, 1, someone_else}}));
  auto status = instance(0);
  EXPECT_NE(status.pid, ::getpid());
  EXPECT_NE(status.port, 1);
  EXPECT_TRUE(alive(::getpid()));
}

TEST_F(SupervisorTest, RecordsPastTheInstanceCountAreStopped) {
  auto s = spec("exec sleep 30", 2);
  ASSERT_TRUE(start(s));
  auto kept = instance(0), extra = instance(1);
  auto abandoned = std::exchange(supervisor_, std::make_unique<Supervisor>(io_.get_executor(), nullptr));
  abandoned.reset();  // a daemon that died: its instances keep running
  s.instances = 1;
  ASSERT_TRUE(start(s, {AdoptedInstance{0, kept.port, kept.identity.value()},
                        AdoptedInstance{1, extra.port, extra.identity.value()}}));
  EXPECT_FALSE(alive(extra.pid));
  ASSERT_EQ(supervisor_->status().size(), 1u);
  EXPECT_EQ(instance(0).pid, kept.pid);
  run(io_, supervisor_->stop_all());
  ::waitpid(kept.pid, nullptr, 0);  // this test process is their real parent
  ::waitpid(extra.pid, nullptr, 0);
}
}  // namespace baton::supervisor
