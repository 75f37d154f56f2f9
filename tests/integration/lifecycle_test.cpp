// The daemon's life: startup errors, the access log, graceful shutdown.
#include <signal.h>

#include "harness.hpp"

namespace baton::itest {
namespace {
bool accepts_connections(std::uint16_t port) { return Client(port).connected(); }

class Startup : public IntegrationTest {};

TEST_F(Startup, InvalidConfigExits2WithFileAndLine) {
  auto& baton = launch_baton("[proxy]\nthreads = \"many\"\n\n[services.app]\nlisten = \"127.0.0.1:0\"\n"
                             "targets = [\"127.0.0.1:1\"]\n");
  EXPECT_EQ(baton.process().wait(), 2);
  auto err = baton.process().output(Stream::err);
  EXPECT_NE(err.find(baton.config_path() + ":2:"), std::string::npos) << err;
}

TEST_F(Startup, UnknownKeyExits2WithFileAndLine) {
  auto& baton = launch_baton("[services.app]\nlisten = \"127.0.0.1:0\"\ntargets = [\"127.0.0.1:1\"]\n"
                             "retry = 3\n");
  EXPECT_EQ(baton.process().wait(), 2);
  auto err = baton.process().output(Stream::err);
  EXPECT_NE(err.find(baton.config_path() + ":4:"), std::string::npos) << err;
  EXPECT_NE(err.find("retry"), std::string::npos) << err;
}

TEST_F(Startup, BrokenTomlExits2WithFileAndLine) {
  auto& baton = launch_baton("[services.app]\nlisten = \"127.0.0.1:0\"\ntargets = [\"127.0.0.1:1\"\n");
  EXPECT_EQ(baton.process().wait(), 2);
  auto err = baton.process().output(Stream::err);
  EXPECT_NE(err.find(baton.config_path() + ":"), std::string::npos) << err;
}

TEST_F(Startup, PortInUseExitsNonZeroNamingTheAddress) {
  HeldPort taken;
  taken.listen(16);
  AppConfig config;
  config.targets = {"127.0.0.1:1"};
  config.listen = taken.address();
  auto& baton = launch_baton(config.text());
  auto code = baton.process().wait();
  ASSERT_TRUE(code.has_value()) << "baton kept running on a taken port";
  EXPECT_NE(*code, 0);
  EXPECT_NE(*code, 2) << "a taken port is not a config error";
  auto err = baton.process().output(Stream::err);
  EXPECT_NE(err.find(taken.address()), std::string::npos) << err;
}

class Lifecycle : public ProxyTest {};

TEST_F(Lifecycle, AccessLogLineNamesMethodPathAndStatus) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}, "access_log = true\n"));
  Client client(baton.port());
  auto response = client.get("/status/201?q=1");
  ASSERT_TRUE(response) << client.last_error();
  ASSERT_EQ(response->status, 201u);
  auto access = dir_.path() / "home" / "logs" / "access.log";
  bool logged = eventually([&] {
    auto text = read_text(access);
    return text.find("method=GET") != std::string::npos && text.find("/status/201") != std::string::npos &&
           text.find("status=201") != std::string::npos && text.find("request_id=") != std::string::npos;
  });
  EXPECT_TRUE(logged) << "access.log:\n" << read_text(access);
  EXPECT_EQ(baton.process().output(Stream::err).find("/status/201"), std::string::npos)
      << "access log lines belong in their own file";
  EXPECT_EQ(baton.process().output(Stream::out).find("/status/201"), std::string::npos)
      << "access log lines belong in their own file";
}

TEST_F(Lifecycle, AccessLogRecordsProxyErrors) {
  HeldPort dead;
  auto& baton = start_baton(app_config({dead.address()}, "access_log = true\n"));
  Client client(baton.port());
  auto response = client.get("/missing");
  ASSERT_TRUE(response) << client.last_error();
  ASSERT_EQ(response->status, 502u);
  auto access = dir_.path() / "home" / "logs" / "access.log";
  bool logged = eventually([&] {
    auto text = read_text(access);
    return text.find("/missing") != std::string::npos && text.find("status=502") != std::string::npos;
  });
  EXPECT_TRUE(logged) << "access.log:\n" << read_text(access);
}

