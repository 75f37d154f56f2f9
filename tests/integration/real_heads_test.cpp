// Requests the way real clients send them, through the real binary: heads of
// every size up to the default limit, whole and split at awkward points, and
// bodies split at random points. The origin's view is checked field by field.
#include <algorithm>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "harness.hpp"
#include "head_corpus.hpp"

namespace baton::itest {
namespace {
using Fields = std::vector<std::pair<std::string, std::string>>;

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

bool named_any(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::ranges::any_of(names, [&](std::string_view n) { return same_name(name, n); });
}

// What the origin should see of the client's fields: all but hop-by-hop ones and
// those Baton writes itself, in the client's order.
Fields expected_fields(std::string_view head) {
  Fields out;
  for (auto& f : fields_of(head))
    if (!named_any(f.first, {"host", "connection", "keep-alive", "te", "upgrade", "proxy-connection", "trailer",
                             "content-length", "transfer-encoding"}))
      out.push_back(std::move(f));
  return out;
}

Fields client_fields_received(std::string_view head) {
  Fields out;
  for (auto& f : fields_of(head))
    if (!named_any(f.first, {"host", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip",
                             "content-length"}))
      out.push_back(std::move(f));
  return out;
}

// The sample with its path replaced by the origin's /headers, keeping the query.
std::string aimed_at_headers(const std::string& head) {
  auto space = head.find(' ');
  auto end = head.find_first_of("? ", space + 1);
  return head.substr(0, space + 1) + "/headers" + head.substr(end);
}

// Cut points worth trying: every byte of a small head; of a large one, every
// 97th byte plus both sides of each line end, where parsers change state.
std::vector<std::size_t> cuts_of(std::string_view head) {
  std::vector<std::size_t> cuts;
  if (head.size() <= 2048) {
    for (std::size_t i = 1; i < head.size(); ++i) cuts.push_back(i);
    return cuts;
  }
  for (std::size_t i = 1; i < head.size(); i += 97) cuts.push_back(i);
  for (auto at = head.find('\n'); at != std::string_view::npos; at = head.find('\n', at + 1))
    for (std::size_t c : {at - 1, at, at + 1})
      if (c > 0 && c < head.size()) cuts.push_back(c);
  std::ranges::sort(cuts);
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

class RealHeads : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    if (IsSkipped()) return;
    port_ = start_proxy_to(start_backend());
  }

  // Sends `parts` with a pause between them so each tends to arrive in a read
  // of its own; the origin's view of the head, or nothing.
  std::optional<std::string> forward(Client& client, const std::vector<std::string_view>& parts) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      if (!client.send(parts[i])) return std::nullopt;
    }
    auto response = client.read_response();
    if (!response) return std::nullopt;
    if (response->status != 200) return "status " + std::to_string(response->status) + ": " + response->body;
    return response->body;
  }

  std::uint16_t port_ = 0;
};

TEST_F(RealHeads, EveryHeadReachesTheOriginFieldByField) {
  for (const auto& sample : realistic_heads()) {
    auto head = aimed_at_headers(sample.head);
    Client client(port_);
    auto seen = forward(client, {head});
    ASSERT_TRUE(seen) << sample.name << ": " << client.last_error();
    ASSERT_TRUE(seen->starts_with(head.substr(0, head.find(' ')))) << sample.name << ": " << *seen;
    EXPECT_EQ(client_fields_received(*seen), expected_fields(head)) << sample.name;
  }
}

TEST_F(RealHeads, EveryHeadSplitAtAwkwardPointsParsesAsWhole) {
  for (const auto& sample : realistic_heads()) {
    auto head = aimed_at_headers(sample.head);
    auto expected = expected_fields(head);
    std::optional<Client> client;
    std::size_t failures = 0;
    for (auto cut : cuts_of(head)) {
      if (!client || !client->connected()) client.emplace(port_);
      auto seen = forward(*client, {std::string_view(head).substr(0, cut), std::string_view(head).substr(cut)});
      bool ok = seen && client_fields_received(*seen) == expected;
      if (!ok && ++failures <= 3)
        ADD_FAILURE() << sample.name << " cut at " << cut << ": " << (seen ? *seen : client->last_error());
      if (!seen || head.find("HTTP/1.0") != std::string::npos) client.reset();
    }
    EXPECT_EQ(failures, 0u) << sample.name;
  }
}

TEST_F(RealHeads, HeadsInManySmallWritesParse) {
  auto head = aimed_at_headers(realistic_heads().at(1).head);
  std::vector<std::string_view> parts;
  for (std::size_t at = 0; at < head.size(); at += 100) parts.push_back(std::string_view(head).substr(at, 100));
  Client client(port_);
  auto seen = forward(client, parts);
  ASSERT_TRUE(seen) << client.last_error();
  EXPECT_EQ(client_fields_received(*seen), expected_fields(head));
}

// Bodies cut at random points (a fixed seed), Content-Length and chunked: the
// origin echoes exactly the bytes sent.
TEST_F(RealHeads, BodiesSplitAtRandomPointsArriveWhole) {
  std::mt19937 random(20261207);
  std::string body(200'000, '\0');
  for (auto& c : body) c = static_cast<char>('a' + random() % 26);
  Client client(port_);
  for (int round = 0; round < 20; ++round) {
    bool chunked = round % 2 == 1;
    std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(1500, 'k') + "\r\n";
    std::string framed;
    if (chunked) {
      request += "Transfer-Encoding: chunked\r\n\r\n";
      for (std::size_t at = 0; at < body.size(); at += 7000) {
        auto piece = body.substr(at, 7000);
        framed += fmt::format("{:x}\r\n{}\r\n", piece.size(), piece);
      }
      framed += "0\r\n\r\n";
    } else {
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      framed = body;
    }
    request += framed;
    std::vector<std::size_t> cuts{random() % 2000, random() % request.size(), random() % request.size()};
    std::ranges::sort(cuts);
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    for (auto cut : cuts) {
      parts.push_back(std::string_view(request).substr(from, cut - from));
      from = cut;
    }
    parts.push_back(std::string_view(request).substr(from));
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      ASSERT_TRUE(client.send(parts[i])) << client.last_error();
    }
    auto response = client.read_response();
    ASSERT_TRUE(response) << "round " << round << ": " << client.last_error();
    EXPECT_EQ(response->status, 200u) << "round " << round;
    EXPECT_TRUE(response->body == body) << "round " << round << ": body differs";
  }
}
}  // namespace
}  // namespace baton::itest
