#include <algorithm>
#include "harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

namespace baton::itest {
namespace {
constexpr std::string_view kListeningEvent = "event=listening address=";
constexpr std::string_view kBackendReady = "listening ";

int bind_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1:0");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

std::uint16_t port_after(std::string_view text, std::string_view marker) {
  auto at = text.find(marker);
  if (at == std::string_view::npos) return 0;
  auto rest = text.substr(at + marker.size());
  auto colon = rest.find(':');
  auto end = rest.find_first_of(" \r\n");
  if (colon == std::string_view::npos || end == std::string_view::npos || colon > end) return 0;
  std::uint16_t port = 0;
  std::from_chars(rest.data() + colon + 1, rest.data() + end, port);
  return port;
}

// Complete lines holding `marker`, in order.
std::vector<std::string_view> lines_with(std::string_view text, std::string_view marker) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) break;
    auto line = text.substr(start, end - start + 1);
    if (line.find(marker) != std::string_view::npos) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}
}  // namespace

std::string baton_binary() { return BATON_BINARY; }

namespace {
// A CLI call that finds no daemon would start one in the background, on the test's home, and
// outlive the test: only the test of that behaviour turns it back on.
[[maybe_unused]] const bool kNoStrayDaemons = ::setenv("BATON_NO_AUTOSTART", "1", 1) == 0;
}  // namespace

// BATON_TEST_BACKEND in the environment points the tests at another backend build.
std::optional<std::string> backend_binary() {
  if (const char* path = std::getenv("BATON_TEST_BACKEND"); path && *path) return std::string(path);
#ifdef BATON_TEST_BACKEND_BINARY
  return std::string(BATON_TEST_BACKEND_BINARY);
#else
  return std::nullopt;
#endif
}

std::string next_binary() { return BATON_NEXT_BINARY; }

std::optional<std::string> load_binary() {
#ifdef BATON_LOAD_BINARY
  return std::string(BATON_LOAD_BINARY);
#else
  return std::nullopt;
#endif
}

HeldPort::HeldPort() { fd_ = bind_loopback(port_); }
HeldPort::~HeldPort() { ::close(fd_); }
std::string HeldPort::address() const { return "127.0.0.1:" + std::to_string(port_); }
void HeldPort::listen(int backlog) { ::listen(fd_, backlog); }

std::uint32_t HeldPort::accept_queue_length() const {
  tcp_info info{};
  socklen_t length = sizeof info;
  ::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &length);
  return info.tcpi_unacked;  // for a listening socket: the accept queue's length
}

std::uint16_t free_port() {
  std::uint16_t port = 0;
  ::close(bind_loopback(port));
  return port;
}

namespace {
std::vector<std::string> backend_argv(const std::string& binary, const std::string& name, const std::string& listen,
                                      const std::vector<std::string>& more_args) {
  std::vector<std::string> argv{binary, "--listen", listen, "--name", name};
  argv.insert(argv.end(), more_args.begin(), more_args.end());
  return argv;
}
}  // namespace

Backend::Backend(const std::string& binary, const std::string& name, const TempDir& dir, const std::string& listen,
                 const std::vector<std::string>& more_args)
    : name_(name), process_("backend-" + name, backend_argv(binary, name, listen, more_args), dir.path()) {
  process_.wait_for_output(Stream::out, [&](std::string_view text) {
    return !lines_with(text, kBackendReady).empty();
  });
  port_ = port_after(process_.output(Stream::out), kBackendReady);
  if (port_ == 0) throw std::runtime_error("backend did not start: " + process_.output(Stream::err));
  control_.emplace(port_);
  reset_stats();  // the control connection itself is not counted from here on
}

std::string Backend::call_stats(std::string_view path) {
  if (!control_->send(get_request(path))) throw std::runtime_error("backend /stats: " + control_->last_error());
  auto response = control_->read_response();
  if (!response || response->status != 200)
    throw std::runtime_error("backend /stats: " + control_->last_error());
  return response->body;
}

BackendStats Backend::stats() {
  ++own_requests_;
  auto json = nlohmann::json::parse(call_stats("/stats"));
  BackendStats s;
  s.requests = json.at("requests").get<std::uint64_t>() - own_requests_;
  s.connections = json.at("connections").get<std::uint64_t>();
  s.open = json.at("open").get<std::int64_t>() - 1;
  return s;
}

