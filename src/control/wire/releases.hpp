#pragma once
// GET /v1/services/NAME/releases: the release history as the daemon sends it and the CLI reads it.
// One definition for both sides (docs/openapi.json describes the same, checked by a test).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton::control::wire {
struct Release {
  std::string id;
  std::string version;
  std::string status;  // deploying, live, standby, failed, rolled_back, retired
  std::int64_t created_ms = 0;
  std::string created_by;
  std::string reason;
  std::vector<std::string> command;
  std::string cwd;
  std::map<std::string, std::string> env;  // a secret's value is "***"
  unsigned instances = 0;
  std::vector<std::string> targets;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Release, id, version, status, created_ms, created_by, reason, command,
                                                cwd, env, instances, targets)

struct ReleaseList {
  std::vector<Release> releases;  // oldest first
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReleaseList, releases)
}  // namespace baton::control::wire
