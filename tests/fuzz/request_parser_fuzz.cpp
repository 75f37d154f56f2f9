// Request framing: any bytes, split at any point, must never crash, and a
// complete head must leave views that lie inside the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "http/request_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace baton::http;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  BodyPieces body;
  RequestLimits limits;
  limits.max_header_count = 50;
  limits.max_body = 1 << 20;
  RequestParser parser(head, body, limits);
  auto length = parser.parse_head(input);
  if (length == 0) return 0;
  BATON_CHECK(length <= size);
  for (const auto& f : head.fields) {
    BATON_CHECK(f.name.data() >= input.data() && f.name.data() + f.name.size() <= input.data() + size);
    BATON_CHECK(f.value.data() >= input.data() && f.value.data() + f.value.size() <= input.data() + size);
  }
  if (parser.is_done()) return 0;
  auto rest = input.substr(length);
  // Feed the body in two parts, the way reads arrive.
  auto first = rest.substr(0, rest.size() / 2);
  auto used = parser.parse_body(first);
  if (parser.failed() || parser.is_done()) return 0;
  parser.parse_body(rest.substr(used));
  return 0;
}
