// Swaps under load: publishes and rollbacks while clients download, never mixing releases.
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "site_support.hpp"

namespace baton::itest {
namespace {
namespace fs = std::filesystem;

constexpr int kClients = 200;
constexpr int kSwaps = 50;
// Above the size Baton sends inline with the head: these bodies go out with sendfile.
constexpr std::size_t kBodyBytes = 48 * 1024;

std::string release_body(int release) {
  auto token = fmt::format("release-{:03};", release);
  std::string body;
  while (body.size() + token.size() <= kBodyBytes) body += token;
  return body;
}

// Which release a body came from, or -1 when it is not one release's body, whole.
int release_of(const std::string& body) {
  if (body.size() < 12 || !body.starts_with("release-")) return -1;
  int release = std::stoi(body.substr(8, 3));
  return body == release_body(release) ? release : -1;
}

struct Tally {
  std::atomic<std::uint64_t> ok{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  void fail(std::string what) {
    std::lock_guard lock(mutex);
    if (failures.size() < 10) failures.push_back(std::move(what));
  }
};

void fetch_until(std::uint16_t port, const std::atomic<bool>& stop, Tally& tally) {
  Client client(port);
  while (!stop.load()) {
    auto response = client.get("/data.txt");
    if (!response) return tally.fail("no response: " + client.last_error());
    if (response->status != 200) return tally.fail(fmt::format("status {}", response->status));
    if (release_of(response->body) < 0) return tally.fail(fmt::format("mixed body of {} bytes", response->body.size()));
    tally.ok.fetch_add(1);
  }
}

TEST_F(SiteTest, FiftySwapsUnderTwoHundredClientsServeOnlyWholeReleases) {
  std::vector<std::string> builds;
  for (int i = 0; i < kSwaps; ++i)
    builds.push_back(make_build(fmt::format("b{}", i), {{"index.html", "x"}, {"data.txt", release_body(i)}}));
  ASSERT_EQ(publish(builds[0]).code, 0);
  auto port = start_site();
  std::atomic<bool> stop{false};
  Tally tally;
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back([&] { fetch_until(port, stop, tally); });
  ASSERT_TRUE(eventually([&] { return tally.ok.load() >= kClients; }));
  for (int i = 1; i < kSwaps; ++i) {
    // Every fifth swap is a rollback to the release before.
    auto result = i % 5 == 0 ? site({"rollback", "web"}) : publish(builds[i]);
    ASSERT_EQ(result.code, 0) << result.err;
  }
  auto after_swaps = tally.ok.load();
  ASSERT_TRUE(eventually([&] { return tally.ok.load() >= after_swaps + kClients; }));
  stop = true;
  for (auto& t : clients) t.join();
  for (const auto& failure : tally.failures) ADD_FAILURE() << failure;
  EXPECT_GT(tally.ok.load(), static_cast<std::uint64_t>(kClients) * 2);
}

// Byte i of the v1 file is the pattern's; v2's file is all 'z', so a single byte of v2 shows.
void write_pattern_file(const fs::path& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  for (std::uint64_t offset = 0; offset < size;) {
    auto piece = pattern_slice(offset, static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, 1 << 20)));
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    offset += piece.size();
  }
}

TEST_F(SiteTest, ADownloadInFlightAcrossASwapFinishesFromItsRelease) {
  constexpr std::uint64_t kSize = 101ull << 20;
  auto v1 = make_build("v1", {{"index.html", "one"}});
  write_pattern_file(fs::path(v1) / "big.bin", kSize);
  auto v2 = make_build("v2", {{"index.html", "two"}, {"big.bin", std::string(1 << 20, 'z')}});
  ASSERT_EQ(publish(v1).code, 0);
  auto port = start_site();
  Client client(port);
  ASSERT_TRUE(client.send(get_request("/big.bin")));
  PatternChecker checker;
  bool swapped = false;
  int swap_code = -1;
  ReadOptions options;
  options.on_body = [&](std::string_view piece) {
    checker.feed(piece);
    if (swapped) return;
    swapped = true;
    swap_code = publish(v2).code;  // the rest of the body is still to come
  };
  auto response = client.read_response(options);
  ASSERT_TRUE(response) << client.last_error();
  EXPECT_EQ(swap_code, 0);
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(checker.bytes(), kSize);
  EXPECT_TRUE(checker.ok()) << "first wrong byte at " << checker.first_mismatch();
  auto after = Client(port).get("/big.bin");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, std::string(1 << 20, 'z'));
}
}  // namespace
}  // namespace baton::itest
