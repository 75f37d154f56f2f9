// Request framing: any bytes, split at any point, must never crash; a complete
// head must leave views that lie inside the input; and a head that arrives in
// two reads, its buffer moved between them, must parse exactly as when whole.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.hpp"
#include "http/request_parser.hpp"

namespace {
using namespace baton::http;

struct Outcome {
  std::size_t length = 0;
  Rejection rejection = Rejection::none;
  std::size_t fields = 0;
};

RequestLimits fuzz_limits() {
  RequestLimits limits;
  limits.max_header_count = 50;
  limits.max_field_bytes = 2048;
  limits.max_body = 1 << 20;
  return limits;
}

// The head in two reads: `input` up to `cut`, then all of it, in a new buffer.
Outcome parse_in_two_reads(std::string_view input, std::size_t cut) {
  RequestHead head;
  BodyPieces body;
  auto limits = fuzz_limits();
  RequestParser parser(head, body, limits);
  std::string first(input.substr(0, cut));
  Outcome out;
  out.length = parser.parse_head(first);
  if (out.length == 0 && !parser.failed()) {
    std::string whole(input);
    out.length = parser.parse_head(whole);
  }
  out.rejection = parser.rejection();
  out.fields = head.fields.size();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  BodyPieces body;
  auto limits = fuzz_limits();
  RequestParser parser(head, body, limits);
  auto length = parser.parse_head(input);
  if (size > 0) {
    auto split = parse_in_two_reads(input, data[size - 1] % size);
    // Which limit speaks first may differ (a line cut short can be too long
    // before its bare LF shows), whether it is refused may not.
    BATON_CHECK((split.rejection == Rejection::none) == (parser.rejection() == Rejection::none));
    BATON_CHECK(split.length == length);
    BATON_CHECK(split.fields == head.fields.size() || length == 0);
  }
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
