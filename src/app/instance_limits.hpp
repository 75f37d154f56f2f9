#pragma once
// A service's `user`, `group`, `memory_max` and `cpu_max` in its supervisor spec, and the fallback
// when the daemon cannot create cgroups or the controllers are missing (docs/config.md#users-and-limits).
#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "supervisor/cgroup.hpp"
#include "supervisor/instance.hpp"

namespace baton {
class InstanceLimits {
 public:
  explicit InstanceLimits(std::filesystem::path home) : home_(std::move(home)) {}

  // memory_max without the memory controller is watched as max_memory is (resident bytes);
  // cpu_max without the cpu controller is not enforced. Both are logged at each start of the service.
  void apply(const ServiceConfig& service, supervisor::ServiceSpec& spec) const;

 private:
  const std::expected<supervisor::CgroupRoot, std::string>& root() const;

  std::filesystem::path home_;
  // Looked for at the first service with a limit, so a daemon without one touches no cgroup.
  mutable std::optional<std::expected<supervisor::CgroupRoot, std::string>> root_;
};
}  // namespace baton
