#include "app/api_json.hpp"

#include "app/deploy_body.hpp"

namespace baton {
using nlohmann::json;

json release_json(const deploy::Release& release) {
  json command = release.spec.command;
  json targets = json::array();
  for (const auto& t : release.spec.targets) targets.push_back(t.text());
  json env = json::object();
  for (const auto& [k, v] : release.spec.shown_env()) env[k] = v;
  return json{{"id", release.id},
              {"version", release.version},
              {"status", deploy::to_string(release.status)},
              {"created_ms", release.created_ms},
              {"created_by", release.created_by},
              {"reason", release.reason},
              {"command", command},
              {"cwd", release.spec.cwd},
              {"env", env},
              {"instances", release.spec.size()},
              {"targets", targets}};
}

json event_json(const deploy::DeployEvent& event) {
  json out{{"event", event.kind}, {"message", event.message}, {"elapsed_ms", event.elapsed_ms}};
  if (event.total > 0) {
    out["ready"] = event.ready;
    out["total"] = event.total;
  }
  if (event.kind == "drained") {
    out["drained"] = event.drained;
    out["cut"] = event.cut;
  }
  return out;
}

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
