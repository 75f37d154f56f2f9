#pragma once
// Who may do what on the admin listener: named tokens with a scope. `read` sees (GET: status,
// releases, describe, logs, metrics); `deploy` also ships and steers releases (deploy, rollback,
// scale, stop, start, restart, pause, resume, promote, abort, artifact and site uploads, site
// rollbacks); `admin` may do anything (apply, register or delete services, flush logs, shutdown,
// tokens). The unix socket is the daemon's own user: admin.
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

namespace baton::control {
enum class Scope { read = 0, deploy = 1, admin = 2 };
std::string_view to_string(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

// The scope a request needs, from its method and target (the query is ignored).
Scope required_scope(boost::beast::http::verb method, std::string_view target);

// Who made a request through the admin listener.
struct Principal {
  std::string name;  // the token's name ("admin" for [control] admin_token_file)
  Scope scope = Scope::read;
};

// The header the server puts on every request it hands to the handlers: the token's name
// (absent on the unix socket). A client's own is removed first, so it cannot claim a name.
inline constexpr std::string_view kTokenNameField = "X-Baton-Token";
}  // namespace baton::control
