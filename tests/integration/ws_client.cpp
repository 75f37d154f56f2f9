#include "ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace baton::itest {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
}  // namespace

struct WsClient::State {
  asio::io_context context;
  websocket::stream<tcp::socket> ws{context};

  // Runs one started operation to completion; cancels it past the timeout.
  bool run(bool& done) {
    context.restart();
    context.run_for(kPatience);
    if (done) return true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws).cancel(ignored);
    context.restart();
    context.run();
    return false;
  }
};

WsClient::WsClient() : state_(std::make_unique<State>()) {}
WsClient::~WsClient() = default;

bool WsClient::connect(std::uint16_t port, std::string_view path, std::string_view host) {
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(state_->ws);
  socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  if (ec) {
    error_ = "connect: " + ec.message();
    return false;
  }
  bool done = false;
  state_->ws.async_handshake(std::string(host), std::string(path), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!state_->run(done) || ec) {
    error_ = "handshake: " + (done ? ec.message() : std::string("timed out"));
    return false;
  }
  return true;
}

bool WsClient::write(std::string_view data, bool text) {
  beast::error_code ec;
  bool done = false;
  state_->ws.text(text);
  state_->ws.async_write(asio::buffer(data.data(), data.size()), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!state_->run(done) || ec) {
    error_ = "write: " + (done ? ec.message() : std::string("timed out"));
    return false;
  }
  return true;
}

std::optional<WsMessage> WsClient::read() {
  beast::error_code ec;
  bool done = false;
  beast::flat_buffer buffer;
  state_->ws.async_read(buffer, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!state_->run(done) || ec) {
    error_ = "read: " + (done ? ec.message() : std::string("timed out"));
    return std::nullopt;
  }
  return WsMessage{beast::buffers_to_string(buffer.data()), state_->ws.got_text()};
}

bool WsClient::close() {
  beast::error_code ec;
  bool done = false;
  state_->ws.async_close(websocket::close_code::normal, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!state_->run(done) || ec) {
    error_ = "close: " + (done ? ec.message() : std::string("timed out"));
    return false;
  }
  return true;
}
}  // namespace baton::itest
