#include "body_decoder.hpp"

#include <algorithm>
#include <charconv>

namespace baton::test_backend {
namespace {
// A chunk-size line or trailer line longer than this is an attack, not a body.
constexpr std::size_t kMaxFramingLine = 4096;
constexpr std::size_t kMaxChunkSizeDigits = 16;

BodyStep need_more(std::size_t skip) { return {BodyStatus::need_more, skip, 0}; }
BodyStep bad() { return {BodyStatus::bad, 0, 0}; }

// Need more input, unless the line has no end in sight.
BodyStep incomplete_line(std::string_view rest, std::size_t skip) {
  return rest.size() > kMaxFramingLine ? bad() : need_more(skip);
}
}  // namespace

BodyDecoder::BodyDecoder(BodyFraming framing)
    : chunked_(framing.kind == BodyKind::chunked),
      state_(chunked_ ? State::size_line : State::data),
      remaining_(framing.kind == BodyKind::length ? framing.length : 0) {}

BodyStep BodyDecoder::next(std::string_view input) {
  return chunked_ ? next_chunked(input) : next_length(input);
}

BodyStep BodyDecoder::next_length(std::string_view input) {
  if (remaining_ == 0) return {BodyStatus::done, 0, 0};
  if (input.empty()) return need_more(0);
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
  remaining_ -= n;
  return {BodyStatus::data, 0, n};
}

// chunk-size [BWS ";" extensions]; the extensions are ignored.
bool BodyDecoder::begin_chunk(std::string_view line) {
  auto digits_end = std::min(line.find_first_not_of("0123456789abcdefABCDEF"), line.size());
  if (digits_end == 0 || digits_end > kMaxChunkSizeDigits) return false;
  auto after = line.substr(digits_end);
  auto semicolon = after.find_first_not_of(" \t");
  if (semicolon != std::string_view::npos && after[semicolon] != ';') return false;
  std::from_chars(line.data(), line.data() + digits_end, remaining_, 16);
  state_ = remaining_ == 0 ? State::trailers : State::data;
  return true;
}

BodyStep BodyDecoder::next_chunked(std::string_view input) {
  std::size_t skip = 0;
  while (true) {
    auto rest = input.substr(skip);
    switch (state_) {
      case State::size_line: {
        auto eol = rest.find("\r\n");
        if (eol == std::string_view::npos) return incomplete_line(rest, skip);
        if (!begin_chunk(rest.substr(0, eol))) return bad();
        skip += eol + 2;
        break;
      }
      case State::data: {
        if (rest.empty()) return need_more(skip);
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::data_crlf;
        return {BodyStatus::data, skip, n};
      }
      case State::data_crlf:
        if (rest.size() < 2) return need_more(skip);
        if (!rest.starts_with("\r\n")) return bad();
        skip += 2;
        state_ = State::size_line;
        break;
      case State::trailers: {
        // Trailer fields are read and dropped; the empty line ends the message.
        auto eol = rest.find("\r\n");
        if (eol == std::string_view::npos) return incomplete_line(rest, skip);
        skip += eol + 2;
        if (eol == 0) state_ = State::done;
        break;
      }
      case State::done:
        return {BodyStatus::done, skip, 0};
    }
  }
}

}  // namespace baton::test_backend
