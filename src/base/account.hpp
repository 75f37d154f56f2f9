#pragma once
// Users and groups by name (or number), for running instances as another user. Resolved before a
// process is spawned: the reentrant lookups allocate and may take locks, which a vfork child must not.
#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton {
struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;  // primary group
  std::string home;
};

// A name from the user database, or a number that one of its entries has; else "no user 'x'".
std::expected<UserEntry, std::string> lookup_user(std::string_view user);
std::expected<gid_t, std::string> lookup_group(std::string_view group);
// The groups `user` is a member of (its primary group included), as `id -G` prints them.
std::expected<std::vector<gid_t>, std::string> member_groups(const UserEntry& user);

// Who the instances of a service run as: everything setgroups(), setgid() and setuid() need.
struct Account {
  std::string user;  // name, for messages and USER/LOGNAME
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
  std::string home;
};

enum class AccountField { user, group };
struct AccountError {
  AccountField field;
  std::string message;
};

// `user` empty: the daemon's own user; `group` empty: the user's primary group.
std::expected<Account, AccountError> resolve_account(std::string_view user, std::string_view group);

// Why a process running as `euid`/`egid` cannot start processes as `account`, if it cannot: only
// root changes user or group. A daemon's own user and group are always fine.
std::optional<AccountError> account_problem(const Account& account, std::string_view group, uid_t euid,
                                            gid_t egid);
}  // namespace baton
