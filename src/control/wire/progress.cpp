#include "control/wire/progress.hpp"

namespace baton::control::wire {
namespace {
template <typename T>
void put(nlohmann::json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}
template <typename T>
void take(const nlohmann::json& in, const char* key, std::optional<T>& value) {
  if (auto found = in.find(key); found != in.end() && !found->is_null()) value = found->get<T>();
}
}  // namespace

void to_json(nlohmann::json& out, const ProgressEvent& e) {
  out = {{"event", e.event}, {"message", e.message}, {"elapsed_ms", e.elapsed_ms}};
  put(out, "ready", e.ready);
  put(out, "total", e.total);
  put(out, "drained", e.drained);
  put(out, "cut", e.cut);
}

void from_json(const nlohmann::json& in, ProgressEvent& e) {
  e.event = in.value("event", "");
  e.message = in.value("message", "");
  e.elapsed_ms = in.value("elapsed_ms", std::int64_t{0});
  take(in, "ready", e.ready);
  take(in, "total", e.total);
  take(in, "drained", e.drained);
  take(in, "cut", e.cut);
}

void to_json(nlohmann::json& out, const ProgressEnd& e) {
  out = {{"event", e.event}, {"ok", e.ok}, {"kind", e.kind}, {"release", e.release}, {"elapsed_ms", e.elapsed_ms}};
  put(out, "reason", e.reason);
}

void from_json(const nlohmann::json& in, ProgressEnd& e) {
  e.event = in.value("event", "end");
  e.ok = in.value("ok", false);
  e.kind = in.value("kind", "");
  e.release = in.value("release", "");
  e.elapsed_ms = in.value("elapsed_ms", std::int64_t{0});
  take(in, "reason", e.reason);
}
}  // namespace baton::control::wire
