#pragma once
// The request id of a logged request (docs/access-log.md): the client's X-Request-Id when it is
// valid (1 to 128 bytes of letters, digits and `-_.:+/=@`), else one made here; it is passed
// upstream as X-Request-Id and written in the access log line. Made and kept without allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/request_head.hpp"

namespace baton::proxy {
inline constexpr std::size_t kMaxRequestIdLength = 128;

bool is_valid_request_id(std::string_view id);

// Ids unique across threads and daemon restarts: 32 hex digits, a random 64-bit prefix drawn per
// source (one per proxy thread) then a counter.
class RequestIdSource {
 public:
  RequestIdSource();
  explicit RequestIdSource(std::uint64_t prefix) : prefix_(prefix) {}
  // Writes the next id's 32 characters to `out`.
  void next(char* out);

 private:
  std::uint64_t prefix_;
  std::uint64_t counter_ = 0;
};

class RequestId {
 public:
  // The first X-Request-Id field of `fields` if it is valid, else the next id of `source`.
  void choose(const std::vector<http::HeaderField>& fields, RequestIdSource& source);
  void clear() { length_ = 0; }
  std::string_view view() const { return {text_, length_}; }

 private:
  char text_[kMaxRequestIdLength];
  std::size_t length_ = 0;
};
}  // namespace baton::proxy
