#pragma once
// A site as the data plane sees it: where its releases are and how it answers misses.
#include <string>

#include "config/config.hpp"

namespace baton::proxy {
struct StaticSite {
  std::string name;
  std::string root;          // ROOT: releases/ and current
  std::string current_path;  // ROOT/current
  std::string prefix;        // the route's path, stripped before the file is looked up
  bool spa = false;
  std::string not_found;     // a page inside the release for 404s; empty: Baton's own
};

inline StaticSite make_static_site(const SiteConfig& config) {
  return {config.name, config.root, config.root + "/current", config.path, config.spa, config.not_found};
}
}  // namespace baton::proxy
