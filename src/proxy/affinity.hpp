#pragma once
// Version affinity: while a service's targets span several releases (a rolling
// or canary deploy), a client that was answered by one release keeps getting
// that release, through a cookie `baton_<service>=<release>`.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/target_set.hpp"
#include "http/request_head.hpp"

namespace baton::proxy {
struct Affinity {
  std::string cookie;                    // "baton_<service>"; empty: affinity is off
  std::vector<std::string> set_cookie;  // per release index: a whole "Set-Cookie: ...\r\n" line
  bool enabled() const { return !cookie.empty(); }
};

// On only when wanted and more than one release is routed to: the targets span several, or the
// deploy routes to `routed_releases` (some may have no healthy instance at the moment; a client
// that reached the one that has must stay there when another's instance turns healthy). Release
// names that are not valid cookie values turn it off: they could not round-trip.
Affinity make_affinity(std::string_view service, const TargetSet& targets, bool wanted,
                       std::chrono::milliseconds max_age, std::size_t routed_releases = 0);

// The release index a request's affinity cookie names, when that release still
// has targets; TargetSet::kAnyRelease otherwise.
int pinned_release(const Affinity& affinity, const TargetSet& targets, std::span<const http::HeaderField> fields);

// The value of cookie `name` across every Cookie field (RFC 6265 §5.4), unquoted.
std::optional<std::string_view> find_cookie(std::span<const http::HeaderField> fields, std::string_view name);
// RFC 6265 cookie-octets, non-empty.
bool is_cookie_value(std::string_view value);
std::string set_cookie_line(std::string_view name, std::string_view value, std::chrono::seconds max_age);
}  // namespace baton::proxy
