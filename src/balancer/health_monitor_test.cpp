#include "balancer/health_monitor.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "balancer/health_test_support.hpp"

namespace baton::health {
namespace {
using namespace std::chrono_literals;
using testing::TestServer;

struct Transition {
  bool healthy;
  std::string detail;
};

class HealthMonitorTest : public ::testing::Test {
 protected:
  HealthMonitorTest() {
    check_.kind = HealthCheck::Kind::http;
    check_.interval = 10ms;
    check_.startup_interval = 5ms;
    check_.timeout = 1s;
    check_.unhealthy_threshold = 2;
  }
  ~HealthMonitorTest() override {
    if (monitor_) monitor_->stop();
  }

  void start(HealthMonitor::PassiveCounter passive = {}) {
    monitor_ = HealthMonitor::start(
        io_.get_executor(), check_, server_.port(),
        [this](bool healthy, const ProbeResult& last) { transitions_.push_back({healthy, last.detail}); },
        std::move(passive));
  }
  bool wait_for_transitions(std::size_t count) {
    return testing::run_until(io_, [&] { return transitions_.size() >= count; });
  }

  asio::io_context io_;
  TestServer server_{io_};
  HealthCheck check_;
  std::shared_ptr<HealthMonitor> monitor_;
  std::vector<Transition> transitions_;
};

TEST_F(HealthMonitorTest, ReportsHealthyThenUnhealthyAsTheServerFlips) {
  server_.set_reply(TestServer::Reply::unavailable);
  start();
  testing::run_until(io_, [&] { return server_.requests() >= 3; });
  EXPECT_TRUE(transitions_.empty());
  EXPECT_FALSE(monitor_->healthy());
  EXPECT_EQ(monitor_->last().detail, "HTTP 503");

  server_.set_reply(TestServer::Reply::ok);
  ASSERT_TRUE(wait_for_transitions(1));
  EXPECT_TRUE(transitions_[0].healthy);
  EXPECT_EQ(transitions_[0].detail, "HTTP 200");
  EXPECT_TRUE(monitor_->healthy());

  server_.set_reply(TestServer::Reply::unavailable);
  ASSERT_TRUE(wait_for_transitions(2));
  EXPECT_FALSE(transitions_[1].healthy);
  EXPECT_EQ(transitions_[1].detail, "HTTP 503");
  EXPECT_FALSE(monitor_->healthy());
  EXPECT_EQ(transitions_.size(), 2u);
}

TEST_F(HealthMonitorTest, PassiveFailuresTriggerAProbeAtOnce) {
  check_.interval = std::chrono::hours(1);  // only a passive failure can cause a second probe
  check_.unhealthy_threshold = 1;
  std::uint64_t connect_failures = 0;
  start([&] { return connect_failures; });
  ASSERT_TRUE(wait_for_transitions(1));
  ASSERT_TRUE(transitions_[0].healthy);

  server_.set_reply(TestServer::Reply::unavailable);
  connect_failures = 1;
  ASSERT_TRUE(wait_for_transitions(2));
  EXPECT_FALSE(transitions_[1].healthy);
}

TEST_F(HealthMonitorTest, NoCallbackAfterStop) {
  start();
  ASSERT_TRUE(wait_for_transitions(1));
  monitor_->stop();
  monitor_->stop();
  std::weak_ptr<HealthMonitor> weak = monitor_;
  monitor_.reset();
  server_.set_reply(TestServer::Reply::unavailable);
  // The monitor is freed once its coroutine has ended: nothing can call back after that.
  EXPECT_TRUE(testing::run_until(io_, [&] { return weak.expired(); }));
  EXPECT_EQ(transitions_.size(), 1u);
}

TEST_F(HealthMonitorTest, StopBeforeTheFirstProbe) {
  start();
  monitor_->stop();
  std::weak_ptr<HealthMonitor> weak = monitor_;
  monitor_.reset();
  EXPECT_TRUE(testing::run_until(io_, [&] { return weak.expired(); }));
  EXPECT_TRUE(transitions_.empty());
}

TEST_F(HealthMonitorTest, StopFromTheCallback) {
  int calls = 0;
  auto on_change = [&](bool, const ProbeResult&) {
    ++calls;
    monitor_->stop();
  };
  monitor_ = HealthMonitor::start(io_.get_executor(), check_, server_.port(), on_change);
  ASSERT_TRUE(testing::run_until(io_, [&] { return calls == 1; }));
  std::weak_ptr<HealthMonitor> weak = monitor_;
  monitor_.reset();
  server_.set_reply(TestServer::Reply::unavailable);
  EXPECT_TRUE(testing::run_until(io_, [&] { return weak.expired(); }));
  EXPECT_EQ(calls, 1);
}
}  // namespace
}  // namespace baton::health
