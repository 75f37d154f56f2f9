#pragma once
// The last N things that happened (an instance's exits, its health changes), oldest first: what
// `baton describe` shows, in memory bounded however long the daemon runs.
#include <cstddef>
#include <deque>
#include <vector>

namespace baton {
template <class T, std::size_t N>
class Recent {
  static_assert(N > 0);

 public:
  void add(T item) {
    if (items_.size() == N) items_.pop_front();
    items_.push_back(std::move(item));
  }
  std::vector<T> list() const { return {items_.begin(), items_.end()}; }
  std::size_t size() const { return items_.size(); }
  static constexpr std::size_t capacity() { return N; }

 private:
  std::deque<T> items_;
};
}  // namespace baton
