// GET /metrics on the control socket and the admin listener: exact counts for known traffic,
// instances and deploys, the format checked by promtool, and a real Prometheus scraping it.
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "deploy_fixture.hpp"
#include "harness.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;
constexpr std::string_view kMetricsToken = "tok-metrics-2b7e151628aed2a6";

// Every sample of a Prometheus text page by its series as written: `name{labels}` -> value.
std::map<std::string, double> metric_samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

// The body of a whole response read off a connection that closed after it.
std::string response_body_of(const std::string& answer) {
  auto end = answer.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

std::optional<std::string> installed_program(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    auto path = fs::path(dir) / name;
    if (::access(path.c_str(), X_OK) == 0) return path.string();
  }
  return std::nullopt;
}

class Metrics : public ProxyTest {
 protected:
  void TearDown() override {
    // Managed instances outlive a killed daemon by design: each daemon ends gracefully.
    for (auto& baton : batons_) {
      if (baton->process().wait(std::chrono::milliseconds(0))) continue;
      baton->process().signal(SIGTERM);
      baton->process().wait();
    }
    ProxyTest::TearDown();
  }

  // `app` in front of the test backend, `dead` (path /dead/) in front of a port that refuses,
  // and `web`, one managed instance of the backend, on a listener of its own.
  void start_daemon() {
    auto& backend = start_backend("b1");
    backend_address_ = backend.address();
    admin_port_ = free_port();
    auto token = dir_.path() / "token";
    std::ofstream(token) << kMetricsToken << "\n";
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    auto toml = fmt::format(
        "[proxy]\nthreads = 2\n"
        "[control]\nadmin_listen = \"127.0.0.1:{}\"\nadmin_token_file = \"{}\"\n"
        "[services.app]\nlisten = \"127.0.0.1:{}\"\ntargets = [\"{}\"]\n"
        "[services.dead]\nlisten = \"127.0.0.1:{}\"\npath = \"/dead/\"\ntargets = [\"{}\"]\n"
        "[services.web]\nlisten = \"127.0.0.1:0\"\n"
        "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"web\"]\n"
        "instances = 1\nstop_timeout = \"2s\"\n",
        admin_port_, token.string(), port_, backend_address_, port_, dead_.address(), *backend_binary());
    auto& baton = start_baton(toml, 2);
    ASSERT_TRUE(baton.process().wait_for_output(Stream::err, [](std::string_view text) {
      return text.find("event=admin_listening") != std::string_view::npos &&
             text.find("event=instance_ready service=web") != std::string_view::npos;
    }));
  }

