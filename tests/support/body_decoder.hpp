#pragma once
// Incremental request body decoder (Content-Length or chunked) that works in
// place on the connection's read buffer, so any body size streams through a
// bounded buffer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "request_head.hpp"

namespace baton::test_backend {

enum class BodyStatus { data, done, need_more, bad };

// What to do with the unconsumed input: first drop `skip` framing bytes; then,
// for `data`, the next `length` bytes are body (drop them once used); for
// `need_more`, read more input; `done` means the body and its framing are over.
struct BodyStep {
  BodyStatus status = BodyStatus::need_more;
  std::size_t skip = 0;
  std::size_t length = 0;
};

class BodyDecoder {
 public:
  explicit BodyDecoder(BodyFraming framing);
  BodyStep next(std::string_view input);
  bool chunked() const { return chunked_; }

 private:
  enum class State { size_line, data, data_crlf, trailers, done };
  BodyStep next_length(std::string_view input);
  BodyStep next_chunked(std::string_view input);
  bool begin_chunk(std::string_view size_line);

  bool chunked_;
  State state_;
  std::uint64_t remaining_;
};

}  // namespace baton::test_backend
