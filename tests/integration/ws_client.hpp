#pragma once
// A WebSocket client (Beast) whose every operation is bounded by a timeout, so
// a proxy that stalls a tunnel fails the test instead of hanging it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "process.hpp"

namespace baton::itest {
struct WsMessage {
  std::string data;
  bool text = true;
};

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // TCP connect and the opening handshake on 127.0.0.1:port.
  bool connect(std::uint16_t port, std::string_view path, std::string_view host = "test.local");
  bool write(std::string_view data, bool text);
  std::optional<WsMessage> read();
  bool close();
  const std::string& last_error() const { return error_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string error_;
};
}  // namespace baton::itest
