// Requests reach backends: plain forwarding, balancing, upstream connection reuse.
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <thread>

#include "harness.hpp"

namespace baton::itest {
namespace {
class Routing : public ProxyTest {};

TEST_F(Routing, ForwardsGetAndReturnsTheBackendsAnswer) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.connected()) << client.last_error();
  auto response = client.get("/hello");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->header("X-Baton-Error"), std::nullopt);
  EXPECT_EQ(backend.stats().requests, 1u);
}

TEST_F(Routing, RoundRobinVisitsEveryTargetInTurn) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto& c = start_backend("c");
  auto port = start_baton(app_config({a.address(), b.address(), c.address()})).port();
  std::map<std::string, int> seen;
  Client client(port);
  for (int i = 0; i < 30; ++i) {
    auto response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    ASSERT_EQ(response->status, 200u);
    ++seen[response->body];
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen["a"], 10);
  EXPECT_EQ(seen["b"], 10);
  EXPECT_EQ(seen["c"], 10);
}

// Two requests hang on two backends; least_conn sends everything else to the third.
TEST_F(Routing, LeastConnAvoidsBusyTargets) {
  std::vector<Backend*> backends{&start_backend("a"), &start_backend("b"), &start_backend("c")};
  auto port = start_baton(app_config({backends[0]->address(), backends[1]->address(), backends[2]->address()},
                                     "balance = \"least_conn\"\n"))
                  .port();
  auto busy_count = [&] {
    int busy = 0;
    for (auto* b : backends) busy += b->stats().requests > 0 ? 1 : 0;
    return busy;
  };
  std::vector<Client> hanging;
  for (int i = 1; i <= 2; ++i) {
    auto& client = hanging.emplace_back(port);
    ASSERT_TRUE(client.send(get_request("/hang")));
    ASSERT_TRUE(eventually([&] { return busy_count() == i; })) << "the /hang request never arrived";
  }
  Backend* idle = nullptr;
  for (auto* b : backends)
    if (b->stats().requests == 0) idle = b;
  ASSERT_NE(idle, nullptr);
  Client client(port);
  for (int i = 0; i < 9; ++i) {
    auto response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->body, idle->name());
  }
}

TEST_F(Routing, ReusesPooledUpstreamConnections) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  for (int i = 0; i < 50; ++i) {
    auto response = client.get("/hello");
    ASSERT_TRUE(response) << client.last_error();
    ASSERT_EQ(response->status, 200u);
  }
  auto stats = backend.stats();
  EXPECT_EQ(stats.requests, 50u);
  EXPECT_LE(stats.connections, 2u);
}

TEST_F(Routing, UnknownHostGets404FromBaton) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend, "hosts = [\"app.example\"]\n");
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/hello", "other.example")));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 404u);
  EXPECT_EQ(response->error_code(), "no_route");
  ASSERT_TRUE(client.send(get_request("/hello", "APP.example:8080")));
  response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(backend.stats().requests, 1u);
}
// Two services on one listener: by host first, then by the longest path prefix.
TEST_F(Routing, PicksTheServiceByHostAndPathPrefix) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto& c = start_backend("c");
  auto config = fmt::format(
      "[proxy]\nthreads = 2\n\n"
      "[services.hosted]\nlisten = \"127.0.0.1:0\"\nhosts = [\"a.example\", \"*.wild.example\"]\n"
      "targets = [\"{}\"]\n\n"
      "[services.status]\nlisten = \"127.0.0.1:0\"\npath = \"/status/\"\ntargets = [\"{}\"]\n\n"
      "[services.fallback]\nlisten = \"127.0.0.1:0\"\ntargets = [\"{}\"]\n",
      a.address(), b.address(), c.address());
  auto port = start_baton(config).port();
  auto name_for = [&](std::string_view host, std::string_view path) {
    Client client(port);
    EXPECT_TRUE(client.send(get_request(path, host)));
    auto response = client.read_response();
    EXPECT_TRUE(response) << client.last_error();
    return response ? response->body : std::string("(none)");
  };
  EXPECT_EQ(name_for("a.example", "/name"), "a");
  EXPECT_EQ(name_for("A.EXAMPLE:80", "/name"), "a");
  EXPECT_EQ(name_for("x.wild.example", "/name"), "a");
  EXPECT_EQ(name_for("other.example", "/name"), "c");
  EXPECT_EQ(name_for("other.example", "/status/200"), "status 200\n");
  EXPECT_EQ(b.stats().requests, 1u);
  EXPECT_EQ(name_for("other.example", "/statusx"), "not found\n");
  EXPECT_EQ(b.stats().requests, 1u);
}

