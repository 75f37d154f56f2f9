#pragma once
// What the deploy orchestrator drives: instances of releases, their health,
// and the traffic split the proxy serves. The composition root implements it
// over the supervisor, the health monitors and the proxy; tests use a fake.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "deploy/release.hpp"
#include "metrics/traffic.hpp"
#include "net/address.hpp"
#include "net/asio.hpp"

namespace baton::deploy {
struct InstanceView {
  unsigned index = 0;
  Address address;
  pid_t pid = 0;
  bool healthy = false;     // passes its checks: may take traffic
  bool crash_loop = false;  // exits again and again right after starting
  unsigned exits = 0;       // times it stopped on its own since the release started it
  bool given_up = false;    // its restart policy leaves it stopped (exited, errored): it will never be healthy
  std::string health;       // the last check's result ("HTTP 503", "connection refused")
  std::string problem;      // the last exit or start error
};

// Which instances of which releases take a service's traffic.
struct TrafficSplit {
  // Per release: every healthy instance (nullopt), or only these indexes.
  std::map<std::string, std::optional<std::set<unsigned>>> releases;
  bool paused = false;  // requests wait (recreate deploys, `baton pause`)
  // Canary: each release's share of new clients in percent (0..100; a release left out gets 0).
  // A client pinned to a release at 0 is moved at once. Empty: every routed target is equal.
  std::map<std::string, unsigned> weights = {};
  std::string canary = {};  // the release `X-Baton-Canary: always` asks for (`never`: any other)
};

struct DrainReport {
  std::uint64_t drained = 0;  // exchanges in flight at the switch that finished
  std::uint64_t cut = 0;      // still open at the deadline, closed
};

struct HookOutcome {
  bool ok = false;
  std::string summary;   // "exited with 1", "timed out after 300 s"
  std::string log_tail;  // last lines of its output
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Brings the release to `count` instances (starting it on first use). Its instances take no
  // traffic until a split names the release. External releases get monitors, not processes.
  virtual awaitable<std::expected<void, std::string>> run_instances(const std::string& service, const Release& release,
                                                                    unsigned count) = 0;
  // Stops the highest indexes until `keep` are left; keep 0 forgets the release.
  virtual awaitable<void> stop_instances(const std::string& service, const std::string& release, unsigned keep) = 0;
  virtual std::vector<InstanceView> instances(const std::string& service, const std::string& release) const = 0;

  virtual TrafficSplit traffic(const std::string& service) const = 0;
  // Publishes a new route table: the traffic switch.
  virtual void set_traffic(const std::string& service, TrafficSplit split) = 0;
  // Waits until nothing is in flight to these addresses, up to `timeout`, then cuts what is left.
  virtual awaitable<DrainReport> drain(const std::vector<Address>& targets, std::chrono::milliseconds timeout) = 0;

  // Runs a hook with the release's cwd and env plus `extra`; output goes to the deploy log.
  virtual awaitable<HookOutcome> run_hook(const std::string& service, const Release& release, std::string_view hook,
                                          const HookCommand& command, supervisor::EnvList extra) = 0;
  // The last lines a release's instances printed, for failure reports.
  virtual std::string log_tail(const std::string& service, const std::string& release) const = 0;

  // What the proxy has served for each of the service's releases so far (counters that only grow).
  virtual std::map<std::string, metrics::TrafficSnapshot> release_traffic(const std::string& service) const = 0;

  // Returns after any instance or health change, or at `deadline`.
  virtual awaitable<void> wait_change(std::chrono::steady_clock::time_point deadline) = 0;
};
}  // namespace baton::deploy
