#include <gtest/gtest.h>

#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using testing::expect_error;
using testing::parse_ok;

constexpr std::string_view kService = R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
)";

std::string with(std::string_view control) { return std::string(control) + std::string(kService); }

TEST(ControlConfig, OffByDefault) {
  auto config = parse_ok(kService);
  EXPECT_FALSE(config.control.admin_listen);
  EXPECT_TRUE(config.control.admin_token_file.empty());
}

TEST(ControlConfig, ReadsTheAdminListener) {
  auto config = parse_ok(with("[control]\nadmin_listen = \"127.0.0.1:9443\"\nadmin_token_file = \"/etc/baton/token\"\n"));
  ASSERT_TRUE(config.control.admin_listen);
  EXPECT_EQ(config.control.admin_listen->text(), "127.0.0.1:9443");
  EXPECT_EQ(config.control.admin_token_file, "/etc/baton/token");
}

TEST(ControlConfig, BothKeysOrNeither) {
  expect_error(with("[control]\nadmin_listen = \"127.0.0.1:9443\"\n"), 2, "needs 'admin_token_file'");
  expect_error(with("[control]\nadmin_token_file = \"/etc/baton/token\"\n"), 2, "only used with 'admin_listen'");
}

TEST(ControlConfig, RefusesBadValues) {
  expect_error(with("[control]\nadmin_listen = \"unix:/run/x.sock\"\nadmin_token_file = \"/t\"\n"), 2,
               "must be a TCP address");
  expect_error(with("[control]\nadmin_listen = \"nowhere\"\nadmin_token_file = \"/t\"\n"), 2, "admin_listen");
  expect_error(with("[control]\nadmin_listen = \"127.0.0.1:9443\"\nadmin_token_file = \"token\"\n"), 3,
               "must be an absolute path");
  expect_error(with("[control]\nadmin_listn = \"127.0.0.1:9443\"\n"), 2, "admin_listen");
  expect_error(with("[control]\nrequest_timeout = \"0s\"\n"), 2, "longer than zero");
  expect_error(with("[control]\nrequest_timeout = 5\n"), 2, "duration");
  expect_error(with("[control]\nmax_connections = 0\n"), 2, "max_connections");
}

TEST(ControlConfig, StallLimitsDefaultAndCanBeSet) {
  auto defaults = parse_ok(with(""));
  EXPECT_EQ(defaults.control.request_timeout, std::chrono::seconds(15));
  EXPECT_EQ(defaults.control.max_connections, 256u);
  auto set = parse_ok(with("[control]\nrequest_timeout = \"2s\"\nmax_connections = 8\n"));
  EXPECT_EQ(set.control.request_timeout, std::chrono::seconds(2));
  EXPECT_EQ(set.control.max_connections, 8u);
}
}  // namespace
}  // namespace baton
