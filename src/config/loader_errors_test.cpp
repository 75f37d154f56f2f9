// Every rejection: the message must name the file and the right line, and say
// what is wrong. Texts start with a newline, so their first line is line 2.
#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace baton {
namespace {
using testing::expect_error;

TEST(ConfigErrors, TomlSyntax) {
  expect_error(R"(
[proxy]
threads = = 2
)", 3, "invalid TOML at column 11: ");
}

TEST(ConfigErrors, NonAsciiOutsideComments) {
  // A no-break space (U+00A0) where TOML wants a space.
  expect_error("\n[proxy]\nthreads\xc2\xa0= 2\n", 3,
               "invalid TOML: non-ASCII character outside a comment");
  expect_error("\n[services.api]\nhosts = [\"b\xc3\xbc" "cher.example\"]\n", 3,
               "invalid TOML: non-ASCII character in a string");
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosestOne) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
tagets = ["127.0.0.1:9001"]
)", 4, "unknown key 'tagets' in [services.api] (did you mean 'targets'?)");
}

TEST(ConfigErrors, UnknownKeyFarFromAnyKnownOne) {
  expect_error(R"(
[proxy]
colour = "blue"
)", 3, "unknown key 'colour' in [proxy]");
  auto error = parse_config("[proxy]\ncolour = 1\n", "test.toml").error();
  EXPECT_EQ(error.find("did you mean"), std::string::npos) << error;
}

TEST(ConfigErrors, FirstUnknownKeyInTheFileIsReported) {
  expect_error(R"(
[proxy]
zzz = 1
aaa = 2
)", 3, "unknown key 'zzz' in [proxy]");
}

TEST(ConfigErrors, UnknownTopLevelTable) {
  expect_error(R"(
[servces.api]
listen = "127.0.0.1:8080"
)", 2, "unknown key 'servces' at the top level (did you mean 'services'?)");
}

TEST(ConfigErrors, UnknownKeyInNestedTables) {
  expect_error(R"(
[proxy.timeouts]
conect = "1s"
)", 3, "unknown key 'conect' in [proxy.timeouts] (did you mean 'connect'?)");
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
[services.api.limits]
max_bdy = "1m"
)", 6, "unknown key 'max_bdy' in [services.api.limits] (did you mean 'max_body'?)");
}

TEST(ConfigErrors, WrongType) {
  expect_error(R"(
[proxy]
threads = "2"
)", 3, "'threads' in [proxy] must be an integer, not a string");
  expect_error(R"(
proxy = 3
)", 2, "'proxy' at the top level must be a table, not an integer");
}

TEST(ConfigErrors, ThreadsOutOfRange) {
  expect_error(R"(
[proxy]
threads = 257
)", 3, "'threads' in [proxy] must be from 0 to 256, not 257");
}

TEST(ConfigErrors, ZeroTimeout) {
  expect_error(R"(
[proxy.timeouts]
connect = "0s"
)", 3, "'connect' in [proxy.timeouts] must be longer than zero");
}

TEST(ConfigErrors, BadDuration) {
  expect_error(R"(
[proxy]
shutdown_timeout = "30 seconds"
)", 3, "'shutdown_timeout' in [proxy] is not a duration");
}

TEST(ConfigErrors, DurationMustHaveAUnit) {
  expect_error(R"(
[proxy]
shutdown_timeout = 30
)", 3, "must be a duration string such as \"30s\"");
}

TEST(ConfigErrors, MaxConnectionsOutOfRange) {
  expect_error(R"(
[proxy]
max_connections = 0
)", 3, "'max_connections' in [proxy] must be from 1 to 10000000");
}

TEST(ConfigErrors, HeaderCountOutOfRange) {
  expect_error(R"(
[proxy.limits]
max_header_count = 0
)", 3, "'max_header_count' in [proxy.limits] must be from 1 to 10000");
  expect_error(R"(
[proxy.limits]
max_header_count = 10001
)", 3, "must be from 1 to 10000, not 10001");
}

