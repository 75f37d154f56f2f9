#pragma once
// The admin listener's check of `Authorization: Bearer TOKEN`.
#include <string_view>

namespace baton::control {
// True when `authorization` (the header's value) is "Bearer " (scheme case-insensitive) and
// exactly `token`. The bytes are compared in constant time (CRYPTO_memcmp), so how long a
// wrong guess took says nothing about how much of it was right.
bool bearer_matches(std::string_view authorization, std::string_view token);
}  // namespace baton::control
