#include "control/bearer_token.hpp"

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
  return same_bytes_in_constant_time(given, token);
}

std::optional<std::string_view> bearer_of(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  bool scheme_ok = std::ranges::equal(authorization.substr(0, kScheme.size()), kScheme, [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  if (!scheme_ok) return std::nullopt;
  return authorization.substr(kScheme.size());
}

// Every byte is looked at whatever the earlier ones were, and the accumulator is volatile so the
// compiler cannot turn the loop back into an early exit.
bool same_bytes_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    difference = difference | static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}
}  // namespace baton::control