TEST(ConfigErrors, RequestLineTooShort) {
  expect_error(R"(
[proxy.limits]
max_request_line = 255
)", 3, "'max_request_line' in [proxy.limits] must be from 256 to");
}

TEST(ConfigErrors, SizeMustNotBeNegativeOrUnknown) {
  expect_error(R"(
[proxy.limits]
max_body = -1
)", 3, "'max_body' in [proxy.limits] must not be negative");
  expect_error(R"(
[proxy.limits]
max_body = "10 parsecs"
)", 3, "'max_body' in [proxy.limits] is not a size");
}

TEST(ConfigErrors, BadLogLevel) {
  expect_error(R"(
log_level = "warning"
)", 2, "'log_level' at the top level must be one of");
}

TEST(ConfigErrors, NoServicesAtAll) {
  expect_error("", 1, "no services");
  expect_error(R"(
[proxy]
threads = 1
[services]
)", 4, "no services");
}

TEST(ConfigErrors, BadServiceName) {
  expect_error(R"(
[services."my api"]
listen = "127.0.0.1:8080"
)", 2, "service name 'my api' must be 1 to 64 letters, digits");
}

TEST(ConfigErrors, ServiceMustBeATable) {
  expect_error(R"(
[services]
api = "127.0.0.1:8080"
)", 3, "'api' in [services] must be a table, not a string");
}

TEST(ConfigErrors, MissingListenPointsAtTheServiceTable) {
  expect_error(R"(
[proxy]
threads = 1

[services.api]
targets = ["127.0.0.1:9001"]
)", 5, "missing key 'listen' in [services.api]");
}

TEST(ConfigErrors, BadListenAddress) {
  expect_error(R"(
[services.api]
listen = "api.internal:8080"
targets = ["127.0.0.1:9001"]
)", 3, "'listen' in [services.api]: 'api.internal:8080' is not an address");
}

TEST(ConfigErrors, UnixListen) {
  expect_error(R"(
[services.api]
listen = "unix:/run/baton.sock"
targets = ["127.0.0.1:9001"]
)", 3, "'listen' in [services.api] must be a TCP address");
}

TEST(ConfigErrors, NeitherTargetsNorCommand) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
)", 2, "missing key 'targets' or 'command' in [services.api]: add targets (the addresses of a "
       "service that runs elsewhere) or command (for Baton to run the service)");
  // Managed-only keys do not make a service managed.
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
instances = 2
)", 2, "missing key 'targets' or 'command' in [services.api]");
}

TEST(ConfigErrors, BothTargetsAndCommandPointsAtTheLaterOne) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
command = "./server"
)", 5, "'command' in [services.api] cannot go with 'targets': a service has either targets "
       "(external) or command (managed), not both");
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
command = "./server"
instances = 2
targets = ["127.0.0.1:9001"]
)", 6, "'targets' in [services.api] cannot go with 'command': a service has either targets "
       "(external) or command (managed), not both");
}

TEST(ConfigErrors, ManagedOnlyKeysNeedACommand) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"instances", "instances = 2"},
      {"cwd", "cwd = \"/srv\""},
      {"env", "env = { A = \"1\" }"},
      {"stop_signal", "stop_signal = \"INT\""},
      {"stop_timeout", "stop_timeout = \"5s\""},
      {"max_memory", "max_memory = \"1g\""},
      {"socket_activation", "socket_activation = false"},
  };
  for (auto [key, line] : cases) {
    SCOPED_TRACE(key);
    auto text = fmt::format("\n[services.api]\nlisten = \"127.0.0.1:8080\"\n"
                            "targets = [\"127.0.0.1:9001\"]\n{}\n", line);
    expect_error(text, 5, fmt::format("'{}' in [services.api] is only for a managed service (one "
                                      "with command), not one with targets", key));
  }
}

TEST(ConfigErrors, FirstManagedOnlyKeyInTheFileIsReported) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
stop_timeout = "5s"
instances = 2
)", 5, "'stop_timeout' in [services.api] is only for a managed service");
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]

[services.api.env]
A = "1"
)", 6, "'env' in [services.api] is only for a managed service");
}

