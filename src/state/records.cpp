#include "state/records.hpp"

#include <array>
#include <utility>

namespace baton::state {
namespace {
template <class Enum, std::size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<ReleaseStatus, 6> kReleaseStatuses{{{ReleaseStatus::deploying, "deploying"},
                                                    {ReleaseStatus::live, "live"},
                                                    {ReleaseStatus::standby, "standby"},
                                                    {ReleaseStatus::failed, "failed"},
                                                    {ReleaseStatus::rolled_back, "rolled_back"},
                                                    {ReleaseStatus::retired, "retired"}}};
constexpr Names<InstanceState, 4> kInstanceStates{{{InstanceState::starting, "starting"},
                                                   {InstanceState::ready, "ready"},
                                                   {InstanceState::draining, "draining"},
                                                   {InstanceState::stopped, "stopped"}}};
constexpr Names<DeployStatus, 4> kDeployStatuses{{{DeployStatus::running, "running"},
                                                  {DeployStatus::done, "done"},
                                                  {DeployStatus::failed, "failed"},
                                                  {DeployStatus::rolled_back, "rolled_back"}}};

template <class Enum, std::size_t N>
std::string_view name_of(const Names<Enum, N>& names, Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> parse(const Names<Enum, N>& names, std::string_view text) {
  for (const auto& [v, name] : names) {
    if (name == text) return v;
  }
  return std::nullopt;
}
}  // namespace

Timestamp now() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

std::string_view to_string(ReleaseStatus status) { return name_of(kReleaseStatuses, status); }
std::string_view to_string(InstanceState state) { return name_of(kInstanceStates, state); }
std::string_view to_string(DeployStatus status) { return name_of(kDeployStatuses, status); }

std::optional<ReleaseStatus> parse_release_status(std::string_view text) { return parse(kReleaseStatuses, text); }
std::optional<InstanceState> parse_instance_state(std::string_view text) { return parse(kInstanceStates, text); }
std::optional<DeployStatus> parse_deploy_status(std::string_view text) { return parse(kDeployStatuses, text); }
}  // namespace baton::state
