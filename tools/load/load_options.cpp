#include "load_options.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace baton::load {
namespace {
constexpr int kMaxConnections = 100000;
constexpr int kMaxThreads = 64;
constexpr int kMaxBodyBytes = 64 << 20;

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::expected<int, std::string> count(std::string_view flag, std::string_view value, int most) {
  auto n = number<int>(value);
  if (!n || *n < 1 || *n > most)
    return std::unexpected(std::string(flag) + " needs a number from 1 to " + std::to_string(most));
  return *n;
}

std::expected<double, std::string> positive(std::string_view flag, std::string_view value) {
  auto n = number<double>(value);
  if (!n || !std::isfinite(*n) || *n <= 0) return std::unexpected(std::string(flag) + " needs a positive number");
  return *n;
}

std::expected<std::pair<std::string, std::string>, std::string> header(std::string_view value) {
  auto colon = value.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::unexpected("--header needs NAME:VALUE");
  auto field = value.substr(colon + 1);
  while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
  return std::pair{std::string(value.substr(0, colon)), std::string(field)};
}

std::expected<void, std::string> apply_valued(LoadOptions& o, std::string_view flag, std::string_view value) {
  auto fail = [](const std::string& e) { return std::unexpected(e); };
  if (flag == "--url") {
    auto url = parse_url(value);
    if (!url) return fail(url.error());
    o.url = *url;
  } else if (flag == "--connections" || flag == "--threads") {
    auto n = count(flag, value, flag == "--threads" ? kMaxThreads : kMaxConnections);
    if (!n) return fail(n.error());
    (flag == "--threads" ? o.threads : o.connections) = *n;
  } else if (flag == "--body") {
    auto n = count(flag, value, kMaxBodyBytes);
    if (!n) return fail(n.error());
    o.body_bytes = static_cast<std::size_t>(*n);
  } else if (flag == "--duration" || flag == "--rate" || flag == "--timeout") {
    auto n = positive(flag, value);
    if (!n) return fail(n.error());
    if (flag == "--duration") o.duration = std::chrono::duration<double>(*n);
    else if (flag == "--rate") o.rate = *n;
    else o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(*n)));
  } else if (flag == "--trace") {
    if (value.empty()) return fail("--trace needs a file name");
    o.trace_path = std::string(value);
  } else if (flag == "--header") {
    auto h = header(value);
    if (!h) return fail(h.error());
    o.headers.push_back(*h);
  } else {
    return fail("unknown option " + std::string(flag));
  }
  return {};
}

bool apply_switch(LoadOptions& o, std::string_view flag) {
  if (flag == "--cookies") o.cookies = true;
  else if (flag == "--json") o.json = true;
  else if (flag == "--progress") o.progress = true;
  else if (flag == "--help" || flag == "-h") o.help = true;
  else return false;
  return true;
}
}  // namespace

std::string Url::host_header() const { return port == 80 ? host : fmt::format("{}:{}", host, port); }

std::expected<Url, std::string> parse_url(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  auto bad = [&] { return std::unexpected("--url needs http://HOST[:PORT][/PATH], not '" + std::string(text) + "'"); };
  if (!text.starts_with(kScheme)) return bad();
  auto rest = text.substr(kScheme.size());
  auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  Url url;
  if (slash != std::string_view::npos) {
    auto target = rest.substr(slash);
    url.target = target.starts_with('?') ? fmt::format("/{}", target) : std::string(target);
  }
  auto colon = authority.rfind(':');
  url.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    auto port = number<std::uint16_t>(authority.substr(colon + 1));
    if (!port || *port == 0) return bad();
    url.port = *port;
  }
  if (url.host.empty()) return bad();
  return url;
}

std::expected<LoadOptions, std::string> parse_load_options(int argc, const char* const* argv) {
  LoadOptions options;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (apply_switch(options, flag)) continue;
    if (i + 1 >= argc) return std::unexpected(std::string(flag) + " needs a value");
    auto applied = apply_valued(options, flag, argv[++i]);
    if (!applied) return std::unexpected(applied.error());
    have_url = have_url || flag == "--url";
  }
  if (!have_url && !options.help) return std::unexpected("--url is required");
  return options;
}

}  // namespace baton::load
