#include "keeper/keeper_state.hpp"

#include <limits>
#include <sstream>

#include "net/whole_number.hpp"

namespace baton {
namespace {
// Addresses may hold any byte (a unix path): hex keeps the format one token per field.
std::string hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out.empty() ? "-" : out;
}

bool unhex(std::string_view text, std::string& out) {
  out.clear();
  if (text == "-") return true;
  if (text.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto value = parse_whole_number<unsigned>(text.substr(i, 2), 0, 255, 16);
    if (!value) return false;
    out += static_cast<char>(*value);
  }
  return true;
}

// The next token as a whole number in [low, high].
template <typename Number>
bool number(std::istream& in, Number& out, Number low = std::numeric_limits<Number>::min(),
            Number high = std::numeric_limits<Number>::max()) {
  std::string token;
  if (!(in >> token)) return false;
  auto value = parse_whole_number<Number>(token, low, high);
  if (value) out = *value;
  return value.has_value();
}

bool descriptor(std::istream& in, int& fd) { return number(in, fd, 0); }
bool flag(std::istream& in, bool& out) {
  int value = 0;
  bool ok = number(in, value, 0, 1);
  out = value == 1;
  return ok;
}
}  // namespace

std::string encode_keeper_state(const KeeperState& s) {
  std::ostringstream out;
  out << "lock " << s.lock_fd << "\n";
  out << "daemon " << s.daemon << " " << s.link_fd << " " << s.daemon_started_ns << " " << s.restart_delay_ms << " "
      << (s.served ? 1 : 0) << " " << (s.passed_closed ? 1 : 0) << "\n";
  for (pid_t pid : s.draining) out << "draining " << pid << "\n";
  // "passed" only when it is: a keeper from before it can still resume every other state.
  for (const auto& h : s.held)
    out << "held " << h.fd << " " << hex(h.requested) << " " << hex(h.bound) << (h.passed ? " passed" : "") << "\n";
  for (const auto& p : s.passed) out << "passed " << p.fd << " " << hex(p.name) << "\n";
  return out.str();
}

std::expected<KeeperState, std::string> decode_keeper_state(std::string_view text) {
  KeeperState s;
  bool has_lock = false, has_daemon = false;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream in(line);
    std::string kind, first, second;
    in >> kind;
    bool ok = false;
    if (kind == "lock") {
      ok = has_lock = descriptor(in, s.lock_fd);
    } else if (kind == "daemon") {
      // No daemon is -1 (and no link then); a daemon is a pid.
      ok = has_daemon = number(in, s.daemon, -1) && s.daemon != 0 && number(in, s.link_fd, -1) &&
                        number(in, s.daemon_started_ns) && number(in, s.restart_delay_ms, std::int64_t{0}) &&
                        flag(in, s.served) && flag(in, s.passed_closed);
    } else if (kind == "draining") {
      pid_t pid = 0;
      ok = number(in, pid, 1);
      s.draining.push_back(pid);
    } else if (kind == "held") {
      HeldListenerState h;
      ok = descriptor(in, h.fd) && in >> first >> second && unhex(first, h.requested) && unhex(second, h.bound);
      std::string mark;
      if (ok && in >> mark) ok = h.passed = mark == "passed";
      s.held.push_back(std::move(h));
    } else if (kind == "passed") {
      PassedSocketState p;
      ok = descriptor(in, p.fd) && in >> first && unhex(first, p.name);
      s.passed.push_back(std::move(p));
    }
    if (!ok || (in >> first)) return std::unexpected("malformed keeper state line: '" + line + "'");
  }
  if (!has_lock || !has_daemon) return std::unexpected("the keeper state lacks its lock or daemon line");
  return s;
}
}  // namespace baton
