#include "supervisor/readiness.hpp"

namespace baton::supervisor {
awaitable<bool> cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

awaitable<void> wait_until_accepting(std::uint16_t port, std::chrono::milliseconds interval) {
  auto executor = co_await asio::this_coro::executor;
  tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  asio::steady_timer timer(executor);
  for (;;) {
    tcp::socket socket(executor);
    auto [ec] = co_await socket.async_connect(endpoint, use_nothrow);
    if (!ec || co_await cancelled()) co_return;
    timer.expires_after(interval);
    co_await timer.async_wait(use_nothrow);
    if (co_await cancelled()) co_return;
  }
}
}  // namespace baton::supervisor
