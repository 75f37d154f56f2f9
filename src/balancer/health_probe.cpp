#include "balancer/health_probe.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace baton::health {
namespace {
namespace http = beast::http;

ProbeResult failure(std::string detail) { return {false, std::move(detail)}; }

ProbeResult connect_failure(const error_code& ec) {
  if (ec == asio::error::connection_refused) return failure("connection refused");
  return failure(ec.message());
}

ProbeResult read_failure(const error_code& ec) {
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return failure("connection closed before a response");
  // Beast's parse errors all mean the same thing to an operator: the app answered nonsense.
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return failure("bad response");
  return failure(ec.message());
}

std::string request_text(const HealthCheck& check) {
  std::string_view host = check.host.empty() ? defaults::kHealthHost : check.host;
  return fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: baton-health\r\n"
                     "Connection: close\r\n\r\n", check.path, host);
}

ProbeResult classify(const HealthCheck& check, unsigned status) {
  bool ok = status >= check.expect_min && status <= check.expect_max;
  return {ok, fmt::format("HTTP {}", status)};
}

// Each step returns at its first error, with no further co_await: after a cancellation the next
// co_await would throw.
awaitable<ProbeResult> exchange(const HealthCheck& check, const Address& target) {
  auto executor = co_await asio::this_coro::executor;
  asio::generic::stream_protocol::socket socket(executor);
  asio::generic::stream_protocol::endpoint endpoint;
  if (target.kind == Address::Kind::unix_path) {
    endpoint = asio::local::stream_protocol::endpoint(target.path);
  } else {
    error_code bad_host;
    auto ip = asio::ip::make_address(target.host, bad_host);
    if (bad_host) co_return failure("cannot probe host " + target.host + ": not an IP address");
    endpoint = tcp::endpoint(ip, target.port);
  }
  auto [connect_ec] = co_await socket.async_connect(endpoint, use_nothrow);
  if (connect_ec) co_return connect_failure(connect_ec);
  if (check.kind == HealthCheck::Kind::tcp) co_return ProbeResult{true, "connected"};
  std::string request = request_text(check);
  auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(request), use_nothrow);
  if (write_ec) co_return failure(write_ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  auto [read_ec, read] = co_await http::async_read_header(socket, buffer, parser, use_nothrow);
  if (read_ec) co_return read_failure(read_ec);
  co_return classify(check, parser.get().result_int());
}

awaitable<void> expire(Millis after) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, after);
  co_await timer.async_wait(use_nothrow);
}
}  // namespace

awaitable<ProbeResult> probe(const HealthCheck& check, std::uint16_t port) {
  Address target{Address::Kind::tcp, "127.0.0.1", port, {}};
  auto result = co_await probe(check, target);
  co_return result;
}

awaitable<ProbeResult> probe(const HealthCheck& check, const Address& target) {
  using namespace asio::experimental::awaitable_operators;
  try {
    auto outcome = co_await (exchange(check, target) || expire(check.timeout));
    if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
    co_return failure(fmt::format("timed out after {} ms", check.timeout.count()));
  } catch (const std::exception& e) {
    // Only a cancellation racing a completion gets here (asio throws from the next co_await).
    co_return failure(fmt::format("probe aborted: {}", e.what()));
  }
}
}  // namespace baton::health
