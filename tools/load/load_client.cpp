#include "load_client.hpp"

#include <algorithm>
#include <optional>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "cookie_jar.hpp"
#include "version_sequence.hpp"

namespace baton::load {
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
// Before reconnecting after an error: keeps a dead target from turning the driver into a busy loop.
constexpr auto kRetryPause = 10ms;
// Rate pacing sleeps in slices so a stop is noticed promptly.
constexpr auto kPaceSlice = 100ms;

// GET, or with --body a POST of that many bytes (the same body every time).
http::request<http::string_body> make_request(const LoadOptions& options) {
  auto verb = options.body_bytes > 0 ? http::verb::post : http::verb::get;
  http::request<http::string_body> request{verb, options.url.target, 11};
  request.set(http::field::host, options.url.host_header());
  request.set(http::field::user_agent, "baton-load");
  for (const auto& [name, value] : options.headers) request.set(name, value);
  if (options.body_bytes > 0) {
    request.body().assign(options.body_bytes, 'b');
    request.prepare_payload();
  }
  return request;
}

awaitable<void> pause(std::chrono::steady_clock::duration length) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, length);
  co_await timer.async_wait(use_nothrow);
}

// Waits for this request's slot under --rate: slot n is due at start + n / rate.
awaitable<void> pace(LoadRun& run) {
  if (!run.options.rate) co_return;
  auto slot = run.issued.fetch_add(1);
  auto due = run.start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(slot) / *run.options.rate));
  while (!run.stopping && Clock::now() < due) {
    co_await pause(std::min<Clock::duration>(due - Clock::now(), kPaceSlice));
  }
}

// One browser: its connection, cookies and the versions it has seen.
struct Client {
  Client(const asio::any_io_executor& executor, const LoadOptions& options)
      : stream(executor), request(make_request(options)) {}

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  CookieJar jar;
  VersionSequence versions;
  bool connected = false;

  void disconnect() {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }
};

// Sends one request and reads its response into `outcome`.
awaitable<void> exchange(LoadRun& run, Client& client, Outcome& outcome) {
  if (!client.connected) {
    client.stream.expires_after(run.options.timeout);
    auto [ec] = co_await client.stream.async_connect(run.endpoint, use_nothrow);
    if (ec) {
      outcome.error = classify_connect_error(ec);
      client.stream.close();
      co_return;
    }
    client.connected = true;
    outcome.connected = true;
  }
  if (run.options.cookies && !client.jar.empty()) client.request.set(http::field::cookie, client.jar.header());
  client.stream.expires_after(run.options.timeout);
  auto [write_ec, written] = co_await http::async_write(client.stream, client.request, use_nothrow);
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  error_code read_ec = write_ec;
  if (!write_ec) {
    std::tie(read_ec, std::ignore) = co_await http::async_read(client.stream, client.buffer, parser, use_nothrow);
  }
  if (read_ec) {
    outcome.error = classify_exchange_error(read_ec);
    client.disconnect();
    co_return;
  }
  const auto& response = parser.get();
  outcome.status = response.result_int();
  outcome.version = std::string(response["X-Backend-Name"]);
  if (run.options.cookies) {
    auto [first, last] = response.equal_range(http::field::set_cookie);
    for (auto field = first; field != last; ++field) client.jar.store(field->value());
  }
  // A clean close after a complete response is how servers shed connections: reconnect.
  if (!response.keep_alive()) client.disconnect();
}
}  // namespace

void Recorder::record(const Outcome& outcome) {
  std::lock_guard lock(mutex_);
  counts_.add(outcome);
  if (outcome.status != 0)
    latencies_us_.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(outcome.latency.count(), UINT32_MAX)));
  if (keep_outcomes_) outcomes_.push_back(outcome);
}

void Recorder::note_regression(std::string what) {
  constexpr std::size_t kKept = 5;
  std::lock_guard lock(mutex_);
  if (regression_examples_.size() < kKept) regression_examples_.push_back(std::move(what));
}

std::vector<std::string> Recorder::regression_examples() const {
  std::lock_guard lock(mutex_);
  return regression_examples_;
}

std::vector<Outcome> Recorder::outcomes() const {
  std::lock_guard lock(mutex_);
  return outcomes_;
}

Counts Recorder::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::vector<std::uint32_t> Recorder::latencies() const {
  std::lock_guard lock(mutex_);
  return latencies_us_;
}

ErrorClass classify_connect_error(const error_code& ec) {
  if (ec == asio::error::connection_refused) return ErrorClass::connect_refused;
  if (ec == beast::error::timeout) return ErrorClass::timeout;
  if (ec == asio::error::connection_reset) return ErrorClass::reset;
  return ErrorClass::other;
}

ErrorClass classify_exchange_error(const error_code& ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof)
    return ErrorClass::eof_mid_response;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) return ErrorClass::reset;
  if (ec == beast::error::timeout) return ErrorClass::timeout;
  return ErrorClass::other;
}

awaitable<void> run_connection(LoadRun& run, Recorder& recorder) {
  auto executor = co_await asio::this_coro::executor;
  Client client(executor, run.options);
  while (!run.stopping) {
    co_await pace(run);
    if (run.stopping) break;
    auto started = Clock::now();
    Outcome outcome;
    outcome.started = std::chrono::duration_cast<std::chrono::microseconds>(started - run.start);
    auto cookie_sent = client.jar.header();
    co_await exchange(run, client, outcome);
    outcome.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    auto before = client.versions.current();
    outcome.regression = client.versions.see(outcome.version);
    if (outcome.regression)
      recorder.note_regression(fmt::format("{} -> {} at {} ms, cookie sent '{}', jar now '{}'", before, outcome.version,
                                           outcome.started.count() / 1000, cookie_sent, client.jar.header()));
    recorder.record(outcome);
    if (outcome.error != ErrorClass::none && !client.connected) {
      co_await pause(kRetryPause);
    }
  }
  if (client.connected) client.disconnect();
  --run.active;
}

}  // namespace baton::load
