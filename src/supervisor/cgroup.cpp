#include "supervisor/cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "supervisor/defaults.hpp"

namespace baton::supervisor {
namespace {
namespace fs = std::filesystem;

constexpr std::size_t kMaxEscapedName = 200;  // a cgroup name is a file name: 255 bytes at most
constexpr int kRemoveAttempts = 20;           // after cgroup.kill, while the kernel reaps what was left
constexpr std::chrono::milliseconds kRemovePause{5};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    auto start = line.find_first_not_of(' ');
    if (start == line.npos) break;
    line.remove_prefix(start);
    auto end = line.find(' ');
    out.push_back(line.substr(0, end));
    line.remove_prefix(end == line.npos ? line.size() : end);
  }
  return out;
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape_octal(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool octal = text[i] == '\\' && i + 3 < text.size() &&
                 text.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos;
    if (!octal) {
      out += text[i];
      continue;
    }
    out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
    i += 3;
  }
  return out;
}

struct Cgroup2Mount {
  std::string point;
  std::string root;  // the part of the hierarchy mounted there: "/" unless a container got a subtree
};

std::optional<Cgroup2Mount> cgroup2_mount(std::string_view mountinfo) {
  while (!mountinfo.empty()) {
    auto end = mountinfo.find('\n');
    auto fields = words(mountinfo.substr(0, end));
    mountinfo.remove_prefix(end == mountinfo.npos ? mountinfo.size() : end + 1);
    std::size_t dash = 6;  // optional fields end with a lone "-", then type, source and options
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 1 < fields.size() && fields[dash + 1] == "cgroup2")
      return Cgroup2Mount{unescape_octal(fields[4]), unescape_octal(fields[3])};
  }
  return std::nullopt;
}

bool allowed_in_name(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
         c == '.';
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::optional<std::string> read_small_file(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  if (n < 0) return std::nullopt;
  return text;
}

std::expected<void, std::string> write_file(const fs::path& file, std::string_view text) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size())) return {};
  return std::unexpected(fmt::format("cannot write '{}' to {}: {}", text, file.string(), std::strerror(errno)));
}

std::expected<void, std::string> make_directory(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return {};
  return std::unexpected(fmt::format("cannot create the cgroup {}: {}", dir.string(), std::strerror(errno)));
}

bool lists(std::string_view controllers, std::string_view name) {
  for (auto word : words(controllers))
    if (word == name) return true;
  return false;
}

std::string strip_newlines(std::string text) {
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return text;
}

// Makes `controller` available to the cgroups below `parent`; an empty string when it is, else why not.
std::string enable(const fs::path& parent, std::string_view controller) {
  auto available = read_small_file(parent / "cgroup.controllers").value_or("");
  if (!lists(strip_newlines(available), controller))
    return fmt::format("cgroup2 offers no {} controller at {} (on a hybrid system it belongs to cgroup v1)",
                       controller, parent.string());
  if (lists(strip_newlines(read_small_file(parent / "cgroup.subtree_control").value_or("")), controller)) return {};
  if (write_file(parent / "cgroup.subtree_control", fmt::format("+{}", controller))) return {};
  if (errno == EBUSY)
    return fmt::format("the daemon's cgroup {} holds processes, so cgroup v2 lets it hand no {} controller "
                       "to the cgroups below it", parent.string(), controller);
  return fmt::format("cannot enable the {} controller at {}: {}", controller, parent.string(), std::strerror(errno));
}
}  // namespace

std::optional<fs::path> find_cgroup2_mount(std::string_view mountinfo) {
  auto mount = cgroup2_mount(mountinfo);
  if (!mount) return std::nullopt;
  return fs::path(mount->point);
}

std::optional<std::string> unified_cgroup_path(std::string_view proc_cgroup) {
  while (!proc_cgroup.empty()) {
    auto end = proc_cgroup.find('\n');
    auto line = proc_cgroup.substr(0, end);
    proc_cgroup.remove_prefix(end == proc_cgroup.npos ? proc_cgroup.size() : end + 1);
    if (line.starts_with("0::/")) return std::string(line.substr(3));
  }
  return std::nullopt;
}

std::string escape_path(std::string_view path) {
  std::string out;
  bool slash = true;  // leading, trailing and repeated slashes say nothing
  for (char c : path) {
    if (c == '/') {
      slash = true;
      continue;
    }
    if (slash && !out.empty()) out += '-';
    slash = false;
    bool leading_dot = c == '.' && (out.empty() || out.back() == '-');
    if (allowed_in_name(c) && !leading_dot) out += c;
    else out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  if (out.empty()) return "-";
  if (out.size() > kMaxEscapedName) return fmt::format("{:016x}", fnv1a(path));
  return out;
}

std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    auto end = text.find('\n');
    auto fields = words(text.substr(0, end));
    text.remove_prefix(end == text.npos ? text.size() : end + 1);
    if (fields.size() != 2 || fields[0] != key) continue;
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), value);
    if (ec == std::errc{} && ptr == fields[1].data() + fields[1].size()) return value;
  }
  return std::nullopt;
}

std::string cpu_max_line(std::uint32_t thousandths) {
  auto period = static_cast<std::uint64_t>(defaults::kCpuMaxPeriod.count());
  return fmt::format("{} {}", thousandths * period / 1000, period);
}

