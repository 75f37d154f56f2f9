#pragma once
// One keep-alive HTTP/1.1 connection sending GETs back to back, recording the
// outcome of every request. Thin coroutine shell over the pure pieces
// (cookie jar, version sequence, counts).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "load_options.hpp"
#include "net/asio.hpp"
#include "outcome.hpp"

namespace baton::load {

// Shared by every connection on every thread.
struct LoadRun {
  const LoadOptions& options;
  tcp::endpoint endpoint;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> issued{0};  // request slots handed out, for --rate
  std::atomic<int> active{0};            // connections still running
};

// The outcomes of one thread's connections; locked only against the progress reader.
class Recorder {
 public:
  void record(const Outcome& outcome);
  Counts counts() const;
  std::vector<std::uint32_t> latencies() const;
  // With `keep` set, every outcome is also kept whole for --trace.
  void keep_outcomes(bool keep) { keep_outcomes_ = keep; }
  std::vector<Outcome> outcomes() const;
  // The first few regressions told in full (versions, cookies, time), for a failing test to show.
  void note_regression(std::string what);
  std::vector<std::string> regression_examples() const;

 private:
  bool keep_outcomes_ = false;
  std::vector<Outcome> outcomes_;
  mutable std::mutex mutex_;
  Counts counts_;
  std::vector<std::uint32_t> latencies_us_;
  std::vector<std::string> regression_examples_;
};

ErrorClass classify_connect_error(const error_code& ec);
ErrorClass classify_exchange_error(const error_code& ec);

// Runs until run.stopping; the request in flight then finishes (within the timeout).
awaitable<void> run_connection(LoadRun& run, Recorder& recorder);

}  // namespace baton::load
