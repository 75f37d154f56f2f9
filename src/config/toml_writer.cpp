#include "config/toml_writer.hpp"

#include <sstream>

#include <toml++/toml.h>

namespace baton {
namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// Clang before 17 does not deduce aggregate template arguments by itself.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void insert(toml::table& table, const std::string& key, const TomlValue& value) {
  std::visit(Overloaded{[&](const TomlStrings& words) {
                          toml::array array;
                          for (const auto& w : words) array.push_back(w);
                          table.insert(key, std::move(array));
                        },
                        [&](const TomlStringTable& pairs) {
                          toml::table inner;
                          inner.is_inline(true);  // stays inside the table being written
                          for (const auto& [k, v] : pairs) inner.insert(k, v);
                          table.insert(key, std::move(inner));
                        },
                        [&](const auto& scalar) { table.insert(key, scalar); }},
             value);
}
}  // namespace

std::string write_toml_keys(const TomlKeys& keys) {
  toml::table table;
  for (const auto& [key, value] : keys) insert(table, key, value);
  std::ostringstream text;
  text << table << "\n";
  return text.str();
}
}  // namespace baton
