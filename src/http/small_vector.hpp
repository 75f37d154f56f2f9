#pragma once
#include <array>
#include <cstddef>

namespace baton::http {
// A fixed-capacity vector: the per-request lists it holds are tiny, and the
// hot path must not allocate. push_back reports overflow instead of growing.
template <typename T, std::size_t N>
class SmallVector {
 public:
  bool push_back(const T& value) {
    if (size_ == N) return false;
    items_[size_++] = value;
    return true;
  }
  void clear() { size_ = 0; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  const T& operator[](std::size_t i) const { return items_[i]; }

 private:
  std::array<T, N> items_{};
  std::size_t size_ = 0;
};
}  // namespace baton::http
