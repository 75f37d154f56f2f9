// PM2 ecosystem files (`baton import pm2`): read as literals or refused with a line and column
// inside the text, never a crash; what is read writes back as JSON that reads the same; and the
// import turns any value into a config text or an error without throwing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "cli/js_literal.hpp"
#include "cli/pm2_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto value = baton::cli::parse_js_literal(input);
  std::size_t lines = 1;
  for (char c : input) lines += c == '\n';
  if (!value) {
    const auto& error = value.error();
    BATON_CHECK(error.line >= 1 && error.line <= lines && error.column >= 1 && !error.reason.empty());
    return 0;
  }
  // The round trip holds for text that is UTF-8. Bytes that are not are replaced by U+FFFD on
  // the way out, which can make two keys one, so the second reading may rightly differ.
  bool utf8 = true;
  try {
    (void)value->dump();
  } catch (const nlohmann::json::type_error&) {
    utf8 = false;
  }
  auto dumped = value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto again = baton::cli::parse_js_literal(dumped);
  BATON_CHECK(again);
  if (utf8) BATON_CHECK(again->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) == dumped);
  baton::cli::Pm2ImportOptions options{.source_name = "fuzz.js", .base_dir = "/srv", .env_name = "production", .cpus = 4};
  (void)baton::cli::pm2_to_toml(*value, options);
  if (auto apps = baton::cli::ecosystem_from_jlist(*value)) (void)baton::cli::pm2_to_toml(*apps, options);
  return 0;
}
