#pragma once
// /v1/tokens: the admin listener's named tokens (`baton token create|ls|revoke`, docs/api.md).
// POST {"name", "scope"} answers the new token once; GET lists names, scopes and times; DELETE
// /v1/tokens/NAME revokes at once. Over the admin listener only an admin token reaches these.
#include "app/control_api.hpp"

namespace baton {
bool is_token_request(const control::Request& request);
awaitable<void> handle_tokens(const control::Request& request, control::Reply& reply, ApiContext& context);

// The `who` a change is journalled with: the token that made it when it came through the admin
// listener ("token ci", with the client's own `who` after it), else the client's own.
std::string who_with_token(const control::Request& request, const std::string& who);
}  // namespace baton
