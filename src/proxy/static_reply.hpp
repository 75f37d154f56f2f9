#pragma once
// The response to a static request, from what the lookup found and the request's conditional,
// range and encoding headers: its head, and which bytes of which file follow it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/static_lookup.hpp"
#include "site/file_util.hpp"

namespace baton::proxy {
struct StaticRequestInfo {
  bool head_method = false;
  bool keep_alive = true;
  unsigned version = 11;
  std::string_view path;  // as sent, for a redirect's Location
  std::optional<std::string_view> if_none_match, if_modified_since, range, if_range;
};

struct StaticReply {
  unsigned status = 200;
  std::string head;
  site::Fd file;               // set when body bytes follow the head
  std::uint64_t offset = 0;
  std::uint64_t length = 0;    // body bytes to send from `file`
  std::string_view error;      // X-Baton-Error of a Baton-made error, for the log
};

// `buffer` becomes the reply's head: a connection passes its last one back, so the head reuses
// its capacity instead of allocating.
StaticReply make_static_reply(LookupResult found, const StaticRequestInfo& request, std::string buffer = {});
// 301 to the same path with a trailing slash (a directory named without one).
StaticReply static_redirect(const StaticRequestInfo& request);
// Baton's own error for a static request (400, 404, 405, 503).
StaticReply static_error(unsigned status, std::string_view code, bool keep_alive);
}  // namespace baton::proxy