TEST_F(Lifecycle, NoAccessLogUnlessEnabled) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}));
  Client client(baton.port());
  ASSERT_TRUE(client.get("/hello"));
  baton.process().stop();
  EXPECT_EQ(baton.process().output(Stream::out), "");
}

TEST_F(Lifecycle, SigtermFinishesInFlightRequestsAndExitsZero) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}));
  auto port = baton.port();
  Client slow(port);
  ASSERT_TRUE(slow.send(get_request("/slow?ms=1500")));
  ASSERT_TRUE(eventually([&] { return backend.stats().requests == 1; }));
  baton.process().signal(SIGTERM);
  EXPECT_TRUE(eventually([&] { return !accepts_connections(port); })) << "still accepting after SIGTERM";
  auto response = slow.read_response();
  ASSERT_TRUE(response) << slow.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "slow");
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_EQ(baton.process().wait(), 0);
  EXPECT_NE(baton.process().output(Stream::err).find("event=stopped connections_cut=0"), std::string::npos);
}

// A response written after the drain began should tell the client not to send
// another request on the connection, which is about to close.
TEST_F(Lifecycle, ResponseFinishedDuringShutdownSaysConnectionClose) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}));
  Client slow(baton.port());
  ASSERT_TRUE(slow.send(get_request("/slow?ms=1000")));
  ASSERT_TRUE(eventually([&] { return backend.stats().requests == 1; }));
  baton.process().signal(SIGTERM);
  ASSERT_TRUE(baton.process().wait_for_output(Stream::err, [](std::string_view err) {
    return err.find("event=shutdown") != std::string_view::npos;
  }));
  auto response = slow.read_response();
  ASSERT_TRUE(response) << slow.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(baton.process().wait(), 0);
  EXPECT_FALSE(response->keep_alive);
}

TEST_F(Lifecycle, SigtermClosesIdleKeepAliveConnections) {
  auto& backend = start_backend();
  auto& baton = start_baton(app_config({backend.address()}));
  Client idle(baton.port());
  auto response = idle.get("/hello");
  ASSERT_TRUE(response) << idle.last_error();
  ASSERT_TRUE(response->keep_alive);
  baton.process().signal(SIGTERM);
  std::uint64_t received = 0;
  EXPECT_TRUE(idle.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u);
  EXPECT_EQ(baton.process().wait(), 0);
}

TEST_F(Lifecycle, SigtermCutsRequestsPastTheShutdownTimeout) {
  auto& backend = start_backend();
  AppConfig config;
  config.targets = {backend.address()};
  config.proxy_keys = "shutdown_timeout = \"300ms\"\n";
  auto& baton = start_baton(config.text());
  Client stuck(baton.port());
  ASSERT_TRUE(stuck.send(get_request("/hang")));
  ASSERT_TRUE(eventually([&] { return backend.stats().requests == 1; }));
  baton.process().signal(SIGTERM);
  EXPECT_EQ(baton.process().wait(), 0);
  EXPECT_TRUE(stuck.wait_closed());
  EXPECT_NE(baton.process().output(Stream::err).find("event=stopped connections_cut=1"), std::string::npos);
}
TEST_F(Lifecycle, ListensOnTheConfiguredPort) {
  auto& backend = start_backend();
  auto port = free_port();
  AppConfig config;
  config.targets = {backend.address()};
  config.listen = "127.0.0.1:" + std::to_string(port);
  auto& baton = start_baton(config.text());
  EXPECT_EQ(baton.port(), port);
  Client client(port);
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
}
}  // namespace
}  // namespace baton::itest
