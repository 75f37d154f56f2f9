// The terminal side of `baton monit` (ncurses); what is shown comes from monit_model.
#include "cli/monit_command.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>

#include "base/timestamp.hpp"
#include "cli/api_client.hpp"
#include "cli/daemon_starter.hpp"
#include "cli/monit_model.hpp"

// Last: its macros (timeout, erase, refresh, OK) would rename what the headers above declare.
#include <curses.h>

namespace baton::cli {
namespace {
using namespace std::chrono_literals;
constexpr auto kPollInterval = 1s;
constexpr int kKeyWaitMs = 100;  // how long getch() waits: how fast `q` and a resize are seen

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

// Before initscr(), so that ncurses leaves these handlers in place; no SA_RESTART, so a signal
// ends the key wait at once.
void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
}

MonitModel poll_daemon(MonitSampler& sampler, const std::string& home) {
  auto clock = format_timestamp(std::chrono::system_clock::now()).substr(0, 19) + "Z";
  auto reply = call_api(home, "GET", "/v1/status");
  if (!reply) return sampler.unreachable(reply.error().message, clock);
  if (reply->status != 200) return sampler.unreachable(fmt::format("the daemon answered {}", reply->status), clock);
  auto status = nlohmann::json::parse(reply->body, nullptr, false);
  if (!status.is_object()) return sampler.unreachable("the daemon's answer is not JSON", clock);
  return sampler.sample(status, MonitSampler::Clock::now(), clock);
}

void draw(const MonitModel& model) {
  int rows = 0, columns = 0;
  getmaxyx(stdscr, rows, columns);
  werase(stdscr);
  auto lines = render_monit(model, static_cast<unsigned>(std::max(columns, 0)), static_cast<unsigned>(std::max(rows, 0)));
  for (std::size_t y = 0; y < lines.size(); ++y) mvwaddnstr(stdscr, static_cast<int>(y), 0, lines[y].c_str(), columns);
  wrefresh(stdscr);
}
}  // namespace

int run_monit(const MonitCommand& command) {
  if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) {
    fmt::print(stderr, "baton: monit needs a terminal; for scripts use 'baton ls --json'\n");
    return kUsage;
  }
  allow_daemon_start(false);  // watching, not starting: an absent daemon is shown as such
  catch_stop_signals();
  if (!initscr()) {
    fmt::print(stderr, "baton: cannot use this terminal (TERM={})\n", std::getenv("TERM") ? std::getenv("TERM") : "");
    return kFailed;
  }
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  wtimeout(stdscr, kKeyWaitMs);
  MonitSampler sampler(command.home);
  MonitModel model;
  auto next_poll = std::chrono::steady_clock::now();
  while (!stop_requested) {
    if (std::chrono::steady_clock::now() >= next_poll) {
      model = poll_daemon(sampler, command.home);
      next_poll = std::chrono::steady_clock::now() + kPollInterval;
      draw(model);
    }
    int key = wgetch(stdscr);
    if (key == 'q' || key == 'Q') break;
    if (key == KEY_RESIZE) draw(model);
  }
  endwin();
  return kOk;
}
}  // namespace baton::cli