TEST(ConfigErrors, UnknownManagedKeySuggestsTheClosestOne) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
comand = "./server"
)", 4, "unknown key 'comand' in [services.web] (did you mean 'command'?)");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
instance = 2
)", 5, "unknown key 'instance' in [services.web] (did you mean 'instances'?)");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_signl = "INT"
)", 5, "(did you mean 'stop_signal'?)");
}

TEST(ConfigErrors, EmptyCommand) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = ""
)", 4, "'command' in [services.web] is empty; give the command line to run");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "  \t "
)", 4, "'command' in [services.web] is empty");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = []
)", 4, "'command' in [services.web] is empty; list the program and its arguments");
}

TEST(ConfigErrors, CommandWithEmptyProgram) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = [
  "",
  "server.js",
]
)", 5, "'command' in [services.web] starts with an empty program name");
}

TEST(ConfigErrors, CommandMustBeStrings) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = [
  "./server",
  "--port",
  8080,
]
)", 7, "'command' in [services.web] must hold only strings, not an integer");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = 42
)", 4, "'command' in [services.web] must be a string or an array of strings, not an integer");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = { program = "./server" }
)", 4, "'command' in [services.web] must be a string or an array of strings, not a table");
}

TEST(ConfigErrors, CommandWithNul) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = ["./server",
  "a\u0000b"]
)", 5, "'command' in [services.web] must not contain a NUL character");
}

TEST(ConfigErrors, InstancesOutOfRange) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
instances = 0
)", 5, "'instances' in [services.web] must be from 1 to 256, not 0");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
instances = 257
)", 5, "'instances' in [services.web] must be from 1 to 256, not 257");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
instances = "4"
)", 5, "'instances' in [services.web] must be an integer, not a string");
}

TEST(ConfigErrors, CwdMustBeAbsolute) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
cwd = "srv/web"
)", 5, "'cwd' in [services.web] must be an absolute path, not 'srv/web'");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
cwd = ""
)", 5, "'cwd' in [services.web] must be an absolute path, not ''");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
cwd = ["/srv"]
)", 5, "'cwd' in [services.web] must be a string, not an array");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
cwd = "/srv\u0000web"
)", 5, "'cwd' in [services.web] must not contain a NUL character");
}

TEST(ConfigErrors, EnvNames) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
[services.web.env]
GOOD = "1"
"BAD-NAME" = "2"
)", 7, "'env' in [services.web]: 'BAD-NAME' is not a variable name (letters, digits and '_', "
       "not starting with a digit)");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = { 1ST = "x" }
)", 5, "'1ST' is not a variable name");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = { "" = "x" }
)", 5, "'' is not a variable name");
}

TEST(ConfigErrors, EnvReservedNames) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env.NODE_ENV = "production"
env.PORT = "3000"
)", 6, "'env' in [services.web]: 'PORT' is reserved: Baton sets it to each instance's port");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
[services.web.env]
BATON_INSTANCE = "1"
)", 6, "'env' in [services.web]: 'BATON_INSTANCE' is reserved: Baton sets the BATON_* variables "
       "itself");
}

TEST(ConfigErrors, EnvValuesMustBeStrings) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
[services.web.env]
A = "1"
WORKERS = 4
)", 7, "'env' in [services.web]: 'WORKERS' must be a string, not an integer");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = { DEBUG = true }
)", 5, "'DEBUG' must be a string, not a boolean");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = ["A=1"]
)", 5, "'env' in [services.web] must be a table, not an array");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = { A = "x\u0000y" }
)", 5, "'env' in [services.web]: 'A' must not contain a NUL character");
}

TEST(ConfigErrors, UnknownStopSignal) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_signal = "TREM"
)", 5, "'stop_signal' in [services.web] must be one of 'TERM', 'INT', 'QUIT', 'HUP', 'USR1', "
       "'USR2', 'KILL', not 'TREM' (did you mean 'TERM'?)");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_signal = "SIGSTOP"
)", 5, "not 'SIGSTOP'");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_signal = 15
)", 5, "'stop_signal' in [services.web] must be a string, not an integer");
}

