// cron_restart expressions: parsed or refused with a reason, never a crash; a parsed one always has a
// next time after any start, strictly later and matching again when asked from that time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

#include "base/check.hpp"
#include "base/cron_schedule.hpp"

// A fixed zone: without TZ, glibc looks at /etc/localtime on every mktime, which a schedule that
// never fires calls thousands of times.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("TZ", "UTC", 1);
  tzset();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = baton::CronSchedule::parse(input);
  if (!parsed) {
    BATON_CHECK(!parsed.error().empty());
    return 0;
  }
  BATON_CHECK(parsed->text() == input);
  std::time_t start = 1'800'000'000;  // 2027-01-15
  auto next = parsed->next_after(start);
  BATON_CHECK(next && *next > start);
  auto after = parsed->next_after(*next);
  BATON_CHECK(after && *after > *next);
  return 0;
}
