#pragma once
// Environment files in dotenv syntax (docs/config.md#environment-files): `KEY=value`,
// `export KEY=value`, 'literal', "escaped\n and multi-line", comments and blank lines.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace baton {
struct DotenvEntry {
  std::string key;
  std::string value;
  std::size_t line;  // where the key is
};

struct DotenvError {
  std::size_t line;
  std::string reason;
};

// Entries in file order (a key given twice appears twice: the later one wins when applied).
std::expected<std::vector<DotenvEntry>, DotenvError> parse_dotenv(std::string_view text);

// Reads and parses a file; errors read "FILE:LINE: reason" or "FILE: cannot read: why".
std::expected<std::vector<DotenvEntry>, std::string> read_dotenv_file(const std::string& path);

// `KEY="value"` with the escapes parse_dotenv reads back to `value`, and a newline.
std::string dotenv_line(std::string_view key, std::string_view value);

// Sets `key` to `value` in `env`: replaces an earlier value in place, else appends.
void set_env_value(std::vector<std::pair<std::string, std::string>>& env, const std::string& key,
                   const std::string& value);
}  // namespace baton
