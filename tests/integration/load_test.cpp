// baton-load, the project's load driver, against real backends: it counts
// every request, names the versions that answered, and classifies failures.
#include <signal.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace baton::itest {
namespace {
class LoadDriver : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (!load_binary()) GTEST_SKIP() << "built without baton-load";
  }

  Process& start_load(std::uint16_t port, std::string_view path, std::vector<std::string> more_args) {
    std::vector<std::string> argv{*load_binary(), "--url", "http://127.0.0.1:" + std::to_string(port) + std::string(path),
                                  "--json"};
    argv.insert(argv.end(), more_args.begin(), more_args.end());
    auto name = "load-" + std::to_string(loads_.size());
    return *loads_.emplace_back(std::make_unique<Process>(name, argv, dir_.path()));
  }

  // The summary once the run ended, with its exit code checked.
  static nlohmann::json finished_summary(Process& load, int expected_code) {
    auto code = load.wait();
    EXPECT_EQ(code, expected_code) << load.output(Stream::err);
    return nlohmann::json::parse(load.output(Stream::out));
  }

  std::vector<std::unique_ptr<Process>> loads_;
};

TEST_F(LoadDriver, CountsEveryRequestAndTheVersionThroughBaton) {
  auto& backend = start_backend("v1");
  auto port = start_proxy_to(backend);
  auto summary = finished_summary(start_load(port, "/hello", {"--connections", "4", "--duration", "1"}), 0);
  EXPECT_GT(summary["requests"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_EQ(summary["failed"], 0) << summary;
  EXPECT_EQ(summary["ok"], summary["requests"]) << summary;
  EXPECT_EQ(summary["versions"]["v1"], summary["requests"]) << summary;
  EXPECT_EQ(summary["version_regressions"], 0) << summary;
}

TEST_F(LoadDriver, ReconnectsAfterACleanCloseWithoutCountingAFailure) {
  auto& backend = start_backend("v1");
  auto summary = finished_summary(start_load(backend.port(), "/close", {"--duration", "0.5"}), 0);
  EXPECT_GT(summary["requests"].get<std::uint64_t>(), 1u) << summary;
  EXPECT_EQ(summary["failed"], 0) << summary;
}

TEST_F(LoadDriver, CountsNon2xxByStatus) {
  auto& backend = start_backend("v1");
  auto summary = finished_summary(start_load(backend.port(), "/status/503", {"--duration", "0.3"}), 1);
  EXPECT_EQ(summary["statuses"]["503"], summary["requests"]) << summary;
  EXPECT_EQ(summary["failed"], summary["requests"]) << summary;
}

TEST_F(LoadDriver, NothingListeningIsConnectRefused) {
  HeldPort nobody;  // bound, never listening: every connect is refused
  auto summary = finished_summary(start_load(nobody.port(), "/", {"--duration", "0.3"}), 1);
  EXPECT_GT(summary["failed"].get<std::uint64_t>(), 0u) << summary;
  EXPECT_EQ(summary["errors"]["connect_refused"], summary["failed"]) << summary;
}

TEST_F(LoadDriver, BackendKilledMidRequestIsEofMidResponse) {
  auto& backend = start_backend("v1");
  auto& load = start_load(backend.port(), "/hang", {"--connections", "2"});
  ASSERT_TRUE(eventually([&] { return backend.stats().requests >= 2; })) << "the requests never arrived";
  backend.process().signal(SIGKILL);
  backend.process().wait();
  load.signal(SIGINT);
  auto summary = finished_summary(load, 1);
  // The two requests in flight were cut; later attempts find nothing listening.
  EXPECT_EQ(summary["errors"]["eof_mid_response"], 2) << summary;
  EXPECT_EQ(summary["ok"], 0) << summary;
  EXPECT_EQ(summary["failed"], summary["requests"]) << summary;
}
}  // namespace
}  // namespace baton::itest
