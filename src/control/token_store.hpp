#pragma once
// The admin listener's named tokens (`baton token create|ls|revoke`), kept in HOME/tokens.json
// (mode 0600, replaced atomically). A token is shown once, when it is made; the file holds its
// SHA-256 only (a token is 256 random bits, so a fast hash is enough: there is nothing to guess).
// A presented token is compared with every stored hash, each in constant time.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/access.hpp"

namespace baton::control {
struct TokenInfo {
  std::string name;
  Scope scope = Scope::read;
  std::int64_t created_ms = 0;  // Unix time
};

class TokenStore {
 public:
  explicit TokenStore(std::filesystem::path file) : file_(std::move(file)) {}

  // A new token: its secret, to be shown once. Names are [A-Za-z0-9_.-], 1 to 64, unique.
  std::expected<std::string, std::string> create(const std::string& name, Scope scope);
  std::expected<void, std::string> revoke(const std::string& name);
  std::expected<std::vector<TokenInfo>, std::string> list() const;
  // The token `presented` is, if any (read from the file each time: a revoke applies at once).
  std::optional<TokenInfo> find(std::string_view presented) const;

 private:
  struct Stored {
    TokenInfo info;
    std::string sha256;  // hex
  };
  std::expected<std::vector<Stored>, std::string> load() const;
  std::expected<void, std::string> save(const std::vector<Stored>& tokens) const;

  std::filesystem::path file_;
};

// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);
}  // namespace baton::control
