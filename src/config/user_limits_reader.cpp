#include "config/user_limits_reader.hpp"

#include <unistd.h>

#include <cmath>
#include <fmt/format.h>

#include "base/account.hpp"
#include "base/units.hpp"

namespace baton::config_detail {
namespace {
// Less than this is surely a number meant in another unit: every instance would be killed at once.
constexpr Range<std::uint64_t> kMemoryMaxRange{1 << 20, UINT64_MAX};
// cpu.max takes at least 1 ms per 100 ms period; the top only catches typos.
constexpr Range<std::uint32_t> kCpuMaxRange{10, 1'024'000};  // thousandths of a core

bool read_name(TableReader& r, std::string_view key, std::string& out) {
  std::string name;
  if (!r.read(key, name)) return false;
  if (name.empty() || name.find_first_of(std::string_view("\0:/ \t\n", 6)) != name.npos) {
    r.fail_at(key, fmt::format("must be a user or group name (or number), not '{}'", name));
    return false;
  }
  out = std::move(name);
  return true;
}

void check_account(TableReader& r, const ServiceConfig& service) {
  auto account = resolve_account(service.user, service.group);
  std::optional<AccountError> problem;
  if (!account) problem = account.error();
  else problem = account_problem(*account, service.group, ::geteuid(), ::getegid());
  if (!problem) return;
  auto key = problem->field == AccountField::user ? "user" : "group";
  if (!account) r.fail_value(r.line_of(key), key, problem->message);
  else r.fail_at(key, problem->message);
}

// "50%" of one core, "1.5" cores as a string, or a TOML number of cores.
std::optional<std::uint32_t> cpu_amount(TableReader& r, const toml::node& node) {
  if (auto* text = node.as_string()) {
    auto parsed = parse_cpu_amount(text->get());
    if (parsed) return *parsed;
    r.fail_value(r.line_of("cpu_max"), "cpu_max", parsed.error());
    return std::nullopt;
  }
  double cores = 0;
  if (auto* integer = node.as_integer()) cores = static_cast<double>(integer->get());
  else if (auto* number = node.as_floating_point()) cores = number->get();
  else {
    r.fail_at("cpu_max", "must be a share such as \"50%\" or a number of cores such as 1.5");
    return std::nullopt;
  }
  double thousandths = cores * 1000;
  if (!std::isfinite(thousandths) || thousandths < 0 || thousandths > UINT32_MAX ||
      std::abs(thousandths - std::round(thousandths)) > 1e-6) {
    r.fail_at("cpu_max", "must be a number of cores with at most three decimals");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(std::llround(thousandths));
}

void read_cpu_max(TableReader& r, ServiceConfig& service) {
  const toml::node* node = r.table().get("cpu_max");
  if (!node) return;
  auto amount = cpu_amount(r, *node);
  if (!amount) return;
  if (*amount < kCpuMaxRange.min || *amount > kCpuMaxRange.max)
    return r.fail_at("cpu_max", fmt::format("must be from 1% (0.01 cores) to {} cores", kCpuMaxRange.max / 1000));
  service.cpu_max = *amount;
}
}  // namespace

void read_user_and_limits(TableReader& r, ServiceConfig& service) {
  bool named = read_name(r, "user", service.user);
  named = read_name(r, "group", service.group) || named;
  if (named && !r.failed()) check_account(r, service);
  std::uint64_t memory_max = 0;
  if (r.read_size("memory_max", memory_max, kMemoryMaxRange)) service.memory_max = memory_max;
  read_cpu_max(r, service);
}
}  // namespace baton::config_detail
