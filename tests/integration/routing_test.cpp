// Requests reach backends: plain forwarding, balancing, upstream connection reuse.
#include <map>

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
}  // namespace
}  // namespace baton::itest
