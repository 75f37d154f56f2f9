#include "control/bearer_token.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

namespace baton::control {
bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() < kScheme.size()) return false;
  bool scheme_ok = std::ranges::equal(authorization.substr(0, kScheme.size()), kScheme, [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  auto given = authorization.substr(kScheme.size());
  // The length is not secret; the content is, so it is compared without an early exit.
  if (!scheme_ok || given.size() != token.size()) return false;
  return CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}
}  // namespace baton::control
