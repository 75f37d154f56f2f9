#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "config/loader_test_support.hpp"

namespace baton {
namespace {
using testing::expect_error;
using testing::parse_ok;

std::string managed_with(std::string_view lines) {
  return fmt::format("[services.web]\nlisten = \"127.0.0.1:8080\"\ncommand = \"./server\"\n{}\n", lines);
}

std::string own_user_name() {
  passwd* entry = ::getpwuid(::geteuid());
  return entry ? entry->pw_name : std::to_string(::geteuid());
}
}  // namespace

TEST(UserLimitsConfig, NothingSetMeansTheDaemonsUserAndNoLimits) {
  auto config = parse_ok(managed_with(""));
  const auto& web = config.services.at("web");
  EXPECT_EQ(web.user, "");
  EXPECT_EQ(web.group, "");
  EXPECT_FALSE(web.memory_max);
  EXPECT_FALSE(web.cpu_max);
}

TEST(UserLimitsConfig, ReadsSizesWithUnitsAndCpuAsPercentOrCores) {
  auto config = parse_ok(managed_with("memory_max = \"512MiB\"\ncpu_max = \"50%\""));
  EXPECT_EQ(config.services.at("web").memory_max, 512ull << 20);
  EXPECT_EQ(config.services.at("web").cpu_max, 500u);
  EXPECT_EQ(parse_ok(managed_with("cpu_max = \"1.5\"")).services.at("web").cpu_max, 1500u);
  EXPECT_EQ(parse_ok(managed_with("cpu_max = 1.5")).services.at("web").cpu_max, 1500u);
  EXPECT_EQ(parse_ok(managed_with("cpu_max = 2")).services.at("web").cpu_max, 2000u);
  EXPECT_EQ(parse_ok(managed_with("memory_max = 1073741824")).services.at("web").memory_max, 1ull << 30);
}

TEST(UserLimitsConfig, BadLimitsNameTheField) {
  expect_error(managed_with("memory_max = \"lots\""), 4, "'memory_max' in [services.web] is not a size");
  expect_error(managed_with("memory_max = 4096"), 4, "'memory_max' in [services.web] must be at least 1048576 bytes");
  expect_error(managed_with("cpu_max = \"half\""), 4, "'cpu_max' in [services.web]: 'half' is not a CPU amount");
  expect_error(managed_with("cpu_max = \"0.5%\""), 4, "'cpu_max' in [services.web] must be from 1% (0.01 cores)");
  expect_error(managed_with("cpu_max = 0"), 4, "'cpu_max' in [services.web] must be from 1%");
  expect_error(managed_with("cpu_max = 1.2345"), 4, "'cpu_max' in [services.web] must be a number of cores with at most three decimals");
  expect_error(managed_with("cpu_max = -1"), 4, "'cpu_max' in [services.web] must be a number of cores");
  expect_error(managed_with("cpu_max = true"), 4, "'cpu_max' in [services.web] must be a share such as \"50%\"");
  expect_error(managed_with("cpu_max = \"2000\""), 4, "'cpu_max' in [services.web] must be from 1% (0.01 cores) to 1024 cores");
}

TEST(UserLimitsConfig, UnknownUserOrGroupIsRefusedNamingTheField) {
  expect_error(managed_with("user = \"no-such-user-baton-test\""), 4,
               "'user' in [services.web]: no user 'no-such-user-baton-test' on this machine");
  expect_error(managed_with("group = \"no-such-group-baton-test\""), 4,
               "'group' in [services.web]: no group 'no-such-group-baton-test' on this machine");
  expect_error(managed_with("user = \"\""), 4, "'user' in [services.web] must be a user or group name");
  expect_error(managed_with("user = 7"), 4, "'user' in [services.web] must be a string");
}

TEST(UserLimitsConfig, TheDaemonsOwnUserIsAlwaysAccepted) {
  auto config = parse_ok(managed_with(fmt::format("user = \"{}\"", own_user_name())));
  EXPECT_EQ(config.services.at("web").user, own_user_name());
}

TEST(UserLimitsConfig, AnotherUserNeedsRoot) {
  auto text = managed_with("user = \"root\"");
  if (::geteuid() == 0) {
    EXPECT_EQ(parse_ok(managed_with("user = \"nobody\"\ngroup = \"root\"")).services.at("web").user, "nobody");
    GTEST_SKIP() << "running as root: the refusal is covered by UsersAndLimits.ANonRootDaemonRefusesAnotherUser";
  }
  expect_error(text, 4, "'user' in [services.web] is 'root', but only a daemon running as root");
}

TEST(UserLimitsConfig, OnlyForManagedServices) {
  for (std::string_view line : {"user = \"root\"", "group = \"root\"", "memory_max = \"1g\"", "cpu_max = \"50%\""}) {
    SCOPED_TRACE(line);
    expect_error(fmt::format("[services.api]\nlisten = \"127.0.0.1:8080\"\ntargets = [\"127.0.0.1:9001\"]\n{}\n", line),
                 4, "is only for a managed service");
  }
}
}  // namespace baton
