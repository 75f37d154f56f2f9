#include "config/table_reader.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "base/units.hpp"

namespace baton::config_detail {
namespace {
std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::size_t node_line(const toml::node& node) { return node.source().begin.line; }

// Case-insensitive Levenshtein distance; keys are short, so O(n*m) is fine.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      std::size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}
}  // namespace

void Problems::report(std::size_t line, std::string_view what) {
  if (first_) return;
  // Keys and values quoted in messages come from the file and may hold escaped
  // control characters; the error must stay one printable line.
  std::string printable;
  for (unsigned char c : what) {
    if (c < 0x20 || c == 0x7f) printable += fmt::format("\\x{:02x}", c);
    else printable += static_cast<char>(c);
  }
  first_ = fmt::format("{}:{}: {}", source_, line, printable);
}

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
  // Two edits catch most typos; short words get one so "x" suggests nothing.
  const std::size_t max_distance = word.size() <= 3 ? 1 : 2;
  std::optional<std::string_view> best;
  std::size_t best_distance = max_distance + 1;
  for (auto candidate : candidates) {
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

TableReader::TableReader(const toml::table& table, std::string path, Problems& problems)
    : table_(table), path_(std::move(path)), problems_(problems) {}

std::size_t TableReader::line() const {
  // The root table has no source position of its own.
  return std::max<std::size_t>(1, table_.source().begin.line);
}

std::string TableReader::place() const {
  return path_.empty() ? std::string("at the top level") : fmt::format("in [{}]", path_);
}

std::string TableReader::describe(std::string_view key) const {
  return fmt::format("'{}' {}", key, place());
}

std::size_t TableReader::line_of(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node ? node_line(*node) : line();
}

void TableReader::allow_only(std::initializer_list<std::string_view> known) {
  // toml++ iterates keys alphabetically; report the unknown key seen first.
  const toml::key* first_unknown = nullptr;
  for (auto&& [key, value] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    if (!first_unknown || key.source().begin < first_unknown->source().begin) first_unknown = &key;
  }
  if (!first_unknown) return;
  std::string_view name = first_unknown->str();
  std::string message = fmt::format("unknown key '{}' {}", name, place());
  if (auto guess = closest_match(name, known)) message += fmt::format(" (did you mean '{}'?)", *guess);
  fail(first_unknown->source().begin.line, message);
}

bool TableReader::require(std::string_view key) {
  if (has(key)) return true;
  fail(line(), fmt::format("missing key '{}' {}", key, place()));
  return false;
}

void TableReader::fail_at(std::string_view key, std::string_view what) {
  fail(line_of(key), fmt::format("{} {}", describe(key), what));
}

void TableReader::fail_value(std::size_t line, std::string_view key, std::string_view what) {
  fail(line, fmt::format("{}: {}", describe(key), what));
}

const toml::node* TableReader::typed(std::string_view key, toml::node_type type) {
  const toml::node* node = table_.get(key);
  if (!node) return nullptr;
  if (node->type() == type) return node;
  fail_at(key, fmt::format("must be {}, not {}", type_name(type), type_name(node->type())));
  return nullptr;
}

bool TableReader::read(std::string_view key, std::string& out) {
  auto* node = typed(key, toml::node_type::string);
  if (!node) return false;
  out = node->as_string()->get();
  return true;
}

bool TableReader::read(std::string_view key, bool& out) {
  auto* node = typed(key, toml::node_type::boolean);
  if (!node) return false;
  out = node->as_boolean()->get();
  return true;
}

bool TableReader::read(std::string_view key, std::uint32_t& out, Range<std::uint32_t> range) {
  auto* node = typed(key, toml::node_type::integer);
  if (!node) return false;
  std::int64_t value = node->as_integer()->get();
  if (value < std::int64_t{range.min} || value > std::int64_t{range.max}) {
    fail_at(key, fmt::format("must be from {} to {}, not {}", range.min, range.max, value));
    return false;
  }
  out = static_cast<std::uint32_t>(value);
  return true;
}

bool TableReader::read_duration(std::string_view key, std::chrono::milliseconds& out) {
  const toml::node* node = table_.get(key);
  if (!node) return false;
  if (!node->is_string()) {
    fail_at(key, fmt::format("must be a duration string such as \"30s\", not {}",
                             type_name(node->type())));
    return false;
  }
  auto parsed = parse_duration(node->as_string()->get());
  if (!parsed) {
    fail_at(key, fmt::format("is not a duration: {}", parsed.error()));
    return false;
  }
  // A zero timeout would fail every request (or never fire): always a mistake.
  if (parsed->count() == 0) {
    fail_at(key, "must be longer than zero");
    return false;
  }
  out = *parsed;
  return true;
}

bool TableReader::read_size(std::string_view key, std::uint64_t& out, Range<std::uint64_t> range) {
  const toml::node* node = table_.get(key);
  if (!node) return false;
  std::uint64_t value = 0;
  if (auto* integer = node->as_integer()) {
    if (integer->get() < 0) {
      fail_at(key, "must not be negative");
      return false;
    }
    value = static_cast<std::uint64_t>(integer->get());
  } else if (auto* text = node->as_string()) {
    auto parsed = parse_byte_size(text->get());
    if (!parsed) {
      fail_at(key, fmt::format("is not a size: {}", parsed.error()));
      return false;
    }
    value = *parsed;
  } else {
    fail_at(key, fmt::format("must be a size such as \"64k\" or a number of bytes, not {}",
                             type_name(node->type())));
    return false;
  }
  if (value < range.min || value > range.max) {
    if (range.max == UINT64_MAX)
      fail_at(key, fmt::format("must be at least {} bytes, not {}", range.min, value));
    else
      fail_at(key, fmt::format("must be from {} to {} bytes, not {}", range.min, range.max, value));
    return false;
  }
  out = value;
  return true;
}

bool TableReader::read_size(std::string_view key, std::uint32_t& out, Range<std::uint64_t> range) {
  range.max = std::min<std::uint64_t>(range.max, UINT32_MAX);
  std::uint64_t wide = 0;
  if (!read_size(key, wide, range)) return false;
  out = static_cast<std::uint32_t>(wide);
  return true;
}

bool TableReader::read_strings(std::string_view key, std::vector<LocatedString>& out) {
  auto* node = typed(key, toml::node_type::array);
  if (!node) return false;
  std::vector<LocatedString> strings;
  for (const toml::node& element : *node->as_array()) {
    if (!element.is_string()) {
      fail(node_line(element), fmt::format("{} must hold only strings, not {}", describe(key),
                                         type_name(element.type())));
      return false;
    }
    strings.push_back({element.as_string()->get(), node_line(element)});
  }
  out = std::move(strings);
  return true;
}

bool TableReader::read_string_or_strings(std::string_view key, std::vector<LocatedString>& out,
                                         bool& is_string) {
  const toml::node* node = table_.get(key);
  if (!node) return false;
  if (auto* text = node->as_string()) {
    out = {{text->get(), node_line(*node)}};
    is_string = true;
    return true;
  }
  if (!node->is_array()) {
    fail_at(key, fmt::format("must be a string or an array of strings, not {}",
                             type_name(node->type())));
    return false;
  }
  if (!read_strings(key, out)) return false;
  is_string = false;
  return true;
}

bool TableReader::read_string_table(std::string_view key, std::vector<LocatedEntry>& out) {
  auto* node = typed(key, toml::node_type::table);
  if (!node) return false;
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [name, value] : *node->as_table()) entries.emplace_back(&name, &value);
  std::ranges::stable_sort(entries, [](const auto& a, const auto& b) {
    return a.first->source().begin < b.first->source().begin;
  });
  std::vector<LocatedEntry> strings;
  for (auto [name, value] : entries) {
    if (!value->is_string()) {
      fail(node_line(*value), fmt::format("{}: '{}' must be a string, not {}", describe(key),
                                          name->str(), type_name(value->type())));
      return false;
    }
    strings.push_back({std::string(name->str()), value->as_string()->get(), name->source().begin.line});
  }
  out = std::move(strings);
  return true;
}

bool TableReader::check_choice(std::string_view key, std::string_view value,
                               std::span<const std::string_view> allowed) {
  if (std::ranges::find(allowed, value) != allowed.end()) return true;
  std::string message = fmt::format("{} must be one of ", describe(key));
  for (auto choice : allowed) message += fmt::format("'{}', ", choice);
  message += fmt::format("not '{}'", value);
  if (auto guess = closest_match(value, allowed)) message += fmt::format(" (did you mean '{}'?)", *guess);
  fail(line_of(key), message);
  return false;
}

std::optional<TableReader> TableReader::child(std::string_view key) {
  auto* node = typed(key, toml::node_type::table);
  if (!node) return std::nullopt;
  std::string child_path = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  return TableReader(*node->as_table(), std::move(child_path), problems_);
}
}  // namespace baton::config_detail