TEST_F(Routing, ClientConnectionCloseIsHonoured) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  auto response = client.get("/hello", "Connection: close\r\n");
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_FALSE(response->keep_alive);
  std::uint64_t trailing = 0;
  EXPECT_TRUE(client.wait_closed(kPatience, &trailing));
  EXPECT_EQ(trailing, 0u);
}

TEST_F(Routing, Http10KeepAliveIsHonoured) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "hello");
    EXPECT_TRUE(response->keep_alive);
  }
}

TEST_F(Routing, HalfClosedClientStillGetsItsResponse) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/slow?ms=50")));
  client.shutdown_write();
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "slow");
  EXPECT_TRUE(client.wait_closed());
}

// RFC 9112 section 2.2: a server should ignore an empty line before a request line.
TEST_F(Routing, EmptyLineBeforeRequestIsIgnored) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/hello") + "\r\n" + get_request("/name")));
  auto first = client.read_response();
  ASSERT_TRUE(first) << client.last_error();
  EXPECT_EQ(first->status, 200u);
  auto second = client.read_response();
  ASSERT_TRUE(second) << client.last_error();
  EXPECT_EQ(second->status, 200u);
  EXPECT_EQ(second->body, "backend");
}

// The backend goes away and comes back on the same port: the pooled connection
// to the old process is dead, and no client request may fail because of it.
TEST_F(Routing, RestartedBackendIsReachedAgain) {
  auto& first = start_backend("first");
  auto port = start_proxy_to(first);
  Client client(port);
  auto response = client.get("/name");
  ASSERT_TRUE(response) << client.last_error();
  ASSERT_EQ(response->body, "first");
  auto backend_port = first.port();
  first.process().stop();
  auto& second = *backends_.emplace_back(std::make_unique<Backend>(
      *backend_binary(), "second", dir_, "127.0.0.1:" + std::to_string(backend_port)));
  for (int i = 0; i < 3; ++i) {
    response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u) << response->body;
    EXPECT_EQ(response->body, "second");
  }
  EXPECT_EQ(second.stats().requests, 3u);
}

// Many clients at once, each on a keep-alive connection: every request succeeds.
TEST_F(Routing, ConcurrentClientsAllSucceed) {
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 100;
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()})).port();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      Client client(port);
      for (int i = 0; i < kRequestsEach; ++i) {
        auto body = std::to_string(t) + ":" + std::to_string(i);
        bool ok = client.send(fmt::format("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: {}\r\n\r\n{}",
                                          body.size(), body));
        auto response = ok ? client.read_response() : std::nullopt;
        if (!response || response->status != 200 || response->body != body) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(a.stats().requests + b.stats().requests, std::uint64_t{kClients * kRequestsEach});
}
TEST_F(Routing, UnixSocketTarget) {
  auto socket = (dir_.path() / "backend.sock").string();
  auto& backend = start_backend("unix", {"--unix", socket});
  auto port = start_baton(app_config({"unix:" + socket})).port();
  Client client(port);
  for (int i = 0; i < 3; ++i) {
    auto response = client.get("/name");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "unix");
  }
  auto head = client.get("/headers");
  ASSERT_TRUE(head) << client.last_error();
  EXPECT_NE(head->body.find("X-Forwarded-For: 127.0.0.1\r\n"), std::string::npos) << head->body;
  EXPECT_EQ(backend.stats().requests, 4u);
}

// `OPTIONS *` asks about the server as a whole; it is routed like "/".
TEST_F(Routing, OptionsAsteriskReachesTheRootService) {
  auto& backend = start_backend();
  auto port = start_proxy_to(backend);
  Client client(port);
  ASSERT_TRUE(client.send("OPTIONS * HTTP/1.1\r\nHost: app.example\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(response->header("X-Baton-Error"), std::nullopt);
  EXPECT_EQ(backend.stats().requests, 1u);
}
}  // namespace
}  // namespace baton::itest
