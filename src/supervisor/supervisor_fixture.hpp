#pragma once
// A supervisor on a test io_context, with short backoffs and timeouts so every test stays fast.
#include <algorithm>

#include "supervisor/supervisor.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor::testing {
using namespace std::chrono_literals;

class SupervisorTest : public ::testing::Test {
 protected:
  SupervisorTest()
      : supervisor_(std::make_unique<Supervisor>(
            io_.get_executor(), [this](const InstanceEvent& event) {
              if (event.kind == InstanceEvent::Kind::started) started_.push_back(event);
              else if (event.kind == InstanceEvent::Kind::ended) ended_.push_back(event);
              else events_.push_back(event);
            })) {}
  ~SupervisorTest() override {
    if (supervisor_) run(io_, supervisor_->stop_all());
  }

  ServiceSpec spec(std::string command, unsigned instances = 1) {
    ServiceSpec s;
    s.name = "web";
    s.release = "v1";
    s.command = {std::move(command)};
    s.instances = instances;
    s.stop_timeout = 2s;
    s.backoff = BackoffPolicy{.initial = 20ms, .max = 1s, .min_uptime = 10s, .crash_loop_runs = 4};
    s.ready_poll_interval = 10ms;
    s.log_file = log_path();
    return s;
  }

  std::filesystem::path log_path() const { return dir_.path() / "web.log"; }

  std::expected<void, std::string> start(ServiceSpec s, std::vector<AdoptedInstance> adopted = {}) {
    return run(io_, supervisor_->start(std::move(s), std::move(adopted)));
  }

  InstanceStatus instance(unsigned index) {
    for (auto& s : supervisor_->status())
      if (s.index == index) return s;
    ADD_FAILURE() << "no instance " << index;
    return {};
  }

  template <typename Predicate>
  bool wait_for(Predicate done) {
    return run_until(io_, done);
  }

  std::size_t count(InstanceEvent::Kind kind) const {
    return std::count_if(events_.begin(), events_.end(), [kind](auto& e) { return e.kind == kind; });
  }

  bool log_contains(std::string_view text) const {
    return read_file(log_path()).find(text) != std::string::npos;
  }

  asio::io_context io_;
  TempDir dir_;
  std::vector<InstanceEvent> events_;   // ready and down: what moves traffic
  std::vector<InstanceEvent> started_;  // started: every spawn, with its identity
  std::vector<InstanceEvent> ended_;    // ended: every process that ended on its own or was stopped
  std::unique_ptr<Supervisor> supervisor_;
};

// Listens on the instance's port until killed: an app that becomes ready.
inline std::string listener_command() {
  return "exec perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => \"127.0.0.1\", "
         "LocalPort => {port}, Listen => 5, ReuseAddr => 1) or die \"listen: $!\"; sleep 30'";
}
}  // namespace baton::supervisor::testing