  std::string scrape_socket(std::string_view method = "GET") {
    auto answer = ask_unix_socket(dir_.path() / "home" / "baton.sock",
                                  fmt::format("{} /metrics HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n", method));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer.substr(0, 300);
    EXPECT_NE(answer.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << answer.substr(0, 300);
    return response_body_of(answer);
  }

  std::optional<Response> ask_admin(std::string_view method, std::string_view token = kMetricsToken) {
    Client admin(admin_port_);
    admin.send(fmt::format("{} /metrics HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer {}\r\n\r\n", method, token));
    return admin.read_response();
  }

  std::uint16_t port_ = free_port();
  std::uint16_t admin_port_ = 0;
  std::string backend_address_;
  HeldPort dead_;  // bound, never listening: every connect to it is refused
};

TEST_F(Metrics, CountsKnownTrafficExactlyOnTheSocketAndTheAdminListener) {
  start_daemon();
  Client client(port_);
  std::uint64_t body_bytes = 0;
  for (int i = 0; i < 3; ++i) {
    auto ok = client.get("/hello");
    ASSERT_TRUE(ok) << client.last_error();
    EXPECT_EQ(ok->status, 200u);
    body_bytes += ok->body.size();
  }
  for (int i = 0; i < 2; ++i) {
    auto failed = client.get("/status/503");
    ASSERT_TRUE(failed) << client.last_error();
    EXPECT_EQ(failed->status, 503u);
    body_bytes += failed->body.size();
  }
  std::string posted(1000, 'p');
  client.send(fmt::format("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: {}\r\n\r\n{}", posted.size(), posted));
  auto echoed = client.read_response();
  ASSERT_TRUE(echoed) << client.last_error();
  EXPECT_EQ(echoed->status, 200u);
  body_bytes += echoed->body.size();
  Client refused(port_);
  auto unreachable = refused.get("/dead/x");
  ASSERT_TRUE(unreachable) << refused.last_error();
  EXPECT_EQ(unreachable->status, 502u);

  auto socket_text = scrape_socket();
  auto admin = ask_admin("GET");
  ASSERT_TRUE(admin);
  ASSERT_EQ(admin->status, 200u) << admin->body;
  for (const auto& text : {socket_text, admin->body}) {
    auto all = metric_samples(text);
    // Configured targets without a health check, never deployed: routed as they are, with no release.
    auto app = fmt::format("service=\"app\",release=\"\",target=\"{}\"", backend_address_);
    auto dead = fmt::format("service=\"dead\",release=\"\",target=\"{}\"", dead_.address());
    auto value = [&](const std::string& series) {
      auto found = all.find(series);
      EXPECT_NE(found, all.end()) << series << " missing from:\n" << text;
      return found == all.end() ? -1.0 : found->second;
    };
    EXPECT_EQ(value(fmt::format("baton_requests_total{{{},status_class=\"2xx\"}}", app)), 4);
    EXPECT_EQ(value(fmt::format("baton_requests_total{{{},status_class=\"5xx\"}}", app)), 2);
    EXPECT_EQ(value(fmt::format("baton_requests_total{{{},status_class=\"4xx\"}}", app)), 0);
    EXPECT_EQ(value(fmt::format("baton_request_duration_seconds_count{{{}}}", app)), 6);
    EXPECT_EQ(value(fmt::format("baton_request_duration_seconds_bucket{{{},le=\"+Inf\"}}", app)), 6);
    EXPECT_EQ(value(fmt::format("baton_request_body_bytes_total{{{}}}", app)), 1000);
    EXPECT_EQ(value(fmt::format("baton_response_body_bytes_total{{{}}}", app)), static_cast<double>(body_bytes));
    EXPECT_EQ(value(fmt::format("baton_upstream_errors_total{{{},kind=\"refused\"}}", app)), 0);
    EXPECT_EQ(value(fmt::format("baton_requests_total{{{},status_class=\"5xx\"}}", dead)), 1);
    EXPECT_EQ(value(fmt::format("baton_upstream_errors_total{{{},kind=\"refused\"}}", dead)), 1);
    EXPECT_EQ(value(fmt::format("baton_upstream_errors_total{{{},kind=\"reset\"}}", dead)), 0);
    EXPECT_EQ(value("baton_connections_accepted_total"), 2);
    EXPECT_EQ(value("baton_connections_open"), 2);
    EXPECT_EQ(value("baton_websockets_open{" + app + "}"), 0);
    EXPECT_EQ(value("baton_instance_ready{service=\"web\",release=\"r1\",index=\"0\"}"), 1);
    EXPECT_EQ(value("baton_instance_exchanges_open{service=\"web\",release=\"r1\",index=\"0\"}"), 0);
    EXPECT_GT(value("baton_instance_resident_memory_bytes{service=\"web\",release=\"r1\",index=\"0\"}"), 0);
  }
}

TEST_F(Metrics, AnInstanceThatDiesIsCountedAsAnExitAndARestart) {
  start_daemon();
  auto status = nlohmann::json::parse(response_body_of(ask_unix_socket(
      dir_.path() / "home" / "baton.sock", "GET /v1/status HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n")));
  pid_t pid = 0;
  for (const auto& instance : status["instances"])
    if (instance["service"] == "web") pid = instance["pid"].get<pid_t>();
  ASSERT_GT(pid, 0) << status.dump();
  const std::string labels = "{service=\"web\",release=\"r1\",index=\"0\"}";
  auto before = metric_samples(scrape_socket());
  EXPECT_EQ(before["baton_instance_exits_total" + labels], 0);
  EXPECT_EQ(before["baton_instance_restarts_total" + labels], 0);
  ::kill(pid, SIGKILL);
  std::map<std::string, double> after;
  EXPECT_TRUE(eventually([&] {
    after = metric_samples(scrape_socket());
    return after["baton_instance_restarts_total" + labels] >= 1;
  }));
  EXPECT_EQ(after["baton_instance_exits_total" + labels], 1);
  EXPECT_EQ(after["baton_instance_restarts_total" + labels], 1);
}

TEST_F(Metrics, OnlyGetIsAnsweredAndTheAdminListenerWantsItsToken) {
  start_daemon();
  for (auto method : {"POST", "PUT", "DELETE", "HEAD"}) {
    auto answer = ask_unix_socket(dir_.path() / "home" / "baton.sock",
                                  fmt::format("{} /metrics HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n"
                                              "Content-Length: 0\r\n\r\n", method));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << method << ": " << answer.substr(0, 200);
    if (std::string_view(method) != "HEAD")
      EXPECT_NE(answer.find("use GET for /metrics"), std::string::npos) << answer;
  }
  auto posted = ask_admin("POST");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 405u);
  auto wrong = ask_admin("GET", "tok-not-the-right-one");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401u);
  EXPECT_EQ(wrong->body.find("baton_requests_total"), std::string::npos);
}

