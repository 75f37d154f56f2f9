#include "app/control_listeners.hpp"

#include "control/bearer_token.hpp"
#include "control/token_store.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/secret_file.hpp"

namespace baton {
void ControlListeners::close() {
  if (socket) socket->close();
  if (admin) admin->close();
}

std::expected<ControlListeners, std::string> start_control_listeners(asio::any_io_executor executor,
                                                                     const std::filesystem::path& home,
                                                                     const ControlConfig& config,
                                                                     const control::Handlers& handlers) {
  ControlListeners listeners;
  control::ControlLimits limits{.request_timeout = config.request_timeout,
                                .max_connections = config.max_connections,
                                .plaintext_remote = config.allow_plaintext_remote};
  auto socket = control::ControlServer::start_unix(executor, home / "baton.sock", handlers, limits);
  if (!socket) return std::unexpected(socket.error());
  listeners.socket = std::move(*socket);
  if (!config.admin_listen) return listeners;
  auto token = read_secret_file(config.admin_token_file);
  if (!token) return std::unexpected(fmt::format("{} (control.admin_token_file)", token.error()));
  error_code ec;
  auto address = asio::ip::make_address(config.admin_listen->host, ec);
  if (ec) return std::unexpected(fmt::format("control.admin_listen: '{}' is not an IP address", config.admin_listen->host));
  // The file's token is the operator's own (admin); the named ones are in HOME/tokens.json.
  auto authenticate = [admin_token = std::move(*token), tokens = control::TokenStore(home / "tokens.json")](
                          std::string_view presented) -> std::optional<control::Principal> {
    if (control::same_bytes_in_constant_time(presented, admin_token))
      return control::Principal{"admin", control::Scope::admin};
    auto found = tokens.find(presented);
    if (!found) return std::nullopt;
    return control::Principal{found->name, found->scope};
  };
  auto admin = control::ControlServer::start_tcp(executor, tcp::endpoint(address, config.admin_listen->port),
                                                 std::move(authenticate), handlers, limits);
  if (!admin) return std::unexpected(admin.error());
  log::info("event=admin_listening address={}", (*admin)->address());
  listeners.admin = std::move(*admin);
  return listeners;
}
}  // namespace baton
