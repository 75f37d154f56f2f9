#pragma once
// Test helpers: the real baton-test-backend binary as a child process, and a
// blocking HTTP client for talking to it.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace baton::test_backend {

class BackendProcess {
 public:
  // Starts the binary and waits for its `listening` line.
  explicit BackendProcess(std::vector<std::string> args);
  ~BackendProcess();
  BackendProcess(const BackendProcess&) = delete;
  BackendProcess& operator=(const BackendProcess&) = delete;

  int stop();  // SIGTERM, then the exit status (-1 if it did not exit normally)
  void signal(int sig);
  int wait();  // the exit status once it exits on its own (-1 if it did not exit normally)
  std::uint16_t port() const { return port_; }
  std::string_view listening_line() const { return listening_line_; }
  std::uint64_t peak_rss_kib() const;  // VmHWM

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string listening_line_;
};

using Response = boost::beast::http::response<boost::beast::http::string_body>;

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  explicit HttpClient(const std::string& unix_path);
  void send(std::string_view bytes);
  Response read_response(bool head_request = false);
  Response get(std::string_view target, std::string_view extra_fields = "");
  std::string read_until_close();  // raw bytes; throws on a reset
  boost::system::error_code read_error();  // reads once, returns how it failed
  void close_send();

 private:
  boost::asio::io_context io_;
  boost::asio::generic::stream_protocol::socket socket_{io_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace baton::test_backend
