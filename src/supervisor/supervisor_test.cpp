#include "supervisor/supervisor.hpp"

#include <fmt/format.h>

#include <regex>

#include "supervisor/supervisor_fixture.hpp"

namespace baton::supervisor {
using namespace testing;

TEST_F(SupervisorTest, StartsInstancesWithTheirOwnPortAndEnvironment) {
  ASSERT_TRUE(start(spec(R"(echo "$PORT $BATON_SERVICE $BATON_RELEASE $BATON_INSTANCE"; exec sleep 30)", 2)));
  ASSERT_TRUE(wait_for([&] { return log_contains("web#0@v1 out|") && log_contains("web#1@v1 out|"); }));
  auto first = instance(0), second = instance(1);
  EXPECT_NE(first.port, 0);
  EXPECT_NE(first.port, second.port);
  EXPECT_TRUE(log_contains(fmt::format("web#0@v1 out| {} web v1 0\n", first.port)));
  EXPECT_TRUE(log_contains(fmt::format("web#1@v1 out| {} web v1 1\n", second.port)));
  EXPECT_EQ(first.state, InstanceState::starting);  // nothing listens on its port
  EXPECT_TRUE(alive(first.pid));
  EXPECT_GT(first.rss_bytes, 0u);
  ASSERT_TRUE(first.identity);
  EXPECT_EQ(first.identity->pid, first.pid);
}

TEST_F(SupervisorTest, ReadyOnceThePortAcceptsConnectionsAndDownBeforeAStop) {
  ASSERT_TRUE(start(spec(listener_command())));
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 1; }));
  auto status = instance(0);
  EXPECT_EQ(status.state, InstanceState::running);
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(events_[0].port, status.port);
  EXPECT_EQ(events_[0].pid, status.pid);
  EXPECT_EQ(events_[0].service, "web");
  EXPECT_EQ(events_[0].release, "v1");
  run(io_, supervisor_->stop("web@v1"));
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[1].kind, InstanceEvent::Kind::down);
  EXPECT_FALSE(events_[1].exit);  // announced before the signal, so traffic leaves first
  EXPECT_FALSE(proc_entry_exists(status.pid));
  EXPECT_FALSE(supervisor_->contains("web@v1"));
  EXPECT_TRUE(supervisor_->status().empty());
}

TEST_F(SupervisorTest, MissingBinaryFailsTheStart) {
  auto started = start(spec("no-such-binary-for-baton-tests --port {port}", 2));
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), "cannot run 'no-such-binary-for-baton-tests': No such file or directory");
  EXPECT_FALSE(supervisor_->contains("web@v1"));
}

TEST_F(SupervisorTest, UnwritableLogFileFailsTheStart) {
  auto s = spec("exec sleep 30");
  s.log_file = "/nonexistent-baton-dir/web.log";
  auto started = start(s);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), "cannot open log file /nonexistent-baton-dir/web.log: No such file or directory");
}

TEST_F(SupervisorTest, SecondStartOfTheSameServiceIsAnError) {
  ASSERT_TRUE(start(spec("exec sleep 30")));
  EXPECT_EQ(start(spec("exec sleep 30")).error(), "service 'web@v1' is already running; stop it first");
}

TEST_F(SupervisorTest, StopKillsTheWholeProcessGroup) {
  ASSERT_TRUE(start(spec("sleep 100 & echo $!; sleep 100")));
  std::smatch match;
  std::regex pid_line("out\\| (\\d+)\n");
  std::string text;
  ASSERT_TRUE(wait_for([&] { return std::regex_search(text = read_file(log_path()), match, pid_line); }));
  pid_t grandchild = std::stoi(match[1]);
  pid_t leader = instance(0).pid;
  ASSERT_TRUE(alive(grandchild));
  run(io_, supervisor_->stop("web@v1"));
  EXPECT_FALSE(alive(grandchild));
  EXPECT_FALSE(process_group_alive(leader));
  EXPECT_FALSE(proc_entry_exists(leader));
}

