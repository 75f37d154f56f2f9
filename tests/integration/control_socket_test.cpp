// The control socket serves the daemon's own user (and root) and nobody else, whatever its mode.
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>
#include <filesystem>

#include "site/archive_test_support.hpp"
#include "site_support.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kStatus = "GET /v1/status HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n";

class ControlSocket : public SiteTest {
 protected:
  fs::path socket_path() const { return dir_.path() / "home" / "baton.sock"; }
  // The file appears at bind(), a moment before listen(): wait for an answer, not for the file.
  bool socket_answers() const { return !ask_unix_socket(socket_path(), std::string(kStatus)).empty(); }
};

TEST_F(ControlSocket, ServesTheDaemonsUserAndIsOwnerOnly) {
  start_site();
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  struct stat info{};
  ASSERT_EQ(::stat(socket_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  auto answer = ask_unix_socket(socket_path(), std::string(kStatus));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("\"instances\""), std::string::npos) << answer;
}

TEST_F(ControlSocket, TakesASiteArchiveToo) {
  start_site();
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  auto archive = site::testing::tar_file("index.html", "over the socket") + site::testing::tar_end();
  auto answer = ask_unix_socket(socket_path(), "POST /v1/sites/web/releases?version=sock HTTP/1.1\r\nHost: baton\r\n"
                                          "Connection: close\r\nContent-Length: " + std::to_string(archive.size()) +
                                          "\r\n\r\n" + archive);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("\"version\":\"sock\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"files\":1"), std::string::npos) << answer;
}

std::string upload_request(const std::string& archive, std::string_view framing = "length") {
  std::string head = "POST /v1/sites/web/releases HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n";
  if (framing == "length") return head + "Content-Length: " + std::to_string(archive.size()) + "\r\n\r\n" + archive;
  return head + fmt::format("Transfer-Encoding: chunked\r\n\r\n{:x}\r\n", archive.size()) + archive + "\r\n0\r\n\r\n";
}

// Beast's own default body limit (1 MiB) once dropped these without a word.
TEST_F(ControlSocket, TakesArchivesOverOneMebibyteInEitherFraming) {
  start_site();
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  auto archive = site::testing::tar_file("index.html", "big") +
                 site::testing::tar_file("big.bin", std::string(1'050'000, 'b')) + site::testing::tar_end();
  ASSERT_GT(archive.size(), 1u << 20);
  for (auto framing : {"length", "chunked"}) {
    auto answer = ask_unix_socket(socket_path(), upload_request(archive, framing));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << framing << ": " << answer.substr(0, 300);
  }
}

TEST_F(ControlSocket, AMalformedHeadGetsAnAnswer) {
  start_site();
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  auto answer = ask_unix_socket(socket_path(), "GET /v1/status HTTP/1.1\r\nHost baton\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  auto large = ask_unix_socket(socket_path(), "GET /v1/status HTTP/1.1\r\nHost: baton\r\nX: " +
                                             std::string(70'000, 'x') + "\r\n\r\n");
  EXPECT_TRUE(large.starts_with("HTTP/1.1 431")) << large;
}

// The site's root on a 1 MiB filesystem: the upload cannot be spooled, which is
// the server's failure (507), and the live release stays.
TEST_F(ControlSocket, AFullDiskWhileSpoolingIs507) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  fs::create_directories(root());
  if (::mount("tmpfs", root().c_str(), "tmpfs", 0, "size=1m") != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{root()};
  start_site();
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  auto small = site::testing::tar_file("index.html", "small") + site::testing::tar_end();
  ASSERT_TRUE(ask_unix_socket(socket_path(), upload_request(small)).starts_with("HTTP/1.1 200"));
  auto live = fs::read_symlink(root() / "current");
  auto big = site::testing::tar_file("index.html", "big") +
             site::testing::tar_file("big.bin", std::string(3 << 20, 'b')) + site::testing::tar_end();
  auto answer = ask_unix_socket(socket_path(), upload_request(big));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 507")) << answer.substr(0, 300);
  EXPECT_EQ(fs::read_symlink(root() / "current"), live);
}

// Even with the socket's mode loosened (and the directories above it opened), another user's
// connection is closed unanswered: the check is on the peer's credentials, not only the mode.
TEST_F(ControlSocket, RefusesOtherUsers) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user (uid 65534)";
  auto& baton = launch_baton(site_table());
  ASSERT_TRUE(baton.wait_listening());
  ASSERT_TRUE(eventually([&] { return socket_answers(); }));
  for (auto dir : {dir_.path(), dir_.path() / "home"}) ::chmod(dir.c_str(), 0711);
  ::chmod(socket_path().c_str(), 0666);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto answer = ask_unix_socket(socket_path(), std::string(kStatus));
    ::_exit(answer.empty() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "another user was answered (3: setuid failed)";
  EXPECT_TRUE(baton.process().wait_for_output(Stream::err, [](std::string_view text) {
    return text.find("event=control_refused uid=65534") != std::string_view::npos;
  }));
  EXPECT_TRUE(ask_unix_socket(socket_path(), std::string(kStatus)).starts_with("HTTP/1.1 200"));
}
}  // namespace
}  // namespace baton::itest
