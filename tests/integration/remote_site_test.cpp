// Sites published, listed and rolled back through the daemon's admin listener
// (`baton site ... --remote URL --token FILE`), and archives and tokens it must refuse.
#include <sys/stat.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "site/archive_test_support.hpp"
#include "site_support.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;
using site::testing::tar_end;
using site::testing::tar_file;

constexpr std::string_view kToken = "tok-5f2c9a81e0d34b67";

class RemoteSite : public SiteTest {
 protected:
  std::string token_file(std::string_view token, const std::string& name = "token", mode_t mode = 0600) {
    auto path = dir_.path() / name;
    std::ofstream(path) << token << "\n";
    ::chmod(path.c_str(), mode);
    return path.string();
  }
  // A daemon serving the site, with an admin listener; returns the site's port.
  std::uint16_t start_admin_site(std::string_view more_control_keys = "") {
    admin_port_ = free_port();
    auto control = fmt::format("[control]\nadmin_listen = \"127.0.0.1:{}\"\nadmin_token_file = \"{}\"\n{}\n",
                               admin_port_, token_file(kToken), more_control_keys);
    auto& baton = start_baton(control + site_table());
    EXPECT_TRUE(baton.process().wait_for_output(Stream::err, [](std::string_view text) {
      return text.find("event=admin_listening") != std::string_view::npos;
    }));
    return baton.port();
  }
  CommandResult remote(std::vector<std::string> args, const std::string& token = {}) {
    std::vector<std::string> argv{baton_binary(), "site"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--remote", fmt::format("http://127.0.0.1:{}", admin_port_), "--token",
                             token.empty() ? (dir_.path() / "token").string() : token});
    return run("remote", std::move(argv));
  }
  std::optional<Response> post_archive(const std::string& archive, std::string_view token = kToken) {
    Client admin(admin_port_);
    admin.send(fmt::format("POST /v1/sites/web/releases HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer {}\r\n"
                           "Content-Length: {}\r\n\r\n{}", token, archive.size(), archive));
    return admin.read_response();
  }
  std::size_t release_count() const {
    if (!fs::exists(root() / "releases")) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(root() / "releases"), {}));
  }
  std::optional<Response> list_releases(Client& admin) {
    admin.send(fmt::format("GET /v1/sites/web/releases HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer {}\r\n\r\n",
                           kToken));
    return admin.read_response();
  }
  std::string daemon_log() { return batons_.at(0)->process().output(Stream::err); }

  std::uint16_t admin_port_ = 0;
};

TEST_F(RemoteSite, PublishListAndRollBackThroughTheAdminListener) {
  auto port = start_admin_site();
  auto v1 = make_build("v1", {{"index.html", "one"}, {"assets/app.1a2b3c4d.js", "chunk one"}});
  auto first = remote({"publish", "web", v1, "--version", "v1.0"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("(v1.0) is live: 2 files"), std::string::npos) << first.out;
  Client client(port);
  EXPECT_EQ(client.get("/")->body, "one");
  EXPECT_EQ(client.get("/assets/app.1a2b3c4d.js")->body, "chunk one");

  auto second = remote({"publish", "web", make_build("v2", {{"index.html", "two"}}), "--version", "v2 beta"});
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(client.get("/")->body, "two");
  auto listed = remote({"ls", "web", "--json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"version\": \"v1.0\""), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("\"version\": \"v2 beta\""), std::string::npos) << listed.out;

  auto rolled = remote({"rollback", "web"});
  ASSERT_EQ(rolled.code, 0) << rolled.err;
  EXPECT_NE(rolled.out.find("is live again"), std::string::npos) << rolled.out;
  EXPECT_EQ(client.get("/")->body, "one");
  auto table = remote({"ls", "web"});
  EXPECT_NE(table.out.find("v1.0"), std::string::npos) << table.out;

  auto log = daemon_log();
  EXPECT_NE(log.find("event=admin_request method=POST path=/v1/sites/web/releases status=200"), std::string::npos) << log;
  EXPECT_EQ(log.find(kToken), std::string::npos) << "the token is in the daemon's log";
}

TEST_F(RemoteSite, AWrongOrMissingTokenIs401AndPublishesNothing) {
  start_admin_site();
  auto build = make_build("v1", {{"index.html", "one"}});
  auto wrong = remote({"publish", "web", build}, token_file("tok-guessed-wrong-000", "wrong"));
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("token"), std::string::npos) << wrong.err;
  EXPECT_EQ(release_count(), 0u);

  auto archive = tar_file("index.html", "x") + tar_end();
  auto bad = post_archive(archive, "tok-5f2c9a81e0d34b6");  // one byte short
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401u);
  EXPECT_EQ(bad->header("WWW-Authenticate"), "Bearer");
  EXPECT_NE(bad->body.find("\"error\""), std::string::npos) << bad->body;
  Client bare(admin_port_);
  bare.send("GET /v1/sites/web/releases HTTP/1.1\r\nHost: admin\r\n\r\n");
  auto missing = bare.read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401u);
  EXPECT_EQ(release_count(), 0u);
  auto log = daemon_log();
  EXPECT_NE(log.find("event=control_unauthorized"), std::string::npos) << log;
  EXPECT_EQ(log.find("tok-"), std::string::npos) << "a token is in the daemon's log";
}

