#include "config/loader.hpp"
#include "config/loader_test_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace baton {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view kFullFile = R"(
log_level = "debug"

[proxy]
threads = 2
shutdown_timeout = "45s"
upstream_pool_size = 32
max_connections = 5000
access_log = true

[proxy.timeouts]
header = "5s"
keepalive = "1m"
connect = "250ms"
response = "30s"
body = "20s"
send = "15s"
upstream_idle = "90s"

[proxy.limits]
max_request_line = "4k"
max_header_bytes = 32768
max_header_count = 50
max_body = "10m"

[services.api]
listen = "127.0.0.1:8080"
hosts = ["API.example.com", "*.api.example.com"]
path = "/api/"
targets = ["127.0.0.1:9001", "[::1]:9002", "unix:/run/app.sock"]
balance = "least_conn"
access_log = false
retries = 3

[services.web]
listen = "localhost:8080"
targets = ["127.0.0.1:9100"]
)";

using testing::parse_ok;

// A managed service "web" with one more line.
std::string service_with(std::string_view line) {
  return "[services.web]\nlisten = \"127.0.0.1:8080\"\ncommand = \"./server\"\n" +
         std::string(line) + "\n";
}

TEST(LoadConfig, FullFile) {
  Config config = parse_ok(kFullFile);
  EXPECT_EQ(config.source, "test.toml");
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.proxy.threads, 2u);
  EXPECT_EQ(config.proxy.shutdown_timeout, 45s);
  EXPECT_EQ(config.proxy.upstream_pool_size, 32u);
  EXPECT_EQ(config.proxy.max_connections, 5000u);
  EXPECT_TRUE(config.proxy.access_log);
  EXPECT_EQ(config.proxy.timeouts.header, 5s);
  EXPECT_EQ(config.proxy.timeouts.keepalive, 1min);
  EXPECT_EQ(config.proxy.timeouts.connect, 250ms);
  EXPECT_EQ(config.proxy.timeouts.response, 30s);
  EXPECT_EQ(config.proxy.timeouts.body, 20s);
  EXPECT_EQ(config.proxy.timeouts.send, 15s);
  EXPECT_EQ(config.proxy.timeouts.upstream_idle, 90s);
  EXPECT_EQ(config.proxy.limits.max_request_line, 4096u);
  EXPECT_EQ(config.proxy.limits.max_header_bytes, 32768u);
  EXPECT_EQ(config.proxy.limits.max_header_count, 50u);
  EXPECT_EQ(config.proxy.limits.max_body, 10u << 20);
  ASSERT_EQ(config.services.size(), 2u);

  const ServiceConfig& api = config.services.at("api");
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.listen, parse_address("127.0.0.1:8080").value());
  EXPECT_EQ(api.hosts, (std::vector<std::string>{"api.example.com", "*.api.example.com"}));
  EXPECT_EQ(api.path, "/api/");
  ASSERT_EQ(api.targets.size(), 3u);
  EXPECT_EQ(api.targets[0].text(), "127.0.0.1:9001");
  EXPECT_EQ(api.targets[1].text(), "[::1]:9002");
  EXPECT_EQ(api.targets[2].text(), "unix:/run/app.sock");
  EXPECT_EQ(api.balance, BalancePolicy::least_conn);
  EXPECT_FALSE(api.access_log);
  EXPECT_EQ(api.retries, 3u);
}

TEST(LoadConfig, MinimalServiceGetsDefaults) {
  Config config = parse_ok(R"(
[services.app]
listen = "0.0.0.0:80"
targets = ["127.0.0.1:3000"]
)");
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.proxy.threads, 0u);
  EXPECT_EQ(config.proxy.shutdown_timeout, defaults::kShutdownTimeout);
  EXPECT_EQ(config.proxy.upstream_pool_size, defaults::kUpstreamPoolSize);
  const ServiceConfig& app = config.services.at("app");
  EXPECT_TRUE(app.hosts.empty());
  EXPECT_EQ(app.path, "/");
  EXPECT_EQ(app.balance, BalancePolicy::round_robin);
  EXPECT_FALSE(app.access_log);
  EXPECT_EQ(app.retries, defaults::kRetries);
  EXPECT_EQ(app.timeouts.header, defaults::kHeaderTimeout);
  EXPECT_EQ(app.timeouts.upstream_idle, defaults::kUpstreamIdleTimeout);
  EXPECT_EQ(app.limits.max_request_line, defaults::kMaxRequestLine);
  EXPECT_EQ(app.limits.max_header_count, defaults::kMaxHeaderCount);
  EXPECT_FALSE(app.limits.max_body.has_value());
}

