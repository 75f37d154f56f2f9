// A deploy's body from the control API: whatever comes in, it is refused with a message or
// gives a request within bounds, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/deploy_body.hpp"
#include "base/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  baton::deploy::ReleaseSpec base;
  base.command = {"app"};
  auto request = baton::parse_deploy_body(input, base, "web");
  if (!request) {
    BATON_CHECK(!request.error().empty());
    return 0;
  }
  BATON_CHECK(request->service == "web");
  BATON_CHECK(request->spec.instances >= 1 && request->spec.instances <= baton::kMaxInstances);
  BATON_CHECK(!request->spec.command.empty());
  return 0;
}
