#pragma once
// Writes the heads Baton sends: requests to upstreams, responses to clients.
// Framing and hop-by-hop fields are always Baton's own, never copied.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request_head.hpp"
#include "http/response_parser.hpp"

namespace baton::http {
struct ForwardOptions {
  std::string_view client_ip;
  std::string_view fallback_host;  // for HTTP/1.0 requests without Host
  // Field names with "_" are dropped unless this is set, as nginx does: many
  // frameworks read "_" as "-", so X_Forwarded_For could pass for Baton's own field.
  bool pass_underscores = false;
  // Non-empty: sent as X-Request-Id in place of whatever the client sent under that name.
  std::string_view request_id;
};

void append_decimal(std::string& out, std::uint64_t n);

void write_request_head(std::string& out, const RequestHead& head, const ForwardOptions& forwarded);

// How the response body reaches the client.
enum class ClientFraming : std::uint8_t { none, length, chunked, until_close };

ClientFraming choose_client_framing(const ResponseHead& response, unsigned client_version);

void write_response_head(std::string& out, const ResponseHead& head, ClientFraming framing, bool keep_alive,
                         unsigned client_version);
}  // namespace baton::http