// Slowloris on the admin listener: a silent client, a trickled head and a stalled body are
// each cut at request_timeout, and other clients are answered meanwhile.
TEST_F(RemoteSite, SilentAndStalledAdminClientsAreCutWhileOthersAreServed) {
  start_admin_site("request_timeout = \"1s\"\n");
  Client silent(admin_port_);
  Client trickled(admin_port_);
  ASSERT_TRUE(trickled.send("GET /v1/sites/web/releases HTTP/1.1\r\nHost: adm"));
  Client stalled(admin_port_);
  ASSERT_TRUE(stalled.send(fmt::format("POST /v1/sites/web/releases HTTP/1.1\r\nHost: admin\r\n"
                                       "Authorization: Bearer {}\r\nContent-Length: 4096\r\n\r\n{}",
                                       kToken, std::string(512, '\0'))));
  Client good(admin_port_);
  auto answered = list_releases(good);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200u);
  std::uint64_t received = 0;
  EXPECT_TRUE(silent.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u);
  EXPECT_TRUE(trickled.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u) << "a request that never ended got an answer";
  EXPECT_TRUE(stalled.wait_closed());
  EXPECT_EQ(release_count(), 0u);
  // The log line may come just after the connection closes.
  EXPECT_TRUE(eventually([&] { return daemon_log().find("event=admin_request_timeout") != std::string::npos; }))
      << daemon_log();
}

// Above max_connections a connection is closed at once; the unix socket has its own
// budget, and the admin listener takes connections again when some close.
TEST_F(RemoteSite, TheAdminListenerShedsConnectionsAboveItsCapAndRecovers) {
  start_admin_site("max_connections = 3\n");
  std::vector<Client> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(admin_port_);
    auto answered = list_releases(held.back());  // answered: the connection is counted
    ASSERT_TRUE(answered);
    ASSERT_EQ(answered->status, 200u);
  }
  Client extra(admin_port_);
  extra.send(fmt::format("GET /v1/sites/web/releases HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer {}\r\n\r\n",
                         kToken));
  std::uint64_t received = 0;
  EXPECT_TRUE(extra.wait_closed(kPatience, &received));
  EXPECT_EQ(received, 0u);
  EXPECT_EQ(site({"ls", "web"}).code, 0) << "the unix socket is not reachable";
  EXPECT_NE(daemon_log().find("event=control_connection_shed"), std::string::npos);
  held.pop_back();
  EXPECT_TRUE(eventually([&] {
    Client again(admin_port_);
    auto answered = list_releases(again);
    return answered && answered->status == 200u;
  }));
}

TEST_F(RemoteSite, AnArchiveWithDotDotIsRefusedAndChangesNothing) {
  auto port = start_admin_site();
  ASSERT_EQ(remote({"publish", "web", make_build("good", {{"index.html", "good"}})}).code, 0);
  auto live = fs::read_symlink(root() / "current");
  auto evil = post_archive(tar_file("index.html", "evil") + tar_file("../x", "outside") + tar_end());
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 400u);
  EXPECT_NE(evil->body.find("leaves the release"), std::string::npos) << evil->body;
  auto truncated = post_archive((tar_file("index.html", std::string(4000, 't')) + tar_end()).substr(0, 2000));
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->status, 400u);
  EXPECT_NE(truncated->body.find("Truncated tar archive"), std::string::npos) << truncated->body;
  EXPECT_EQ(fs::read_symlink(root() / "current"), live);
  EXPECT_EQ(release_count(), 1u);
  EXPECT_FALSE(fs::exists(dir_.path() / "x"));
  EXPECT_FALSE(fs::exists(root() / "releases" / "x"));
  Client client(port);
  EXPECT_EQ(client.get("/")->body, "good");
}

TEST_F(RemoteSite, UnknownSitesAndBadUsage) {
  start_admin_site();
  Client admin(admin_port_);
  admin.send(fmt::format("GET /v1/sites/blog/releases HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer {}\r\n\r\n", kToken));
  EXPECT_EQ(admin.read_response()->status, 404u);
  auto no_token = run("usage", {baton_binary(), "site", "ls", "web", "--remote", "http://127.0.0.1:1"});
  EXPECT_EQ(no_token.code, 2);
  auto open_token = remote({"ls", "web"}, token_file(kToken, "open", 0644));
  EXPECT_EQ(open_token.code, 2);
  EXPECT_NE(open_token.err.find("chmod 600"), std::string::npos) << open_token.err;
}

TEST_F(RemoteSite, TheDaemonRefusesATokenFileOthersCanRead) {
  auto control = fmt::format("[control]\nadmin_listen = \"127.0.0.1:{}\"\nadmin_token_file = \"{}\"\n\n", free_port(),
                             token_file(kToken, "open", 0644));
  auto& baton = launch_baton(control + site_table());
  EXPECT_EQ(baton.process().wait(), 1);
  auto err = baton.process().output(Stream::err);
  EXPECT_NE(err.find("chmod 600"), std::string::npos) << err;
  EXPECT_EQ(err.find(kToken), std::string::npos) << err;
}
}  // namespace
}  // namespace baton::itest