TEST_F(SupervisorTest, LogLinesArePrefixedAndRotationKeepsNFiles) {
  // stdout and stderr are two pipes, read in no set order: "oops" goes out only once the last
  // stdout line is in the log, so no rotation after it can take it away.
  auto s = spec(fmt::format(R"(i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done; )"
                            R"(while ! cat '{0}' '{0}.1' 2>/dev/null | grep -q "line 299"; do sleep 0.01; done; echo oops >&2; exec sleep 30)",
                            log_path().string()));
  s.log_rotation = LogRotation{.max_size = 4096, .keep = 2};
  ASSERT_TRUE(start(s));
  auto all_text = [&] {
    return read_file(rotated_path(log_path(), 2)) + read_file(rotated_path(log_path(), 1)) + read_file(log_path());
  };
  ASSERT_TRUE(wait_for([&] {
    auto text = all_text();
    return text.find("out| line 299\n") != std::string::npos && text.find("err| oops\n") != std::string::npos;
  }));
  run(io_, supervisor_->stop("web@v1"));
  EXPECT_TRUE(std::filesystem::exists(rotated_path(log_path(), 2)));
  EXPECT_FALSE(std::filesystem::exists(rotated_path(log_path(), 3)));
  std::regex line_shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z web#0@v1 (out\| line (\d+)|err\| oops))");
  std::istringstream lines(all_text());
  int previous = -1, count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, line_shape)) << line;
    if (!match[2].matched) continue;
    int number = std::stoi(match[2]);
    if (previous >= 0) {
      EXPECT_EQ(number, previous + 1);  // rotation loses no line in between
    }
    previous = number;
  }
  EXPECT_EQ(previous, 299);
  EXPECT_LT(count, 301);  // the oldest lines went with the oldest file
}

TEST_F(SupervisorTest, ScalesUpAndDownFromTheHighestIndex) {
  ASSERT_TRUE(start(spec("exec sleep 30")));
  pid_t first = instance(0).pid;
  ASSERT_TRUE(run(io_, supervisor_->scale("web@v1", 3)));
  auto status = supervisor_->status();
  ASSERT_EQ(status.size(), 3u);
  EXPECT_NE(status[1].port, status[2].port);
  pid_t second = status[1].pid, third = status[2].pid;
  ASSERT_TRUE(run(io_, supervisor_->scale("web@v1", 1)));
  ASSERT_EQ(supervisor_->status().size(), 1u);
  EXPECT_EQ(instance(0).pid, first);
  EXPECT_FALSE(proc_entry_exists(second));
  EXPECT_FALSE(proc_entry_exists(third));
  EXPECT_FALSE(run(io_, supervisor_->scale("nope", 2)));
}

TEST_F(SupervisorTest, SocketActivationIsReadyAtOnceAndKeepsItsPortAcrossRestarts) {
  auto s = spec("exec sleep 30");
  s.socket_activation = true;
  ASSERT_TRUE(start(s));
  auto before = instance(0);
  EXPECT_TRUE(before.ready);  // connections wait in the socket's backlog
  ::kill(before.pid, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return count(InstanceEvent::Kind::ready) == 2; }));
  auto after = instance(0);
  EXPECT_NE(after.pid, before.pid);
  EXPECT_EQ(after.port, before.port);
  EXPECT_TRUE(open_fds(after.pid).contains(3));
}

TEST_F(SupervisorTest, StopAllStopsEveryService) {
  auto other = spec("exec sleep 30");
  other.release = "v2";
  ASSERT_TRUE(start(spec("exec sleep 30", 2)));
  ASSERT_TRUE(start(other));
  auto status = supervisor_->status();
  ASSERT_EQ(status.size(), 3u);
  run(io_, supervisor_->stop_all());
  EXPECT_TRUE(supervisor_->status().empty());
  for (auto& s : status) {
    EXPECT_FALSE(proc_entry_exists(s.pid));
  }
}
}  // namespace baton::supervisor
