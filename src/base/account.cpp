#include "base/account.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace baton {
namespace {
constexpr std::size_t kFirstBuffer = 4096;
constexpr std::size_t kMaxBuffer = 1 << 20;  // a group with thousands of members
constexpr int kFirstGroupCount = 32;

std::optional<unsigned long> as_number(std::string_view text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Calls `lookup(buffer, size, &result)` (a getpwnam_r-style function) with a larger buffer while it
// reports ERANGE. Returns the errno it failed with, 0 on success (result null: no such entry).
template <typename Lookup>
int with_buffer(std::vector<char>& buffer, Lookup lookup) {
  for (buffer.resize(kFirstBuffer);; buffer.resize(buffer.size() * 2)) {
    int error = lookup(buffer.data(), buffer.size());
    if (error != ERANGE || buffer.size() >= kMaxBuffer) return error;
  }
}

std::string unknown(std::string_view what, std::string_view name, int error) {
  if (error != 0 && error != ENOENT && error != ESRCH)
    return fmt::format("cannot look up {} '{}': {}", what, name, std::strerror(error));
  return fmt::format("no {} '{}' on this machine", what, name);
}
}  // namespace

std::expected<UserEntry, std::string> lookup_user(std::string_view user) {
  std::string name(user);
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer;
  int error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getpwnam_r(name.c_str(), &entry, data, size, &found);
  });
  auto number = as_number(user);
  if (!found && number)
    error = with_buffer(buffer, [&](char* data, std::size_t size) {
      return ::getpwuid_r(static_cast<uid_t>(*number), &entry, data, size, &found);
    });
  if (!found) return std::unexpected(unknown("user", user, error));
  return UserEntry{entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir ? entry.pw_dir : ""};
}

std::expected<gid_t, std::string> lookup_group(std::string_view group) {
  std::string name(group);
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer;
  int error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getgrnam_r(name.c_str(), &entry, data, size, &found);
  });
  auto number = as_number(group);
  if (!found && number)
    error = with_buffer(buffer, [&](char* data, std::size_t size) {
      return ::getgrgid_r(static_cast<gid_t>(*number), &entry, data, size, &found);
    });
  if (!found) return std::unexpected(unknown("group", group, error));
  return entry.gr_gid;
}

std::expected<std::vector<gid_t>, std::string> member_groups(const UserEntry& user) {
  std::vector<gid_t> groups(kFirstGroupCount);
  for (;;) {
    int count = static_cast<int>(groups.size());
    if (::getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) >= 0) {
      groups.resize(static_cast<std::size_t>(count));
      return groups;
    }
    if (count <= static_cast<int>(groups.size()))
      return std::unexpected(fmt::format("cannot list the groups of user '{}'", user.name));
    groups.resize(static_cast<std::size_t>(count));
  }
}

std::expected<Account, AccountError> resolve_account(std::string_view user, std::string_view group) {
  auto entry = user.empty() ? lookup_user(std::to_string(::geteuid())) : lookup_user(user);
  if (!entry) return std::unexpected(AccountError{AccountField::user, entry.error()});
  Account account{entry->name, entry->uid, entry->gid, {}, entry->home};
  if (!group.empty()) {
    auto gid = lookup_group(group);
    if (!gid) return std::unexpected(AccountError{AccountField::group, gid.error()});
    account.gid = *gid;
  }
  auto groups = member_groups(*entry);
  if (!groups) return std::unexpected(AccountError{AccountField::user, groups.error()});
  account.groups = std::move(*groups);
  return account;
}

std::optional<AccountError> account_problem(const Account& account, std::string_view group, uid_t euid,
                                            gid_t egid) {
  if (euid == 0) return std::nullopt;
  if (account.uid != euid)
    return AccountError{AccountField::user,
                        fmt::format("is '{}', but only a daemon running as root can run instances as "
                                    "another user (this one runs as uid {})", account.user, euid)};
  if (!group.empty() && account.gid != egid)
    return AccountError{AccountField::group,
                        fmt::format("is '{}', but only a daemon running as root can run instances in "
                                    "another group (this one runs as gid {})", group, egid)};
  return std::nullopt;
}
}  // namespace baton
