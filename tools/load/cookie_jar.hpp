#pragma once
// The cookies of one simulated browser: name=value pairs from Set-Cookie,
// sent back as one Cookie header. Attributes (Path, Domain, Expires) are
// ignored: every request goes to the same origin and path; Max-Age=0 deletes.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::load {

class CookieJar {
 public:
  void store(std::string_view set_cookie);  // one Set-Cookie field value
  std::string header() const;               // "a=1; b=2", empty when the jar is empty
  bool empty() const { return cookies_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> cookies_;  // in order of arrival
};

}  // namespace baton::load
