#include "base/dotenv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace baton {
namespace {
using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs_of(std::string_view text) {
  auto parsed = parse_dotenv(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().reason);
  Pairs out;
  if (parsed)
    for (const auto& e : *parsed) out.emplace_back(e.key, e.value);
  return out;
}

DotenvError error_of(std::string_view text) {
  auto parsed = parse_dotenv(text);
  EXPECT_FALSE(parsed);
  return parsed ? DotenvError{0, ""} : parsed.error();
}

TEST(Dotenv, PlainExportedAndEmptyValues) {
  EXPECT_EQ(pairs_of("A=1\nexport B=two words\nC=\nD = spaced \n"),
            (Pairs{{"A", "1"}, {"B", "two words"}, {"C", ""}, {"D", "spaced"}}));
}

TEST(Dotenv, CommentsAndBlankLines) {
  EXPECT_EQ(pairs_of("# top\n\n   \n  # indented\nA=1 # trailing\nB=a#b\nC=#not a comment\nD= # empty\n"),
            (Pairs{{"A", "1"}, {"B", "a#b"}, {"C", "#not a comment"}, {"D", ""}}));
}

TEST(Dotenv, SingleQuotesAreLiteral) {
  EXPECT_EQ(pairs_of("A='x \\n $HOME # kept'\nB='' # empty\n"), (Pairs{{"A", "x \\n $HOME # kept"}, {"B", ""}}));
}

TEST(Dotenv, DoubleQuotesHaveEscapesAndSpanLines) {
  EXPECT_EQ(pairs_of("A=\"line1\\nline2 \\\"q\\\" back\\\\slash\"\nB=\"first\nsecond\"\nC=1\n"),
            (Pairs{{"A", "line1\nline2 \"q\" back\\slash"}, {"B", "first\nsecond"}, {"C", "1"}}));
  EXPECT_EQ(pairs_of("A=\"\\d stays\"\n"), (Pairs{{"A", "\\d stays"}}));
}

TEST(Dotenv, LinesAreCountedAcrossMultiLineValues) {
  auto parsed = parse_dotenv("A=\"1\n2\n3\"\nB=x\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)[1].line, 4u);
}

TEST(Dotenv, CrLfLineEndsAndNoFinalNewline) {
  EXPECT_EQ(pairs_of("A=1\r\nB='2'\r\nC=3"), (Pairs{{"A", "1"}, {"B", "2"}, {"C", "3"}}));
}

TEST(Dotenv, KeyGivenTwiceIsKeptTwiceInOrder) {
  EXPECT_EQ(pairs_of("A=1\nA=2\n"), (Pairs{{"A", "1"}, {"A", "2"}}));
  Pairs env{{"A", "1"}, {"B", "x"}};
  set_env_value(env, "A", "2");
  set_env_value(env, "C", "3");
  EXPECT_EQ(env, (Pairs{{"A", "2"}, {"B", "x"}, {"C", "3"}}));
}

TEST(Dotenv, ErrorsNameTheLineAndWhy) {
  auto unclosed = error_of("A=1\nB=\"open\nC=2\n");
  EXPECT_EQ(unclosed.line, 2u);
  EXPECT_NE(unclosed.reason.find("double quote opened here is never closed"), std::string::npos);
  auto no_equals = error_of("\n\nJUSTAKEY\n");
  EXPECT_EQ(no_equals.line, 3u);
  EXPECT_NE(no_equals.reason.find("'JUSTAKEY' has no '='"), std::string::npos);
  auto after_quote = error_of("A='x'y\n");
  EXPECT_EQ(after_quote.line, 1u);
  EXPECT_NE(after_quote.reason.find("after the closing quote"), std::string::npos);
  EXPECT_EQ(error_of("1A=x\n").line, 1u);
  EXPECT_EQ(error_of("A-B=x\n").line, 1u);
  EXPECT_EQ(error_of("export\n").line, 1u);
  EXPECT_EQ(error_of(std::string_view("A=1\nB=\0\n", 8)).line, 2u);
}
TEST(Dotenv, FileErrorsNameTheFile) {
  auto path = std::filesystem::temp_directory_path() / ("baton-dotenv-" + std::to_string(::getpid()));
  std::ofstream(path) << "A=1\nB='x\n";
  auto read = read_dotenv_file(path.string());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), path.string() + ":2: the single quote opened here is never closed");
  std::filesystem::remove(path);
  auto missing = read_dotenv_file(path.string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().rfind(path.string() + ": cannot read:", 0), 0u);
}
}  // namespace
}  // namespace baton
