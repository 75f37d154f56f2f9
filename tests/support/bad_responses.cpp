#include "bad_responses.hpp"

#include <array>
#include <utility>

namespace baton::test_backend {
namespace {
using namespace std::string_view_literals;

constexpr std::array kResponses{
    // Both framings: a request smuggling shape when it is passed on.
    std::pair{"cl-te"sv,
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\nhello\r\n0\r\n\r\n"sv},
    std::pair{"two-cl"sv, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"sv},
    std::pair{"garbage"sv, "\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n"sv},
    // The connection closes after these bytes, 90 short of the promise.
    std::pair{"short"sv, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"sv},
    std::pair{"chunk"sv,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"sv},
    std::pair{"204-body"sv, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"sv},
    // Correct for GET; for HEAD the body is one a proxy must not read or forward.
    std::pair{"head-body"sv, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"sv},
};
}  // namespace

std::optional<std::string_view> misbehaving_response(std::string_view kind) {
  for (auto [name, bytes] : kResponses)
    if (name == kind) return bytes;
  return std::nullopt;
}

}  // namespace baton::test_backend
