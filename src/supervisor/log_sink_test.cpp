#include "supervisor/log_sink.hpp"

#include <fcntl.h>

#include <regex>

#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;
using namespace std::chrono;

std::string framed(LineFramer& framer, std::string_view bytes) {
  std::string out;
  framer.feed(bytes, "> ", out);
  return out;
}
}  // namespace

TEST(LogSink, TimestampIsUtcWithMilliseconds) {
  auto time = sys_days{year{2026} / 11 / 22} + hours(10) + milliseconds(123);
  EXPECT_EQ(format_timestamp(time), "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(format_timestamp(sys_days{year{1999} / 1 / 2} + seconds(5)), "1999-01-02T00:00:05.000Z");
}

TEST(LogSink, PrefixNamesTheInstanceAndStream) {
  auto time = sys_days{year{2026} / 11 / 22} + hours(10) + milliseconds(123);
  EXPECT_EQ(format_prefix(time, "web#2", OutputStream::out), "2026-11-22T10:00:00.123Z web#2 out| ");
  EXPECT_EQ(format_prefix(time, "web#0", OutputStream::err), "2026-11-22T10:00:00.123Z web#0 err| ");
}

TEST(LineFramer, PrefixesEveryCompleteLine) {
  LineFramer framer;
  EXPECT_EQ(framed(framer, "a\nbb\n\nc\n"), "> a\n> bb\n> \n> c\n");
}

TEST(LineFramer, KeepsAPartialLineUntilItsNewline) {
  LineFramer framer;
  EXPECT_EQ(framed(framer, "hel"), "");
  EXPECT_EQ(framed(framer, "lo wor"), "");
  EXPECT_EQ(framed(framer, "ld\nnext"), "> hello world\n");
  std::string out;
  framer.finish("! ", out);
  EXPECT_EQ(out, "! next\n");
  out.clear();
  framer.finish("! ", out);
  EXPECT_EQ(out, "");
}

TEST(LineFramer, SplitsALineLongerThanTheLimit) {
  LineFramer framer(4);
  EXPECT_EQ(framed(framer, "abcdefghij\n"), "> abcd\n> efgh\n> ij\n");
  EXPECT_EQ(framed(framer, "ab"), "");
  EXPECT_EQ(framed(framer, "cdef"), "> abcd\n");
  EXPECT_EQ(framed(framer, "\n"), "> ef\n");
}

TEST(LineFramer, ALineOfExactlyTheLimitIsOneLine) {
  LineFramer framer(4);
  EXPECT_EQ(framed(framer, "abcd\nef\n"), "> abcd\n> ef\n");
}

TEST(LogSink, PumpWritesPrefixedLinesUntilEndOfFile) {
  TempDir dir;
  auto file = LogFile::open(dir.path() / "web.log", {}).value();
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd write_end(fds[1]);
  asio::io_context io;
  asio::posix::stream_descriptor read_end(io, fds[0]);
  ASSERT_EQ(::write(write_end.get(), "hello\nwor", 9), 9);
  ASSERT_EQ(::write(write_end.get(), "ld\nno newline", 13), 13);
  write_end.reset();
  run(io, pump_output(std::move(read_end), file, "web#1", OutputStream::err));
  auto text = read_file(dir.path() / "web.log");
  std::regex expected(
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z web#1 err\\| hello\n"
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z web#1 err\\| world\n"
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z web#1 err\\| no newline\n");
  EXPECT_TRUE(std::regex_match(text, expected)) << text;
}
}  // namespace baton::supervisor
