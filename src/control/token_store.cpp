#include "control/token_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "control/bearer_token.hpp"

namespace baton::control {
namespace {
using nlohmann::json;
constexpr std::size_t kMaxName = 64;
constexpr std::string_view kPrefix = "bt_";  // recognisable in a leaked log or a secret scanner

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxName && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

std::expected<std::string, std::string> random_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::unexpected("no random bytes for a token");
  std::string out(kPrefix);
  for (auto b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::expected<std::vector<TokenStore::Stored>, std::string> TokenStore::load() const {
  std::ifstream in(file_);
  if (!in) return std::vector<Stored>{};  // no token made yet
  std::ostringstream text;
  text << in.rdbuf();
  auto document = json::parse(text.str(), nullptr, false);
  if (!document.is_object() || !document.contains("tokens") || !document["tokens"].is_array())
    return std::unexpected(fmt::format("{} is damaged: not {{\"tokens\": [...]}}", file_.string()));
  std::vector<Stored> out;
  for (const auto& entry : document["tokens"]) {
    auto scope = entry.is_object() && entry.value("scope", json()).is_string()
                     ? parse_scope(entry["scope"].get<std::string>())
                     : std::nullopt;
    if (!scope || !entry.value("name", json()).is_string() || !entry.value("sha256", json()).is_string())
      return std::unexpected(fmt::format("{} is damaged: a token without name, scope or sha256", file_.string()));
    out.push_back({{entry["name"].get<std::string>(), *scope, entry.value("created_ms", std::int64_t{0})},
                   entry["sha256"].get<std::string>()});
  }
  return out;
}

std::expected<void, std::string> TokenStore::save(const std::vector<Stored>& tokens) const {
  json list = json::array();
  for (const auto& t : tokens)
    list.push_back({{"name", t.info.name},
                    {"scope", to_string(t.info.scope)},
                    {"created_ms", t.info.created_ms},
                    {"sha256", t.sha256}});
  auto text = json{{"tokens", list}}.dump(2) + "\n";
  auto partial = file_;
  partial += ".partial";
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(fmt::format("cannot write {}: {}", partial.string(), std::strerror(errno)));
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (written) std::filesystem::rename(partial, file_, ec);
  if (!written || ec) {
    std::filesystem::remove(partial, ec);
    return std::unexpected(fmt::format("cannot write {}", file_.string()));
  }
  return {};
}

std::expected<std::string, std::string> TokenStore::create(const std::string& name, Scope scope) {
  if (!valid_name(name))
    return std::unexpected(fmt::format("a token's name is 1 to {} letters, digits, '_', '-' or '.'", kMaxName));
  if (name == "admin") return std::unexpected("the name 'admin' is the token of [control] admin_token_file");
  auto tokens = load();
  if (!tokens) return std::unexpected(tokens.error());
  if (std::ranges::any_of(*tokens, [&](const Stored& t) { return t.info.name == name; }))
    return std::unexpected(fmt::format("a token named '{}' exists: revoke it first", name));
  auto secret = random_secret();
  if (!secret) return std::unexpected(secret.error());
  tokens->push_back({{name, scope, now_ms()}, sha256_hex(*secret)});
  if (auto saved = save(*tokens); !saved) return std::unexpected(saved.error());
  return *secret;
}

std::expected<void, std::string> TokenStore::revoke(const std::string& name) {
  auto tokens = load();
  if (!tokens) return std::unexpected(tokens.error());
  auto gone = std::erase_if(*tokens, [&](const Stored& t) { return t.info.name == name; });
  if (gone == 0) return std::unexpected(fmt::format("no token named '{}'", name));
  return save(*tokens);
}

std::expected<std::vector<TokenInfo>, std::string> TokenStore::list() const {
  auto tokens = load();
  if (!tokens) return std::unexpected(tokens.error());
  std::vector<TokenInfo> out;
  for (const auto& t : *tokens) out.push_back(t.info);
  return out;
}

std::optional<TokenInfo> TokenStore::find(std::string_view presented) const {
  auto tokens = load();
  if (!tokens || presented.empty()) return std::nullopt;
  auto hash = sha256_hex(presented);
  std::optional<TokenInfo> found;
  // Every stored hash is compared, each in constant time: how long it took says nothing.
  for (const auto& t : *tokens)
    if (same_bytes_in_constant_time(hash, t.sha256) && !found) found = t.info;
  return found;
}
}  // namespace baton::control
