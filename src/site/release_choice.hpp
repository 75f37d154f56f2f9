#pragma once
// Pure decisions over a site's release ids (sorted oldest first): what to prune, where a
// rollback goes.
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace baton::site {
// Releases to delete so that the newest `keep` remain, never the live one nor the one before
// it (the release a rollback goes to).
std::vector<std::string> releases_to_prune(const std::vector<std::string>& ids, std::string_view live,
                                           unsigned keep);

// The release a rollback makes live: `to` when given (it must exist and not be live), else the
// release just before the live one.
std::expected<std::string, std::string> rollback_target(const std::vector<std::string>& ids,
                                                        std::string_view live, std::string_view to);
}  // namespace baton::site
