// `baton apply` removing a service drains it before it stops: a deploy, rollback, scale or pause
// of that service arriving during the drain is refused with a clear error, and the removal ends
// cleanly (a run started then would hold the service while it is erased).
#include <fmt/format.h>

#include <fstream>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
class ApplyRace : public Deploys {
 protected:
  // `web` on "/" and `keep` on "/keep/", sharing one listener so it stays open when web leaves.
  std::string service_toml(const std::string& name, const std::string& path, std::string_view extra = "",
                           std::string_view args = "") {
    return fmt::format("[services.{}]\nlisten = \"127.0.0.1:{}\"\npath = \"{}\"\n"
                       "command = [\"{}\", \"--listen\", \"127.0.0.1:{{port}}\", \"--name\", \"{}\"{}]\n"
                       "health = \"/health\"\nstop_timeout = \"5s\"\n{}",
                       name, port_, path, *backend_binary(), name, args, extra);
  }
  std::string write_file(const std::string& name, const std::string& text) {
    auto path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // The status of GET `path` through the shared listener (0 when no response).
  unsigned status_of(const std::string& path) {
    Client client(port_);
    auto response = client.get(path);
    return response ? response->status : 0;
  }

  std::uint16_t port_ = free_port();
};

TEST_F(ApplyRace, ADeployDuringTheRemovalsDrainIsRefusedAndTheRemovalEndsCleanly) {
  // A long drain: it ends when the WebSocket below closes, not at the deadline. A new instance of
  // web takes a while to listen, so a scale started during the drain would outlive it.
  auto both = service_toml("web", "/", "drain_timeout = \"60s\"\n", ", \"--startup-delay\", \"1000\"") +
              service_toml("keep", "/keep/");
  toml_ = both;
  restart_service();
  ASSERT_TRUE(eventually([&] { return status_of("/hello") == 200; }));
  WsClient ws;
  ASSERT_TRUE(ws.connect(port_, "/ws")) << ws.last_error();
  ASSERT_TRUE(ws.write("before", true));
  ASSERT_TRUE(ws.read()) << ws.last_error();

  auto without_web = write_file("without-web.toml", service_toml("keep", "/keep/"));
  Process applying("apply", {baton_binary(), "apply", without_web, "--home", home_}, dir_.path());
  // web's route is gone once the removal started; its drain waits for the WebSocket.
  ASSERT_TRUE(eventually([&] { return status_of("/hello") == 404; }));
  ASSERT_FALSE(applying.wait(0ms)) << applying.output(Stream::out) << applying.output(Stream::err);

  for (std::vector<std::string> action : {std::vector<std::string>{"scale", "web", "2", "--detach"},
                                          {"restart", "web", "--detach"}, {"rollback", "web"}, {"pause", "web"}}) {
    auto [refused, why] = cli(action);
    EXPECT_EQ(refused, 1) << action[0] << ": " << why;
    EXPECT_NE(why.find("web is being removed"), std::string::npos) << action[0] << ": " << why;
  }
  auto [code, out] = deploy("v1", {"--detach"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("web is being removed"), std::string::npos) << out;
  // The tunnel still works during the drain, and closing it ends the drain.
  ASSERT_TRUE(ws.write("during", true)) << ws.last_error();
  ASSERT_TRUE(ws.read()) << ws.last_error();
  ws.close();
  ASSERT_EQ(applying.wait(), 0) << applying.output(Stream::out) << applying.output(Stream::err);
  EXPECT_NE(applying.output(Stream::out).find("remove web"), std::string::npos) << applying.output(Stream::out);

  auto [listed, status] = cli({"ls", "--json"});
  ASSERT_EQ(listed, 0) << status;
  auto json = nlohmann::json::parse(status);
  for (const auto& instance : json["instances"]) EXPECT_NE(instance["service"], "web") << status;
  for (const auto& service : json["services"]) EXPECT_NE(service["name"], "web") << status;
  auto [gone, gone_out] = deploy("v2");
  EXPECT_EQ(gone, 2) << gone_out;
  EXPECT_NE(gone_out.find("no service named 'web'"), std::string::npos) << gone_out;
  EXPECT_EQ(status_of("/hello"), 404u);
}
}  // namespace
}  // namespace baton::itest
