#pragma once
// A deliberately plain HTTP/1.1 client for black-box tests: it sends exactly the
// bytes a test gives it (pipelined, malformed, half a head...) and reads one
// response at a time with Beast's parser, keeping what follows for the next.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "process.hpp"

namespace baton::itest {
struct Response {
  unsigned status = 0;
  std::string reason;
  unsigned version = 11;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;           // empty when a body callback consumed it
  std::uint64_t body_bytes = 0;
  bool chunked = false;
  bool keep_alive = true;

  // The first field with this name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  std::string error_code() const { return header("X-Baton-Error").value_or(""); }
};

struct ReadOptions {
  bool head_request = false;  // a response to HEAD has no body whatever it says
  // When set, body bytes go here instead of into Response::body.
  std::function<void(std::string_view)> on_body;
  std::chrono::milliseconds timeout = kPatience;
};

class Client {
 public:
  // Connects to 127.0.0.1:port; connected() says whether that worked.
  explicit Client(std::uint16_t port);
  ~Client();
  Client(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& last_error() const { return error_; }

  // Writes all of it; false when the peer closed or reset the connection.
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = kPatience);
  // One complete response; nullopt when the connection ended or the timeout
  // passed before one arrived (last_error() says which).
  std::optional<Response> read_response(const ReadOptions& options = {});
  std::optional<Response> get(std::string_view path, std::string_view extra_headers = "");
  // Reads until the peer closes or resets the connection, discarding the bytes
  // (their count goes to `received`). False if it stays open past the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = kPatience, std::uint64_t* received = nullptr);
  void shutdown_write();
  // Bytes received but not yet part of a response.
  std::size_t buffered() const { return buffer_.size(); }

 private:
  enum class Read { data, closed, timeout };
  Read read_more(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;
  std::string error_;
};

// The bytes of a minimal HTTP/1.1 GET: request line, Host, `extra_headers` (CRLF-terminated lines).
std::string get_request(std::string_view path, std::string_view host = "test.local",
                        std::string_view extra_headers = "");

// The /download pattern (byte i is 'a' + i % 26) checked piece by piece.
class PatternChecker {
 public:
  void feed(std::string_view piece);
  std::uint64_t bytes() const { return offset_; }
  bool ok() const { return !mismatch_; }
  std::uint64_t first_mismatch() const { return *mismatch_; }

 private:
  std::uint64_t offset_ = 0;
  std::optional<std::uint64_t> mismatch_;
};

// Up to max_length bytes of the pattern (fewer for large lengths), starting at byte `offset` of the stream.
std::string_view pattern_slice(std::uint64_t offset, std::size_t max_length);

// FNV-1a 64, as /upload sums what it receives: fnv1a64(kFnvBasis, all) == fnv1a64(fnv1a64(kFnvBasis, a), b).
inline constexpr std::uint64_t kFnvBasis = 14695981039346656037ull;
std::uint64_t fnv1a64(std::uint64_t state, std::string_view data);
}  // namespace baton::itest
