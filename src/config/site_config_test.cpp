#include <gtest/gtest.h>

#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using testing::expect_error;
using testing::parse_ok;

TEST(SiteConfig, ReadsEveryKey) {
  auto config = parse_ok(R"(
[sites.web]
root = "/srv/web/"
listen = "127.0.0.1:8080"
hosts = ["WWW.example.com"]
path = "/app/"
keep = 3
spa = true
not_found = "errors/404.html"
require_index = false
access_log = true
)");
  ASSERT_EQ(config.sites.size(), 1u);
  const auto& site = config.sites.at("web");
  EXPECT_EQ(site.name, "web");
  EXPECT_EQ(site.root, "/srv/web");
  EXPECT_EQ(site.listen.text(), "127.0.0.1:8080");
  EXPECT_EQ(site.hosts, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(site.path, "/app/");
  EXPECT_EQ(site.keep, 3u);
  EXPECT_TRUE(site.spa);
  EXPECT_EQ(site.not_found, "errors/404.html");
  EXPECT_FALSE(site.require_index);
  EXPECT_TRUE(site.access_log);
  EXPECT_TRUE(config.services.empty());
}

TEST(SiteConfig, Defaults) {
  auto config = parse_ok(R"(
[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
)");
  const auto& site = config.sites.at("web");
  EXPECT_EQ(site.path, "/");
  EXPECT_EQ(site.keep, defaults::kSiteKeep);
  EXPECT_FALSE(site.spa);
  EXPECT_TRUE(site.not_found.empty());
  EXPECT_TRUE(site.require_index);
}

TEST(SiteConfig, SharesAListenerWithAService) {
  auto config = parse_ok(R"(
[services.api]
listen = "127.0.0.1:8080"
path = "/api/"
targets = ["127.0.0.1:9001"]

[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
)");
  EXPECT_EQ(config.services.size(), 1u);
  EXPECT_EQ(config.sites.size(), 1u);
}

TEST(SiteConfigErrors, NamesTheLineAndTheProblem) {
  expect_error(R"(
[sites.web]
listen = "127.0.0.1:8080"
)", 2, "missing key 'root'");
  expect_error(R"(
[sites.web]
root = "srv/web"
listen = "127.0.0.1:8080"
)", 3, "'root' in [sites.web] must be an absolute path");
  expect_error(R"(
[sites.web]
root = "/srv/web"
)", 2, "missing key 'listen'");
  expect_error(R"(
[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
kep = 3
)", 5, "did you mean 'keep'");
  expect_error(R"(
[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
keep = 1
)", 5, "'keep' in [sites.web]");
  expect_error(R"(
[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
not_found = "../secret"
)", 5, "must be a plain relative path");
  expect_error(R"(
[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
spa = "yes"
)", 5, "'spa' in [sites.web]");
  expect_error(R"(
[sites."my site"]
root = "/srv/web"
listen = "127.0.0.1:8080"
)", 2, "site name 'my site' must be");
}

TEST(SiteConfigErrors, RouteTakenByAServiceOrAnotherSite) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]

[sites.web]
root = "/srv/web"
listen = "127.0.0.1:8080"
)", 6, "site 'web' has the same route as service 'api'");
  expect_error(R"(
[sites.a]
root = "/srv/a"
listen = "127.0.0.1:8080"
[sites.b]
root = "/srv/b"
listen = "127.0.0.1:8080"
)", 5, "site 'b' has the same route as site 'a'");
}
}  // namespace
}  // namespace baton
