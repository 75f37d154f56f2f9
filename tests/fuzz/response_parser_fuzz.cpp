// Upstream response framing: hostile upstream bytes must never crash the proxy.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "http/response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace baton::http;
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ResponseHead head;
  BodyPieces body;
  ResponseParser parser(head, body, (data[0] & 1) != 0);
  auto length = parser.parse_head(input);
  if (length == 0 || parser.is_done()) return 0;
  BATON_CHECK(length <= input.size());
  auto used = parser.parse_body(input.substr(length));
  if (!parser.failed() && !parser.is_done() && used == input.size() - length) parser.finish_at_eof();
  return 0;
}
