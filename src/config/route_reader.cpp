#include "config/route_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "config/service_rules.hpp"

namespace baton::config_detail {
void read_listen(TableReader& r, Address& listen) {
  std::string text;
  if (!r.require("listen") || !r.read("listen", text)) return;
  auto address = parse_address(text);
  if (!address) return r.fail_value(r.line_of("listen"), "listen", address.error());
  if (address->kind == Address::Kind::unix_path)
    return r.fail_at("listen", "must be a TCP address (unix sockets are only for targets)");
  listen = *address;
}

void read_hosts(TableReader& r, std::vector<std::string>& hosts) {
  std::vector<LocatedString> listed;
  if (!r.read_strings("hosts", listed)) return;
  // An empty list reads like "no host", but would mean "any host".
  if (listed.empty()) return r.fail_at("hosts", "is empty; leave it out to match any host");
  for (const auto& host : listed) {
    auto normal = normalize_host(host.text);
    if (!normal) return r.fail_value(host.line, "hosts", normal.error());
    if (std::ranges::find(hosts, *normal) != hosts.end())
      return r.fail(host.line, fmt::format("{} lists '{}' twice", r.describe("hosts"), *normal));
    hosts.push_back(std::move(*normal));
  }
}

void read_path(TableReader& r, std::string& path) {
  std::string text;
  if (!r.read("path", text)) return;
  if (auto problem = path_prefix_problem(text)) return r.fail_at("path", *problem);
  path = std::move(text);
}
}  // namespace baton::config_detail
