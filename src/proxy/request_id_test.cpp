#include "proxy/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace baton::proxy {
namespace {
std::vector<http::HeaderField> fields_with_id(std::string_view value) {
  http::HeaderField field;
  field.name = "x-request-id";
  field.value = value;
  return {field};
}

TEST(RequestId, TakesTheClientsWhenValid) {
  RequestIdSource source(1);
  RequestId id;
  auto fields = fields_with_id("abc-123_x.y:z+/=@Q");
  id.choose(fields, source);
  EXPECT_EQ(id.view(), "abc-123_x.y:z+/=@Q");
  std::string longest(kMaxRequestIdLength, 'a');
  auto long_fields = fields_with_id(longest);
  id.choose(long_fields, source);
  EXPECT_EQ(id.view(), longest);
}

TEST(RequestId, MakesOneForAMissingOrInvalidId) {
  RequestIdSource source(0xabcdef);
  RequestId id;
  id.choose({}, source);
  EXPECT_EQ(id.view(), "0000000000abcdef0000000000000001");
  std::string too_long(kMaxRequestIdLength + 1, 'a');
  for (std::string bad : {std::string(""), std::string("has space"), std::string("quote\""), std::string("new\nline"),
                          std::string("caf\xc3\xa9"), too_long}) {
    auto fields = fields_with_id(bad);
    id.choose(fields, source);
    EXPECT_EQ(id.view().size(), 32u) << bad;
    EXPECT_TRUE(id.view().starts_with("0000000000abcdef")) << bad;
  }
}

TEST(RequestId, MadeIdsDoNotRepeat) {
  RequestIdSource a, b;
  std::set<std::string> seen;
  char text[32];
  for (int i = 0; i < 1000; ++i) {
    a.next(text);
    seen.emplace(text, sizeof text);
    b.next(text);
    seen.emplace(text, sizeof text);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_TRUE(is_valid_request_id(*seen.begin()));
}
}  // namespace
}  // namespace baton::proxy
