#pragma once
// Responses Baton makes itself. Every one carries `X-Baton-Error` so operators
// and clients can tell them from the application's own errors.
#include <string>
#include <string_view>

namespace baton::http {
// `code` is a short machine-readable word, e.g. "upstream_unreachable".
std::string make_error_response(unsigned status, std::string_view code, bool keep_alive);
std::string_view reason_phrase(unsigned status);
}  // namespace baton::http
