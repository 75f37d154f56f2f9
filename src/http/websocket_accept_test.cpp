#include "http/websocket_accept.hpp"

#include <gtest/gtest.h>

namespace baton::http {
TEST(WebSocketAccept, MatchesTheRfcExample) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
}  // namespace baton::http