TEST_F(Metrics, PromtoolAcceptsThePage) {
  auto promtool = installed_program("promtool");
  if (!promtool) GTEST_SKIP() << "promtool is missing (scripts/setup.sh installs the prometheus package)";
  start_daemon();
  Client client(port_);
  ASSERT_TRUE(client.get("/hello"));
  ASSERT_TRUE(client.get("/status/500"));
  Client refused(port_);
  ASSERT_TRUE(refused.get("/dead/"));
  auto page = dir_.path() / "metrics.txt";
  std::ofstream(page) << scrape_socket();
  Process check("promtool", {"/bin/sh", "-c", fmt::format("'{}' check metrics < '{}'", *promtool, page.string())},
                dir_.path());
  auto code = check.wait();
  EXPECT_EQ(code, 0) << check.output(Stream::out) << check.output(Stream::err) << "\n" << read_text(page);
}

TEST_F(Metrics, ARealPrometheusScrapesTheAdminListener) {
  auto prometheus = installed_program("prometheus");
  if (!prometheus) GTEST_SKIP() << "prometheus is missing (scripts/setup.sh installs it)";
  start_daemon();
  Client client(port_);
  ASSERT_TRUE(client.get("/hello"));
  auto web_port = free_port();
  auto config = dir_.path() / "prometheus.yml";
  std::ofstream(config) << fmt::format(
      "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
      "scrape_configs:\n  - job_name: baton\n"
      "    authorization:\n      type: Bearer\n      credentials_file: {}\n"
      "    static_configs:\n      - targets: ['127.0.0.1:{}']\n",
      (dir_.path() / "token").string(), admin_port_);
  Process server("prometheus",
                 {*prometheus, "--config.file=" + config.string(), "--storage.tsdb.path=" + (dir_.path() / "tsdb").string(),
                  fmt::format("--web.listen-address=127.0.0.1:{}", web_port)},
                 dir_.path());
  ASSERT_TRUE(server.wait_for_output(Stream::err, [](std::string_view text) {
    return text.find("Server is ready to receive web requests") != std::string_view::npos;
  }, 60s)) << server.output(Stream::err);
  auto query = [&](std::string_view expression) {
    Client api(web_port);
    auto response = api.get(fmt::format("/api/v1/query?query={}", expression));
    return response ? response->body : std::string();
  };
  std::string up;
  EXPECT_TRUE(eventually([&] {
    up = query("up%7Bjob%3D%22baton%22%7D");
    return up.find("\"1\"]") != std::string::npos;
  }, 60s)) << up;
  std::string requests;
  EXPECT_TRUE(eventually([&] {
    requests = query("baton_requests_total%7Bservice%3D%22app%22%2Cstatus_class%3D%222xx%22%7D");
    return requests.find("\"service\":\"app\"") != std::string::npos && requests.find("\"1\"]") != std::string::npos;
  }, 60s)) << requests;
  server.stop();
}

class DeployMetrics : public Deploys {};

TEST_F(DeployMetrics, DeploysAreCountedByStrategyAndOutcomeWithTheLiveRelease) {
  start_service(1, "blue-green", "2s");
  auto [ok, ok_out] = deploy("v2");
  ASSERT_EQ(ok, 0) << ok_out;
  auto [failed, failed_out] = deploy("v3", {"--strategy", "rolling"}, {"--unhealthy"});
  ASSERT_NE(failed, 0) << failed_out;
  auto answer = ask_unix_socket(fs::path(home_) / "baton.sock",
                                "GET /metrics HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n");
  auto all = metric_samples(response_body_of(answer));
  auto labels = [](std::string_view strategy, std::string_view outcome) {
    return fmt::format("{{service=\"web\",kind=\"deploy\",strategy=\"{}\",outcome=\"{}\"}}", strategy, outcome);
  };
  EXPECT_EQ(all["baton_deploys_total" + labels("blue-green", "succeeded")], 1) << answer;
  EXPECT_EQ(all["baton_deploys_total" + labels("rolling", "failed")], 1) << answer;
  EXPECT_EQ(all["baton_deploy_duration_seconds_count" + labels("rolling", "failed")], 1) << answer;
  EXPECT_EQ(all["baton_live_release{service=\"web\",release=\"r2\",version=\"v2\"}"], 1) << answer;
  auto live_series = std::count_if(all.begin(), all.end(), [](const auto& sample) {
    return sample.first.starts_with("baton_live_release{service=\"web\",");
  });
  EXPECT_EQ(live_series, 1) << answer;
}
}  // namespace
}  // namespace baton::itest
