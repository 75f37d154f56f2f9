#include "proxy/request_id.hpp"

#include <algorithm>
#include <cstring>
#include <random>

#include "http/header_rules.hpp"

namespace baton::proxy {
namespace {
constexpr std::size_t kMadeLength = 32;
constexpr std::string_view kFieldName = "X-Request-Id";

bool is_id_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_.:+/=@").find(c) != std::string_view::npos;
}

void write_hex(std::uint64_t value, char* out) {
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = kHex[value & 0xf];
}
}  // namespace

bool is_valid_request_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength && std::ranges::all_of(id, is_id_character);
}

RequestIdSource::RequestIdSource() {
  std::random_device random;
  prefix_ = (std::uint64_t{random()} << 32) | random();
}

void RequestIdSource::next(char* out) {
  write_hex(prefix_, out);
  write_hex(++counter_, out + 16);
}

void RequestId::choose(const std::vector<http::HeaderField>& fields, RequestIdSource& source) {
  auto given = std::ranges::find_if(fields, [](const http::HeaderField& f) {
    return f.name.size() == kFieldName.size() && http::iequals(f.name, kFieldName);
  });
  if (given != fields.end() && is_valid_request_id(given->value)) {
    std::memcpy(text_, given->value.data(), given->value.size());
    length_ = given->value.size();
    return;
  }
  source.next(text_);
  length_ = kMadeLength;
}
}  // namespace baton::proxy
