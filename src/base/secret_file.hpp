#pragma once
// Reads a secret (the admin API's bearer token) from a file that only its owner may read.
#include <expected>
#include <string>

namespace baton {
// The file's text without surrounding white space. Refused: not a regular file, unreadable,
// empty, or with any permission for group or others (the message says what to change).
std::expected<std::string, std::string> read_secret_file(const std::string& path);
}  // namespace baton
