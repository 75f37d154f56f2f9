#include "http/websocket_accept.hpp"

#include <boost/beast/core/detail/sha1.hpp>

#include <string>

namespace baton::http {
namespace {
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out;
  for (std::size_t i = 0; i < size; i += 3) {
    unsigned n = data[i] << 16;
    if (i + 1 < size) n |= data[i + 1] << 8;
    if (i + 2 < size) n |= data[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[n & 63] : '=';
  }
  return out;
}
}  // namespace

// Beast's SHA-1 (the one its own WebSocket handshake uses) rather than OpenSSL's: loading
// libcrypto for this one digest cost every `baton` command about 3 ms of start-up.
std::string websocket_accept(std::string_view key) {
  namespace sha1 = boost::beast::detail;
  sha1::sha1_context context;
  sha1::init(context);
  sha1::update(context, key.data(), key.size());
  sha1::update(context, kGuid.data(), kGuid.size());
  unsigned char digest[sha1::sha1_context::digest_size];
  sha1::finish(context, digest);
  return base64(digest, sizeof digest);
}
}  // namespace baton::http
