// Running out of file descriptors (a low `ulimit -n`): accepts fail with EMFILE, the proxy backs off
// instead of spinning, and once clients go it serves again with its fd count back at the baseline.
#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "harness.hpp"

namespace baton::itest {
namespace {
constexpr int kFdLimit = 96;
constexpr int kGreedyClients = 200;  // well past the limit: the rest wait in the accept queue

std::size_t open_fds(pid_t pid) {
  std::error_code ec;
  auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
  return ec ? 0 : static_cast<std::size_t>(std::distance(it, std::filesystem::directory_iterator{}));
}

// What each open fd is (socket:[inode], a path): for the failure message.
std::string fd_targets(pid_t pid) {
  std::string out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec))
    out += entry.path().filename().string() + "->" + std::filesystem::read_symlink(entry.path(), ec).string() + " ";
  return out;
}

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class FdExhaustion : public ProxyTest {};

TEST_F(FdExhaustion, AcceptBacksOffAndRecoversToTheBaselineFdCount) {
  auto& backend = start_backend("app");
  auto port = free_port();
  auto config = (dir_.path() / "baton.toml").string();
  // max_connections above the fd limit: the descriptors run out before the cap sheds. Pooled
  // upstream connections close soon after their last use, so the baseline is the daemon's own.
  std::ofstream(config) << fmt::format(
      "[proxy]\nthreads = 1\nmax_connections = 10000\n[proxy.timeouts]\nupstream_idle = \"300ms\"\n"
      "[services.app]\nlisten = \"127.0.0.1:{}\"\ntargets = [\"{}\"]\n",
      port, backend.address());
  auto command = fmt::format("ulimit -n {} && exec {} daemon --config {} --home {}", kFdLimit, baton_binary(), config,
                             (dir_.path() / "home").string());
  Process baton("baton-low-fds", {"/bin/sh", "-c", command}, dir_.path());
  ASSERT_TRUE(eventually([&] { return Client(port).get("/name").has_value(); })) << baton.output(Stream::err);
  // Start-up ends with the control socket: a flood before it would leave the daemon no descriptor
  // for it (it then exits, saying so).
  auto control_socket = dir_.path() / "home" / "baton.sock";
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(control_socket); })) << baton.output(Stream::err);
  ASSERT_GT(open_fds(baton.pid()), 0u);
  std::size_t baseline = ~std::size_t{0} >> 1;  // round 0 only has to recover
  std::string before;

  // The first round may set up things that stay (a reactor created on first use): the second
  // round's end is compared with the first's.
  for (int round = 0; round < 2; ++round) {
    if (round == 1) {
      baseline = open_fds(baton.pid());
      before = fd_targets(baton.pid());
    }
    std::vector<int> greedy;
    for (int i = 0; i < kGreedyClients; ++i)
      if (int fd = connect_to(port); fd >= 0) greedy.push_back(fd);
    EXPECT_TRUE(eventually([&] { return open_fds(baton.pid()) >= static_cast<std::size_t>(kFdLimit) - 2; }));
    EXPECT_TRUE(baton.wait_for_output(Stream::err, [](std::string_view text) {
      return text.find("event=accept_failed") != std::string_view::npos;
    }));
    for (int fd : greedy) ::close(fd);
    EXPECT_TRUE(eventually([&] {
      auto response = Client(port).get("/name");
      return response && response->status == 200 && response->body == "app";
    })) << "serves again once the clients are gone";
    EXPECT_TRUE(eventually([&] { return open_fds(baton.pid()) <= baseline; }))
        << "round " << round << ": fds now " << open_fds(baton.pid()) << ", baseline " << baseline << ": "
        << fd_targets(baton.pid()) << "\nat the baseline: " << before;
  }
  baton.signal(SIGTERM);
  EXPECT_EQ(baton.wait(), 0) << baton.output(Stream::err);
}
}  // namespace
}  // namespace baton::itest
