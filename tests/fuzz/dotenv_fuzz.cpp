// Environment files (env_file, secret_env_file, `baton deploy --env-file`): parsed or refused with a
// line inside the text, never a crash; what parses writes back as double-quoted lines that parse to
// the same entries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.hpp"
#include "base/dotenv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = baton::parse_dotenv(input);
  std::size_t lines = 1;
  for (char c : input) lines += c == '\n';
  if (!parsed) {
    BATON_CHECK(parsed.error().line >= 1 && parsed.error().line <= lines && !parsed.error().reason.empty());
    return 0;
  }
  std::string written;
  for (const auto& entry : *parsed) {
    BATON_CHECK(!entry.key.empty() && entry.line >= 1 && entry.line <= lines);
    written += baton::dotenv_line(entry.key, entry.value);
  }
  auto again = baton::parse_dotenv(written);
  BATON_CHECK(again && again->size() == parsed->size());
  for (std::size_t i = 0; i < parsed->size(); ++i)
    BATON_CHECK((*again)[i].key == (*parsed)[i].key && (*again)[i].value == (*parsed)[i].value);
  return 0;
}
