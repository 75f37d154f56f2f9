#include "app/cron_restarts.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "base/log.hpp"

namespace baton {
namespace {
// The longest sleep: config changes and clock jumps are seen within this.
constexpr std::time_t kRecheckSeconds = 1;
}  // namespace

std::time_t CronRestarts::tick(std::time_t now) {
  if (stopping_) return std::numeric_limits<std::time_t>::max();
  const auto& config = config_();
  std::erase_if(entries_, [&](const auto& entry) {
    auto service = config.services.find(entry.first);
    return service == config.services.end() || !service->second.cron_restart ||
           !(*service->second.cron_restart == entry.second.schedule);
  });
  std::time_t earliest = std::numeric_limits<std::time_t>::max();
  for (const auto& [name, service] : config.services) {
    if (!service.cron_restart) continue;
    auto [entry, added] = entries_.try_emplace(name, Entry{*service.cron_restart, 0});
    if (added) {
      entry->second.next = service.cron_restart->next_after(now).value_or(std::numeric_limits<std::time_t>::max());
      log::info("event=cron_restart_scheduled service={} schedule=\"{}\" next_in_s={}", name,
                service.cron_restart->text(), entry->second.next - now);
    } else if (now >= entry->second.next) {
      auto started = restart_(name);
      if (started)
        log::info("event=cron_restart service={} schedule=\"{}\"", name, entry->second.schedule.text());
      else
        log::warn("event=cron_restart_skipped service={} schedule=\"{}\" reason=\"{}\"", name,
                  entry->second.schedule.text(), started.error());
      entry->second.next =
          entry->second.schedule.next_after(now).value_or(std::numeric_limits<std::time_t>::max());
    }
    earliest = std::min(earliest, entry->second.next);
  }
  return earliest;
}

awaitable<void> CronRestarts::run() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping_) {
    auto now = std::time(nullptr);
    auto next = tick(now);
    auto wait = std::clamp<std::time_t>(next - now, 0, kRecheckSeconds);
    // Wake just after the second turns, so a due time is seen in its own second.
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    auto into_second = since_epoch - std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    auto delay = wait == 0 ? std::chrono::milliseconds(1)
                           : std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(wait) - into_second) +
                                 std::chrono::milliseconds(5);
    timer.expires_after(delay);
    auto [error] = co_await timer.async_wait(use_nothrow);
    if (error) co_return;
  }
}
}  // namespace baton
