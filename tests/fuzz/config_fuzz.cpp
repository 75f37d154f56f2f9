// Any bytes must load as a Config or fail with one "fuzz.toml:LINE: ..." line;
// the checks below turn a broken promise into a crash the fuzzer keeps.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/loader.hpp"

namespace {
void check_error_is_one_line(const std::string& error) {
  if (!error.starts_with("fuzz.toml:") || error.find('\n') != std::string::npos) std::abort();
}

void check_config_is_usable(const baton::Config& config) {
  if (config.services.empty()) std::abort();
  for (const auto& [name, service] : config.services) {
    if (!service.path.starts_with('/')) std::abort();
    // Exactly one of targets (external) and command (managed).
    if (service.managed() == !service.targets.empty()) std::abort();
    if (service.managed() && (service.command.front().empty() || service.instances < 1 ||
                              service.instances > 256))
      std::abort();
    if (!service.cwd.empty() && !service.cwd.starts_with('/')) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = baton::parse_config(text, "fuzz.toml");
  if (config) check_config_is_usable(*config);
  else check_error_is_one_line(config.error());
  return 0;
}
