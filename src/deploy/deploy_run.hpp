#pragma once
// One deploy (or rollback) as it happens: the events it has written so far,
// which any number of watchers (`baton deploy`, `baton status`) follow.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deploy/notifier.hpp"

namespace baton::deploy {
// What an operator can tell a running canary.
enum class OperatorCommand { promote, abort };

struct DeployEvent {
  std::string kind;     // started, step, instances, switched, drained, hook, canary, done, failed
  std::string message;  // one human line
  std::int64_t elapsed_ms = 0;
  unsigned ready = 0;  // instances: how many of the new release pass their checks
  unsigned total = 0;
  std::uint64_t drained = 0;  // drained: exchanges that finished, and those cut at the deadline
  std::uint64_t cut = 0;
};

class DeployRun {
 public:
  DeployRun(asio::any_io_executor executor, std::string service, std::string release, std::string kind,
            std::string strategy)
      : service_(std::move(service)),
        release_(std::move(release)),
        kind_(std::move(kind)),
        strategy_(std::move(strategy)),
        changed_(std::move(executor)) {}

  using EventSink = std::function<void(const DeployEvent&)>;
  using FinishSink = std::function<void(bool ok, const std::string& reason)>;
  // Every event and the end are handed to these too (the deploy journal), as they happen.
  void record_to(EventSink on_event, FinishSink on_finish) {
    on_event_ = std::move(on_event);
    on_finish_ = std::move(on_finish);
  }

  void add(DeployEvent event) {
    event.elapsed_ms = elapsed().count();
    if (on_event_) on_event_(event);
    events_.push_back(std::move(event));
    changed_.notify();
  }
  void finish(bool ok, std::string reason) {
    finished_ = true;
    ok_ = ok;
    reason_ = std::move(reason);
    if (on_finish_) on_finish_(ok_, reason_);
    changed_.notify();
  }

  const std::string& service() const { return service_; }
  const std::string& release() const { return release_; }
  const std::string& kind() const { return kind_; }  // deploy or rollback
  const std::string& strategy() const { return strategy_; }
  const std::vector<DeployEvent>& events() const { return events_; }
  bool finished() const { return finished_; }
  bool ok() const { return ok_; }
  const std::string& reason() const { return reason_; }
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  }
  // promote and abort, for a run whose strategy takes them (a canary); its waits end on them.
  void set_steerable(bool steerable) { steerable_ = steerable; }
  bool steerable() const { return steerable_ && !finished_; }
  void steer(OperatorCommand command) {
    steering_.push_back(command);
    changed_.notify();
  }
  std::optional<OperatorCommand> take_steering() {
    if (steering_.empty()) return std::nullopt;
    auto command = steering_.front();
    steering_.erase(steering_.begin());
    return command;
  }

  // Returns when an event was added, the run finished, or at `deadline`.
  awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) { co_await changed_.wait_until(deadline); }

 private:
  std::string service_;
  std::string release_;
  std::string kind_;
  std::string strategy_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<DeployEvent> events_;
  bool finished_ = false;
  bool ok_ = false;
  std::string reason_;
  bool steerable_ = false;
  std::vector<OperatorCommand> steering_;
  EventSink on_event_;
  FinishSink on_finish_;
  Notifier changed_;
};
}  // namespace baton::deploy
