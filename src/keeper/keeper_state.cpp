#include "keeper/keeper_state.hpp"

#include <charconv>
#include <sstream>

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
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc{} || end != text.data() + i + 2) return false;
    out += static_cast<char>(value);
  }
  return true;
}

template <typename Number>
bool number(std::istream& in, Number& out) {
  std::string token;
  if (!(in >> token)) return false;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
  return ec == std::errc{} && end == token.data() + token.size();
}

bool descriptor(std::istream& in, int& fd) { return number(in, fd) && fd >= 0; }
}  // namespace

std::string encode_keeper_state(const KeeperState& s) {
  std::ostringstream out;
  out << "lock " << s.lock_fd << "\n";
  out << "daemon " << s.daemon << " " << s.link_fd << " " << s.daemon_started_ns << " " << s.restart_delay_ms << " "
      << (s.served ? 1 : 0) << " " << (s.passed_closed ? 1 : 0) << "\n";
  for (pid_t pid : s.draining) out << "draining " << pid << "\n";
  for (const auto& h : s.held) out << "held " << h.fd << " " << hex(h.requested) << " " << hex(h.bound) << "\n";
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
      int served = 0, passed_closed = 0;
      ok = has_daemon = number(in, s.daemon) && number(in, s.link_fd) && number(in, s.daemon_started_ns) &&
                        number(in, s.restart_delay_ms) && number(in, served) && number(in, passed_closed);
      s.served = served != 0;
      s.passed_closed = passed_closed != 0;
    } else if (kind == "draining") {
      pid_t pid = 0;
      ok = number(in, pid) && pid > 0;
      s.draining.push_back(pid);
    } else if (kind == "held") {
      HeldListenerState h;
      ok = descriptor(in, h.fd) && in >> first >> second && unhex(first, h.requested) && unhex(second, h.bound);
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
