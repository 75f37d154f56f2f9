#include "config/toml_guard.hpp"

#include <gtest/gtest.h>

namespace baton::config_detail {
namespace {
// 0 when the text is accepted.
std::size_t problem_line(std::string_view text) {
  auto problem = find_unsafe_text(text);
  return problem ? problem->line : 0;
}

TEST(TomlGuard, AcceptsNonAsciiInComments) {
  EXPECT_EQ(problem_line("# café\nname = \"x\" # naïve ü\n"), 0u);
  EXPECT_EQ(problem_line("\xEF\xBB\xBF" "a = 1\n"), 0u);  // a leading byte order mark
}

TEST(TomlGuard, RejectsNonAsciiOutsideComments) {
  EXPECT_EQ(problem_line("a = 1\n\xcc\xaa = 2\n"), 2u);
  EXPECT_EQ(problem_line("\xef\xb9\xbf"), 1u);
  EXPECT_EQ(problem_line("a = 1\xc2\xa0\n"), 1u);  // a no-break space is not TOML whitespace
  EXPECT_EQ(problem_line("[t\xc3\xa9st]\n"), 1u);
}

TEST(TomlGuard, RejectsControlCharactersOutsideComments) {
  EXPECT_EQ(problem_line(std::string_view("[\0services.web]\n", 16)), 1u);  // found by fuzz_config
  EXPECT_EQ(problem_line("a = 1\nb = \"x\x01\"\n"), 2u);
  EXPECT_EQ(problem_line("a = 1\x7f\n"), 1u);
  EXPECT_EQ(problem_line("a = \"\t\"\r\n# \x01\n"), 0u);  // tab, CRLF, and anything in a comment
}

TEST(TomlGuard, RejectsATableHeaderWithoutAName) {
  EXPECT_EQ(problem_line("[# Baton\nservices.api]\n"), 1u);  // found by fuzz_config
  EXPECT_EQ(problem_line("a = 1\n  [[=x]]\n"), 2u);
  EXPECT_EQ(problem_line("[\nx]\n"), 1u);
  EXPECT_EQ(problem_line("[a]\n[[ 'b' ]]\n[ \"c\" ]\n[]\nx = [1, [2]]\n"), 0u);
}

TEST(TomlGuard, RejectsNonAsciiInStrings) {
  EXPECT_EQ(problem_line("a = \"caf\xc3\xa9\"\n"), 1u);
  EXPECT_EQ(problem_line("a = 'caf\xc3\xa9'\n"), 1u);
  EXPECT_EQ(problem_line("a = '''\n\nx\xc3\xa9'''\n"), 3u);
  // toml++ 3.3 misbehaves on this one (marzer/tomlplusplus#190).
  EXPECT_EQ(problem_line("s = \"\"\"\\\n\xc2\xa7\"\"\"\n"), 2u);
}

TEST(TomlGuard, HashInsideAStringIsNoComment) {
  EXPECT_EQ(problem_line("a = \"#\xc3\xa9\"\n"), 1u);
  EXPECT_EQ(problem_line("a = \"x\\\"#\xc3\xa9\"\n"), 1u);  // the escaped quote does not end it
  EXPECT_EQ(problem_line("a = 'x\\' # \xc3\xa9\n"), 0u);    // literal strings have no escapes
  EXPECT_EQ(problem_line("a = \"\"\"x\"\"\"\"\" # \xc3\xa9\n"), 0u);  // a""-style endings
  EXPECT_EQ(problem_line("a = \"\"\"\n#\xc3\xa9\n\"\"\"\n"), 2u);
  EXPECT_EQ(problem_line("a = \"open\n# \xc3\xa9\n"), 0u);  // unterminated: ends at the line end
}
}  // namespace
}  // namespace baton::config_detail
