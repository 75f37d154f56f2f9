// Listeners opened and closed while the server runs, the way a reloaded config changes them.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "config/loader.hpp"
#include "proxy/loopback_test_util.hpp"
#include "proxy/proxy_server.hpp"

namespace baton::proxy {
namespace {
using namespace testing;

// A loopback port bound and listening for the test's life: nobody else can take it.
class TakenPort {
 public:
  TakenPort() { fd_ = listen_loopback(port_, 8); }
  ~TakenPort() { release(); }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

Address loopback(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }

class Listeners : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = make_config({});
    auto server = ProxyServer::start(config_);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }
  // "app" on an ephemeral port, plus "api" on `api_port` when set.
  Config make_config(std::optional<std::uint16_t> api_port) {
    auto text = fmt::format("[proxy]\nthreads = 2\n[services.app]\nlisten = \"127.0.0.1:0\"\ntargets = [\"{}\"]\n",
                            app_.address());
    if (api_port)
      text += fmt::format("[services.api]\nlisten = \"127.0.0.1:{}\"\ntargets = [\"{}\"]\n", *api_port, api_.address());
    auto config = parse_config(text, "test.toml");
    EXPECT_TRUE(config) << config.error();
    return config.value_or(Config{});
  }
  void publish(const Config& config) { server_->publish(build_route_table(config, server_->registry(), {})); }
  std::string get(std::uint16_t port) {
    int fd = connect_loopback(port);
    if (fd < 0) return "refused";
    send_all(fd, "GET / HTTP/1.1\r\nHost: test\r\n\r\n");
    auto response = body_of(read_response(fd));
    ::close(fd);
    return response;
  }
  // Adds "api" on a port that was free a moment ago; returns the port and the config.
  std::pair<std::uint16_t, Config> grow() {
    TakenPort spare;
    auto port = spare.port();
    spare.release();
    auto grown = make_config(port);
    EXPECT_TRUE(server_->open_listeners({grown.services.at("api").listen}));
    publish(grown);
    return {port, grown};
  }
  std::uint16_t app_port() { return server_->bound_address(config_.services.at("app").listen)->port; }

  FakeUpstream app_{"app"};
  FakeUpstream api_{"api"};
  Config config_;
  std::unique_ptr<ProxyServer> server_;
};

TEST_F(Listeners, AnAddedListenerServesOnceATableRoutesIt) {
  auto [port, grown] = grow();
  EXPECT_EQ(get(port), "api");
  EXPECT_EQ(get(app_port()), "app");
}

TEST_F(Listeners, APortInUseOpensNoneAndChangesNothing) {
  TakenPort spare;
  auto free_port = spare.port();
  spare.release();
  TakenPort taken;
  auto opened = server_->open_listeners({loopback(free_port), loopback(taken.port())});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find(std::to_string(taken.port())), std::string::npos) << opened.error();
  EXPECT_FALSE(server_->bound_address(loopback(free_port)));
  EXPECT_EQ(get(free_port), "refused");  // the one bound before the failure was closed again
  EXPECT_EQ(get(app_port()), "app");
}

TEST_F(Listeners, ARemovedListenerStopsAcceptingAndClosesItsIdleConnections) {
  auto [port, grown] = grow();
  int idle = connect_loopback(port);
  ASSERT_GE(idle, 0);
  send_all(idle, "GET / HTTP/1.1\r\nHost: test\r\n\r\n");
  EXPECT_EQ(body_of(read_response(idle)), "api");
  publish(config_);
  EXPECT_TRUE(closed_by_peer(idle));
  ::close(idle);
  // The workers close their copies of the socket in their own threads, a moment later.
  EXPECT_TRUE(eventually([&] { return get(port) == "refused"; }));
  EXPECT_FALSE(server_->bound_address(grown.services.at("api").listen));
  EXPECT_EQ(get(app_port()), "app");
}

TEST_F(Listeners, TheSameAddressKeepsItsListenerAcrossTables) {
  auto before = app_port();
  publish(make_config({}));
  EXPECT_EQ(app_port(), before);
  EXPECT_EQ(get(before), "app");
}
}  // namespace
}  // namespace baton::proxy
