#pragma once
#include "net/asio.hpp"

namespace baton::supervisor {
// A latch coroutines can wait on (a stop request, "output drained"). A timer that never expires
// carries the waiters; set() cancels it. Single-threaded: use it on one executor only.
class Event {
 public:
  explicit Event(asio::any_io_executor executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  void set() {
    set_ = true;
    timer_.cancel();
  }
  bool is_set() const { return set_; }
  // Waiters from now on block again; the timer never expires, so only set() wakes them.
  void reset() { set_ = false; }

  // Completes once set(), or early when the awaiting coroutine is cancelled (it lost a race).
  awaitable<void> wait() {
    while (!set_) {
      co_await timer_.async_wait(use_nothrow);
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return;
    }
  }

 private:
  asio::steady_timer timer_;
  bool set_ = false;
};
}  // namespace baton::supervisor
