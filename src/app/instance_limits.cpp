#include "app/instance_limits.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace baton {
const std::expected<supervisor::CgroupRoot, std::string>& InstanceLimits::root() const {
  if (root_) return *root_;
  root_ = supervisor::open_cgroup_root(home_);
  if (!*root_)
    log::warn("event=cgroups_unavailable error=\"{}\"", root_->error());
  else
    log::info("event=cgroup_root cgroup={} memory={} cpu={}{}", (*root_)->dir.string(), (*root_)->memory,
              (*root_)->cpu, (*root_)->missing.empty() ? "" : fmt::format(" missing=\"{}\"", (*root_)->missing));
  return *root_;
}

void InstanceLimits::apply(const ServiceConfig& service, supervisor::ServiceSpec& spec) const {
  spec.user = service.user;
  spec.group = service.group;
  if (!service.memory_max && !service.cpu_max) return;
  const auto& found = root();
  if (found) {
    spec.cgroup_root = *found;
    spec.limits = supervisor::CgroupLimits{service.memory_max, service.cpu_max};
  }
  auto why = found ? found->missing : found.error();
  if (service.memory_max && !(found && found->memory)) {
    spec.max_memory = std::min(spec.max_memory.value_or(UINT64_MAX), *service.memory_max);
    log::warn("event=memory_max_fallback service={} memory_max={} fallback=resident_memory_watch reason=\"{}\"",
              service.name, *service.memory_max, why);
  }
  if (service.cpu_max && !(found && found->cpu))
    log::warn("event=cpu_max_not_enforced service={} cpu_max=\"{}\" reason=\"{}\"", service.name,
              supervisor::cpu_max_line(*service.cpu_max), why);
}
}  // namespace baton
