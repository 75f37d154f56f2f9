#include "head_corpus.hpp"

#include <fmt/format.h>

namespace baton::itest {
namespace {
constexpr std::string_view kChromeUa =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36";

std::string analytics_cookies() {
  return "_ga=GA1.1.1234567890.1700000000; _ga_ABCDEF1234=GS1.1.1700000000.3.1.1700000100.0.0.0; "
         "_gid=GA1.2.987654321.1700000000; _fbp=fb.1.1700000000000.1234567890; _gcl_au=1.1.1234567890.1700000000; "
         "_hjSessionUser_123456=eyJpZCI6IjEyMzQ1Njc4LTkwYWItY2RlZi0xMjM0LTU2Nzg5MGFiY2RlZiIsImNyZWF0ZWQiOjE3MDAwMDAw"
         "MDAwMDAsImV4aXN0aW5nIjp0cnVlfQ==; ajs_anonymous_id=%2212345678-90ab-cdef-1234-567890abcdef%22";
}

std::string session_jwt(std::size_t payload) {
  return "session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + std::string(payload, 'Q') +
         ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
}

std::string lines(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (auto f : fields) {
    out += f;
    out += "\r\n";
  }
  return out;
}

HeadSample chrome_navigation() {
  auto head = fmt::format(
      "GET /account/orders?page=2&sort=date HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\n"
      "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"\r\n"
      "sec-ch-ua-mobile: ?0\r\nsec-ch-ua-platform: \"Windows\"\r\nUpgrade-Insecure-Requests: 1\r\n"
      "User-Agent: {}\r\n"
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
      "application/signed-exchange;v=b3;q=0.7\r\n"
      "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-User: ?1\r\nSec-Fetch-Dest: document\r\n"
      "Referer: https://shop.example/account\r\nAccept-Encoding: gzip, deflate, br\r\n"
      "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n"
      "Cookie: {}; {}; csrftoken=abcdefghijklmnopqrstuvwxyz012345; theme=dark\r\n\r\n",
      kChromeUa, analytics_cookies(), session_jwt(180));
  return {"chrome navigation", head};
}

HeadSample chrome_xhr_with_three_kib_of_cookies() {
  auto head = fmt::format(
      "POST /api/v2/cart/items HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\nContent-Length: 0\r\n"
      "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\nsec-ch-ua-mobile: ?0\r\n"
      "User-Agent: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/plain, */*\r\n"
      "X-Requested-With: XMLHttpRequest\r\nX-CSRF-Token: 3f1b6c2a9d8e7f6a5b4c3d2e1f0a9b8c\r\n"
      "sec-ch-ua-platform: \"macOS\"\r\nOrigin: https://shop.example\r\nSec-Fetch-Site: same-origin\r\n"
      "Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\nReferer: https://shop.example/cart\r\n"
      "Accept-Encoding: gzip, deflate, br\r\nAccept-Language: de-DE,de;q=0.9,en;q=0.8\r\n"
      "Cookie: {}; {}; prefs={}\r\n\r\n",
      kChromeUa, analytics_cookies(), session_jwt(1400), std::string(900, 'p'));
  return {"chrome XHR with 3 KiB of cookies", head};
}

HeadSample firefox_navigation() {
  auto head = std::string("GET /blog/2026/12/zero-downtime HTTP/1.1\r\nHost: www.example.org\r\n") +
              lines({"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                     "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                     "Accept-Language: fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3", "Accept-Encoding: gzip, deflate, br",
                     "DNT: 1", "Connection: keep-alive", "Upgrade-Insecure-Requests: 1", "Sec-Fetch-Dest: document",
                     "Sec-Fetch-Mode: navigate", "Sec-Fetch-Site: none", "Sec-Fetch-User: ?1",
                     "If-Modified-Since: Sat, 05 Dec 2026 10:00:00 GMT", "If-None-Match: W/\"5f3-1a2b3c4d\"",
                     "Cache-Control: max-age=0", "TE: trailers"}) +
              "\r\n";
  return {"firefox navigation", head};
}

HeadSample safari_ios() {
  auto head = std::string("GET /m/ HTTP/1.1\r\nHost: m.example.com\r\n") +
              lines({"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                     "Sec-Fetch-Site: none", "Cookie: " + analytics_cookies() + "; lang=ja",
                     "Accept-Encoding: gzip, deflate, br", "Sec-Fetch-Mode: navigate",
                     "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
                     "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                     "Accept-Language: ja-JP,ja;q=0.9", "Sec-Fetch-Dest: document", "Connection: keep-alive"}) +
              "\r\n";
  return {"safari on iOS", head};
}

HeadSample curl() {
  return {"curl", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"};
}

HeadSample python_requests() {
  return {"python requests",
          "PUT /v1/objects/42 HTTP/1.1\r\nHost: api.example\r\nUser-Agent: python-requests/2.31.0\r\n"
          "Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n"
          "Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ." + std::string(600, 'T') + ".sig\r\n"
          "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n"};
}

HeadSample go_client() {
  return {"go net/http",
          "GET /metrics HTTP/1.1\r\nHost: metrics.internal:9100\r\nUser-Agent: Prometheus/2.45.0\r\n"
          "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
          "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"};
}

HeadSample okhttp_android() {
  return {"okhttp on Android",
          "GET /api/feed?since=1700000000&limit=50 HTTP/1.1\r\nHost: api.example.app\r\n"
          "Authorization: Bearer " + std::string(900, 'a') + "\r\nX-App-Version: 5.12.0 (51200)\r\n"
          "X-Device-Id: 3b9c7a0e-5d1f-4c2b-8a6e-9f0d1c2b3a4e\r\nAccept-Language: pt-BR\r\n"
          "Connection: Keep-Alive\r\nAccept-Encoding: gzip\r\nUser-Agent: okhttp/4.12.0\r\n\r\n"};
}

HeadSample node_fetch() {
  return {"node fetch",
          "POST /graphql HTTP/1.1\r\nhost: api.example\r\nconnection: keep-alive\r\ncontent-type: application/json\r\n"
          "accept: */*\r\naccept-language: *\r\nsec-fetch-mode: cors\r\nuser-agent: node\r\n"
          "accept-encoding: gzip, deflate\r\ncontent-length: 0\r\n\r\n"};
}

HeadSample googlebot() {
  return {"googlebot",
          "GET /products/blue-widget HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\n"
          "Accept: text/html,application/xhtml+xml,application/signed-exchange;v=b3,application/xml;q=0.9,*/*;q=0.8\r\n"
          "From: googlebot(at)googlebot.com\r\n"
          "User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\r\n"
          "Accept-Encoding: gzip, deflate, br\r\nIf-Modified-Since: Fri, 04 Dec 2026 08:00:00 GMT\r\n\r\n"};
}

HeadSample http10_wget() {
  return {"wget over HTTP/1.0",
          "GET /download/app.tar.gz HTTP/1.0\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
          "Accept-Encoding: identity\r\nHost: files.example\r\nConnection: Keep-Alive\r\n\r\n"};
}

HeadSample websocket_upgrade() {
  return {"websocket upgrade from chrome (no upgrade: a plain GET to /headers)",
          fmt::format("GET /socket.io/?EIO=4&transport=polling&t=OqRx3Kz HTTP/1.1\r\nHost: chat.example\r\n"
                      "User-Agent: {}\r\nAccept: */*\r\nOrigin: https://chat.example\r\nCookie: io={}; {}\r\n"
                      "Accept-Language: en-US,en;q=0.9\r\n\r\n",
                      kChromeUa, std::string(20, 'x'), analytics_cookies())};
}

HeadSample seven_kib_cookie() {
  return {"7 KiB cookie", "GET / HTTP/1.1\r\nHost: x\r\nCookie: big=" + std::string(7 * 1024, 'c') + "\r\n\r\n"};
}

HeadSample near_the_head_limit() {
  std::string head = "GET /reports HTTP/1.1\r\nHost: internal.example\r\n";
  for (int i = 0; i < 90; ++i) head += fmt::format("X-Trace-{:02}: {}\r\n", i, std::string(680, 't'));
  head += "\r\n";
  return {"90 fields, 62 KiB", head};
}
}  // namespace

std::vector<HeadSample> realistic_heads() {
  return {chrome_navigation(), chrome_xhr_with_three_kib_of_cookies(), firefox_navigation(), safari_ios(),
          curl(), python_requests(), go_client(), okhttp_android(), node_fetch(), googlebot(), http10_wget(),
          websocket_upgrade(), seven_kib_cookie(), near_the_head_limit()};
}

std::vector<std::pair<std::string, std::string>> fields_of(std::string_view head) {
  std::vector<std::pair<std::string, std::string>> out;
  auto at = head.find("\r\n") + 2;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    if (end == std::string_view::npos || end == at) break;
    auto line = head.substr(at, end - at);
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    at = end + 2;
  }
  return out;
}
}  // namespace baton::itest
