#pragma once
// libarchive converts names between UTF-8 and the locale's character set: under the daemon's "C"
// locale a UTF-8 name ("café.png") would not convert and come back as a warning. While one of
// these lives, this thread runs under C.UTF-8, so names are taken and written as the UTF-8 they are.
#include <locale.h>

namespace baton::site {
class Utf8Names {
 public:
  Utf8Names() {
    static locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (utf8) previous_ = ::uselocale(utf8);
  }
  ~Utf8Names() {
    if (previous_) ::uselocale(previous_);
  }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};
}  // namespace baton::site
