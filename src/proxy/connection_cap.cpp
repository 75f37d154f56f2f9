#include "proxy/connection_cap.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace baton::proxy {
namespace {
constexpr std::uint64_t kMinimumCap = 16;
}  // namespace

std::uint64_t default_connection_cap(std::uint64_t nofile_limit) {
  std::uint64_t reserved = std::max(kReservedFds, nofile_limit / 8);
  std::uint64_t usable = nofile_limit > reserved ? nofile_limit - reserved : 0;
  return std::max(kMinimumCap, usable / 2);
}

std::uint64_t default_connection_cap() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return default_connection_cap(1 << 20);
  return default_connection_cap(limit.rlim_cur);
}
}  // namespace baton::proxy
