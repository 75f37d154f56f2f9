#pragma once
// A doubly linked list threaded through its elements: sessions register with
// their worker without an allocation and unregister in O(1).
namespace baton::proxy {
template <typename T>
struct ListHook {
  T* list_prev_ = nullptr;
  T* list_next_ = nullptr;
};

template <typename T>
class IntrusiveList {
 public:
  void push(T* item) {
    item->list_prev_ = nullptr;
    item->list_next_ = head_;
    if (head_) head_->list_prev_ = item;
    head_ = item;
    ++size_;
  }
  void erase(T* item) {
    if (item->list_prev_) item->list_prev_->list_next_ = item->list_next_;
    else head_ = item->list_next_;
    if (item->list_next_) item->list_next_->list_prev_ = item->list_prev_;
    item->list_prev_ = item->list_next_ = nullptr;
    --size_;
  }
  // `visit` may not erase other elements; it may erase nothing at all.
  template <typename Visit>
  void for_each(Visit&& visit) {
    for (T* it = head_; it;) {
      T* next = it->list_next_;
      visit(*it);
      it = next;
    }
  }
  std::size_t size() const { return size_; }

 private:
  T* head_ = nullptr;
  std::size_t size_ = 0;
};
}  // namespace baton::proxy
