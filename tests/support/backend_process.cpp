#include "backend_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

extern char** environ;

namespace baton::test_backend {
namespace asio = boost::asio;
namespace http = boost::beast::http;

BackendProcess::BackendProcess(std::vector<std::string> args) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string program = BATON_TEST_BACKEND_PATH;
  std::vector<char*> argv{program.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) throw std::runtime_error("cannot start " + program);
  // Blocks until the backend is ready: the line is printed after listen().
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') listening_line_ += c;
  ::close(out[0]);
  auto colon = listening_line_.rfind(':');
  if (colon != std::string::npos && listening_line_.starts_with("listening 127"))
    port_ = static_cast<std::uint16_t>(std::stoi(listening_line_.substr(colon + 1)));
}

BackendProcess::~BackendProcess() { stop(); }

int BackendProcess::stop() {
  signal(SIGTERM);
  return wait();
}

void BackendProcess::signal(int sig) {
  if (pid_ >= 0) ::kill(pid_, sig);
}

int BackendProcess::wait() {
  if (pid_ < 0) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::uint64_t BackendProcess::peak_rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key) {
    if (key == "VmHWM:" && in >> value) return value;
  }
  return 0;
}

HttpClient::HttpClient(std::uint16_t port) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  socket_.connect(endpoint);
}

HttpClient::HttpClient(const std::string& unix_path) {
  socket_.connect(asio::local::stream_protocol::endpoint(unix_path));
}

void HttpClient::send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

Response HttpClient::read_response(bool head_request) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  parser.skip(head_request);
  http::read(socket_, buffer_, parser);
  return parser.release();
}

Response HttpClient::get(std::string_view target, std::string_view extra_fields) {
  send("GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_fields) + "\r\n");
  return read_response();
}

std::string HttpClient::read_until_close() {
  std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.clear();
  boost::system::error_code ec;
  char chunk[4096];
  while (true) {
    auto n = socket_.read_some(asio::buffer(chunk), ec);
    out.append(chunk, n);
    if (ec == asio::error::eof) return out;
    if (ec) throw boost::system::system_error(ec);
  }
}

boost::system::error_code HttpClient::read_error() {
  boost::system::error_code ec;
  char byte;
  socket_.read_some(asio::buffer(&byte, 1), ec);
  return ec;
}

void HttpClient::close_send() { socket_.shutdown(asio::socket_base::shutdown_send); }

}  // namespace baton::test_backend
