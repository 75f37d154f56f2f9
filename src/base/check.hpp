#pragma once
// Invariant checks that stay on in release builds: a broken invariant is a bug,
// and continuing would risk serving wrong bytes.

namespace baton {
[[noreturn]] void check_failed(const char* expr, const char* file, int line);
}

#define BATON_CHECK(cond) \
  ((cond) ? (void)0 : ::baton::check_failed(#cond, __FILE__, __LINE__))
