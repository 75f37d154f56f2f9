#pragma once
// The versions one client (one browser) has seen, in order. A regression is a
// switch back to a version the client had already moved away from: v1 v2 v1
// is one regression, v1 v2 v2 is none. During a deploy a client should only
// ever move forward, so every regression is a user seeing the old app again.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace baton::load {

class VersionSequence {
 public:
  // Records one response's version; true when it is a regression.
  bool see(std::string_view version);
  std::uint64_t regressions() const { return regressions_; }
  const std::string& current() const { return current_; }

 private:
  std::string current_;
  std::set<std::string, std::less<>> left_;
  std::uint64_t regressions_ = 0;
};

}  // namespace baton::load
