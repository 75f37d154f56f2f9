// A release spec as the state file keeps it: whatever the file holds, reading it gives a spec
// or one error, never a crash or an exception, and a spec read back writes the same JSON again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/release_codec.hpp"
#include "base/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto json = nlohmann::json::parse(input, nullptr, false);
  if (json.is_discarded()) return 0;
  auto spec = baton::spec_from_json(json);
  if (!spec) {
    BATON_CHECK(!spec.error().empty());
    return 0;
  }
  auto written = baton::spec_to_json(*spec);
  auto again = baton::spec_from_json(written);
  BATON_CHECK(again.has_value());
  BATON_CHECK(baton::spec_to_json(*again) == written);
  return 0;
}
