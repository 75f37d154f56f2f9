#include "app/api_json.hpp"

#include "app/deploy_body.hpp"

namespace baton {
using nlohmann::json;

control::wire::Release release_view(const deploy::Release& release) {
  control::wire::Release out{.id = release.id,
                             .version = release.version,
                             .status = std::string(deploy::to_string(release.status)),
                             .created_ms = release.created_ms,
                             .created_by = release.created_by,
                             .reason = release.reason,
                             .command = release.spec.command,
                             .cwd = release.spec.cwd,
                             .env = {},
                             .instances = static_cast<unsigned>(release.spec.size()),
                             .targets = {}};
  for (const auto& t : release.spec.targets) out.targets.push_back(t.text());
  for (const auto& [k, v] : release.spec.shown_env()) out.env[k] = v;
  return out;
}

json release_json(const deploy::Release& release) { return release_view(release); }

control::wire::ProgressEvent progress_event(const deploy::DeployEvent& event) {
  control::wire::ProgressEvent out{.event = event.kind, .message = event.message, .elapsed_ms = event.elapsed_ms};
  if (event.total > 0) {
    out.ready = event.ready;
    out.total = event.total;
  }
  if (event.kind == "drained") {
    out.drained = event.drained;
    out.cut = event.cut;
  }
  return out;
}

json event_json(const deploy::DeployEvent& event) { return progress_event(event); }

json run_json(const deploy::DeployRun& run) {
  json out{{"service", run.service()},   {"release", run.release()},   {"kind", run.kind()},
           {"strategy", run.strategy()}, {"elapsed_ms", run.elapsed().count()}, {"finished", run.finished()}};
  if (!run.events().empty()) out["last_event"] = event_json(run.events().back());
  if (run.finished()) {
    out["ok"] = run.ok();
    out["reason"] = run.reason();
  }
  return out;
}
std::expected<nlohmann::json, std::string> body_object(const control::Request& request) {
  return parse_body_object(request.body());
}
}  // namespace baton