TEST(LoadConfig, ServicesInheritProxySettingsAndOverrideSingleFields) {
  Config config = parse_ok(R"(
[proxy]
access_log = true
[proxy.timeouts]
connect = "2s"
response = "20s"
[proxy.limits]
max_header_count = 40
max_body = "1m"

[services.api]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
[services.api.timeouts]
response = "2m"
[services.api.limits]
max_body = 1024

[services.plain]
listen = "127.0.0.1:8081"
targets = ["127.0.0.1:9002"]
access_log = false
)");
  const ServiceConfig& api = config.services.at("api");
  EXPECT_TRUE(api.access_log);
  EXPECT_EQ(api.timeouts.connect, 2s);     // inherited
  EXPECT_EQ(api.timeouts.response, 2min);  // overridden
  EXPECT_EQ(api.timeouts.header, defaults::kHeaderTimeout);
  EXPECT_EQ(api.limits.max_header_count, 40u);
  EXPECT_EQ(api.limits.max_body, 1024u);
  // The proxy-wide values stay as written.
  EXPECT_EQ(config.proxy.timeouts.response, 20s);
  EXPECT_EQ(config.proxy.limits.max_body, 1u << 20);

  const ServiceConfig& plain = config.services.at("plain");
  EXPECT_FALSE(plain.access_log);
  EXPECT_EQ(plain.timeouts.response, 20s);
  EXPECT_EQ(plain.limits.max_body, 1u << 20);
}

TEST(LoadConfig, ServicesMayShareAListenerWithDifferentRoutes) {
  Config config = parse_ok(R"(
[services.api]
listen = "127.0.0.1:8080"
path = "/api/"
targets = ["127.0.0.1:9001"]
[services.web]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9002"]
[services.admin]
listen = "127.0.0.1:8080"
hosts = ["admin.example.com"]
targets = ["127.0.0.1:9003"]
)");
  EXPECT_EQ(config.services.size(), 3u);
}

TEST(LoadConfig, SizesAcceptPlainIntegers) {
  Config config = parse_ok(R"(
[proxy.limits]
max_request_line = 1000
max_header_bytes = "64KB"
[services.a]
listen = "127.0.0.1:1"
targets = ["127.0.0.1:2"]
)");
  EXPECT_EQ(config.proxy.limits.max_request_line, 1000u);
  EXPECT_EQ(config.proxy.limits.max_header_bytes, 65536u);
}

TEST(LoadConfig, ExternalServiceIsNotManaged) {
  Config config = parse_ok(R"(
[services.app]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:3000"]
)");
  const ServiceConfig& app = config.services.at("app");
  EXPECT_FALSE(app.managed());
  EXPECT_TRUE(app.command.empty());
  EXPECT_FALSE(app.command_is_shell_string);
  EXPECT_EQ(app.instances, 1u);
  EXPECT_TRUE(app.cwd.empty());
  EXPECT_TRUE(app.env.empty());
  EXPECT_FALSE(app.max_memory.has_value());
  EXPECT_FALSE(app.socket_activation);
}

TEST(LoadConfig, ManagedServiceWithEveryKey) {
  Config config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "node server.js --port {port}"
instances = 4
cwd = "/srv/web"
env = { NODE_ENV = "production", LOG = "1" }
stop_signal = "INT"
stop_timeout = "30s"
max_memory = "512m"
socket_activation = true
balance = "least_conn"
retries = 1
)");
  const ServiceConfig& web = config.services.at("web");
  EXPECT_TRUE(web.managed());
  EXPECT_TRUE(web.targets.empty());
  EXPECT_EQ(web.command, std::vector<std::string>{"node server.js --port {port}"});
  EXPECT_TRUE(web.command_is_shell_string);
  EXPECT_EQ(web.instances, 4u);
  EXPECT_EQ(web.cwd, "/srv/web");
  using Env = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(web.env, (Env{{"NODE_ENV", "production"}, {"LOG", "1"}}));
  EXPECT_EQ(web.stop_signal, SIGINT);
  EXPECT_EQ(web.stop_timeout, 30s);
  EXPECT_EQ(web.max_memory, 512u << 20);
  EXPECT_TRUE(web.socket_activation);
  // The routing keys work as for an external service.
  EXPECT_EQ(web.balance, BalancePolicy::least_conn);
  EXPECT_EQ(web.retries, 1u);
}

TEST(LoadConfig, ManagedServiceDefaults) {
  Config config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
)");
  const ServiceConfig& web = config.services.at("web");
  EXPECT_TRUE(web.managed());
  EXPECT_EQ(web.command, std::vector<std::string>{"./server"});
  EXPECT_TRUE(web.command_is_shell_string);
  EXPECT_EQ(web.instances, defaults::kInstances);
  EXPECT_EQ(web.instances, 1u);
  EXPECT_TRUE(web.cwd.empty());
  EXPECT_TRUE(web.env.empty());
  EXPECT_EQ(web.stop_signal, SIGTERM);
  EXPECT_EQ(web.stop_timeout, 10s);
  EXPECT_FALSE(web.max_memory.has_value());
  EXPECT_FALSE(web.socket_activation);
}

