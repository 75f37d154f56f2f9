#include "app/cron_restarts.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <boost/asio/system_timer.hpp>

#include "base/log.hpp"

namespace baton {
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
  asio::system_timer timer(co_await asio::this_coro::executor);
  while (!stopping_) {
    auto now = std::time(nullptr);
    tick(now);
    // At the start of each second: a due time is seen in its own second, and a config change or a
    // clock jump within one.
    timer.expires_at(std::chrono::system_clock::from_time_t(now + 1));
    auto [error] = co_await timer.async_wait(use_nothrow);
    if (error) co_return;
  }
}
}  // namespace baton
