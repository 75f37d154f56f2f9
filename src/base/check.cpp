#include "base/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace baton {
void check_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "baton: invariant failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace baton
