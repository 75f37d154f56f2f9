// NOTIFY_SOCKET datagrams from apps: whatever comes in, the parser answers a message or an error,
// never crashes, and accepts nothing longer than systemd would read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.hpp"
#include "supervisor/notify_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto message = baton::supervisor::parse_notify_message(input);
  if (!message) {
    BATON_CHECK(!message.error().empty());
    return 0;
  }
  BATON_CHECK(size > 0 && size <= baton::supervisor::kMaxNotifyMessage);
  BATON_CHECK(input.find('\0') == std::string_view::npos);
  if (message->ready) BATON_CHECK(input.find("READY=1") != std::string_view::npos);
  if (message->status) BATON_CHECK(input.find("STATUS=" + *message->status) != std::string_view::npos);
  return 0;
}
