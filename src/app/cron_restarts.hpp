#pragma once
// `cron_restart`: at each time its schedule names, a service's live release is restarted the way
// `baton restart` does it (a deploy of the same spec: new instances, health-gated, the old ones
// drained). Runs on the control plane; follows config changes (apply, SIGHUP) within a second.
#include <atomic>
#include <ctime>
#include <expected>
#include <functional>
#include <map>
#include <string>

#include "config/config.hpp"
#include "net/asio.hpp"

namespace baton {
class CronRestarts {
 public:
  using CurrentConfig = std::function<const Config&()>;
  // Starts the restart of one service; an error says why it could not (no live release, a deploy running).
  using Restart = std::function<std::expected<void, std::string>(const std::string& service)>;

  CronRestarts(CurrentConfig config, Restart restart) : config_(std::move(config)), restart_(std::move(restart)) {}

  // Until stop() or the executor stops.
  awaitable<void> run();
  // From any thread: no restart starts from now on (the daemon is stopping).
  void stop() { stopping_ = true; }
  // One pass at `now`: (re)schedules what the config says and restarts what is due. The earliest next time.
  std::time_t tick(std::time_t now);

 private:
  struct Entry {
    CronSchedule schedule;
    std::time_t next = 0;
  };

  CurrentConfig config_;
  Restart restart_;
  std::map<std::string, Entry> entries_;
  std::atomic<bool> stopping_{false};
};
}  // namespace baton
