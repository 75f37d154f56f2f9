#pragma once
// What a static file's name says about how it is served: its content type, whether its name
// carries a content hash (and may be cached forever), whether precompressed siblings are worth
// looking for.
#include <string_view>

namespace baton::http {
// By extension, case-insensitively; "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view file_name);
// A name like "app.3f9a1c2e.js" or "index-B7x2kQ9d.css": a dot- or dash-separated part of
// 8 to 64 letters and digits, with at least one digit, that is not the first part. Such a name
// changes whenever the content does, so the response may be cached for a year.
bool is_content_hashed(std::string_view file_name);
// Text types, where a .br or .gz sibling is worth an extra open.
bool is_compressible(std::string_view content_type);
// The last path segment has no '.': "/settings/profile", not "/logo.png".
bool has_no_extension(std::string_view relative_path);

inline constexpr std::string_view kImmutableCache = "public, max-age=31536000, immutable";
inline constexpr std::string_view kRevalidateCache = "no-cache";
}  // namespace baton::http
