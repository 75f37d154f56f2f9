#pragma once
// Request heads as real clients send them: browsers' navigations and XHRs with
// cookies, curl, HTTP libraries, a mobile app, a crawler; from 100 bytes to the
// default head limit.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::itest {
struct HeadSample {
  std::string name;
  std::string head;  // whole, through the empty line
};

std::vector<HeadSample> realistic_heads();
// The fields of a head in order, values without surrounding white space.
std::vector<std::pair<std::string, std::string>> fields_of(std::string_view head);
}  // namespace baton::itest
