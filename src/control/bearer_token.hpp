#pragma once
// The admin listener's check of `Authorization: Bearer TOKEN`.
#include <optional>
#include <string_view>

namespace baton::control {
// True when `authorization` (the header's value) is "Bearer " (scheme case-insensitive) and
// exactly `token`. The bytes are compared in constant time, so how long a wrong guess took says
// nothing about how much of it was right.
bool bearer_matches(std::string_view authorization, std::string_view token);
// The token of "Bearer TOKEN" (scheme case-insensitive); nullopt for any other header.
std::optional<std::string_view> bearer_of(std::string_view authorization);
// Equal sizes and bytes; the time taken depends on the size only.
bool same_bytes_in_constant_time(std::string_view a, std::string_view b);
}  // namespace baton::control
