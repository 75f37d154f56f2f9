#pragma once
// Which release a request goes to, decided once before its first attempt (its
// retries keep the choice): a tester's X-Baton-Canary header, else the affinity
// cookie of an open release, else the canary weights, else any release.
#include <chrono>
#include <span>
#include <string_view>

#include "http/request_head.hpp"
#include "proxy/route_table.hpp"

namespace baton::proxy {
// `always`: the canary; `never`: the heaviest other release. Other values are ignored. The field
// is forwarded like any other: the app may as well know.
inline constexpr std::string_view kCanaryField = "X-Baton-Canary";

struct ReleaseChoice {
  int release = TargetSet::kAnyRelease;  // tried first; then the targets of every open release
  // Chosen by kCanaryField: the affinity cookie is neither set nor replaced, so a tester's
  // override is for this request only and their pinned side stays as it was.
  bool forced = false;
};

// Takes a step of the service's weighted round only for a request that follows the weights.
ReleaseChoice choose_release(const Service& service, std::span<const http::HeaderField> fields);

// A target of the chosen release while it has an untried one, else of any open release: a
// request is not failed because the canary it drew has nothing left to try.
Target* pick_target(const Service& service, int release, std::span<Target* const> tried,
                    std::chrono::steady_clock::time_point now);
}  // namespace baton::proxy
