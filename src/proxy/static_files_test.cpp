#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proxy/static_lookup.hpp"
#include "proxy/static_reply.hpp"

namespace baton::proxy {
namespace {
namespace fs = std::filesystem;

LookupRequest lookup_of(std::string_view relative, bool trailing_slash = false, bool br = false) {
  return {.relative = relative, .trailing_slash = trailing_slash, .accepts_br = br, .accepts_gzip = false};
}

StaticRequestInfo conditional(std::optional<std::string_view> if_none_match,
                              std::optional<std::string_view> range = std::nullopt,
                              std::optional<std::string_view> if_range = std::nullopt) {
  StaticRequestInfo info;
  info.if_none_match = if_none_match;
  info.range = range;
  info.if_range = if_range;
  return info;
}

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("baton-static-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "releases");
    std::ofstream(root_ / "secret.txt") << "outside";
    site_ = {"web", root_.string(), (root_ / "current").string(), "/", false, ""};
  }
  void TearDown() override { fs::remove_all(root_); }

  // A lookup of its own: `current` resolved and its release opened for it alone.
  LookupResult look_up(const LookupRequest& request) {
    ReleaseDirCache once;
    return look_up_static(site_, request, once);
  }
  void write(const std::string& release, const std::string& relative, const std::string& text) {
    auto path = root_ / "releases" / release / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  void make_live(const std::string& release) {
    fs::remove(root_ / "current");
    fs::create_directory_symlink(fs::path("releases") / release, root_ / "current");
  }
  std::string body_of(const std::string& relative, bool br = false, ReleaseDirCache* cache = nullptr) {
    auto request = lookup_of(relative, false, br);
    auto found = cache ? look_up_static(site_, request, *cache) : look_up(request);
    if (found.outcome != LookupOutcome::found) return "<" + std::to_string(static_cast<int>(found.outcome)) + ">";
    std::string text(static_cast<std::size_t>(found.st.st_size), '\0');
    EXPECT_EQ(::pread(found.file.get(), text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
    return text;
  }

  fs::path root_;
  StaticSite site_;
};

constexpr auto kNotFound = "<2>";

TEST_F(StaticFiles, ServesFilesOfTheLiveReleaseOnly) {
  write("20250101-000000-000001", "index.html", "one");
  write("20250101-000000-000002", "index.html", "two");
  EXPECT_EQ(look_up(lookup_of("index.html")).outcome, LookupOutcome::not_published);
  make_live("20250101-000000-000001");
  EXPECT_EQ(body_of(""), "one");
  make_live("20250101-000000-000002");
  EXPECT_EQ(body_of("index.html"), "two");
}

TEST_F(StaticFiles, ACachedReleaseFollowsEverySwapAndRollback) {
  write("20250101-000000-000001", "index.html", "one");
  write("20250101-000000-000002", "index.html", "two");
  ReleaseDirCache cache;
  EXPECT_EQ(body_of("index.html", false, &cache), "<3>");  // not published
  make_live("20250101-000000-000001");
  EXPECT_EQ(body_of("index.html", false, &cache), "one");
  make_live("20250101-000000-000002");
  EXPECT_EQ(body_of("index.html", false, &cache), "two");
  make_live("20250101-000000-000001");
  EXPECT_EQ(body_of("index.html", false, &cache), "one");
  fs::remove(root_ / "current");
  EXPECT_EQ(body_of("index.html", false, &cache), "<3>");
}

// The release a cached descriptor names is removed and a new one takes its name (as when a
// request resolved `current` just before pruning): the lookup asks the live release again.
TEST_F(StaticFiles, AReleaseRemovedUnderTheCacheIsResolvedAgain) {
  write("20250101-000000-000001", "index.html", "old");
  make_live("20250101-000000-000001");
  ReleaseDirCache cache;
  EXPECT_EQ(body_of("index.html", false, &cache), "old");
  fs::remove_all(root_ / "releases/20250101-000000-000001");
  write("20250101-000000-000001", "index.html", "new");
  EXPECT_EQ(body_of("index.html", false, &cache), "new");
}

// Layouts made by hand: `current` a directory, or a link to a link. Neither is cached by name,
// so each request sees what is there now.
TEST_F(StaticFiles, ACurrentThatIsADirectoryOrALinkToALinkIsFollowedEachTime) {
  write("20250101-000000-000001", "index.html", "one");
  write("20250101-000000-000002", "index.html", "two");
  ReleaseDirCache cache;
  fs::create_directory_symlink(fs::path("releases") / "20250101-000000-000001", root_ / "live");
  fs::create_directory_symlink("live", root_ / "current");
  EXPECT_EQ(body_of("index.html", false, &cache), "one");
  fs::remove(root_ / "live");
  fs::create_directory_symlink(fs::path("releases") / "20250101-000000-000002", root_ / "live");
  EXPECT_EQ(body_of("index.html", false, &cache), "two");
  fs::remove(root_ / "current");
  fs::create_directory(root_ / "current");
  std::ofstream(root_ / "current" / "index.html") << "plain";
  EXPECT_EQ(body_of("index.html", false, &cache), "plain");
}

TEST_F(StaticFiles, SymlinksWorkInsideTheReleaseAndNeverOutside) {
  write("20250101-000000-000001", "assets/real.js", "js");
  auto release = root_ / "releases/20250101-000000-000001";
  fs::create_symlink("real.js", release / "assets/inside.js");
  fs::create_symlink("../../../secret.txt", release / "escape.txt");
  fs::create_symlink((root_ / "secret.txt").string(), release / "absolute.txt");
  fs::create_directory_symlink("/etc", release / "etc");
  make_live("20250101-000000-000001");
  EXPECT_EQ(body_of("assets/inside.js"), "js");
  EXPECT_EQ(body_of("escape.txt"), kNotFound);
  EXPECT_EQ(body_of("absolute.txt"), kNotFound);
  EXPECT_EQ(body_of("etc/passwd"), kNotFound);
}

TEST_F(StaticFiles, DirectoriesSpaAndNotFoundPage) {
  write("20250101-000000-000001", "index.html", "app");
  write("20250101-000000-000001", "docs/index.html", "docs");
  write("20250101-000000-000001", "404.html", "missing");
  make_live("20250101-000000-000001");
  EXPECT_EQ(look_up(lookup_of("docs")).outcome, LookupOutcome::redirect_slash);
  EXPECT_EQ(look_up(lookup_of("docs", true)).outcome, LookupOutcome::found);
  EXPECT_EQ(body_of("settings/profile"), kNotFound);
  site_.spa = true;
  EXPECT_EQ(body_of("settings/profile"), "app");
  EXPECT_EQ(body_of("logo.png"), kNotFound);
  site_.not_found = "404.html";
  auto page = look_up(lookup_of("logo.png"));
  EXPECT_EQ(page.origin, FileOrigin::not_found_page);
  EXPECT_EQ(make_static_reply(std::move(page), {}).status, 404u);
}

TEST_F(StaticFiles, HashedAssetsOfEarlierReleasesStayReachable) {
  write("20250101-000000-000001", "index.html", "old");
  write("20250101-000000-000001", "assets/app.1a2b3c4d.js", "old chunk");
  write("20250101-000000-000001", "plain.js", "old plain");
  write("20250101-000000-000002", "index.html", "new");
  make_live("20250101-000000-000002");
  EXPECT_EQ(body_of("assets/app.1a2b3c4d.js"), "old chunk");
  EXPECT_EQ(body_of("plain.js"), kNotFound);
}

TEST_F(StaticFiles, PrefersAPrecompressedSiblingWhenAccepted) {
  write("20250101-000000-000001", "app.js", "plain");
  write("20250101-000000-000001", "app.js.br", "brotli");
  make_live("20250101-000000-000001");
  EXPECT_EQ(body_of("app.js"), "plain");
  EXPECT_EQ(body_of("app.js", true), "brotli");
  auto found = look_up(lookup_of("app.js", false, true));
  EXPECT_EQ(found.coding, "br");
  auto reply = make_static_reply(std::move(found), {});
  EXPECT_NE(reply.head.find("Content-Encoding: br\r\n"), std::string::npos) << reply.head;
  EXPECT_NE(reply.head.find("Vary: Accept-Encoding\r\n"), std::string::npos) << reply.head;
  EXPECT_NE(reply.head.find("Content-Type: text/javascript"), std::string::npos) << reply.head;
}

TEST_F(StaticFiles, ConditionalAndRangeReplies) {
  write("20250101-000000-000001", "assets/app.1a2b3c4d.js", "0123456789");
  write("20250101-000000-000001", "index.html", "home");
  make_live("20250101-000000-000001");
  auto lookup = [&](const char* name) { return look_up(lookup_of(name)); };
  auto full = make_static_reply(lookup("assets/app.1a2b3c4d.js"), {});
  EXPECT_EQ(full.status, 200u);
  EXPECT_EQ(full.length, 10u);
  EXPECT_NE(full.head.find("Cache-Control: public, max-age=31536000, immutable"), std::string::npos);
  auto etag_at = full.head.find("ETag: ") + 6;
  std::string etag = full.head.substr(etag_at, full.head.find("\r\n", etag_at) - etag_at);
  EXPECT_EQ(make_static_reply(lookup("assets/app.1a2b3c4d.js"), conditional(etag)).status, 304u);
  auto range = make_static_reply(lookup("assets/app.1a2b3c4d.js"), conditional(std::nullopt, "bytes=2-4"));
  EXPECT_EQ(range.status, 206u);
  EXPECT_EQ(range.offset, 2u);
  EXPECT_EQ(range.length, 3u);
  EXPECT_NE(range.head.find("Content-Range: bytes 2-4/10\r\n"), std::string::npos);
  EXPECT_EQ(make_static_reply(lookup("assets/app.1a2b3c4d.js"), conditional(std::nullopt, "bytes=20-")).status, 416u);
  EXPECT_EQ(make_static_reply(lookup("assets/app.1a2b3c4d.js"), conditional(std::nullopt, "bytes=2-4", "\"x\"")).status,
            200u);
  StaticRequestInfo head_request;
  head_request.head_method = true;
  auto html = make_static_reply(lookup("index.html"), head_request);
  EXPECT_NE(html.head.find("Cache-Control: no-cache\r\n"), std::string::npos);
  EXPECT_NE(html.head.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_FALSE(html.file);  // HEAD: no body follows
}
}  // namespace
}  // namespace baton::proxy
