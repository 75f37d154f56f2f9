#pragma once
// Wakes every coroutine waiting for "something changed" (an instance became
// healthy, a deploy wrote an event). Waiters re-check their condition after
// each wake-up, so a notify that comes before a wait is never needed.
// Single-threaded: the control plane's executor only.
#include <chrono>
#include <list>

#include "net/asio.hpp"

namespace baton::deploy {
class Notifier {
 public:
  explicit Notifier(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  void notify() {
    for (auto* timer : waiting_) timer->cancel();
  }

  // Returns on the next notify(), at `deadline`, or when the awaiting coroutine is cancelled.
  awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer timer(executor_, deadline);
    auto position = waiting_.insert(waiting_.end(), &timer);
    co_await timer.async_wait(use_nothrow);
    waiting_.erase(position);
  }

 private:
  asio::any_io_executor executor_;
  std::list<asio::steady_timer*> waiting_;
};
}  // namespace baton::deploy
