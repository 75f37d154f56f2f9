// The CLI against a daemon's admin listener (`--remote URL --token FILE`, a named context,
// BATON_REMOTE): every command a CI machine needs, with the same output as on the daemon's own
// machine, code uploaded for `deploy --from`, and the refusals.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "deploy_fixture.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;
constexpr std::string_view kCliToken = "tok-0c7e41d2b9a5f836";

// Numbers change between two runs of a command (times, pids, ids, counters): the words must not.
std::string output_shape(const std::string& text) { return std::regex_replace(text, std::regex("[0-9]+"), "N"); }

// An IPv4 address of this machine that is not loopback ("" when it has none).
std::string outside_address() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return "";
  std::string found;
  for (auto* a = all; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
      continue;
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
    found = text;
  }
  ::freeifaddrs(all);
  return found;
}

class RemoteCli : public Deploys {
 protected:
  Baton& start_remote_service(std::string_view control_keys = "") {
    admin_port_ = free_port();
    token_file_ = (dir_.path() / "token").string();
    std::ofstream(token_file_) << kCliToken << "\n";
    ::chmod(token_file_.c_str(), 0600);
    return start_service(1, "rolling", "10s",
                         fmt::format("\n[control]\nadmin_listen = \"{}:{}\"\nadmin_token_file = \"{}\"\n{}",
                                     admin_host_, admin_port_, token_file_, control_keys));
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", admin_port_); }
  // The same command through the admin listener; --home names a directory with no daemon, so
  // nothing can be reached but the remote one.
  std::pair<int, std::string> remote(std::vector<std::string> args) {
    std::vector<std::string> argv{"--remote", url(), "--token", token_file_};
    argv.insert(argv.end(), args.begin(), args.end());
    return cli_in(argv, (dir_.path() / "nowhere").string());
  }
  std::pair<int, std::string> cli_in(std::vector<std::string> args, const std::string& home) {
    args.insert(args.begin(), baton_binary());
    auto dashes = std::find(args.begin(), args.end(), "--");
    args.insert(dashes, {"--home", home});
    Process process("remote-" + std::to_string(++runs_), args, dir_.path());
    auto code = process.wait();
    return {code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  }
  std::pair<int, std::string> local(std::vector<std::string> args) { return cli_in(std::move(args), home_); }
  // `baton ls` through the admin listener at HOST.
  std::pair<int, std::string> through(const std::string& host) {
    return cli_in({"--remote", fmt::format("http://{}:{}", host, admin_port_), "--token", token_file_, "ls"},
                  (dir_.path() / "nowhere").string());
  }

  fs::path build(const std::string& version) {
    auto dir = dir_.path() / ("build-" + version);
    fs::create_directories(dir);
    std::ofstream(dir / "VERSION") << version;
    std::ofstream(dir / "run.sh") << fmt::format("exec \"{}\" --listen \"127.0.0.1:$PORT\" --name \"$(cat VERSION)\"\n",
                                                 *backend_binary());
    return dir;
  }
  // A Node app whose code version is in its own files: what a CI job packs into a tarball.
  fs::path node_build(const std::string& version) {
    auto dir = dir_.path() / ("node-" + version);
    fs::create_directories(dir / "lib");
    std::ofstream(dir / "lib" / "version.js") << fmt::format("module.exports = '{}';\n", version);
    std::ofstream(dir / "server.js") << R"(const http = require('http');
const version = require('./lib/version');
const server = http.createServer((req, res) => {
  res.setHeader('X-Backend-Name', version);
  res.end(version + '\n');
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
)";
    return dir;
  }
  std::string served(std::uint16_t port) {
    Client client(port);
    auto response = client.get("/hello");
    return response ? response->header("X-Backend-Name").value_or("") : "";
  }

  std::string admin_host_ = "127.0.0.1";
  std::uint16_t admin_port_ = 0;
  std::string token_file_;
  unsigned runs_ = 0;
};

TEST_F(RemoteCli, EveryCommandWorksRemotelyWithTheSameOutput) {
  auto& baton = start_remote_service();
  auto& load = start_load(baton.port());
  // deploy --from a directory (sent as a tar) and from a tarball, with live progress back.
  auto [deployed, deploy_out] =
      remote({"deploy", "web", "--from", build("remote-1").string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  ASSERT_EQ(deployed, 0) << deploy_out;
  EXPECT_EQ(served(baton.port()), "remote-1");
  auto [local_deployed, local_deploy_out] =
      local({"deploy", "web", "--from", build("local-1").string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  ASSERT_EQ(local_deployed, 0) << local_deploy_out;
  EXPECT_EQ(output_shape(deploy_out), output_shape(local_deploy_out));
  auto tarball = dir_.path() / "app.tar.gz";
  auto pack = fmt::format("tar -C '{}' -czf '{}' .", build("remote-2").string(), tarball.string());
  ASSERT_EQ(std::system(pack.c_str()), 0);
  auto [from_archive, archive_out] =
      remote({"deploy", "web", "--from", tarball.string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  ASSERT_EQ(from_archive, 0) << archive_out;
  EXPECT_EQ(served(baton.port()), "remote-2");
  EXPECT_FALSE(fs::exists(fs::path(home_) / "apps" / "web" / "uploads") &&
               !fs::is_empty(fs::path(home_) / "apps" / "web" / "uploads"))
      << "a deployed upload is removed";
  // Reading commands: the same words both ways.
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"ls"}, {"ls", "--json"}, {"releases", "web"}, {"releases", "web", "--json"}, {"describe", "web"},
           {"logs", "web", "-n", "5"}, {"logs", "-n", "3", "--err"}, {"logs", "web", "--json", "--since", "1h"}}) {
    SCOPED_TRACE(fmt::format("{}", fmt::join(args, " ")));
    auto [remote_code, remote_out] = remote(args);
    auto [local_code, local_out] = local(args);
    EXPECT_EQ(remote_code, 0) << remote_out;
    EXPECT_EQ(remote_code, local_code);
    EXPECT_EQ(output_shape(remote_out), output_shape(local_out));
    if (args[0] != "logs" || args[1] == "web") EXPECT_FALSE(remote_out.empty()) << "something to compare";
  }
  // Changing commands, each run remotely then locally from the same state.
  auto [scaled, scale_out] = remote({"scale", "web", "2"});
  ASSERT_EQ(scaled, 0) << scale_out;
  ASSERT_EQ(local({"scale", "web", "1"}).first, 0);
  auto [local_scaled, local_scale_out] = local({"scale", "web", "2"});
  ASSERT_EQ(local_scaled, 0) << local_scale_out;
  EXPECT_EQ(output_shape(scale_out), output_shape(local_scale_out));
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"restart", "web"}, {"rollback", "web"}}) {
    SCOPED_TRACE(fmt::format("{}", fmt::join(args, " ")));
    auto [remote_code, remote_out] = remote(args);
    auto [local_code, local_out] = local(args);
    EXPECT_EQ(remote_code, 0) << remote_out;
    EXPECT_EQ(local_code, 0) << local_out;
    EXPECT_EQ(output_shape(remote_out), output_shape(local_out));
  }
  EXPECT_EQ(served(baton.port()), "remote-2") << "rolled back twice: to local-1, then back";
  expect_no_failure(stop_load(load));
  // stop and start, then apply (the file goes up with the request).
  auto [stopped, stop_out] = remote({"stop", "web"});
  EXPECT_EQ(stopped, 0) << stop_out;
  auto [started, start_out] = remote({"start", "web"});
  EXPECT_EQ(started, 0) << start_out;
  EXPECT_EQ(served(baton.port()), "remote-2");
  auto config = dir_.path() / "applied.toml";
  std::ofstream(config) << toml_;
  auto [applied, apply_out] = remote({"apply", config.string()});
  EXPECT_EQ(applied, 0) << apply_out;
}

TEST_F(RemoteCli, ContextsAndTheEnvironmentNameTheDaemon) {
  auto& baton = start_remote_service();
  auto config_home = dir_.path() / "config";
  fs::create_directories(config_home / "baton");
  std::ofstream(config_home / "baton" / "contexts.toml")
      << fmt::format("[prod]\nremote = \"{}\"\ntoken_file = \"{}\"\n[broken]\nremote = \"{}\"\n", url(), token_file_, url());
  auto env = [&](std::vector<std::string> vars, std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), vars.begin(), vars.end());
    argv.push_back(baton_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", (dir_.path() / "nowhere").string()});
    Process process("env-" + std::to_string(++runs_), argv, dir_.path());
    auto code = process.wait();
    return std::pair{code.value_or(-1), process.output(Stream::out) + process.output(Stream::err)};
  };
  auto xdg = "XDG_CONFIG_HOME=" + config_home.string();
  auto [by_flag, flag_out] = env({xdg}, {"--context", "prod", "releases", "web", "--json"});
  EXPECT_EQ(by_flag, 0) << flag_out;
  EXPECT_NE(flag_out.find("\"releases\""), std::string::npos) << flag_out;
  auto [by_env, env_out] = env({xdg, "BATON_CONTEXT=prod"}, {"ls"});
  EXPECT_EQ(by_env, 0) << env_out;
  auto [by_url, url_out] = env({"BATON_REMOTE=" + url(), "BATON_TOKEN_FILE=" + token_file_}, {"ls"});
  EXPECT_EQ(by_url, 0) << url_out;
  auto [unknown, unknown_out] = env({xdg}, {"--context", "staging", "ls"});
  EXPECT_EQ(unknown, 2);
  EXPECT_NE(unknown_out.find("no context named 'staging'"), std::string::npos) << unknown_out;
  auto [broken, broken_out] = env({xdg}, {"--context", "broken", "ls"});
  EXPECT_EQ(broken, 2);
  EXPECT_NE(broken_out.find("needs both remote and token_file"), std::string::npos) << broken_out;
  auto [local_only, local_only_out] = env({"BATON_REMOTE=" + url(), "BATON_TOKEN_FILE=" + token_file_},
                                          {"upgrade", "--binary", baton_binary()});
  EXPECT_EQ(local_only, 2);
  EXPECT_NE(local_only_out.find("upgrade runs on the daemon's own machine"), std::string::npos) << local_only_out;
  EXPECT_EQ(served(baton.port()), "v0");
}

TEST_F(RemoteCli, BadTokensUploadsAndArtifactsChangeNothing) {
  auto& baton = start_remote_service();
  auto wrong = dir_.path() / "wrong";
  std::ofstream(wrong) << "tok-not-the-right-one\n";
  ::chmod(wrong.c_str(), 0600);
  std::vector<std::string> argv{"--remote", url(), "--token", wrong.string(), "deploy", "web", "--from",
                                build("sneaky").string(), "--", "/bin/sh", "{release_dir}/run.sh"};
  auto [refused, refused_out] = cli_in(argv, (dir_.path() / "nowhere").string());
  EXPECT_EQ(refused, 1) << refused_out;
  EXPECT_NE(refused_out.find("missing or wrong token"), std::string::npos) << refused_out;
  auto evil = dir_.path() / "evil.tar";
  auto make_evil = fmt::format("cd '{}' && python3 -c \"import tarfile, sys; t = tarfile.open(sys.argv[1], 'w'); "
                               "t.add('run.sh'); t.add('VERSION', arcname='../VERSION'); t.close()\" '{}'",
                               build("evil").string(), evil.string());
  ASSERT_EQ(std::system(make_evil.c_str()), 0);
  auto [bad, bad_out] = remote({"deploy", "web", "--from", evil.string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  EXPECT_NE(bad, 0);
  EXPECT_NE(bad_out.find("leaves the release"), std::string::npos) << bad_out;
  EXPECT_EQ(bad_out.find(home_), std::string::npos) << "the daemon's paths stay on the daemon\n" << bad_out;
  Client admin(admin_port_);
  std::string body = R"({"artifact": "0123456789abcdef0123456789abcdef"})";
  admin.send(fmt::format("POST /v1/services/web/deploy HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {}\r\n"
                         "Content-Length: {}\r\n\r\n{}",
                         kCliToken, body.size(), body));
  auto missing = admin.read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400u);
  EXPECT_NE(missing->body.find("no uploaded artifact"), std::string::npos) << missing->body;
  auto releases = nlohmann::json::parse(local({"releases", "web", "--json"}).second, nullptr, false);
  EXPECT_EQ(releases["releases"].size(), 1u) << releases;
  EXPECT_EQ(served(baton.port()), "v0");
}
// `baton logs -f` from elsewhere keeps printing what instances write, as it does locally.
TEST_F(RemoteCli, LogsFollowThroughTheAdminListener) {
  start_remote_service();
  std::vector<std::string> argv{baton_binary(), "--remote", url(), "--token", token_file_, "logs", "web", "-f",
                                "-n", "0", "--home", (dir_.path() / "nowhere").string()};
  Process follower("follower", argv, dir_.path());
  // Lines written before the follower's request reached the daemon are not new to it: restart
  // until one written after shows up.
  bool seen = false;
  std::string logged;
  for (int round = 0; round < 5 && !seen; ++round) {
    ASSERT_EQ(local({"restart", "web"}).first, 0);
    logged = local({"logs", "web", "-n", "1"}).second;
    ASSERT_FALSE(logged.empty());
    auto last = logged.substr(0, logged.find('\n'));
    seen = follower.wait_for_output(
        Stream::out, [&](std::string_view text) { return text.find(last) != std::string_view::npos; },
        std::chrono::seconds(3));
  }
  EXPECT_TRUE(seen) << "followed: " << follower.output(Stream::out) << "\nlocal: " << logged;
  follower.signal(SIGTERM);
  follower.wait();
  auto [unknown, unknown_out] = remote({"logs", "nosuch"});
  EXPECT_EQ(unknown, 2) << unknown_out;
  EXPECT_NE(unknown_out.find("no service 'nosuch'"), std::string::npos) << unknown_out;
}

// Named tokens: each scope reaches what it covers and no more, changes are journalled with the
// token's name, a revoked one is refused at once, the secrets are stored nowhere, and an address
// that keeps guessing is told to wait.
TEST_F(RemoteCli, NamedTokensWithScopes) {
  auto& baton = start_remote_service();
  auto make = [&](const std::string& name, const std::string& scope) {
    auto [code, out] = local({"token", "create", name, "--scope", scope});
    EXPECT_EQ(code, 0) << out;
    auto secret = out.substr(0, out.find('\n'));
    auto file = dir_.path() / (name + ".token");
    std::ofstream(file) << secret << "\n";
    ::chmod(file.c_str(), 0600);
    return std::pair{secret, file.string()};
  };
  auto [reader_secret, reader] = make("reader", "read");
  auto [ci_secret, ci] = make("ci", "deploy");
  auto as = [&](const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> argv{"--remote", url(), "--token", token};
    argv.insert(argv.end(), args.begin(), args.end());
    return cli_in(argv, (dir_.path() / "nowhere").string());
  };
  auto [looked, look_out] = as(reader, {"ls"});
  EXPECT_EQ(looked, 0) << look_out;
  auto [refused, refused_out] =
      as(reader, {"deploy", "web", "--from", build("by-reader").string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  EXPECT_EQ(refused, 1) << refused_out;
  EXPECT_NE(refused_out.find("the token 'reader' has the scope read; POST /v1/services/web/artifacts needs deploy"),
            std::string::npos)
      << refused_out;
  auto [deployed, deploy_out] =
      as(ci, {"deploy", "web", "--from", build("by-ci").string(), "--", "/bin/sh", "{release_dir}/run.sh"});
  ASSERT_EQ(deployed, 0) << deploy_out;
  EXPECT_EQ(served(baton.port()), "by-ci");
  auto releases = nlohmann::json::parse(local({"releases", "web", "--json"}).second, nullptr, false);
  ASSERT_TRUE(releases.is_object()) << releases;
  EXPECT_TRUE(releases["releases"].back()["created_by"].get<std::string>().starts_with("token ci"))
      << releases["releases"].back();
  auto config = dir_.path() / "applied.toml";
  std::ofstream(config) << toml_;
  auto [applied, apply_out] = as(ci, {"apply", config.string()});
  EXPECT_EQ(applied, 1) << apply_out;
  EXPECT_NE(apply_out.find("needs admin"), std::string::npos) << apply_out;
  auto [listed, list_out] = local({"token", "ls"});
  EXPECT_EQ(listed, 0) << list_out;
  EXPECT_NE(list_out.find("reader"), std::string::npos) << list_out;
  EXPECT_NE(list_out.find("deploy"), std::string::npos) << list_out;
  EXPECT_EQ(list_out.find(ci_secret), std::string::npos) << "ls never shows a secret";
  auto [no_list, no_list_out] = as(ci, {"token", "ls"});
  EXPECT_EQ(no_list, 1) << "tokens are an admin's";
  std::ifstream stored(fs::path(home_) / "tokens.json");
  std::string text((std::istreambuf_iterator<char>(stored)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(ci_secret), std::string::npos);
  EXPECT_EQ(text.find(reader_secret), std::string::npos);
  auto [revoked, revoke_out] = local({"token", "revoke", "ci"});
  EXPECT_EQ(revoked, 0) << revoke_out;
  auto [after, after_out] = as(ci, {"ls"});
  EXPECT_EQ(after, 1) << after_out;
  EXPECT_NE(after_out.find("missing or wrong token"), std::string::npos) << after_out;
  // Guessing: after ten wrong tokens from one address, even a right one waits.
  auto wrong = dir_.path() / "guess.token";
  std::ofstream(wrong) << "bt_0000000000000000000000000000000000000000000000000000000000000000\n";
  ::chmod(wrong.c_str(), 0600);
  for (int i = 0; i < 9; ++i) as(wrong.string(), {"ls"});
  auto [throttled, throttled_out] = as(reader, {"ls"});
  EXPECT_EQ(throttled, 1) << throttled_out;
  EXPECT_NE(throttled_out.find("wait a minute"), std::string::npos) << throttled_out;
  auto [local_still, local_still_out] = local({"ls"});
  EXPECT_EQ(local_still, 0) << "the unix socket is not throttled: " << local_still_out;
}

// The issue's target, from a second home acting as a CI machine: 20 deploys of builds shipped as
// tarballs, each a different code version, and 5 rollbacks, under load: no failed request, and
// after each step the code served is the one `baton releases` says is live.
TEST_F(RemoteCli, TwentyTarballDeploysOfANodeAppAndFiveRollbacksFromCiUnderLoad) {
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no node (scripts/setup.sh installs nodejs)";
  auto& baton = start_remote_service();
  auto& load = start_load(baton.port());
  auto live_version = [&] {
    auto releases = nlohmann::json::parse(remote({"releases", "web", "--json"}).second, nullptr, false);
    for (const auto& release : releases["releases"])
      if (release["status"] == "live") return release["version"].get<std::string>();
    return std::string("none");
  };
  unsigned rollbacks = 0;
  for (int i = 1; i <= 20; ++i) {
    auto version = fmt::format("code-{}", i);
    auto tarball = dir_.path() / (version + ".tar.gz");
    auto pack = fmt::format("tar -C '{}' -czf '{}' .", node_build(version).string(), tarball.string());
    ASSERT_EQ(std::system(pack.c_str()), 0);
    auto [code, out] = remote({"deploy", "web", "--from", tarball.string(), "--version", version, "--", "node",
                               "{release_dir}/server.js"});
    ASSERT_EQ(code, 0) << version << ": " << out;
    EXPECT_EQ(live_version(), version);
    EXPECT_EQ(served(baton.port()), version);
    if (i % 4 == 0) {
      auto [back, back_out] = remote({"rollback", "web"});
      ASSERT_EQ(back, 0) << back_out;
      ++rollbacks;
      auto previous = fmt::format("code-{}", i - 1);
      EXPECT_EQ(live_version(), previous);
      EXPECT_EQ(served(baton.port()), previous) << "the rolled-back code, not only its env";
    }
  }
  EXPECT_EQ(rollbacks, 5u);
  auto summary = stop_load(load);
  expect_no_failure(summary);
  EXPECT_GT(summary["requests"].get<std::uint64_t>(), 1000u) << summary;
  fmt::print("{} requests, {} failed, across 20 deploys and 5 rollbacks\n", summary["requests"].get<std::uint64_t>(),
             summary["failed"].get<std::uint64_t>());
}

// Plain HTTP carries the token in clear: only loopback clients, unless the operator allows more.
TEST_F(RemoteCli, ThePlaintextAdminListenerServesLoopbackOnly) {
  auto outside = outside_address();
  if (outside.empty()) GTEST_SKIP() << "this machine has no address but loopback";
  admin_host_ = "0.0.0.0";
  start_remote_service();
  auto [refused, refused_out] = through(outside);
  EXPECT_EQ(refused, 1) << refused_out;
  EXPECT_NE(refused_out.find("serves loopback clients only"), std::string::npos) << refused_out;
  EXPECT_NE(refused_out.find("allow_plaintext_remote"), std::string::npos) << refused_out;
  auto [served_locally, local_out] = through("127.0.0.1");
  EXPECT_EQ(served_locally, 0) << local_out;
}

TEST_F(RemoteCli, AllowPlaintextRemoteServesOtherMachines) {
  auto outside = outside_address();
  if (outside.empty()) GTEST_SKIP() << "this machine has no address but loopback";
  admin_host_ = "0.0.0.0";
  start_remote_service("allow_plaintext_remote = true\n");
  auto [allowed, allowed_out] = through(outside);
  EXPECT_EQ(allowed, 0) << allowed_out;
}
}  // namespace
}  // namespace baton::itest