void Backend::reset_stats() {
  call_stats("/stats/reset");
  own_requests_ = 0;
}

namespace {
std::string write_config(std::string_view toml, const TempDir& dir, int index) {
  auto path = dir.path() / ("baton-" + std::to_string(index) + ".toml");
  std::ofstream(path) << toml;
  return path.string();
}
}  // namespace

Baton::Baton(std::string_view toml, const TempDir& dir, int index, const std::string& home)
    : config_path_(write_config(toml, dir, index)),
      process_("baton-" + std::to_string(index),
               {baton_binary(), "daemon", "--config", config_path_, "--home", (dir.path() / home).string()},
               dir.path()) {}

bool Baton::wait_listening(std::size_t listeners) {
  bool ok = process_.wait_for_output(Stream::err, [&](std::string_view text) {
    return lines_with(text, kListeningEvent).size() >= listeners;
  });
  if (!ok) return false;
  auto text = process_.output(Stream::err);
  ports_.clear();
  for (auto line : lines_with(text, kListeningEvent)) ports_.push_back(port_after(line, kListeningEvent));
  return true;
}

std::string ask_unix_socket(const std::filesystem::path& socket_path, const std::string& request) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    // A refusal may come before the whole body was taken: what it says is read all the same.
    for (std::size_t sent = 0; sent < request.size();) {
      auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("VmRSS:")) continue;
    return std::stoull(line.substr(6)) * 1024;  // reported in kB
  }
  return 0;
}

std::string targets_toml(const std::vector<std::string>& addresses) {
  std::string out = "targets = [";
  for (std::size_t i = 0; i < addresses.size(); ++i) out += (i ? ", \"" : "\"") + addresses[i] + "\"";
  return out + "]\n";
}

std::string AppConfig::text() const {
  std::string out = "[proxy]\nthreads = 2\n" + proxy_keys + "\n";
  out += "[services.app]\nlisten = \"" + listen + "\"\n" + targets_toml(targets) + service_keys + "\n";
  return out + tables;
}

std::string app_config(const std::vector<std::string>& targets, std::string_view service_keys,
                       std::string_view tables) {
  AppConfig config;
  config.targets = targets;
  config.service_keys = service_keys;
  config.tables = tables;
  return config.text();
}

void IntegrationTest::TearDown() {
  for (auto& baton : batons_) {
    auto& process = baton->process();
    if (!baton->served() || process.signalled()) continue;
    if (auto code = process.wait(0ms)) ADD_FAILURE() << process.name() << " exited on its own with code " << *code;
  }
  if (!HasFailure()) return;
  for (auto& baton : batons_)
    std::cerr << "--- " << baton->process().name() << " stderr:\n" << baton->process().output(Stream::err);
}

Baton& IntegrationTest::launch_baton(std::string_view toml) {
  auto index = static_cast<int>(batons_.size());
  // A daemon after one that ended shares its home (and adopts what it left); two at once cannot.
  bool shared_home_busy = std::ranges::any_of(batons_, [](auto& b) { return !b->process().wait(0ms); });
  auto home = shared_home_busy ? "home-" + std::to_string(index) : std::string("home");
  return *batons_.emplace_back(std::make_unique<Baton>(toml, dir_, index, home));
}

Baton& IntegrationTest::start_baton(std::string_view toml, std::size_t listeners) {
  auto& baton = launch_baton(toml);
  if (!baton.wait_listening(listeners)) {
    ADD_FAILURE() << "baton did not start; config:\n" << toml;
    throw std::runtime_error("baton did not start");
  }
  return baton;
}

void ProxyTest::SetUp() {
  if (!backend_binary()) GTEST_SKIP() << "built without baton-test-backend";
}

Backend& ProxyTest::start_backend(const std::string& name, const std::vector<std::string>& more_args) {
  return *backends_.emplace_back(std::make_unique<Backend>(*backend_binary(), name, dir_, "127.0.0.1:0", more_args));
}

std::uint16_t ProxyTest::start_proxy_to(Backend& backend, std::string_view service_keys, std::string_view tables) {
  return start_baton(app_config({backend.address()}, service_keys, tables)).port();
}
}  // namespace baton::itest
