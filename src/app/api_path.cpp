#include "app/api_path.hpp"

#include <cctype>

namespace baton {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}
}  // namespace

std::optional<std::pair<std::string, std::string>> named_path(std::string_view target, std::string_view prefix) {
  target = target.substr(0, target.find('?'));
  if (!target.starts_with(prefix)) return std::nullopt;
  target.remove_prefix(prefix.size());
  auto slash = target.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return std::pair{std::string(target.substr(0, slash)), std::string(target.substr(slash + 1))};
}

std::optional<std::string> query_param(std::string_view target, std::string_view key) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto query = target.substr(question + 1);
  for (std::size_t start = 0; start <= query.size();) {
    auto end = std::min(query.find('&', start), query.size());
    auto pair = query.substr(start, end - start);
    start = end + 1;
    auto equals = pair.find('=');
    if (pair.substr(0, equals) != key) continue;
    return equals == std::string_view::npos ? std::string() : percent_decoded(pair.substr(equals + 1));
  }
  return std::nullopt;
}
}  // namespace baton
