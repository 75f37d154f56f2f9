#include "proxy/release_pick.hpp"

#include "http/header_rules.hpp"

namespace baton::proxy {
namespace {
int forced_release(const ReleaseSplit& split, std::span<const http::HeaderField> fields) {
  for (const auto& f : fields) {
    if (f.id != http::Field::unknown || !http::iequals(f.name, kCanaryField)) continue;
    if (http::iequals(f.value, "always")) return split.canary();
    if (http::iequals(f.value, "never")) return split.live();
    return ReleaseSplit::kNone;
  }
  return ReleaseSplit::kNone;
}
}  // namespace

ReleaseChoice choose_release(const Service& service, std::span<const http::HeaderField> fields) {
  const auto& split = service.targets.split();
  if (split.canary() != ReleaseSplit::kNone) {
    if (int forced = forced_release(split, fields); forced != ReleaseSplit::kNone) return {forced, true};
  }
  // A cookie for a release at weight 0 is ignored: an aborted canary sheds its clients at once.
  int pinned = pinned_release(service.affinity, service.targets, fields);
  if (pinned != TargetSet::kAnyRelease && split.open(pinned)) return {pinned, false};
  if (!split.weighted()) return {};
  return {split.at(service.shared->split_position.fetch_add(1, std::memory_order_relaxed)), false};
}

Target* pick_target(const Service& service, int release, std::span<Target* const> tried,
                    std::chrono::steady_clock::time_point now) {
  if (release != TargetSet::kAnyRelease) {
    if (auto* target = service.targets.pick(tried, now, release)) return target;
  }
  return service.targets.pick(tried, now);
}
}  // namespace baton::proxy
