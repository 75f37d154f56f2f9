#include "backend_options.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace baton::test_backend {
namespace {
using namespace std::chrono_literals;

std::expected<BackendOptions, std::string> parse(std::vector<const char*> args,
                                                 std::optional<std::string_view> port = std::nullopt) {
  args.insert(args.begin(), "baton-test-backend");
  return parse_backend_options(static_cast<int>(args.size()), args.data(), port);
}

TEST(BackendOptions, ReleaseBehaviourFlags) {
  auto options = parse({"--listen", "127.0.0.1:0", "--unhealthy", "--unhealthy-after", "250", "--startup-delay",
                        "100", "--exit-after", "900", "--exit-immediately", "--name", "v2"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_TRUE(options->unhealthy);
  EXPECT_EQ(options->unhealthy_after, 250ms);
  EXPECT_EQ(options->startup_delay, 100ms);
  EXPECT_EQ(options->exit_after, 900ms);
  EXPECT_TRUE(options->exit_immediately);
  EXPECT_EQ(options->name, "v2");
}

TEST(BackendOptions, DefaultsAreAHealthyLongLivedApp) {
  auto options = parse({"--listen", "127.0.0.1:0"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_FALSE(options->unhealthy);
  EXPECT_FALSE(options->unhealthy_after);
  EXPECT_EQ(options->startup_delay, 0ms);
  EXPECT_FALSE(options->exit_after);
  EXPECT_FALSE(options->exit_immediately);
}

TEST(BackendOptions, ListensOnPortFromTheEnvironmentWithoutListen) {
  auto options = parse({"--name", "web"}, "8123");
  ASSERT_TRUE(options) << options.error();
  ASSERT_TRUE(options->tcp);
  EXPECT_EQ(options->tcp->text(), "127.0.0.1:8123");
  auto explicit_listen = parse({"--listen", "127.0.0.1:9000"}, "8123");
  ASSERT_TRUE(explicit_listen);
  EXPECT_EQ(explicit_listen->tcp->text(), "127.0.0.1:9000") << "--listen wins over PORT";
}

TEST(BackendOptions, RejectsBadInput) {
  EXPECT_FALSE(parse({}));
  EXPECT_FALSE(parse({"--name", "x"}, "http"));
  EXPECT_FALSE(parse({"--name", "x"}, "70000"));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--exit-after", "soon"}));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--startup-delay"}));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--threads", "0"}));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--bogus", "1"}));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--fail-percent", "101"}));
  EXPECT_FALSE(parse({"--listen", "127.0.0.1:0", "--latency", "-1"}));
}

TEST(BackendOptions, ABadReleaseFailsAShareAndSlowsDown) {
  auto options = parse({"--listen", "127.0.0.1:0", "--fail-percent", "5", "--latency", "30", "--misbehave-after",
                        "10000"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->fail_percent, 5u);
  EXPECT_EQ(options->latency, std::chrono::milliseconds(30));
  EXPECT_EQ(options->misbehave_after, std::chrono::milliseconds(10000));
}
}  // namespace
}  // namespace baton::test_backend
