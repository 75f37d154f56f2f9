#pragma once
// Black-box test harness: the real `baton` binary and real test backends on
// ephemeral loopback ports, in a temporary directory, driven over sockets.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"
#include "process.hpp"
#include "ws_client.hpp"

namespace baton::itest {
// Paths of the binaries under test, from the build system.
std::string baton_binary();
std::optional<std::string> backend_binary();
std::optional<std::string> load_binary();  // baton-load
// The same Baton stamped with another version (BATON_NEXT_VERSION): a second build to upgrade to.
std::string next_binary();

// A port bound on 127.0.0.1 and held: nothing else can take it, and until
// listen() is called a connect to it is refused, which makes a dead target.
class HeldPort {
 public:
  HeldPort();
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  std::uint16_t port() const { return port_; }
  std::string address() const;
  int fd() const { return fd_; }
  // Starts listening (and never accepting).
  void listen(int backlog);
  // Connections completed by the kernel and waiting in the accept queue.
  std::uint32_t accept_queue_length() const;

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A port that was free a moment ago (bound to port 0, then released).
std::uint16_t free_port();

struct BackendStats {
  std::uint64_t requests = 0;     // request heads received, not counting the harness's own
  std::uint64_t connections = 0;  // accepted since the last reset, not counting the harness's own
  std::int64_t open = 0;          // open now, not counting the harness's own
};

// One baton-test-backend process and a keep-alive connection to its /stats.
class Backend {
 public:
  Backend(const std::string& binary, const std::string& name, const TempDir& dir,
          const std::string& listen = "127.0.0.1:0", const std::vector<std::string>& more_args = {});
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& name() const { return name_; }
  Process& process() { return process_; }
  BackendStats stats();
  void reset_stats();

 private:
  std::string call_stats(std::string_view path);

  std::string name_;
  Process process_;
  std::uint16_t port_ = 0;
  std::optional<Client> control_;
  std::uint64_t own_requests_ = 0;
};

// One `baton daemon` process running a configuration written to the temp dir.
class Baton {
 public:
  Baton(std::string_view toml, const TempDir& dir, int index, const std::string& home = "home");
  // Waits for `listeners` event=listening lines; false if baton exited first.
  bool wait_listening(std::size_t listeners = 1);
  std::uint16_t port(std::size_t i = 0) const { return ports_.at(i); }
  const std::string& config_path() const { return config_path_; }
  // True once it listened: from then on, exiting without a signal is a crash.
  bool served() const { return !ports_.empty(); }
  Process& process() { return process_; }

 private:
  std::string config_path_;
  Process process_;
  std::vector<std::uint16_t> ports_;
};

// Bytes in use by a process (VmRSS), or 0 if it cannot be read.
std::uint64_t resident_bytes(pid_t pid);

// One request over a unix socket (the daemon's control socket); everything the daemon sent back
// before closing ("" when it closed at once, or on a connect error).
std::string ask_unix_socket(const std::filesystem::path& socket_path, const std::string& request);

// A whole file as text ("" when it cannot be read).
std::string read_text(const std::filesystem::path& path);

// `targets = [...]` for a list of backends or addresses.
std::string targets_toml(const std::vector<std::string>& addresses);

// A config with one service `app`, two proxy threads and the given targets.
struct AppConfig {
  std::vector<std::string> targets;
  std::string listen = "127.0.0.1:0";
  std::string proxy_keys;    // more keys for [proxy]
  std::string service_keys;  // more keys for [services.app]
  std::string tables;        // appended at the end, e.g. [proxy.timeouts]
  std::string text() const;
};

std::string app_config(const std::vector<std::string>& targets, std::string_view service_keys = "",
                       std::string_view tables = "");

// Owns the temp dir and every process a test starts; prints baton's stderr when a test fails.
class IntegrationTest : public ::testing::Test {
 protected:
  void TearDown() override;
  // Spawns baton without waiting (for startup failures).
  Baton& launch_baton(std::string_view toml);
  // Spawns baton and waits until it listens; fails the test otherwise.
  Baton& start_baton(std::string_view toml, std::size_t listeners = 1);

  TempDir dir_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::vector<std::unique_ptr<Baton>> batons_;
};

// Tests that need the test backend; skipped in builds without it.
class ProxyTest : public IntegrationTest {
 protected:
  void SetUp() override;
  Backend& start_backend(const std::string& name = "backend", const std::vector<std::string>& more_args = {});
  // One backend, one service in front of it; returns baton's port.
  std::uint16_t start_proxy_to(Backend& backend, std::string_view service_keys = "",
                               std::string_view tables = "");
};
}  // namespace baton::itest