std::expected<CgroupRoot, std::string> find_cgroup_root(std::string_view mountinfo, std::string_view proc_cgroup,
                                                        const fs::path& home) {
  auto mount = cgroup2_mount(mountinfo);
  if (!mount) return std::unexpected("no cgroup2 file system is mounted (/proc/self/mountinfo)");
  auto own = unified_cgroup_path(proc_cgroup);
  if (!own) return std::unexpected("the daemon is in no cgroup v2 (no 0:: line in /proc/self/cgroup)");
  // A container may see only its subtree mounted: its cgroup path then starts with the mount's root.
  std::string_view relative = *own;
  if (mount->root != "/" && relative.starts_with(mount->root)) relative.remove_prefix(mount->root.size());
  fs::path base = fs::path(mount->point) / fs::path(relative).relative_path();
  return CgroupRoot{base / ("baton-" + escape_path(home.string())), false, false, {}};
}

std::expected<CgroupRoot, std::string> open_cgroup_root(const fs::path& home) {
  auto mountinfo = read_small_file("/proc/self/mountinfo");
  auto own = read_small_file("/proc/self/cgroup");
  if (!mountinfo || !own) return std::unexpected("cannot read /proc/self/mountinfo or /proc/self/cgroup");
  auto root = find_cgroup_root(*mountinfo, *own, home);
  if (!root) return root;
  auto parent = root->dir.parent_path();
  if (::access(parent.c_str(), W_OK) != 0)
    return std::unexpected(fmt::format("cannot create cgroups in {}: {}", parent.string(), std::strerror(errno)));
  auto memory = enable(parent, "memory");
  auto cpu = enable(parent, "cpu");
  root->memory = memory.empty();
  root->cpu = cpu.empty();
  root->missing = memory.empty() || cpu.empty() ? memory + cpu : memory + "; " + cpu;
  return root;
}

std::expected<InstanceCgroup, std::string> InstanceCgroup::create(const CgroupRoot& root, std::string_view name,
                                                                  const CgroupLimits& limits) {
  if (auto made = make_directory(root.dir); !made) return std::unexpected(made.error());
  for (auto [wanted, controller] : {std::pair{root.memory, "+memory"}, std::pair{root.cpu, "+cpu"}})
    if (wanted)
      if (auto ok = write_file(root.dir / "cgroup.subtree_control", controller); !ok) return std::unexpected(ok.error());
  InstanceCgroup cgroup;
  cgroup.root_ = root.dir;
  cgroup.dir_ = root.dir / std::string(name);
  if (auto made = make_directory(cgroup.dir_); !made) return std::unexpected(made.error());
  // Written even without a limit: a cgroup a stopped instance left keeps its old values.
  std::vector<std::pair<const char*, std::string>> settings;
  if (root.memory) {
    settings.emplace_back("memory.max", limits.memory_max ? std::to_string(*limits.memory_max) : "max");
    settings.emplace_back("memory.oom.group", "1");  // an OOM kill takes the whole instance, not one worker
  }
  if (root.cpu) settings.emplace_back("cpu.max", limits.cpu_max ? cpu_max_line(*limits.cpu_max) : "max");
  for (const auto& [file, value] : settings)
    if (auto ok = write_file(cgroup.dir_ / file, value); !ok) return std::unexpected(ok.error());
  // Swap would let an instance far past memory.max run on, slowly, instead of being stopped.
  if (root.memory && limits.memory_max) (void)write_file(cgroup.dir_ / "memory.swap.max", "0");
  cgroup.procs_.reset(::open((cgroup.dir_ / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!cgroup.procs_)
    return std::unexpected(fmt::format("cannot open {}: {}", (cgroup.dir_ / "cgroup.procs").string(), std::strerror(errno)));
  cgroup.oom_kills_at_start_ = keyed_value(read_small_file(cgroup.dir_ / "memory.events").value_or(""), "oom_kill").value_or(0);
  return cgroup;
}

InstanceCgroup InstanceCgroup::existing(const CgroupRoot& root, std::string_view name) {
  InstanceCgroup cgroup;
  cgroup.root_ = root.dir;
  cgroup.dir_ = root.dir / std::string(name);
  cgroup.oom_kills_at_start_ = keyed_value(read_small_file(cgroup.dir_ / "memory.events").value_or(""), "oom_kill").value_or(0);
  return cgroup;
}

bool InstanceCgroup::oom_killed() const {
  if (empty()) return false;
  auto kills = keyed_value(read_small_file(dir_ / "memory.events").value_or(""), "oom_kill");
  return kills && *kills > oom_kills_at_start_;
}

void InstanceCgroup::remove() {
  if (empty()) return;
  procs_.reset();
  bool removed = ::rmdir(dir_.c_str()) == 0 || errno == ENOENT;
  if (!removed && errno == EBUSY) {
    // What the instance left behind outside its process group (a daemonized child) dies with it.
    (void)write_file(dir_ / "cgroup.kill", "1");
    for (int attempt = 0; attempt < kRemoveAttempts && !removed; ++attempt) {
      std::this_thread::sleep_for(kRemovePause);
      removed = ::rmdir(dir_.c_str()) == 0 || errno == ENOENT;
    }
  }
  if (!removed)
    log::warn("event=cgroup_not_removed cgroup={} error=\"{}\"", dir_.string(), std::strerror(errno));
  ::rmdir(root_.c_str());  // fails while other instances use it: they remove it last
  dir_.clear();
}
}  // namespace baton::supervisor
