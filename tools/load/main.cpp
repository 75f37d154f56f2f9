// baton-load: a load driver that records the outcome of every request, which
// versions answered and whether a client ever went back to an old one.
// Usage: see kLoadUsage in load_options.hpp. Exit status: 0 when no request
// failed, 1 otherwise, 2 on bad usage.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "load_client.hpp"
#include "summary.hpp"

namespace baton::load {
namespace {
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr auto kSupervisePoll = 20ms;
constexpr auto kProgressInterval = 1s;

struct Worker {
  asio::io_context context{1};
  Recorder recorder;
};
using Workers = std::vector<std::unique_ptr<Worker>>;

Counts all_counts(const Workers& workers) {
  Counts total;
  for (const auto& worker : workers) total.merge(worker->recorder.counts());
  return total;
}

// Stops the run on a signal or at the end of --duration, prints progress, and
// ends once every connection has finished its last request.
awaitable<void> supervise(LoadRun& run, Workers& workers) {
  auto executor = co_await asio::this_coro::executor;
  asio::signal_set signals(executor, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int) {
    if (!ec) run.stopping = true;
  });
  asio::steady_timer poll(executor);
  auto next_progress = run.start + kProgressInterval;
  Counts last;
  while (run.active > 0) {
    poll.expires_after(kSupervisePoll);
    co_await poll.async_wait(use_nothrow);
    auto now = Clock::now();
    if (run.options.duration && now - run.start >= *run.options.duration) run.stopping = true;
    if (run.options.progress && now >= next_progress) {
      auto counts = all_counts(workers);
      std::fputs(progress_line(last, counts, std::chrono::duration<double>(kProgressInterval).count()).c_str(), stderr);
      last = std::move(counts);
      next_progress += kProgressInterval;
    }
  }
  signals.cancel();
}

RunResult collect(const Workers& workers, double duration_s) {
  RunResult result;
  result.counts = all_counts(workers);
  std::vector<std::uint32_t> latencies;
  for (const auto& worker : workers) {
    auto some = worker->recorder.latencies();
    latencies.insert(latencies.end(), some.begin(), some.end());
  }
  result.latency = summarize_latencies(std::move(latencies));
  for (const auto& worker : workers)
    for (auto& example : worker->recorder.regression_examples()) result.regression_examples.push_back(std::move(example));
  result.duration_s = duration_s;
  return result;
}

// Every request in start order: "start_us latency_us status new_connection version".
bool write_trace(const std::string& path, const Workers& workers) {
  std::vector<Outcome> all;
  for (const auto& worker : workers) {
    auto some = worker->recorder.outcomes();
    all.insert(all.end(), some.begin(), some.end());
  }
  std::ranges::sort(all, {}, &Outcome::started);
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "baton-load: cannot write %s\n", path.c_str());
    return false;
  }
  for (const auto& o : all)
    std::fprintf(out, "%lld %lld %u %d %s\n", static_cast<long long>(o.started.count()),
                 static_cast<long long>(o.latency.count()), o.status, o.connected ? 1 : 0,
                 o.version.empty() ? "-" : o.version.c_str());
  return std::fclose(out) == 0;
}

std::optional<tcp::endpoint> resolve(const Url& url) {
  asio::io_context io;
  tcp::resolver resolver(io);
  error_code ec;
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec || results.empty()) return std::nullopt;
  return results.begin()->endpoint();
}

int run_load(const LoadOptions& options, const tcp::endpoint& endpoint) {
  LoadRun run{options, endpoint};
  Workers workers;
  for (int i = 0; i < options.threads; ++i) {
    workers.push_back(std::make_unique<Worker>());
    workers.back()->recorder.keep_outcomes(!options.trace_path.empty());
  }
  run.active = options.connections;
  for (int i = 0; i < options.connections; ++i) {
    auto& worker = *workers[static_cast<std::size_t>(i % options.threads)];
    asio::co_spawn(worker.context, run_connection(run, worker.recorder), asio::detached);
  }
  asio::co_spawn(workers.front()->context, supervise(run, workers), asio::detached);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < workers.size(); ++i) threads.emplace_back([&, i] { workers[i]->context.run(); });
    workers.front()->context.run();
  }
  auto result = collect(workers, std::chrono::duration<double>(Clock::now() - run.start).count());
  if (!options.trace_path.empty() && !write_trace(options.trace_path, workers)) return 2;
  if (options.json) std::printf("%s\n", summary_json(result).dump().c_str());
  else std::fputs(summary_table(result).c_str(), stdout);
  return result.counts.failed() == 0 ? 0 : 1;
}
}  // namespace
}  // namespace baton::load

int main(int argc, char** argv) {
  using namespace baton::load;
  std::signal(SIGPIPE, SIG_IGN);
  auto options = parse_load_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "baton-load: %s\n%s", options.error().c_str(), kLoadUsage.data());
    return 2;
  }
  if (options->help) {
    std::fputs(kLoadUsage.data(), stdout);
    return 0;
  }
  auto endpoint = resolve(options->url);
  if (!endpoint) {
    std::fprintf(stderr, "baton-load: cannot resolve %s\n", options->url.host.c_str());
    return 2;
  }
  return run_load(*options, *endpoint);
}
