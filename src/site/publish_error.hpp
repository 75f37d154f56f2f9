#pragma once
#include <expected>
#include <string>
#include <utility>

namespace baton::site {
// Why a publish failed: the build or archive itself (`refused`: bad input, fix it and publish
// again) or the machine (a full disk, a permission).
struct PublishError {
  std::string message;
  bool refused = false;
};

inline std::unexpected<PublishError> refused(std::string message) {
  return std::unexpected(PublishError{std::move(message), true});
}
inline std::unexpected<PublishError> failed(std::string message) {
  return std::unexpected(PublishError{std::move(message), false});
}
}  // namespace baton::site
