#include "cli/toml_text.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace baton::cli {
namespace {
using TextPair = std::pair<std::string_view, std::string_view>;

TEST(TomlText, StringsAreQuotedEscapedAndUtf8) {
  const TextPair strings[] = {
      {"plain", "\"plain\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\""},
      {"line\nbreak\ttab\rreturn", "\"line\\nbreak\\ttab\\rreturn\""},
      {std::string_view("nul\0bell\x07" "del\x7F", 13), "\"nul\\u0000bell\\u0007del\\u007F\""},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\"caf\\u00E9 \\u20AC \\U0001F600\""},
      {"bad \xFF", "\"bad \\uFFFD\""},
  };
  for (auto [text, quoted] : strings) EXPECT_EQ(toml_string(text), quoted) << text;
  // A surrogate's encoding is three bytes that are not UTF-8: each is replaced.
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TomlText, KeysAreBareOnlyWhenTheyMayBe) {
  const TextPair keys[] = {{"NODE_ENV", "NODE_ENV"}, {"web-2", "web-2"}, {"a.b", "\"a.b\""}, {"", "\"\""}, {"\xC3\xA9", "\"\\u00E9\""}};
  for (auto [key, written] : keys) EXPECT_EQ(toml_key(key), written) << key;
}

TEST(TomlText, ValuesAndComments) {
  EXPECT_EQ(toml_value(std::vector<std::string>{"a", "b"}), "[\"a\", \"b\"]");
  EXPECT_EQ(toml_value(std::vector<std::int64_t>{0, 2}), "[0, 2]");
  EXPECT_EQ(toml_value(std::int64_t{-3}), "-3");
  EXPECT_EQ(toml_value(true), "true");
  EXPECT_EQ(toml_comment("one\ntwo\x07"), "# one\n# two?\n");
  EXPECT_EQ(toml_comment("aaa bbb ccc", 9), "# aaa bbb\n#   ccc\n");
  EXPECT_EQ(toml_comment("", 9), "#\n");
}
}  // namespace
}  // namespace baton::cli
