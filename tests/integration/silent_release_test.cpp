// Apps that print nothing and releases that die at once: a failed deploy is
// reported with the new release's own output, and the daemon goes on serving.
#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
// A web app that answers 200 to everything and writes nothing unless asked to
// print a line at start (SAY).
constexpr std::string_view kQuietApp = R"PY(
import http.server, os, sys
if os.environ.get("SAY"):
    print(os.environ["SAY"], flush=True)
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
)PY";

class SilentRelease : public Deploys {
 protected:
  Baton& start_quiet(std::string_view say = "") {
    toml_ = fmt::format(
        "[services.web]\nlisten = \"127.0.0.1:0\"\ncommand = [\"python3\", \"-c\", '''{}''']\n"
        "instances = 2\nhealth = \"/\"\nstop_timeout = \"5s\"\ndeploy_timeout = \"10s\"\n{}",
        kQuietApp, say.empty() ? "" : fmt::format("env = {{ SAY = \"{}\" }}\n", say));
    return restart_service();
  }

  // `baton deploy web -- ARGS...`
  std::pair<int, std::string> deploy_command(std::vector<std::string> command) {
    std::vector<std::string> args{baton_binary(), "deploy", "web", "--home", home_, "--"};
    args.insert(args.end(), command.begin(), command.end());
    Process process("deploy-" + std::to_string(++cli_runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }

  void expect_still_serving(Baton& baton) {
    EXPECT_FALSE(baton.process().wait(std::chrono::milliseconds(0))) << "the daemon exited";
    Client client(baton.port());
    auto response = client.get("/");
    ASSERT_TRUE(response) << client.last_error();
    EXPECT_EQ(response->status, 200u);
    auto [code, ls] = cli({"ls", "--json"});
    EXPECT_EQ(code, 0) << ls;
    EXPECT_NE(ls.find("\"healthy\":true"), std::string::npos) << ls;
  }
};

TEST_F(SilentRelease, AReleaseThatExitsAtOnceWhileTheLogIsEmptyFailsAndTheDaemonServes) {
  auto& baton = start_quiet();
  auto& load = start_load(baton.port());
  for (auto command : {std::vector<std::string>{"/bin/false"},
                       std::vector<std::string>{"python3", "-c", "import sys; sys.exit(3)"}}) {
    auto [code, out] = deploy_command(command);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("keeps exiting"), std::string::npos) << out;
    expect_still_serving(baton);
  }
  expect_no_failure(stop_load(load));
}

TEST_F(SilentRelease, AFailedReleaseIsReportedWithItsOwnOutputOnly) {
  auto& baton = start_quiet("old release says hello");
  auto [code, out] = deploy_command({"sh", "-c", "echo new release says goodbye; exit 3"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("new release says goodbye"), std::string::npos) << out;
  EXPECT_EQ(out.find("old release says hello"), std::string::npos) << out;
  expect_still_serving(baton);
}
}  // namespace
}  // namespace baton::itest
