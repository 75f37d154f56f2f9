#include "http/error_response.hpp"

#include <fmt/format.h>

namespace baton::http {
std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 100: return "Continue";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

std::string make_error_response(unsigned status, std::string_view code, bool keep_alive) {
  auto body = fmt::format("{} {} ({})\n", status, reason_phrase(status), code);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
      "Cache-Control: no-store\r\nX-Baton-Error: {}\r\n{}\r\n{}",
      status, reason_phrase(status), body.size(), code, keep_alive ? "" : "Connection: close\r\n", body);
}
}  // namespace baton::http
