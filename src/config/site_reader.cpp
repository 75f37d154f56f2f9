#include "config/site_reader.hpp"

#include <map>
#include <tuple>

#include <fmt/format.h>

#include "config/route_reader.hpp"
#include "config/service_rules.hpp"

namespace baton::config_detail {
namespace {
constexpr Range<std::uint32_t> kKeepRange{2, 1000};  // the live release and its predecessor stay

using RouteKey = std::tuple<std::string, std::string, std::string>;  // listen, host, path

void read_root_dir(TableReader& r, SiteConfig& site) {
  std::string root;
  if (!r.require("root") || !r.read("root", root)) return;
  if (!root.starts_with('/')) return r.fail_at("root", fmt::format("must be an absolute path, not '{}'", root));
  if (root.find('\0') != root.npos) return r.fail_at("root", "must not contain a NUL character");
  while (root.size() > 1 && root.ends_with('/')) root.pop_back();
  site.root = std::move(root);
}

// A page inside the release: relative, without "..", so it can never name a file elsewhere.
void read_not_found(TableReader& r, SiteConfig& site) {
  std::string page;
  if (!r.read("not_found", page)) return;
  if (page.empty() || page.starts_with('/'))
    return r.fail_at("not_found", "must be a file inside the release, like \"404.html\"");
  for (std::size_t start = 0; start <= page.size();) {
    auto end = std::min(page.find('/', start), page.size());
    auto part = std::string_view(page).substr(start, end - start);
    if (part == ".." || part == "." || part.empty() || part.find('\0') != part.npos)
      return r.fail_at("not_found", fmt::format("must be a plain relative path, not '{}'", page));
    start = end + 1;
  }
  site.not_found = std::move(page);
}

SiteConfig read_site(TableReader& r, std::string name, const ProxyConfig& proxy) {
  r.allow_only({"root", "listen", "hosts", "path", "keep", "spa", "not_found", "require_index",
                "access_log"});
  SiteConfig site;
  site.name = std::move(name);
  site.access_log = proxy.access_log;
  read_root_dir(r, site);
  read_listen(r, site.listen);
  read_hosts(r, site.hosts);
  read_path(r, site.path);
  r.read("keep", site.keep, kKeepRange);
  r.read("spa", site.spa);
  read_not_found(r, site);
  r.read("require_index", site.require_index);
  r.read("access_log", site.access_log);
  return site;
}

std::vector<std::string> hosts_or_any(const std::vector<std::string>& hosts) {
  return hosts.empty() ? std::vector<std::string>{""} : hosts;
}

std::map<RouteKey, std::string> service_routes(const Config& config) {
  std::map<RouteKey, std::string> owners;
  for (const auto& [name, service] : config.services)
    for (const auto& host : hosts_or_any(service.hosts))
      if (!service.worker)  // no route
        owners.try_emplace({service.listen.text(), host, service.path}, "service '" + name + "'");
  return owners;
}

// A route answered by two owners would make routing depend on table order.
void claim_routes(TableReader& sites, std::size_t line, const SiteConfig& site,
                  std::map<RouteKey, std::string>& owners) {
  for (const auto& host : hosts_or_any(site.hosts)) {
    auto [it, inserted] = owners.try_emplace({site.listen.text(), host, site.path}, "site '" + site.name + "'");
    if (inserted) continue;
    return sites.fail(line, fmt::format("site '{}' has the same route as {} (listen {}, host {}, path {})",
                                        site.name, it->second, site.listen.text(), host.empty() ? "any" : host,
                                        site.path));
  }
}
}  // namespace

void read_sites(TableReader& root, Config& config) {
  auto sites = root.child("sites");
  if (!sites) return;
  auto owners = service_routes(config);
  for (auto&& [key, node] : sites->table()) {
    std::string name(key.str());
    auto line = key.source().begin.line;
    if (!is_valid_service_name(name))
      return sites->fail(line, fmt::format("site name '{}' must be 1 to 64 letters, digits, '_' or '-'", name));
    auto r = sites->child(name);
    if (!r) return;
    auto site = read_site(*r, name, config.proxy);
    if (r->failed()) return;
    claim_routes(*sites, line, site, owners);
    if (sites->failed()) return;
    config.sites.emplace(name, std::move(site));
  }
}
}  // namespace baton::config_detail
