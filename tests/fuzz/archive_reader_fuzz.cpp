// An uploaded archive (tar in any form, compressed or not, or zip): whatever comes in, the reader
// refuses it with a message or
// hands out entries that stay inside the release, never a crash or a read past the input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "site/archive_reader.hpp"
#include "site/archive_test_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  baton::site::ArchiveReader reader(baton::site::testing::memory_source(input, 1000), {.max_entries = 64, .max_bytes = 1 << 20});
  std::array<char, 333> chunk;
  for (;;) {
    auto entry = reader.next();
    if (!entry) {
      BATON_CHECK(!entry.error().empty());
      return 0;
    }
    if (!*entry) return 0;
    const auto& e = **entry;
    BATON_CHECK(!e.path.empty() && !e.path.starts_with('/'));
    BATON_CHECK(baton::site::normalize_entry_path(e.path).value_or("") == e.path);
    if (e.type == baton::site::EntryType::symlink) BATON_CHECK(baton::site::link_stays_inside(e.path, e.link_target));
    std::uint64_t total = 0;
    for (;;) {
      auto n = reader.read_data(chunk);
      if (!n) return 0;
      if (*n == 0) break;
      total += *n;
    }
    BATON_CHECK(e.size == 0 || total == e.size);
  }
}
