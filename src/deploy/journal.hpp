#pragma once
// Where the orchestrator writes down what it does, before it does it: releases
// as they are created and change status, and each deploy from its start (the
// service's lock) through its events to its end. The composition root backs it
// with the state store, so a restarted daemon knows the history and which
// deploy it interrupted; tests may pass none.
#include <cstdint>
#include <expected>
#include <string>

#include "deploy/deploy_run.hpp"
#include "deploy/release.hpp"

namespace baton::deploy {
class Journal {
 public:
  virtual ~Journal() = default;

  virtual void release_changed(const std::string& service, const Release& release) = 0;
  // An old release left the history (kKeptReleases); its id is never used again.
  virtual void release_forgotten(const std::string& service, const std::string& release) = 0;
  // A deploy or rollback of `run.release()` replacing `from` (empty: nothing live) begins.
  // An error refuses it before anything else happens.
  virtual std::expected<std::int64_t, std::string> deploy_started(const DeployRun& run, const std::string& from) = 0;
  virtual void deploy_event(std::int64_t deploy, const DeployEvent& event) = 0;
  virtual void deploy_finished(std::int64_t deploy, bool ok, const std::string& reason) = 0;
};
}  // namespace baton::deploy
