#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace baton {
// A TCP "host:port" / "[v6]:port" or a unix socket "unix:/path".
struct Address {
  enum class Kind { tcp, unix_path };
  Kind kind = Kind::tcp;
  std::string host;  // numeric IP (tcp)
  std::uint16_t port = 0;
  std::string path;  // unix_path
  std::string text() const;
  bool operator==(const Address&) const = default;
};

std::expected<Address, std::string> parse_address(std::string_view text);
}  // namespace baton
