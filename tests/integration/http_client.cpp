#include "http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <cstring>

namespace baton::itest {
namespace {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
constexpr std::size_t kReadSize = 256 * 1024;
constexpr std::uint64_t kHeadLimit = 1 << 20;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr std::size_t kPatternBlock = 26 * 10'000;  // whole alphabets

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

// Collects the head into a Response and hands the decoded body on.
class ResponseReader : public bhttp::basic_parser<false> {
 public:
  ResponseReader(Response& out, const ReadOptions& options) : out_(out), options_(options) {
    header_limit(kHeadLimit);
    body_limit(boost::none);
    skip(options.head_request);
    eager(true);
  }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int, beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view reason, int version, beast::error_code&) override {
    out_.status = static_cast<unsigned>(code);
    out_.reason = std::string(reason);
    out_.version = static_cast<unsigned>(version);
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    out_.fields.emplace_back(std::string(name), std::string(value));
  }
  void on_header_impl(beast::error_code&) override {
    out_.chunked = chunked();
    out_.keep_alive = keep_alive();
  }
  void on_body_init_impl(boost::optional<std::uint64_t> const&, beast::error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    deliver(body);
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    deliver(body);
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  void deliver(beast::string_view body) {
    out_.body_bytes += body.size();
    if (options_.on_body) options_.on_body(std::string_view(body.data(), body.size()));
    else out_.body.append(body.data(), body.size());
  }

  Response& out_;
  const ReadOptions& options_;
};
}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [n, v] : fields)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

std::size_t Response::count(std::string_view name) const {
  return std::ranges::count_if(fields, [&](const auto& f) { return iequals(f.first, name); });
}

Client::Client(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error_ = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  fd_ = fd;
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), error_(std::move(other.error_)) {}

bool Client::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) == 0) {
        error_ = "send: timed out";
        return false;
      }
      continue;
    }
    error_ = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

Client::Read Client::read_more(std::chrono::steady_clock::time_point deadline) {
  char chunk[kReadSize];
  for (;;) {
    auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return Read::data;
    }
    if (n == 0) {
      error_ = "connection closed by peer";
      return Read::closed;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error_ = std::string("connection ended: ") + std::strerror(errno);
      return Read::closed;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) == 0) {
      error_ = "timed out waiting for data";
      return Read::timeout;
    }
  }
}

std::optional<Response> Client::read_response(const ReadOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  Response response;
  ResponseReader parser(response, options);
  for (;;) {
    if (!buffer_.empty()) {
      beast::error_code ec;
      auto used = parser.put(boost::asio::buffer(buffer_.data(), buffer_.size()), ec);
      buffer_.erase(0, used);
      if (ec && ec != bhttp::error::need_more) {
        error_ = "malformed response: " + ec.message();
        return std::nullopt;
      }
      if (parser.is_done()) return response;
      if (!ec && used > 0 && !buffer_.empty()) continue;
    }
    auto read = read_more(deadline);
    if (read == Read::timeout) return std::nullopt;
    if (read == Read::closed) {
      if (!parser.got_some()) return std::nullopt;
      beast::error_code ec;
      parser.put_eof(ec);
      if (ec || !parser.is_done()) {
        error_ = "connection ended inside a response";
        return std::nullopt;
      }
      return response;
    }
  }
}

std::optional<Response> Client::get(std::string_view path, std::string_view extra_headers) {
  if (!send(get_request(path, "test.local", extra_headers))) return std::nullopt;
  return read_response();
}

bool Client::wait_closed(std::chrono::milliseconds timeout, std::uint64_t* received) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint64_t total = buffer_.size();
  buffer_.clear();
  for (;;) {
    auto read = read_more(deadline);
    total += buffer_.size();
    buffer_.clear();
    if (read != Read::data) {
      if (received) *received = total;
      return read == Read::closed;
    }
  }
}

void Client::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string get_request(std::string_view path, std::string_view host, std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n").append(extra_headers).append("\r\n");
  return r;
}

std::string_view pattern_slice(std::uint64_t offset, std::size_t max_length) {
  static const std::string block = [] {
    std::string b(kPatternBlock + 26, '\0');
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + i % 26);
    return b;
  }();
  return std::string_view(block).substr(offset % 26, std::min(max_length, kPatternBlock));
}

void PatternChecker::feed(std::string_view piece) {
  while (!piece.empty()) {
    auto expected = pattern_slice(offset_, piece.size());
    if (!mismatch_ && std::memcmp(piece.data(), expected.data(), expected.size()) != 0) {
      auto at = std::ranges::mismatch(piece.substr(0, expected.size()), expected).in1 - piece.begin();
      mismatch_ = offset_ + static_cast<std::uint64_t>(at);
    }
    offset_ += expected.size();
    piece.remove_prefix(expected.size());
  }
}

std::uint64_t fnv1a64(std::uint64_t state, std::string_view data) {
  for (char c : data) state = (state ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return state;
}
}  // namespace baton::itest
