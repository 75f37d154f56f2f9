#include "control/token_store.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "supervisor/test_support.hpp"


namespace baton::control {
namespace {
using boost::beast::http::verb;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TokenStore, MakesFindsListsAndRevokesWithoutKeepingTheSecret) {
  supervisor::testing::TempDir dir;
  auto file = dir.path() / "tokens.json";
  TokenStore store(file);
  auto ci = store.create("ci", Scope::deploy);
  ASSERT_TRUE(ci) << ci.error();
  EXPECT_TRUE(ci->starts_with("bt_"));
  EXPECT_EQ(ci->size(), 3u + 64u);
  auto reader = store.create("grafana.read", Scope::read);
  ASSERT_TRUE(reader) << reader.error();
  EXPECT_NE(*ci, *reader);
  auto found = store.find(*ci);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "ci");
  EXPECT_EQ(found->scope, Scope::deploy);
  EXPECT_EQ(store.find(*reader)->scope, Scope::read);
  EXPECT_FALSE(store.find(ci->substr(0, ci->size() - 1) + "x"));
  EXPECT_FALSE(store.find(""));
  auto text = slurp(file);
  EXPECT_EQ(text.find(*ci), std::string::npos) << "the secret is never stored";
  EXPECT_NE(text.find(sha256_hex(*ci)), std::string::npos);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto listed = TokenStore(file).list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].name, "grafana.read");
  EXPECT_GT((*listed)[0].created_ms, 0);
  ASSERT_TRUE(store.revoke("ci"));
  EXPECT_FALSE(store.find(*ci)) << "a revoked token is refused at once";
  EXPECT_TRUE(store.find(*reader));
  EXPECT_FALSE(store.revoke("ci"));
}

TEST(TokenStore, RefusesBadNamesDuplicatesAndADamagedFile) {
  supervisor::testing::TempDir dir;
  auto file = dir.path() / "tokens.json";
  TokenStore store(file);
  for (const std::string& bad : std::vector<std::string>{"", "has space", "slash/y", std::string(65, 'n'), "admin"})
    EXPECT_FALSE(store.create(bad, Scope::read)) << bad;
  ASSERT_TRUE(store.create("ci", Scope::read));
  auto again = store.create("ci", Scope::admin);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("exists"), std::string::npos);
  std::ofstream(file) << "{not json";
  EXPECT_FALSE(store.list());
  EXPECT_FALSE(store.create("other", Scope::read)) << "a damaged file is not overwritten";
  EXPECT_EQ(slurp(file), "{not json");
}

TEST(TokenScopes, EachRequestNeedsTheLeastScopeThatCoversIt) {
  EXPECT_EQ(required_scope(verb::get, "/v1/status"), Scope::read);
  EXPECT_EQ(required_scope(verb::get, "/v1/logs?service=web&follow=1"), Scope::read);
  EXPECT_EQ(required_scope(verb::get, "/metrics"), Scope::read);
  EXPECT_EQ(required_scope(verb::get, "/v1/services/web/releases"), Scope::read);
  for (auto action : {"deploy", "rollback", "scale", "stop", "start", "restart", "pause", "resume", "promote", "abort",
                      "artifacts"})
    EXPECT_EQ(required_scope(verb::post, std::string("/v1/services/web/") + action), Scope::deploy) << action;
  EXPECT_EQ(required_scope(verb::post, "/v1/sites/docs/releases?version=v2"), Scope::deploy);
  EXPECT_EQ(required_scope(verb::post, "/v1/sites/docs/rollback"), Scope::deploy);
  EXPECT_EQ(required_scope(verb::post, "/v1/apply"), Scope::admin);
  EXPECT_EQ(required_scope(verb::post, "/v1/services"), Scope::admin);
  EXPECT_EQ(required_scope(verb::delete_, "/v1/services/web"), Scope::admin);
  EXPECT_EQ(required_scope(verb::post, "/v1/shutdown"), Scope::admin);
  EXPECT_EQ(required_scope(verb::post, "/v1/logs/flush"), Scope::admin);
  EXPECT_EQ(required_scope(verb::get, "/v1/tokens"), Scope::admin) << "even the list of tokens";
  EXPECT_EQ(required_scope(verb::post, "/v1/services/web/deploy/extra"), Scope::admin);
  EXPECT_EQ(required_scope(verb::post, "/v1/services//deploy"), Scope::admin);
  EXPECT_EQ(parse_scope("deploy"), Scope::deploy);
  EXPECT_FALSE(parse_scope("root"));
}
}  // namespace
}  // namespace baton::control
