#pragma once
// The control API's listeners: the unix socket in the home, always, and the TCP admin
// listener when [control] configures one (its token read, and checked, at start).
#include <expected>
#include <filesystem>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "control/control_server.hpp"

namespace baton {
struct ControlListeners {
  std::unique_ptr<control::ControlServer> socket;
  std::unique_ptr<control::ControlServer> admin;  // null when not configured
  void close();
};

std::expected<ControlListeners, std::string> start_control_listeners(asio::any_io_executor executor,
                                                                     const std::filesystem::path& home,
                                                                     const ControlConfig& config,
                                                                     const control::Handlers& handlers);
}  // namespace baton
