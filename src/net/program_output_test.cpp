#include "net/program_output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace baton {
namespace {
ProgramQuestion shell(const std::string& script, std::chrono::milliseconds patience = kProgramAnswerPatience) {
  ProgramQuestion question;
  question.args = {"-c", script};
  question.patience = patience;
  return question;
}
}  // namespace

TEST(AskProgram, ReturnsWhatItPrintedWhenItExitsZero) {
  EXPECT_EQ(ask_program("/bin/sh", shell("echo baton 1.2.3; echo state schema 4")).value(),
            "baton 1.2.3\nstate schema 4\n");
  auto question = shell("echo \"$ASKED\"");
  question.env = {{"ASKED", "the state"}};
  EXPECT_EQ(ask_program("/bin/sh", question).value(), "the state\n");
}

TEST(AskProgram, SaysWhyWhenItFailsDiesOrIsNoProgram) {
  EXPECT_EQ(ask_program("/bin/sh", shell("echo partial; exit 3")).error(), "it exited with 3");
  EXPECT_EQ(ask_program("/bin/sh", shell("kill -SEGV $$")).error(), "it was killed by signal 11");
  EXPECT_EQ(ask_program("/nonexistent/baton", shell("")).error(), "no executable at '/nonexistent/baton'");
  EXPECT_EQ(ask_program("sh", shell("")).error(), "no executable at 'sh'") << "a relative path is refused";
}

// A program that never answers, or closes its output and then hangs, is killed at the deadline.
TEST(AskProgram, GivesUpOnAProgramThatDoesNotAnswerInTime) {
  using namespace std::chrono_literals;
  EXPECT_EQ(ask_program("/bin/sh", shell("exec sleep 30", 100ms)).error(), "it did not answer within 100 ms");
  EXPECT_EQ(ask_program("/bin/sh", shell("exec >&-; exec sleep 30", 100ms)).error(),
            "it did not answer within 100 ms");
}

TEST(AskProgram, LeavesOnlyTheNamedDescriptorsOpenInIt) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  auto question = shell("[ -e /proc/self/fd/" + std::to_string(fds[0]) + " ] && echo open || echo closed");
  EXPECT_EQ(ask_program("/bin/sh", question).value(), "closed\n");
  question.inherited_fds = {fds[0]};
  EXPECT_EQ(ask_program("/bin/sh", question).value(), "open\n");
  EXPECT_EQ(::fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC) << "ours stays close-on-exec";
  ::close(fds[0]);
  ::close(fds[1]);
}
}  // namespace baton