TEST(LoadConfig, CommandArrayIsArgv) {
  Config config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = [
  "/usr/bin/python3",
  "-m", "http.server",
  "{port}",
  "",
]
)");
  const ServiceConfig& web = config.services.at("web");
  EXPECT_EQ(web.command,
            (std::vector<std::string>{"/usr/bin/python3", "-m", "http.server", "{port}", ""}));
  EXPECT_FALSE(web.command_is_shell_string);
  EXPECT_TRUE(web.managed());
}

TEST(LoadConfig, OneElementCommandArrayIsStillArgv) {
  Config config = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = ["/opt/my app/server"]
)");
  const ServiceConfig& web = config.services.at("web");
  EXPECT_EQ(web.command, std::vector<std::string>{"/opt/my app/server"});
  EXPECT_FALSE(web.command_is_shell_string);
}

TEST(LoadConfig, EnvKeepsFileOrder) {
  using Env = std::vector<std::pair<std::string, std::string>>;
  Config inline_env = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = { ZETA = "z", alpha = "a", _Mid_1 = "", B = "x = y; \"quoted\"" }
)");
  EXPECT_EQ(inline_env.services.at("web").env,
            (Env{{"ZETA", "z"}, {"alpha", "a"}, {"_Mid_1", ""}, {"B", "x = y; \"quoted\""}}));

  Config table_env = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"

[services.web.env]
ZETA = "z"
DATABASE_URL = "postgres://localhost/web"
A = "a"
)");
  EXPECT_EQ(table_env.services.at("web").env,
            (Env{{"ZETA", "z"}, {"DATABASE_URL", "postgres://localhost/web"}, {"A", "a"}}));

  Config empty_env = parse_ok(R"(
[services.web]
listen = "127.0.0.1:8080"
command = "./server"
env = {}
)");
  EXPECT_TRUE(empty_env.services.at("web").env.empty());
}

TEST(LoadConfig, StopSignalNames) {
  const std::pair<std::string_view, int> cases[] = {
      {"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"HUP", SIGHUP},
      {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"KILL", SIGKILL}};
  for (auto [name, number] : cases) {
    for (std::string text : {std::string(name), "SIG" + std::string(name)}) {
      Config config = parse_ok(service_with("stop_signal = \"" + text + "\""));
      EXPECT_EQ(config.services.at("web").stop_signal, number) << text;
    }
  }
}

TEST(LoadConfig, InstancesAndMemoryBounds) {
  EXPECT_EQ(parse_ok(service_with("instances = 1")).services.at("web").instances, 1u);
  EXPECT_EQ(parse_ok(service_with("instances = 256")).services.at("web").instances, 256u);
  EXPECT_EQ(parse_ok(service_with("max_memory = 1048576")).services.at("web").max_memory,
            1u << 20);
  EXPECT_EQ(parse_ok(service_with("max_memory = \"2g\"")).services.at("web").max_memory,
            2ull << 30);
  EXPECT_EQ(parse_ok(service_with("stop_timeout = \"250ms\"")).services.at("web").stop_timeout,
            250ms);
  EXPECT_FALSE(parse_ok(service_with("socket_activation = false"))
                   .services.at("web")
                   .socket_activation);
}

TEST(LoadConfig, ManagedAndExternalServicesSideBySide) {
  Config config = parse_ok(R"(
[services.api]
listen = "127.0.0.1:8080"
path = "/api/"
targets = ["127.0.0.1:9001"]

[services.web]
listen = "127.0.0.1:8080"
command = ["./web", "--port", "{port}"]
instances = 2
)");
  EXPECT_FALSE(config.services.at("api").managed());
  EXPECT_TRUE(config.services.at("web").managed());
  EXPECT_EQ(config.services.at("web").instances, 2u);
}

class ConfigFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(std::string_view text) {
    std::filesystem::create_directories(dir_);
    auto path = (dir_ / "baton.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("baton-config-test-" + std::to_string(getpid()));
};

TEST_F(ConfigFile, LoadsFromDiskAndNamesTheFileInErrors) {
  auto path = write(kFullFile);
  auto config = load_config_file(path);
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->source, path);

  write("[proxy]\nthreads = -1\n");
  auto broken = load_config_file(path);
  ASSERT_FALSE(broken.has_value());
  EXPECT_TRUE(broken.error().starts_with(path + ":2: ")) << broken.error();
}

TEST_F(ConfigFile, MissingFileIsOneLine) {
  auto config = load_config_file((dir_ / "nope.toml").string());
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().find("nope.toml: cannot read: No such file"), std::string::npos)
      << config.error();
}

TEST_F(ConfigFile, DirectoryIsRejected) {
  std::filesystem::create_directories(dir_);
  auto config = load_config_file(dir_.string());
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().find("is a directory"), std::string::npos) << config.error();
}
}  // namespace
}  // namespace baton
