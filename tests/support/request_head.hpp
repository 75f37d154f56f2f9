#pragma once
// A strict, allocation-free HTTP/1.x request head parser for the test backend.
// Strict on purpose: whatever a proxy forwards must parse here, so a sloppy
// forwarder shows up as a 400 in the integration tests.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace baton::test_backend {

struct HeaderField {
  std::string_view name;
  std::string_view value;  // without surrounding whitespace
};

inline constexpr std::size_t kMaxHeaderFields = 100;

// Views into the text given to parse_request_head.
struct RequestHead {
  std::string_view method;
  std::string_view target;
  int minor_version = 1;
  std::array<HeaderField, kMaxHeaderFields> fields;
  std::size_t field_count = 0;

  std::string_view path() const;                       // target up to '?'
  std::optional<std::string_view> field(std::string_view name) const;  // first match
  bool has_token(std::string_view name, std::string_view token) const;  // in a comma list
};

enum class BodyKind { none, length, chunked };

struct BodyFraming {
  BodyKind kind = BodyKind::none;
  std::uint64_t length = 0;
};

// Size of the head including its final CRLFCRLF, or nullopt while incomplete.
std::optional<std::size_t> find_head_end(std::string_view bytes);

// Parses a complete head (as delimited by find_head_end). False if malformed.
bool parse_request_head(std::string_view head, RequestHead& out);

// Request body framing per RFC 9112 section 6; nullopt for the ambiguous or
// invalid shapes a careful server must refuse (TE with CL, differing CLs, ...).
std::optional<BodyFraming> body_framing(const RequestHead& head);

bool wants_keep_alive(const RequestHead& head);

// Value of `name` in the query string parsed as an unsigned number, if present and valid.
std::optional<std::uint64_t> query_number(std::string_view target, std::string_view name);

bool iequals(std::string_view a, std::string_view b);

}  // namespace baton::test_backend
