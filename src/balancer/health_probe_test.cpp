#include "balancer/health_probe.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "balancer/health_test_support.hpp"

namespace baton::health {
namespace {
using namespace std::chrono_literals;
using testing::TestServer;

HealthCheck http_check(std::string path = "/healthz") {
  HealthCheck check;
  check.kind = HealthCheck::Kind::http;
  check.path = std::move(path);
  return check;
}

ProbeResult probe_once(asio::io_context& io, const HealthCheck& check, std::uint16_t port) {
  std::optional<ProbeResult> result;
  asio::co_spawn(io, probe(check, port), [&](std::exception_ptr error, ProbeResult r) {
    EXPECT_FALSE(error) << "probe() threw";
    result = std::move(r);
  });
  testing::run_until(io, [&] { return result.has_value(); });
  return result.value_or(ProbeResult{false, "never finished"});
}

class HealthProbe : public ::testing::Test {
 protected:
  asio::io_context io_;
  TestServer server_{io_};
};

TEST_F(HealthProbe, HttpOkIsHealthy) {
  auto result = probe_once(io_, http_check(), server_.port());
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.detail, "HTTP 200");
}

TEST_F(HealthProbe, SendsTheConfiguredRequest) {
  auto check = http_check("/status?full=1");
  check.host = "app.internal";
  probe_once(io_, check, server_.port());
  EXPECT_EQ(server_.last_request(),
            "GET /status?full=1 HTTP/1.1\r\nHost: app.internal\r\nUser-Agent: baton-health\r\n"
            "Connection: close\r\n\r\n");
}

TEST_F(HealthProbe, HostDefaultsToLocalhost) {
  probe_once(io_, http_check(), server_.port());
  EXPECT_NE(server_.last_request().find("\r\nHost: localhost\r\n"), std::string::npos);
}

TEST_F(HealthProbe, StatusOutsideTheExpectedRangeFails) {
  server_.set_reply(TestServer::Reply::unavailable);
  auto result = probe_once(io_, http_check(), server_.port());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "HTTP 503");
}

TEST_F(HealthProbe, ExpectedRangeIsConfigurable) {
  server_.set_reply(TestServer::Reply::unavailable);
  auto check = http_check();
  check.expect_min = check.expect_max = 503;
  EXPECT_TRUE(probe_once(io_, check, server_.port()).ok);
  server_.set_reply(TestServer::Reply::ok);
  EXPECT_FALSE(probe_once(io_, check, server_.port()).ok);
}

TEST_F(HealthProbe, GarbageIsABadResponse) {
  server_.set_reply(TestServer::Reply::garbage);
  auto result = probe_once(io_, http_check(), server_.port());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "bad response");
}

TEST_F(HealthProbe, ClosingWithoutAnAnswerFails) {
  server_.set_reply(TestServer::Reply::close);
  auto result = probe_once(io_, http_check(), server_.port());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "connection closed before a response");
}

TEST_F(HealthProbe, SilenceTimesOut) {
  server_.set_reply(TestServer::Reply::silent);
  auto check = http_check();
  check.timeout = 50ms;
  auto result = probe_once(io_, check, server_.port());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail, "timed out after 50 ms");
}

TEST_F(HealthProbe, RefusedConnectionFails) {
  for (auto kind : {HealthCheck::Kind::tcp, HealthCheck::Kind::http}) {
    HealthCheck check;
    check.kind = kind;
    auto result = probe_once(io_, check, testing::closed_port(io_));
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.detail, "connection refused");
  }
}

TEST_F(HealthProbe, TcpNeedsOnlyAConnection) {
  server_.set_reply(TestServer::Reply::silent);
  auto result = probe_once(io_, HealthCheck{}, server_.port());
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(server_.requests(), 0u);
}

TEST_F(HealthProbe, CancellationEndsAProbeEarly) {
  server_.set_reply(TestServer::Reply::silent);
  auto check = http_check();
  check.timeout = std::chrono::hours(1);
  asio::cancellation_signal cancel;
  std::optional<ProbeResult> result;
  asio::co_spawn(io_, probe(check, server_.port()),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, ProbeResult r) {
                   EXPECT_FALSE(e) << "probe() threw";
                   result = std::move(r);
                 }));
  testing::run_until(io_, [&] { return server_.requests() == 1; });
  cancel.emit(asio::cancellation_type::terminal);
  testing::run_until(io_, [&] { return result.has_value(); });
  EXPECT_FALSE(result->ok);
}
}  // namespace
}  // namespace baton::health
