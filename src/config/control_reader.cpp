#include "config/control_reader.hpp"

#include <fmt/format.h>

namespace baton::config_detail {
namespace {
constexpr Range<std::uint32_t> kControlConnectionsRange{1, 65536};

void read_admin_listen(TableReader& r, ControlConfig& control) {
  std::string text;
  if (!r.read("admin_listen", text)) return;
  auto address = parse_address(text);
  if (!address) return r.fail_value(r.line_of("admin_listen"), "admin_listen", address.error());
  if (address->kind != Address::Kind::tcp)
    return r.fail_at("admin_listen", "must be a TCP address like \"127.0.0.1:9443\" (the unix socket is always there)");
  control.admin_listen = std::move(*address);
}

void read_token_file(TableReader& r, ControlConfig& control) {
  std::string path;
  if (!r.read("admin_token_file", path)) return;
  if (!path.starts_with('/'))
    return r.fail_at("admin_token_file", fmt::format("must be an absolute path, not '{}'", path));
  if (path.find('\0') != path.npos) return r.fail_at("admin_token_file", "must not contain a NUL character");
  control.admin_token_file = std::move(path);
}
}  // namespace

void read_control(TableReader& root, ControlConfig& control) {
  auto r = root.child("control");
  if (!r) return;
  r->allow_only({"admin_listen", "admin_token_file", "request_timeout", "max_connections", "allow_plaintext_remote"});
  read_admin_listen(*r, control);
  read_token_file(*r, control);
  r->read_duration("request_timeout", control.request_timeout);
  r->read("max_connections", control.max_connections, kControlConnectionsRange);
  r->read("allow_plaintext_remote", control.allow_plaintext_remote);
  if (r->failed()) return;
  // A listener without a token would be open to anyone who can reach it.
  if (control.admin_listen && control.admin_token_file.empty())
    return r->fail(r->line_of("admin_listen"),
                   fmt::format("{} needs 'admin_token_file' too: every request must carry its token",
                               r->describe("admin_listen")));
  if (!control.admin_listen && !control.admin_token_file.empty())
    return r->fail(r->line_of("admin_token_file"),
                   fmt::format("{} is only used with 'admin_listen'", r->describe("admin_token_file")));
}
}  // namespace baton::config_detail
