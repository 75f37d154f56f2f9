// One daemon per home: a second `baton daemon` on a home in use is refused with a clear message
// and disturbs nothing of the first; once the first has ended, the home is free again.
#include <csignal>

#include "harness.hpp"

namespace baton::itest {
namespace {
class HomeLock : public IntegrationTest {
 protected:
  std::pair<int, std::string> ls() {
    Process cli("ls-" + std::to_string(++runs_), {baton_binary(), "ls", "--json", "--home", home()}, dir_.path());
    auto code = cli.wait();
    return {code.value_or(-1), cli.output(Stream::out)};
  }
  std::string home() const { return (dir_.path() / "home").string(); }
  int runs_ = 0;
};

TEST_F(HomeLock, ASecondDaemonOnTheSameHomeIsRefused) {
  HeldPort target;  // a service needs targets; nothing has to answer
  auto toml = app_config({target.address()});
  auto& first = start_baton(toml);
  ASSERT_TRUE(eventually([&] { return ls().first == 0; })) << "its control socket never answered";

  Baton second(toml, dir_, 1, "home");
  auto code = second.process().wait();
  ASSERT_TRUE(code.has_value()) << "the second daemon kept running";
  EXPECT_EQ(*code, 1);
  auto why = second.process().output(Stream::err);
  EXPECT_NE(why.find("another baton daemon runs with the home " + home()), std::string::npos) << why;
  EXPECT_EQ(why.find("event=listening"), std::string::npos) << "it refused before listening\n" << why;

  // The first still owns its control socket and serves.
  auto [listed, status] = ls();
  EXPECT_EQ(listed, 0) << status;
  EXPECT_TRUE(Client(first.port()).connected());

  first.process().signal(SIGTERM);
  ASSERT_EQ(first.process().wait(), 0);
  start_baton(toml);
  EXPECT_TRUE(eventually([&] { return ls().first == 0; })) << "the home is free once the first has ended";
}
}  // namespace
}  // namespace baton::itest
