#pragma once
// Deliberately broken responses, written raw, so tests can check that a proxy
// answers 502 instead of passing garbage on or desynchronising a pooled connection.
#include <optional>
#include <string_view>

namespace baton::test_backend {

// The bytes to send for /bad/<kind>, or nullopt for an unknown kind.
std::optional<std::string_view> misbehaving_response(std::string_view kind);

}  // namespace baton::test_backend
