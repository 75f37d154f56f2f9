#pragma once
// Turns a request path into a relative file path that cannot leave the directory it is looked
// up in. Pure and strict: anything a browser would not send for an ordinary file is refused,
// rather than "repaired" into something an attacker chose.
#include <expected>
#include <string>
#include <string_view>

namespace baton::http {
enum class PathRejection {
  bad_request,  // 400: traversal, encoded separators, NUL, double encoding, bad UTF-8...
  not_found,    // 404: a name Baton keeps for itself (".baton*")
};

struct FilePath {
  std::string relative;         // "assets/app.js"; "" for the root
  bool trailing_slash = false;  // the path named a directory ("/docs/")
};

// `path` is the request's path as sent (a query or fragment is dropped). Percent-escapes are
// decoded once; after that there must be no '/', '\\', NUL or control byte from an escape, no
// escape left (double encoding), no "..", and valid shortest-form UTF-8.
std::expected<FilePath, PathRejection> normalize_file_path(std::string_view path);
}  // namespace baton::http
