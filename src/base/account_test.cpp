#include "base/account.hpp"

#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

namespace baton {
TEST(Account, LooksUpUsersAndGroupsByNameOrNumber) {
  auto root = lookup_user("root");
  ASSERT_TRUE(root) << root.error();
  EXPECT_EQ(root->uid, 0u);
  EXPECT_EQ(root->gid, 0u);
  EXPECT_EQ(lookup_user("0").value().name, "root");
  EXPECT_EQ(lookup_group("root").value(), 0u);
  EXPECT_EQ(lookup_group("0").value(), 0u);
}

TEST(Account, AnUnknownNameSaysWhatIsUnknown) {
  auto user = lookup_user("no-such-user-baton-test");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error(), "no user 'no-such-user-baton-test' on this machine");
  auto group = lookup_group("no-such-group-baton-test");
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error(), "no group 'no-such-group-baton-test' on this machine");
  auto account = resolve_account("root", "no-such-group-baton-test");
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().field, AccountField::group);
  EXPECT_EQ(resolve_account("no-such-user-baton-test", "").error().field, AccountField::user);
}

TEST(Account, TakesThePrimaryGroupUnlessOneIsGivenAndListsMemberships) {
  auto account = resolve_account("root", "");
  ASSERT_TRUE(account) << account.error().message;
  EXPECT_EQ(account->gid, 0u);
  EXPECT_NE(std::ranges::find(account->groups, 0u), account->groups.end()) << "the primary group is a membership";
  auto other = resolve_account("root", "65534");
  if (!other) GTEST_SKIP() << "no group 65534 (nogroup) here";
  EXPECT_EQ(other->gid, 65534u);
}

TEST(Account, OnlyRootRunsProcessesAsSomeoneElse) {
  Account nobody{"nobody", 65534, 65534, {65534}, "/nonexistent"};
  EXPECT_FALSE(account_problem(nobody, "", 0, 0)) << "root may";
  auto problem = account_problem(nobody, "", 1000, 1000);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->field, AccountField::user);
  EXPECT_NE(problem->message.find("only a daemon running as root"), std::string::npos) << problem->message;
  Account self{"alice", 1000, 1000, {1000}, "/home/alice"};
  EXPECT_FALSE(account_problem(self, "", 1000, 1000)) << "its own user";
  EXPECT_FALSE(account_problem(self, "alice", 1000, 1000)) << "its own group";
  Account other_group{"alice", 1000, 27, {1000, 27}, "/home/alice"};
  auto group_problem = account_problem(other_group, "sudo", 1000, 1000);
  ASSERT_TRUE(group_problem);
  EXPECT_EQ(group_problem->field, AccountField::group);
}
}  // namespace baton
