#include "site/release_choice.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace baton::site {
namespace {
// The release before the live one, or "" when there is none.
std::string_view predecessor_of(const std::vector<std::string>& ids, std::string_view live) {
  auto it = std::ranges::find(ids, live);
  if (it == ids.end() || it == ids.begin()) return {};
  return *(it - 1);
}
}  // namespace

std::vector<std::string> releases_to_prune(const std::vector<std::string>& ids, std::string_view live,
                                           unsigned keep) {
  auto predecessor = predecessor_of(ids, live);
  std::vector<std::string> doomed;
  std::size_t kept = 0;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    bool protected_release = *it == live || *it == predecessor;
    if (protected_release || kept < keep) {
      ++kept;
      continue;
    }
    doomed.push_back(*it);
  }
  return doomed;
}

std::expected<std::string, std::string> rollback_target(const std::vector<std::string>& ids,
                                                        std::string_view live, std::string_view to) {
  if (!to.empty()) {
    if (std::ranges::find(ids, to) == ids.end())
      return std::unexpected(fmt::format("no release '{}' (see 'baton site ls')", to));
    if (to == live) return std::unexpected(fmt::format("release '{}' is already live", to));
    return std::string(to);
  }
  if (live.empty()) return std::unexpected(std::string("nothing is live yet: publish a release first"));
  auto previous = predecessor_of(ids, live);
  if (previous.empty())
    return std::unexpected(fmt::format("no release before the live one ('{}') to roll back to", live));
  return std::string(previous);
}
}  // namespace baton::site
