#include "supervisor/cgroup.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "supervisor/spawn.hpp"
#include "supervisor/test_support.hpp"

namespace baton::supervisor {
namespace {
using namespace testing;

// A hybrid system (v1 controllers, cgroup2 beside them) as Debian with systemd in legacy mode has.
constexpr std::string_view kHybridMountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
constexpr std::string_view kUnifiedMountinfo =
    "24 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
constexpr std::string_view kV1OnlyMountinfo =
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
constexpr std::string_view kSystemdCgroup = "0::/system.slice/baton.service\n";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t lines_in(const std::filesystem::path& file) {
  auto text = read_text(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string cgroup_of(pid_t pid) {
  return unified_cgroup_path(read_proc_file(pid, "cgroup").value_or("")).value_or("?");
}

// The daemon's cgroup root for a throwaway home, or why the test cannot run here.
std::expected<CgroupRoot, std::string> test_root(const TempDir& home) {
  auto root = open_cgroup_root(home.path());
  if (!root) return root;
  if (::geteuid() != 0 && ::access(root->dir.parent_path().c_str(), W_OK) != 0)
    return std::unexpected("the cgroup is not writable");
  return root;
}
}  // namespace

TEST(Cgroup, FindsTheCgroup2MountOnHybridAndUnifiedSystems) {
  EXPECT_EQ(find_cgroup2_mount(kHybridMountinfo), std::filesystem::path("/sys/fs/cgroup/unified"));
  EXPECT_EQ(find_cgroup2_mount(kUnifiedMountinfo), std::filesystem::path("/sys/fs/cgroup"));
  EXPECT_EQ(find_cgroup2_mount(kV1OnlyMountinfo), std::nullopt);
  EXPECT_EQ(find_cgroup2_mount(""), std::nullopt);
  EXPECT_EQ(find_cgroup2_mount("40 30 0:37 / /mnt/cg\\040two rw - cgroup2 none rw\n"),
            std::filesystem::path("/mnt/cg two"))
      << "mountinfo escapes spaces as \\040";
  EXPECT_EQ(find_cgroup2_mount("40 30 0:37 / /mnt/x rw shared:1 master:2 - cgroup2 none rw\n"),
            std::filesystem::path("/mnt/x"))
      << "optional fields before the separator";
}

TEST(Cgroup, ReadsTheProcessCgroupFromTheUnifiedLine) {
  EXPECT_EQ(unified_cgroup_path("9:name=systemd:/\n4:memory:/x\n0::/\n"), "/");
  EXPECT_EQ(unified_cgroup_path(kSystemdCgroup), "/system.slice/baton.service");
  EXPECT_EQ(unified_cgroup_path("4:memory:/x\n"), std::nullopt) << "v1 only";
}

TEST(Cgroup, EscapesTheHomeAsSystemdEscapeDoes) {
  EXPECT_EQ(escape_path("/var/lib/baton"), "var-lib-baton");
  EXPECT_EQ(escape_path("/tmp/baton-test/home/"), "tmp-baton\\x2dtest-home");
  EXPECT_EQ(escape_path("//srv/.hidden"), "srv-\\x2ehidden");
  EXPECT_EQ(escape_path("/"), "-");
  std::string deep(300, 'a');
  EXPECT_EQ(escape_path(deep).size(), 16u) << "a cgroup name is at most 255 bytes: long homes are hashed";
}

TEST(Cgroup, PlacesTheRootInTheDaemonsOwnCgroup) {
  EXPECT_EQ(find_cgroup_root(kHybridMountinfo, "0::/\n", "/srv/baton").value().dir,
            std::filesystem::path("/sys/fs/cgroup/unified/baton-srv-baton"));
  EXPECT_EQ(find_cgroup_root(kUnifiedMountinfo, kSystemdCgroup, "/var/lib/baton").value().dir,
            std::filesystem::path("/sys/fs/cgroup/system.slice/baton.service/baton-var-lib-baton"));
  // A container that sees its own subtree mounted at /sys/fs/cgroup, without a cgroup namespace.
  EXPECT_EQ(find_cgroup_root("50 40 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup rw\n",
                             "0::/docker/abc/app\n", "/home")
                .value()
                .dir,
            std::filesystem::path("/sys/fs/cgroup/app/baton-home"));
  EXPECT_FALSE(find_cgroup_root(kV1OnlyMountinfo, "0::/\n", "/h"));
  EXPECT_FALSE(find_cgroup_root(kHybridMountinfo, "4:memory:/\n", "/h"));
}

TEST(Cgroup, ReadsKeyedFilesAndWritesCpuMax) {
  constexpr std::string_view events = "low 0\nhigh 0\nmax 17\noom 2\noom_kill 2\noom_group_kill 1\n";
  EXPECT_EQ(keyed_value(events, "oom_kill"), 2u);
  EXPECT_EQ(keyed_value(events, "oom"), 2u);
  EXPECT_EQ(keyed_value(events, "nothing"), std::nullopt);
  EXPECT_EQ(cpu_max_line(500), "50000 100000");
  EXPECT_EQ(cpu_max_line(1500), "150000 100000");
  EXPECT_EQ(cpu_max_line(10), "1000 100000");
}

TEST(InstanceCgroup, TheChildJoinsBeforeExecWithItsLimitsAndTheCgroupGoesAfterIt) {
  TempDir home;
  auto root = test_root(home);
  if (!root) GTEST_SKIP() << "cannot create cgroups here: " << root.error();
  auto cgroup = InstanceCgroup::create(*root, "web@r1.0", CgroupLimits{64ull << 20, 500});
  ASSERT_TRUE(cgroup) << cgroup.error();
  auto spawned = spawn(SpawnSpec{.command = {"sleep", "30"}, .cgroup_procs_fd = cgroup->procs_fd()});
  cgroup->close_procs();
  ASSERT_TRUE(spawned) << spawned.error();
  pid_t pid = spawned->identity.pid;
  EXPECT_TRUE(cgroup_of(pid).ends_with("/baton-" + escape_path(home.path().string()) + "/web@r1.0")) << cgroup_of(pid);
  if (root->memory) {
    EXPECT_EQ(read_text(cgroup->dir() / "memory.max"), "67108864\n");
    EXPECT_EQ(read_text(cgroup->dir() / "memory.oom.group"), "1\n");
  }
  if (root->cpu) {
    EXPECT_EQ(read_text(cgroup->dir() / "cpu.max"), "50000 100000\n");
  }
  kill_group_and_reap(pid);
  EXPECT_FALSE(cgroup->oom_killed());
  auto dir = cgroup->dir();
  cgroup->remove();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(std::filesystem::exists(root->dir)) << "the last instance takes the daemon's root with it";
  if (!root->memory || !root->cpu) GTEST_SKIP() << "limits not checked: " << root->missing;
}

TEST(InstanceCgroup, RemovingKillsWhatTheInstanceLeftOutsideItsProcessGroup) {
  TempDir home;
  auto root = test_root(home);
  if (!root) GTEST_SKIP() << "cannot create cgroups here: " << root.error();
  auto cgroup = InstanceCgroup::create(*root, "worker.0", CgroupLimits{});
  ASSERT_TRUE(cgroup) << cgroup.error();
  // The grandchild starts a session of its own: stopping the instance's group does not reach it.
  auto spawned = spawn(SpawnSpec{.command = {"setsid sleep 60 & echo started; wait"},
                                 .cgroup_procs_fd = cgroup->procs_fd()});
  cgroup->close_procs();
  ASSERT_TRUE(spawned) << spawned.error();
  ASSERT_TRUE(poll_until([&] { return lines_in(cgroup->dir() / "cgroup.procs") >= 2; }));
  kill_group_and_reap(spawned->identity.pid);
  auto dir = cgroup->dir();
  cgroup->remove();
  EXPECT_FALSE(std::filesystem::exists(dir)) << "cgroup.kill took the escaped sleep";
}

TEST(InstanceCgroup, OomKillsAreCounted) {
  TempDir home;
  auto root = test_root(home);
  if (!root) GTEST_SKIP() << "cannot create cgroups here: " << root.error();
  if (!root->memory) GTEST_SKIP() << "no memory controller for the daemon's cgroups: " << root->missing;
  auto cgroup = InstanceCgroup::create(*root, "hog.0", CgroupLimits{16ull << 20, std::nullopt});
  ASSERT_TRUE(cgroup) << cgroup.error();
  auto spawned = spawn(SpawnSpec{.command = {"python3", "-c", "b = b'x' * (256 << 20)"}, .command_is_line = false,
                                 .cgroup_procs_fd = cgroup->procs_fd()});
  cgroup->close_procs();
  ASSERT_TRUE(spawned) << spawned.error();
  int status = 0;
  ASSERT_EQ(::waitpid(spawned->identity.pid, &status, 0), spawned->identity.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(cgroup->oom_killed());
  cgroup->remove();
}
}  // namespace baton::supervisor
