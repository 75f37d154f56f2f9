#include "supervisor/notify_message.hpp"

#include <gtest/gtest.h>

namespace baton::supervisor {
namespace {
TEST(NotifyMessage, ReadsWhatSystemdAppsSend) {
  auto ready = parse_notify_message("READY=1");
  ASSERT_TRUE(ready) << ready.error();
  EXPECT_TRUE(ready->ready);
  EXPECT_FALSE(ready->watchdog_ping);

  auto several = parse_notify_message("READY=1\nSTATUS=Processing jobs\nMAINPID=4711\n");
  ASSERT_TRUE(several) << several.error();
  EXPECT_TRUE(several->ready);
  EXPECT_EQ(several->status, "Processing jobs");

  auto ping = parse_notify_message("WATCHDOG=1");
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->watchdog_ping);
  EXPECT_FALSE(ping->ready);

  auto trigger = parse_notify_message("WATCHDOG=trigger");
  ASSERT_TRUE(trigger);
  EXPECT_TRUE(trigger->watchdog_trigger);

  auto stopping = parse_notify_message("STOPPING=1\n");
  ASSERT_TRUE(stopping);
  EXPECT_TRUE(stopping->stopping);
}

TEST(NotifyMessage, IgnoresKeysItDoesNotActOn) {
  auto other = parse_notify_message("ERRNO=2\nEXTEND_TIMEOUT_USEC=5000000\nX_MY_APP=anything = at all");
  ASSERT_TRUE(other) << other.error();
  EXPECT_EQ(*other, NotifyMessage{});
}

TEST(NotifyMessage, StatusMayBeEmptyAndContainEquals) {
  auto status = parse_notify_message("STATUS=a=b");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "a=b");
  auto empty = parse_notify_message("STATUS=");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, "");
}

TEST(NotifyMessage, RefusesMalformedMessagesWhole) {
  for (std::string_view bad : {"", "\n\n", "READY", "ready=1", "READY=0", "READY=yes", "=1", "READY =1",
                               "WATCHDOG=2", "STOPPING=true", "READY=1\ngarbage", "K\xc3\xa9Y=1"}) {
    auto parsed = parse_notify_message(bad);
    EXPECT_FALSE(parsed) << "accepted '" << bad << "'";
  }
  auto with_nul = parse_notify_message(std::string_view("READY=1\0X", 9));
  ASSERT_FALSE(with_nul);
  EXPECT_EQ(with_nul.error(), "a NUL byte");
}

TEST(NotifyMessage, ErrorsSayWhatIsWrongWithoutEchoingControlBytes) {
  auto bad_value = parse_notify_message("READY=2");
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error(), "READY=2 is not defined (only READY=1)");
  auto bad_key = parse_notify_message("re\x1b[2Jady=1");
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error(), "'re\\x1b[2Jady' is not a key (A-Z, 0-9 and '_')");
  auto long_key = parse_notify_message(std::string(100, 'k') + "=1");
  ASSERT_FALSE(long_key);
  EXPECT_NE(long_key.error().find("...'"), std::string::npos) << long_key.error();
}

TEST(NotifyMessage, RefusesAnOversizedMessageAndTakesOneAtTheLimit) {
  std::string at_limit = "STATUS=" + std::string(kMaxNotifyMessage - 7, 'x');
  ASSERT_EQ(at_limit.size(), kMaxNotifyMessage);
  EXPECT_TRUE(parse_notify_message(at_limit));
  auto over = parse_notify_message(at_limit + "x");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), "4097 bytes, more than 4096");
}
}  // namespace
}  // namespace baton::supervisor
