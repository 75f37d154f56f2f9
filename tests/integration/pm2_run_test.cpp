// A PM2 user's ecosystem file, imported with `baton import pm2`, runs under Baton as it ran under
// PM2: the web app answers on the port its env named (two instances, each on a PORT of its own
// behind it), with env_production's values, and the worker does its job with its env.
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "harness.hpp"
#include "http_client.hpp"

namespace baton::itest {
namespace {
// The app as it would run under PM2: it listens on $PORT and says who answered.
constexpr std::string_view kServer = R"PY(import http.server, os
class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("%s from %d\n" % (os.environ.get("GREETING", "?"), os.getpid())).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Hello).serve_forever()
)PY";

// A worker: writes what its env says to a file, then idles.
constexpr std::string_view kWorker = R"PY(import os, time
with open(os.environ["OUT"], "a") as f:
    f.write("queue=%s\n" % os.environ.get("QUEUE", "?"))
while True:
    time.sleep(1)
)PY";

// A port nothing listens on now (the kernel's pick for a socket bound and closed at once).
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

class ImportedPm2Apps : public IntegrationTest {};

TEST_F(ImportedPm2Apps, RunAsTheyRanUnderPm2) {
  Process which("python", {"/bin/sh", "-c", "command -v python3"}, dir_.path());
  if (which.wait() != 0) GTEST_SKIP() << "no python3";
  std::ofstream(dir_.path() / "server.py") << kServer;
  std::ofstream(dir_.path() / "worker.py") << kWorker;
  auto port = free_port();
  auto out = dir_.path() / "worker.out";
  std::ofstream(dir_.path() / "ecosystem.config.js") << fmt::format(R"js(module.exports = {{
  apps: [
    {{
      name: 'web',
      script: 'server.py',
      interpreter: 'python3',
      instances: 2,
      exec_mode: 'cluster',
      max_memory_restart: '300M',
      kill_timeout: 3000,
      env: {{ PORT: {}, GREETING: 'hello-dev' }},
      env_production: {{ GREETING: 'hello-prod' }},
    }},
    {{
      name: 'worker',
      script: 'worker.py',
      interpreter: 'python3',
      autorestart: false,
      env: {{ QUEUE: 'jobs', OUT: '{}' }},
    }},
  ],
}};
)js",
                                                                    port, out.string());
  auto config = dir_.path() / "baton.toml";
  Process import("import", {baton_binary(), "import", "pm2", (dir_.path() / "ecosystem.config.js").string(), "--env",
                            "production", "-o", config.string()},
                 dir_.path());
  ASSERT_EQ(import.wait(), 0) << import.output(Stream::out) << import.output(Stream::err);
  auto toml = read_text(config);
  ASSERT_NE(toml.find(fmt::format("listen = \"0.0.0.0:{}\"", port)), std::string::npos) << toml;

  auto& baton = start_baton(toml);
  EXPECT_EQ(baton.port(), port);
  std::set<std::string> answered_by;
  ASSERT_TRUE(eventually([&] {
    Client client(port);
    auto response = client.get("/");
    if (!response || response->status != 200) return false;
    EXPECT_TRUE(response->body.starts_with("hello-prod from ")) << response->body;
    answered_by.insert(response->body);
    return answered_by.size() == 2;
  })) << "both instances answer, with env_production's GREETING";
  ASSERT_TRUE(eventually([&] { return read_text(out) == "queue=jobs\n"; })) << read_text(out);
}
}  // namespace
}  // namespace baton::itest
