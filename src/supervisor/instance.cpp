#include "supervisor/instance.hpp"

#include <fmt/format.h>

namespace baton::supervisor {
std::filesystem::path instance_log_path(const std::filesystem::path& log_file, unsigned index) {
  return log_file.parent_path() / (log_file.stem().string() + "." + std::to_string(index) + log_file.extension().string());
}

std::string_view to_string(InstanceState state) {
  switch (state) {
    case InstanceState::starting: return "starting";
    case InstanceState::running: return "running";
    case InstanceState::backoff: return "backoff";
    case InstanceState::crash_loop: return "crash_loop";
    case InstanceState::stopping: return "stopping";
    case InstanceState::stopped: return "stopped";
    case InstanceState::exited: return "exited";
    case InstanceState::errored: return "errored";
  }
  return "unknown";
}

std::string_view to_string(ExitReason reason) {
  switch (reason) {
    case ExitReason::exit: return "exit";
    case ExitReason::max_memory: return "max_memory";
    case ExitReason::watchdog: return "watchdog";
    case ExitReason::stop: return "stop";
  }
  return "exit";
}

std::string instance_label(const ServiceSpec& spec, unsigned index) {
  return fmt::format("{}#{}", spec.name, index);
}

std::string output_label(const ServiceSpec& spec, unsigned index) {
  if (spec.release.empty()) return instance_label(spec, index);
  return fmt::format("{}#{}@{}", spec.name, index, spec.release);
}

EnvList instance_environment(const ServiceSpec& spec, unsigned index, std::uint16_t port) {
  EnvList env = spec.env;
  if (!spec.worker) env.emplace_back("PORT", std::to_string(port));
  env.emplace_back("BATON_SERVICE", spec.name);
  env.emplace_back("BATON_RELEASE", spec.release);
  env.emplace_back("BATON_INSTANCE", std::to_string(index));
  return env;
}
}  // namespace baton::supervisor