TEST(ConfigErrors, BadStopTimeout) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_timeout = "0s"
)", 5, "'stop_timeout' in [services.web] must be longer than zero");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
stop_timeout = 10
)", 5, "'stop_timeout' in [services.web] must be a duration string");
}

TEST(ConfigErrors, BadMaxMemory) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
max_memory = 512
)", 5, "'max_memory' in [services.web] must be at least 1048576 bytes, not 512");
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
max_memory = "lots"
)", 5, "'max_memory' in [services.web] is not a size");
}

TEST(ConfigErrors, SocketActivationMustBeABoolean) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
socket_activation = "yes"
)", 5, "'socket_activation' in [services.web] must be a boolean, not a string");
}

TEST(ConfigErrors, EmptyTargets) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = []
)", 4, "'targets' in [services.api] must list at least one address");
}

TEST(ConfigErrors, BadTargetPointsAtItsOwnLine) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = [
  "127.0.0.1:9001",
  "127.0.0.1:port",
]
)", 6, "'targets' in [services.api]: '127.0.0.1:port' is not an address");
}

TEST(ConfigErrors, TargetsMustBeStrings) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001", 9002]
)", 4, "'targets' in [services.api] must hold only strings, not an integer");
}

TEST(ConfigErrors, TargetWithPortZero) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:0"]
)", 4, "has port 0");
}

TEST(ConfigErrors, DuplicateTargetsAfterNormalising) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = [
  "127.0.0.1:9001",
  "localhost:9001",
]
)", 6, "'targets' in [services.api] lists '127.0.0.1:9001' twice");
}

TEST(ConfigErrors, BadBalanceSuggestsTheClosestPolicy) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
balance = "roundrobin"
)", 5, "not 'roundrobin' (did you mean 'round_robin'?)");
}

TEST(ConfigErrors, RetriesOutOfRange) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
retries = 11
)", 5, "'retries' in [services.api] must be from 0 to 10");
}

TEST(ConfigErrors, PathMustStartWithSlash) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
path = "api/"
targets = ["127.0.0.1:9001"]
)", 4, "'path' in [services.api] must start with '/'");
}

TEST(ConfigErrors, PathMustNotHoldAQuery) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
path = "/api?x=1"
targets = ["127.0.0.1:9001"]
)", 4, "must not contain '?'");
}

TEST(ConfigErrors, HostWithPortOrBadCharacters) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
hosts = ["api.example.com:8080"]
targets = ["127.0.0.1:9001"]
)", 4, "'hosts' in [services.api]: 'api.example.com:8080' has a port");
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
hosts = ["api.*.com"]
targets = ["127.0.0.1:9001"]
)", 4, "'api.*.com' is not a host name");
}

TEST(ConfigErrors, EmptyHostList) {
  expect_error(R"(
[services.api]
listen = "127.0.0.1:8080"
hosts = []
targets = ["127.0.0.1:9001"]
)", 4, "'hosts' in [services.api] is empty; leave it out to match any host");
}

TEST(ConfigErrors, SameRouteInTwoServicesIsAmbiguous) {
  expect_error(R"(
[services.web]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]

[services.api]
listen = "localhost:8080"
path = "/"
targets = ["127.0.0.1:9002"]
)", 6, "service 'api' has the same route as service 'web' (listen 127.0.0.1:8080, host any, path /)");
}

TEST(ConfigErrors, OverlappingHostListsAreAmbiguous) {
  expect_error(R"(
[services.b]
listen = "127.0.0.1:8080"
hosts = ["b.example.com", "shared.example.com"]
targets = ["127.0.0.1:9001"]

[services.a]
listen = "127.0.0.1:8080"
hosts = ["SHARED.example.com"]
targets = ["127.0.0.1:9002"]
)", 7, "service 'a' has the same route as service 'b' (listen 127.0.0.1:8080, host shared.example.com");
}

TEST(ConfigErrors, ControlCharactersStayOnOneLine) {
  expect_error(R"(
[proxy]
"bad\nkey" = 1
)", 3, "unknown key 'bad\\x0akey'");
}
}  // namespace
}  // namespace baton
