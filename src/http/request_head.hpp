#pragma once
// A parsed request head. Every view points into the connection's read buffer
// and is valid until that buffer is refilled: the hot path copies nothing.
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "http/header_rules.hpp"

namespace baton::http {
using Verb = boost::beast::http::verb;

struct HeaderField {
  Field id;
  std::string_view name;
  std::string_view value;
};

struct RequestHead {
  Verb method = Verb::unknown;
  std::string_view method_text;
  std::string_view target;  // as sent
  std::string_view path;    // origin-form: absolute-form targets are reduced to their path
  std::string_view host;    // from an absolute-form target, else the Host header
  std::string_view websocket_key;
  unsigned version = 11;    // 10 or 11
  std::vector<HeaderField> fields;
  ConnectionTokens connection_tokens;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
  bool expect_continue = false;
  bool websocket_upgrade = false;  // Upgrade: websocket with Connection: upgrade and a valid key
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
  bool is_idempotent() const;

  void clear();
};

// Why a request is refused before it reaches any upstream.
enum class Rejection : std::uint8_t {
  none,
  bad_request,       // 400
  uri_too_long,      // 414
  headers_too_large, // 431
  body_too_large,    // 413
  not_implemented,   // 501
  expectation_failed, // 417
};
unsigned status_of(Rejection r);
}  // namespace baton::http
