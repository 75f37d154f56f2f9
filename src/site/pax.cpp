#include "site/pax.hpp"

#include <charconv>

#include <fmt/format.h>

namespace baton::site::pax {
namespace {
std::size_t digits_of(std::size_t n) {
  std::size_t digits = 1;
  for (; n >= 10; n /= 10) ++digits;
  return digits;
}

struct Record {
  std::string_view key;
  std::string_view value;
};

// Splits off the first record of `data`; an error names what is wrong with it.
std::expected<Record, std::string> next_record(std::string_view& data) {
  auto space = data.find(' ');
  if (space == 0 || space == std::string_view::npos || space > 20)
    return std::unexpected("a pax record does not start with its length");
  std::uint64_t length = 0;
  auto [end, ec] = std::from_chars(data.data(), data.data() + space, length);
  if (ec != std::errc() || end != data.data() + space || data.front() == '0')
    return std::unexpected("a pax record has a malformed length");
  if (length <= space + 1 || length > data.size()) return std::unexpected("a pax record's length runs past its header");
  auto text = data.substr(space + 1, static_cast<std::size_t>(length) - space - 1);
  data.remove_prefix(static_cast<std::size_t>(length));
  if (!text.ends_with('\n')) return std::unexpected("a pax record does not end where its length says");
  text.remove_suffix(1);
  auto equals = text.find('=');
  if (equals == 0 || equals == std::string_view::npos) return std::unexpected("a pax record has no keyword");
  return Record{text.substr(0, equals), text.substr(equals + 1)};
}

std::expected<std::uint64_t, std::string> decimal(Record record) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(record.value.data(), record.value.data() + record.value.size(), value);
  if (ec != std::errc() || end != record.value.data() + record.value.size())
    return std::unexpected(fmt::format("pax '{}' is not a whole number", record.key));
  return value;
}

// Seconds with an optional fraction and sign ("1700000000.5", "-1.25"); the fraction is dropped.
std::expected<std::int64_t, std::string> seconds(Record record) {
  auto text = record.value;
  bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  auto point = text.find('.');
  auto whole = text.substr(0, point);
  auto fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  constexpr std::string_view kDigits = "0123456789";
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
  bool digits_only = whole.find_first_not_of(kDigits) == std::string_view::npos &&
                     fraction.find_first_not_of(kDigits) == std::string_view::npos;
  if (whole.empty() || !digits_only || ec != std::errc() || end != whole.data() + whole.size() ||
      (point != std::string_view::npos && fraction.empty()))
    return std::unexpected(fmt::format("pax '{}' is not a time in seconds", record.key));
  return negative ? -value : value;  // from_chars took digits only: value >= 0, so -value fits
}

std::expected<std::string, std::string> name(Record record) {
  if (record.value.find('\0') != std::string_view::npos)
    return std::unexpected(fmt::format("pax '{}' holds a NUL byte", record.key));
  return std::string(record.value);
}

template <typename T, typename Read>
std::expected<void, std::string> set(std::optional<T>& field, Record record, Read read) {
  if (record.value.empty()) {
    field.reset();
    return {};
  }
  auto value = read(record);
  if (!value) return std::unexpected(value.error());
  field = std::move(*value);
  return {};
}

std::expected<void, std::string> apply(Record record, Overrides& into) {
  if (record.key == "path") return set(into.path, record, name);
  if (record.key == "linkpath") return set(into.linkpath, record, name);
  if (record.key == "size") return set(into.size, record, decimal);
  if (record.key == "mtime") return set(into.mtime, record, seconds);
  if (record.key.starts_with("GNU.sparse."))
    return std::unexpected("a sparse file (pax GNU.sparse records): not supported");
  return {};
}
}  // namespace

std::string record(std::string_view key, std::string_view value) {
  std::size_t body = key.size() + value.size() + 3;  // ' ', '=' and '\n'
  std::size_t length = body + digits_of(body);
  if (digits_of(length) > digits_of(body)) ++length;
  return fmt::format("{} {}={}\n", length, key, value);
}

std::expected<void, std::string> parse(std::string_view data, Overrides& into) {
  while (!data.empty()) {
    auto next = next_record(data);
    if (!next) return std::unexpected(next.error());
    if (auto applied = apply(*next, into); !applied) return applied;
  }
  return {};
}

std::expected<void, std::string> check_global(std::string_view data) {
  while (!data.empty())
    if (auto next = next_record(data); !next) return std::unexpected(next.error());
  return {};
}
}  // namespace baton::site::pax
