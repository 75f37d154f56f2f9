#include "net/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <fmt/format.h>

namespace baton {
std::string Address::text() const {
  if (kind == Kind::unix_path) return "unix:" + path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::expected<Address, std::string> parse_address(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return std::unexpected(fmt::format("'{}' is not an address: {}", text, why));
  };
  Address a;
  if (text.starts_with("unix:")) {
    a.kind = Address::Kind::unix_path;
    a.path = std::string(text.substr(5));
    if (a.path.empty() || a.path[0] != '/') return bad("a unix socket needs an absolute path");
    if (a.path.size() >= 108) return bad("the socket path is longer than 107 bytes");
    return a;
  }
  std::string_view host, port;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return bad("expected [v6-address]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || port.empty() || value > 65535)
    return bad("the port must be a number from 0 to 65535");
  if (host == "localhost") host = "127.0.0.1";
  // inet_pton, not Asio: the keeper (a small binary without Asio) parses addresses too.
  std::string host_text(host);
  int family = host_text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  in6_addr binary{};
  char canonical[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(family, host_text.c_str(), &binary) != 1 ||
      !::inet_ntop(family, &binary, canonical, sizeof canonical))
    return bad("the host must be a numeric IP address or localhost");
  a.host = canonical;
  a.port = static_cast<std::uint16_t>(value);
  return a;
}
}  // namespace baton
