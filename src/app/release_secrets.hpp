#pragma once
// The clear values of a release's secrets (secret_env): HOME/secrets/SERVICE/RELEASE.env, mode 0600
// in directories of mode 0700, in dotenv syntax. The state database holds only their masks, so a
// restarted daemon puts the values back from here before it restarts or rolls back to a release.
#include <expected>
#include <filesystem>
#include <string>

#include "deploy/release.hpp"

namespace baton {
class ReleaseSecrets {
 public:
  explicit ReleaseSecrets(std::filesystem::path home) : dir_(std::move(home) / "secrets") {}

  // Writes the file of `release` (replacing it whole); a release without secrets has none.
  std::expected<void, std::string> save(const std::string& service, const deploy::Release& release) const;
  // The stored values back into `release` as read from the database; an error names the missing ones.
  std::expected<void, std::string> restore(const std::string& service, deploy::Release& release) const;
  void forget(const std::string& service, const std::string& release) const;
  void forget_service(const std::string& service) const;

  std::filesystem::path file_of(const std::string& service, const std::string& release) const {
    return dir_ / service / (release + ".env");
  }

 private:
  std::filesystem::path dir_;
};
}  // namespace baton
