#include "app/state_recorder.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "app/release_codec.hpp"
#include "base/log.hpp"
#include "state/state_db.hpp"

namespace baton {
namespace {
// A failed write is logged, not fatal: the daemon keeps serving, and the next write may succeed.
void report(const state::Status& written, std::string_view what) {
  if (!written) log::error("event=state_write_failed what=\"{}\" error=\"{}\"", what, written.error());
}

state::InstanceRecord instance_record(const std::string& service, const std::string& release,
                                const supervisor::AdoptedInstance& instance) {
  return state::InstanceRecord{.service = service,
                               .release_id = release,
                               .index = static_cast<int>(instance.index),
                               .pid = instance.identity.pid,
                               .start_time_ticks = static_cast<std::int64_t>(instance.identity.start_time),
                               .boot_id = instance.identity.boot_id,
                               .token = instance.identity.token,
                               .port = instance.port,
                               .state = state::InstanceState::ready,
                               .started_at = state::now()};
}

supervisor::AdoptedInstance adopted_from(const state::InstanceRecord& record) {
  return supervisor::AdoptedInstance{
      .index = static_cast<unsigned>(record.index),
      .port = static_cast<std::uint16_t>(record.port),
      .identity = supervisor::ProcessIdentity{.pid = static_cast<pid_t>(record.pid),
                                              .start_time = static_cast<std::uint64_t>(record.start_time_ticks),
                                              .boot_id = record.boot_id,
                                              .token = record.token}};
}
}  // namespace

StateRecorder::StateRecorder(state::Database db, const std::filesystem::path& home)
    : db_(std::move(db)), secrets_(home) {}

std::expected<std::unique_ptr<StateRecorder>, std::string> StateRecorder::open(const std::filesystem::path& home) {
  auto db = state::open_state_db(home);
  if (!db) return std::unexpected(db.error());
  return std::unique_ptr<StateRecorder>(new StateRecorder(std::move(*db), home));
}

std::expected<std::vector<std::string>, std::string> StateRecorder::end_interrupted_deploys() {
  auto unfinished = journal_.unfinished();
  if (!unfinished) return std::unexpected(unfinished.error());
  std::vector<std::string> ended;
  for (const auto& deploy : *unfinished) {
    auto finished = journal_.finish(deploy.id, state::DeployStatus::rolled_back,
                                    "interrupted: the daemon stopped during it; the release live before it serves");
    if (!finished) return std::unexpected(finished.error());
    ended.push_back(state::describe(deploy));
  }
  return ended;
}

std::expected<std::vector<deploy::Release>, std::string> StateRecorder::load_service(
    const std::string& name, const deploy::ReleaseSpec& config_spec) {
  auto upserted = services_.upsert({.name = name, .spec_json = json_text(spec_to_json(config_spec))});
  if (!upserted) return std::unexpected(upserted.error());
  auto records = releases_.list(name);
  if (!records) return std::unexpected(records.error());
  std::vector<deploy::Release> history;
  for (auto it = records->rbegin(); it != records->rend(); ++it) {
    auto release = from_record(*it);
    if (!release) return std::unexpected(release.error());
    // Without its file the release keeps the masks; it still shows in the history, and says why.
    if (auto restored = secrets_.restore(name, *release); !restored)
      log::error("event=secrets_missing service={} release={} error=\"{}\"", name, release->id, restored.error());
    history.push_back(std::move(*release));
  }
  return history;
}

void StateRecorder::forget_services_except(const std::vector<std::string>& keep) {
  auto all = services_.list();
  if (!all) return report(std::unexpected(all.error()), "services");
  for (const auto& service : *all) {
    if (std::find(keep.begin(), keep.end(), service.name) != keep.end()) continue;
    auto removed = services_.remove(service.name);
    report(removed ? state::Status{} : std::unexpected(removed.error()), "remove service " + service.name);
    if (removed) secrets_.forget_service(service.name);
  }
}

void StateRecorder::forget_service(const std::string& name) {
  auto removed = services_.remove(name);
  report(removed ? state::Status{} : std::unexpected(removed.error()), "remove service " + name);
  if (removed) secrets_.forget_service(name);
}

std::expected<RecordedInstances, std::string> StateRecorder::recorded_instances() {
  auto all = instances_.list_all();
  if (!all) return std::unexpected(all.error());
  RecordedInstances out;
  for (const auto& record : *all)
    out[record.service + "@" + record.release_id].push_back(adopted_from(record));
  return out;
}

void StateRecorder::save_instances(const std::string& service, const std::string& release,
                                   const std::vector<supervisor::AdoptedInstance>& instances) {
  std::vector<state::InstanceRecord> records;
  for (const auto& instance : instances) records.push_back(instance_record(service, release, instance));
  report(instances_.replace(service, release, records), "instances of " + service + "@" + release);
}

void StateRecorder::release_changed(const std::string& service, const deploy::Release& release) {
  // The values first: a record whose secrets are nowhere would start instances with the masks.
  if (auto saved = secrets_.save(service, release); !saved)
    log::error("event=state_write_failed what=\"secrets of {} of {}\" error=\"{}\"", release.id, service, saved.error());
  report(releases_.save(to_record(service, release)), "release " + release.id + " of " + service);
}

void StateRecorder::release_forgotten(const std::string& service, const std::string& release) {
  auto removed = releases_.remove(service, release);
  report(removed ? state::Status{} : std::unexpected(removed.error()), "forget release " + release + " of " + service);
  secrets_.forget(service, release);
}

std::expected<std::int64_t, std::string> StateRecorder::deploy_started(const deploy::DeployRun& run,
                                                                       const std::string& from) {
  state::DeployRecord record{.service = run.service(), .to_release = run.release(), .strategy = run.strategy()};
  if (!from.empty()) record.from_release = from;
  auto begun = journal_.begin(record);
  if (!begun) return std::unexpected(begun.error());
  return begun->id;
}

void StateRecorder::deploy_event(std::int64_t deploy, const deploy::DeployEvent& event) {
  nlohmann::json detail{{"message", event.message}, {"elapsed_ms", event.elapsed_ms}};
  auto step = journal_.append_step(deploy, event.kind, json_text(detail));
  report(step ? state::Status{} : std::unexpected(step.error()), "deploy step " + event.kind);
}

void StateRecorder::deploy_finished(std::int64_t deploy, bool ok, const std::string& reason) {
  report(journal_.finish(deploy, ok ? state::DeployStatus::done : state::DeployStatus::failed, reason),
         "deploy end");
}
}  // namespace baton
