#pragma once
// The JSON lines a deploy, rollback, scale or apply streams back (application/x-ndjson): one
// ProgressEvent per step, then one ProgressEnd. The daemon writes them, the CLI prints them.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace baton::control::wire {
struct ProgressEvent {
  std::string event;  // started, step, hook, instances, switched, drained, done, failed
  std::string message;
  std::int64_t elapsed_ms = 0;
  std::optional<unsigned> ready, total;  // instances, switched
  std::optional<unsigned> drained, cut;  // drained
};

struct ProgressEnd {
  std::string event = "end";
  bool ok = false;
  std::string kind;  // deploy, rollback, scale, stop, start, restart, apply, ...
  std::string release;
  std::int64_t elapsed_ms = 0;
  std::optional<std::string> reason;  // when not ok
};

// Optional fields are left out when unset, and read as unset when missing.
void to_json(nlohmann::json& out, const ProgressEvent& e);
void from_json(const nlohmann::json& in, ProgressEvent& e);
void to_json(nlohmann::json& out, const ProgressEnd& e);
void from_json(const nlohmann::json& in, ProgressEnd& e);
}  // namespace baton::control::wire
