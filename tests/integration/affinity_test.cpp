// Version affinity, seen from outside. Several releases behind one service
// exist only during a deploy (the control plane publishes them); with the
// configured targets of a service there is one release, and the affinity
// cookie must be neither set nor obeyed. The multi-release cases run in
// process: src/proxy/data_plane_test.cpp.
#include <set>

#include "harness.hpp"

namespace baton::itest {
namespace {
class Affinity : public ProxyTest {};

TEST_F(Affinity, OneReleaseSetsNoCookieAndForwardsTheClientsCookies) {
  auto& a = start_backend("a");
  auto& b = start_backend("b");
  auto port = start_baton(app_config({a.address(), b.address()})).port();
  Client client(port);
  std::set<std::string> names;
  for (int i = 0; i < 4; ++i) {
    auto response = client.get("/name", "Cookie: baton_app=b\r\n");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->count("Set-Cookie"), 0u);
    names.insert(response->body);
  }
  EXPECT_EQ(names.size(), 2u) << "the cookie pinned a release that does not exist";
  auto echoed = client.get("/headers", "Cookie: theme=dark; baton_app=b\r\n");
  ASSERT_TRUE(echoed) << client.last_error();
  EXPECT_NE(echoed->body.find("theme=dark; baton_app=b"), std::string::npos) << echoed->body;
}
}  // namespace
}  // namespace baton::itest
