#include "supervisor/command.hpp"

#include <gtest/gtest.h>

namespace baton::supervisor {
using Args = std::vector<std::string>;

TEST(Command, ArgvRunsDirectlyWithPortSubstituted) {
  auto line = build_command({"node", "server.js", "--port={port}", "{port}{port}"}, 8123);
  EXPECT_EQ(line.program, "node");
  EXPECT_EQ(line.argv, (Args{"node", "server.js", "--port=8123", "81238123"}));
}

TEST(Command, WithoutPortPlaceholdersStay) {
  EXPECT_EQ(build_command({"app", "{port}"}, std::nullopt).argv, (Args{"app", "{port}"}));
}

TEST(Command, PlainCommandLineIsSplitIntoWords) {
  auto line = build_command({"  python3 -m http.server {port} --bind 127.0.0.1 "}, 9000);
  EXPECT_EQ(line.argv, (Args{"python3", "-m", "http.server", "9000", "--bind", "127.0.0.1"}));
}

TEST(Command, ShellSyntaxRunsThroughShell) {
  for (std::string text : {"echo hi; sleep 30", "FOO=1 app", "app > out.log", "app $HOME",
                           "cd dir && app", "app 'quoted arg'", "app *.js", "~/bin/app", "a|b",
                           "exec node app.js", "exit 3", ". ./env", "ulimit -n 1024"}) {
    auto line = build_command({text}, std::nullopt);
    EXPECT_EQ(line.program, "/bin/sh") << text;
    EXPECT_EQ(line.argv, (Args{"/bin/sh", "-c", text})) << text;
  }
}

TEST(Command, EmptyCommandHasNoProgram) {
  EXPECT_TRUE(build_command({}, std::nullopt).argv.empty());
  EXPECT_TRUE(build_command({" \t "}, std::nullopt).argv.empty());
}

TEST(Command, SubstitutePort) {
  EXPECT_EQ(substitute_port("", 1), "");
  EXPECT_EQ(substitute_port("{port", 1), "{port");
  EXPECT_EQ(substitute_port("a{port}b{port}", 65535), "a65535b65535");
}

TEST(Environment, DropsDaemonOnlyVariablesAndAppliesAdditionsInOrder) {
  const char* base[] = {"PATH=/usr/bin", "LISTEN_FDS=2", "LISTEN_PID=1", "HOME=/root",
                        "BATON_INSTANCE_TOKEN=old", "PORT=1", nullptr};
  auto env = build_environment(base, {{"PORT", "8080"}, {"A", "1"}, {"A", "2"}});
  EXPECT_EQ(env, (Args{"PATH=/usr/bin", "HOME=/root", "PORT=8080", "A=2"}));
}

TEST(Environment, TheDaemonsOwnSystemdNotificationIsNotInherited) {
  const char* base[] = {"NOTIFY_SOCKET=/run/systemd/notify", "WATCHDOG_USEC=30000000", "WATCHDOG_PID=1", "HOME=/root",
                        nullptr};
  EXPECT_EQ(build_environment(base, {{"NOTIFY_SOCKET", "/home/run/w.notify"}}),
            (Args{"HOME=/root", "NOTIFY_SOCKET=/home/run/w.notify"}));
}

TEST(Environment, NullBaseIsEmpty) {
  EXPECT_EQ(build_environment(nullptr, {{"K", "V"}}), (Args{"K=V"}));
}

TEST(ResolveProgram, SearchesTheChildsPath) {
  EXPECT_EQ(resolve_program("sh", {"PATH=/nonexistent:/bin"}), "/bin/sh");
  EXPECT_EQ(resolve_program("./local", {"PATH=/bin"}), "./local");
  EXPECT_EQ(resolve_program("no-such-program-anywhere", {"PATH=/bin"}), "no-such-program-anywhere");
}

TEST(ResolveProgram, SkipsDirectories) {
  // /usr has a "bin" directory, which must not be taken for a program called "bin".
  EXPECT_EQ(resolve_program("bin", {"PATH=/usr"}), "bin");
}
}  // namespace baton::supervisor

namespace baton::supervisor {
TEST(Command, OneArgvElementIsNotSplitWhenItIsNotALine) {
  auto line = build_command({"/opt/my app/server"}, std::nullopt, false);
  EXPECT_EQ(line.argv, (std::vector<std::string>{"/opt/my app/server"}));
  EXPECT_EQ(line.program, "/opt/my app/server");
}
}  // namespace baton::supervisor
