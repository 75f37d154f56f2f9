#pragma once
// `baton monit`'s data and drawing, apart from the terminal: a sampler turns each GET /v1/status
// answer into a model (rates from the change since the previous answer), and render_monit() turns
// a model into the screen's lines. monit_command.cpp is the ncurses shell around them.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baton::cli {
struct MonitInstance {
  std::string service;
  std::string release;
  unsigned index = 0;
  pid_t pid = 0;
  std::string state;
  bool healthy = false;
  std::optional<double> cpu_percent;  // of one core, since the previous sample
  std::uint64_t rss_bytes = 0;
  std::optional<double> requests_per_second;
  std::uint64_t errors = 0;  // upstream errors and 5xx answers, since the daemon started
  unsigned restarts = 0;
};

struct MonitService {
  std::string name;
  std::string live;
  std::string version;
  bool paused = false;
  std::string deploy;  // "deploy r3 (rolling): 1/2 ready", empty when none runs
};

struct MonitModel {
  std::string home;
  std::string clock;  // when the sample was taken, UTC
  bool reachable = false;
  std::string problem;  // why the daemon did not answer
  std::vector<MonitService> services;
  std::vector<MonitInstance> instances;
};

class MonitSampler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit MonitSampler(std::string home) : home_(std::move(home)) {}

  // A status answer (GET /v1/status) taken at `now`.
  MonitModel sample(const nlohmann::json& status, Clock::time_point now, std::string clock);
  // No answer: the last rates are forgotten, so they start afresh when the daemon is back.
  MonitModel unreachable(std::string problem, std::string clock);

 private:
  struct Previous {
    pid_t pid = 0;
    std::int64_t cpu_ms = 0;
    std::uint64_t requests = 0;
    Clock::time_point at;
  };
  std::string home_;
  std::map<std::string, Previous> previous_;  // by service@release#index
};

// At most `height` lines, each at most `width` characters.
std::vector<std::string> render_monit(const MonitModel& model, unsigned width, unsigned height);
}  // namespace baton::cli
