#pragma once
// A Runtime without processes or sockets for the deployer's tests. A release's
// env var FAKE says how its instances behave: "healthy" (default) at once,
// "never" healthy, "crash" (they keep exiting), or "throw" (starting them throws). Every traffic switch is
// recorded with how many healthy instances it routes to.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/runtime.hpp"

namespace baton::deploy::testing {
class FakeRuntime final : public Runtime {
 public:
  struct Switch {
    TrafficSplit split;
    unsigned serving = 0;  // healthy instances the split routes to
    std::set<std::string> releases;
  };

  explicit FakeRuntime(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  awaitable<std::expected<void, std::string>> run_instances(const std::string&, const Release& release,
                                                            unsigned count) override {
    auto behaviour = next_behaviour_.empty() ? behaviour_of(release) : next_behaviour_;
    if (behaviour == "missing") co_return std::unexpected("cannot run 'missing': No such file or directory");
    if (behaviour == "throw") throw std::runtime_error("the fake runtime threw");
    auto& list = instances_[release.id];
    while (list.size() < count) {
      unsigned index = static_cast<unsigned>(list.size());
      InstanceView view{.index = index, .address = Address{Address::Kind::tcp, "127.0.0.1",
                                                           static_cast<std::uint16_t>(next_port_++), {}}};
      view.healthy = behaviour == "healthy";
      view.health = view.healthy ? "HTTP 200" : "HTTP 503";
      if (behaviour == "crash") {
        view.exits = 3;
        view.problem = "exited with 1";
      }
      list.push_back(view);
      ++started_[release.id];
    }
    log_.push_back("run " + release.id + " " + std::to_string(count));
    co_return std::expected<void, std::string>{};
  }

  awaitable<void> stop_instances(const std::string&, const std::string& release, unsigned keep) override {
    auto& list = instances_[release];
    if (list.size() > keep) list.resize(keep);
    if (keep == 0) instances_.erase(release);
    log_.push_back("stop " + release + " " + std::to_string(keep));
    co_return;
  }

  std::vector<InstanceView> instances(const std::string&, const std::string& release) const override {
    auto found = instances_.find(release);
    return found == instances_.end() ? std::vector<InstanceView>{} : found->second;
  }

  TrafficSplit traffic(const std::string&) const override { return split_; }

  void set_traffic(const std::string&, TrafficSplit split) override {
    split_ = split;
    Switch s{split, 0, {}};
    for (const auto& [release, allowed] : split.releases) {
      s.releases.insert(release);
      for (const auto& i : instances(std::string(), release))
        if (i.healthy && (!allowed || allowed->contains(i.index))) ++s.serving;
    }
    switches_.push_back(std::move(s));
    log_.push_back(std::string("traffic") + (split.paused ? " paused" : ""));
  }

  awaitable<DrainReport> drain(const std::vector<Address>& targets, std::chrono::milliseconds) override {
    log_.push_back("drain " + std::to_string(targets.size()));
    co_return DrainReport{targets.size(), 0};
  }

  awaitable<HookOutcome> run_hook(const std::string&, const Release&, std::string_view hook,
                                  const HookCommand& command, supervisor::EnvList extra) override {
    log_.push_back("hook " + std::string(hook));
    hook_env_ = std::move(extra);
    bool ok = command.command.front() != "false";
    co_return HookOutcome{ok, ok ? "exited with 0" : "exited with 1", ok ? "" : "migration failed"};
  }

  std::string log_tail(const std::string&, const std::string&) const override { return {}; }

  std::map<std::string, metrics::TrafficSnapshot> release_traffic(const std::string&) const override {
    return traffic_;
  }

  awaitable<void> wait_change(std::chrono::steady_clock::time_point deadline) override {
    asio::steady_timer timer(executor_, std::min(deadline, std::chrono::steady_clock::now() +
                                                                std::chrono::milliseconds(2)));
    co_await timer.async_wait(use_nothrow);
  }

  void set_healthy(const std::string& release, bool healthy) {
    for (auto& i : instances_[release]) i.healthy = healthy;
  }

  std::vector<Switch> switches_;
  std::vector<std::string> log_;
  std::map<std::string, unsigned> started_;
  supervisor::EnvList hook_env_;
  std::string next_behaviour_;
  std::map<std::string, metrics::TrafficSnapshot> traffic_;  // what release_traffic answers  // when set: how instances started from now on behave, whatever their release

 private:
  static std::string behaviour_of(const Release& release) {
    if (!release.spec.command.empty() && release.spec.command.front() == "missing") return "missing";
    for (const auto& [k, v] : release.spec.env)
      if (k == "FAKE") return v;
    return "healthy";
  }

  asio::any_io_executor executor_;
  std::map<std::string, std::vector<InstanceView>> instances_;
  TrafficSplit split_;
  int next_port_ = 20000;
};
}  // namespace baton::deploy::testing
