#include "cli/pm2_app.hpp"

#include <gtest/gtest.h>

#include <algorithm>


namespace baton::cli {
namespace {
using nlohmann::json;
using Words = std::vector<std::string>;

ServiceDraft mapped(const json& app, std::string env_name = "", unsigned cpus = 8) {
  Pm2AppContext context{.base_dir = "/srv/eco", .cpus = cpus, .env_name = std::move(env_name), .index = 0};
  auto draft = map_pm2_app(app, context);
  EXPECT_TRUE(draft) << draft.error();
  return draft ? *draft : ServiceDraft{};
}

const ServiceKey* find_key(const ServiceDraft& draft, std::string_view key) {
  auto found = std::ranges::find(draft.keys, key, &ServiceKey::key);
  return found == draft.keys.end() ? nullptr : &*found;
}

TomlItem value_of(const ServiceDraft& draft, std::string_view key) {
  const auto* found = find_key(draft, key);
  EXPECT_NE(found, nullptr) << "no key " << key;
  return found ? found->value : TomlItem{std::string("<missing>")};
}

bool has_note(const ServiceDraft& draft, std::string_view part) {
  return std::ranges::any_of(draft.notes, [&](const std::string& note) { return note.find(part) != std::string::npos; });
}

TEST(Pm2App, CommandFromScriptArgsAndInterpreter) {
  EXPECT_EQ(value_of(mapped({{"script", "app.js"}, {"args", "--port 'a b' \"c\""}}), "command"),
            TomlItem(Words{"node", "app.js", "--port", "a b", "c"}));
  EXPECT_EQ(value_of(mapped({{"script", "app.cjs"}, {"node_args", json::array({"--inspect"})}, {"args", json::array({"x", 1})}}),
                     "command"),
            TomlItem(Words{"node", "--inspect", "app.cjs", "x", "1"}));
  EXPECT_EQ(value_of(mapped({{"script", "run.sh"}}), "command"), TomlItem(Words{"bash", "run.sh"}));
  EXPECT_EQ(value_of(mapped({{"script", "bin/server"}, {"interpreter", "none"}}), "command"), TomlItem(Words{"bin/server"}));
  EXPECT_EQ(value_of(mapped({{"script", "server.bin"}, {"interpreter", "none"}}), "command"), TomlItem(Words{"./server.bin"}));
  auto npm = mapped({{"script", "npm"}, {"args", "start"}});
  EXPECT_EQ(value_of(npm, "command"), TomlItem(Words{"npm", "start"}));
  EXPECT_NE(find_key(npm, "command")->note.find("looked up on PATH"), std::string::npos);
  auto python = mapped({{"script", "serve.py"}, {"interpreter_args", "-u"}});
  EXPECT_EQ(value_of(python, "command"), TomlItem(Words{"python3", "-u", "serve.py"}));
  EXPECT_NE(find_key(python, "command")->note.find("python3"), std::string::npos);
  auto venv = mapped({{"script", "serve.py"}, {"interpreter", "/venv/bin/python"}, {"node_args", "--inspect"}});
  EXPECT_EQ(value_of(venv, "command"), TomlItem(Words{"/venv/bin/python", "serve.py"}));
  EXPECT_TRUE(has_note(venv, "node_args = \"--inspect\": only for node"));
}

TEST(Pm2App, NameIsSanitisedOrTakenFromTheScript) {
  auto draft = mapped({{"name", "api.v2 (blue)"}, {"script", "a.js"}});
  EXPECT_EQ(draft.name, "api-v2--blue-");
  EXPECT_EQ(draft.pm2_name, "api.v2 (blue)");
  EXPECT_EQ(mapped({{"script", "workers/mailer.js"}}).name, "mailer");
  EXPECT_EQ(service_name_from(std::string(100, 'x')).size(), 64u);
  EXPECT_EQ(service_name_from(""), "app");
}

TEST(Pm2App, CwdIsMadeAbsoluteFromTheEcosystemDirectory) {
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"cwd", "./web/"}}), "cwd"), TomlItem(std::string("/srv/eco/web")));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"cwd", "../other"}}), "cwd"), TomlItem(std::string("/srv/other")));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"cwd", "/opt/app"}}), "cwd"), TomlItem(std::string("/opt/app")));
  auto unset = mapped({{"script", "a.js"}});
  EXPECT_EQ(value_of(unset, "cwd"), TomlItem(std::string("/srv/eco")));
  EXPECT_NE(find_key(unset, "cwd")->note.find("no cwd in PM2"), std::string::npos);
}

TEST(Pm2App, InstancesCountCpusAsPm2Does) {
  auto instances = [](json count) {
    return value_of(mapped({{"script", "a.js"}, {"instances", count}}, "", 8), "instances");
  };
  EXPECT_EQ(instances("max"), TomlItem(std::int64_t{8}));
  EXPECT_EQ(instances(0), TomlItem(std::int64_t{8}));
  EXPECT_EQ(instances(-1), TomlItem(std::int64_t{7}));
  EXPECT_EQ(instances(-20), TomlItem(std::int64_t{1}));
  EXPECT_EQ(instances("3"), TomlItem(std::int64_t{3}));
  EXPECT_EQ(instances(1000), TomlItem(std::int64_t{256}));
  auto max = mapped({{"script", "a.js"}, {"instances", "max"}, {"exec_mode", "cluster"}}, "", 8);
  EXPECT_NE(find_key(max, "instances")->note.find("8 CPUs"), std::string::npos);
  EXPECT_TRUE(has_note(max, "exec_mode = \"cluster\""));
}

TEST(Pm2App, PortBecomesListenAndLeavesEnv) {
  auto draft = mapped({{"script", "a.js"},
                       {"env", {{"PORT", 3000}, {"NODE_ENV", "development"}, {"N", 2}, {"ON", true}}},
                       {"env_production", {{"NODE_ENV", "production"}, {"PORT", "8080"}}},
                       {"env_staging", {{"NODE_ENV", "staging"}}}},
                      "production");
  EXPECT_EQ(value_of(draft, "listen"), TomlItem(std::string("0.0.0.0:8080")));
  EXPECT_NE(find_key(draft, "listen")->note.find("$PORT"), std::string::npos);
  using Env = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(draft.env, (Env{{"N", "2"}, {"NODE_ENV", "production"}, {"ON", "true"}}));
  EXPECT_TRUE(has_note(draft, "env_staging = {\"NODE_ENV\":\"staging\"}: not used"));
}

TEST(Pm2App, WithoutPortAnAppIsAWorker) {
  auto draft = mapped({{"script", "a.js"}, {"env", {{"BATON_X", "1"}, {"bad-name", "1"}, {"OK", "1"}}}});
  EXPECT_EQ(find_key(draft, "listen"), nullptr);
  EXPECT_TRUE(has_note(draft, "no PORT in env: imported as a worker"));
  EXPECT_TRUE(has_note(draft, "env.BATON_X"));
  EXPECT_TRUE(has_note(draft, "env.bad-name"));
  EXPECT_EQ(draft.env.size(), 1u);
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"env", {{"PORT", "http"}}}}), "env.PORT = \"http\": not a port"));
}

TEST(Pm2App, LimitsAndTimeouts) {
  auto draft = mapped({{"script", "a.js"}, {"max_memory_restart", "300M"}, {"kill_timeout", 1600}, {"min_uptime", "2s"}});
  EXPECT_EQ(value_of(draft, "max_memory"), TomlItem(std::string("300m")));
  EXPECT_EQ(value_of(draft, "stop_timeout"), TomlItem(std::string("1600ms")));
  EXPECT_EQ(value_of(draft, "min_uptime"), TomlItem(std::string("2s")));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"max_memory_restart", 2097152}}), "max_memory"),
            TomlItem(std::int64_t{2097152}));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"max_memory_restart", "1GB"}}), "max_memory"), TomlItem(std::string("1g")));
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"max_memory_restart", "12K"}}), "at least 1 MiB"));
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"kill_timeout", 0}}), "kill_timeout = 0"));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"min_uptime", 60000}}), "min_uptime"), TomlItem(std::string("1m")));
}

TEST(Pm2App, RestartPolicy) {
  auto draft = mapped({{"script", "a.js"}, {"autorestart", false}, {"stop_exit_codes", json::array({0, 3})},
                       {"max_restarts", 5}, {"restart_delay", 4000}, {"cron", "0 * * * *"}});
  EXPECT_EQ(value_of(draft, "autorestart"), TomlItem(std::string("never")));
  EXPECT_EQ(value_of(draft, "stop_exit_codes"), TomlItem(std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(value_of(draft, "max_restarts"), TomlItem(std::int64_t{5}));
  EXPECT_EQ(find_key(draft, "restart_window"), nullptr) << "counted in a row, as PM2 counts them";
  EXPECT_EQ(value_of(draft, "restart_delay"), TomlItem(std::string("4s")));
  EXPECT_EQ(value_of(draft, "max_restart_delay"), TomlItem(std::string("4s")));
  EXPECT_EQ(value_of(draft, "cron_restart"), TomlItem(std::string("0 * * * *")));
  auto backoff = mapped({{"script", "a.js"}, {"exp_backoff_restart_delay", 100}, {"restart_delay", 50}});
  EXPECT_EQ(value_of(backoff, "restart_delay"), TomlItem(std::string("100ms")));
  EXPECT_EQ(value_of(backoff, "max_restart_delay"), TomlItem(std::string("15s")));
  EXPECT_TRUE(has_note(backoff, "restart_delay = 50: exp_backoff_restart_delay wins"));
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"autorestart", true}}), "autorestart = true"));
}

TEST(Pm2App, LogsAndAccount) {
  auto merged = mapped({{"script", "a.js"}, {"instances", 4}, {"merge_logs", true}, {"uid", "www"}, {"gid", 33}});
  EXPECT_EQ(value_of(merged, "log_per_instance"), TomlItem(false));
  EXPECT_EQ(value_of(merged, "user"), TomlItem(std::string("www")));
  EXPECT_EQ(value_of(merged, "group"), TomlItem(std::string("33")));
  EXPECT_EQ(value_of(mapped({{"script", "a.js"}, {"instances", 2}, {"combine_logs", false}}), "log_per_instance"),
            TomlItem(true));
  EXPECT_EQ(find_key(mapped({{"script", "a.js"}, {"merge_logs", false}}), "log_per_instance"), nullptr);
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"user", ""}}), "user = \"\": not a name or an id"));
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"instances", 2}}), "one log file per instance"));
  EXPECT_TRUE(has_note(mapped({{"script", "a.js"}, {"out_file", "/var/log/a.log"}}), "baton logs NAME"));
}

TEST(Pm2App, EveryOtherOptionIsANote) {
  auto draft = mapped({{"script", "a.js"}, {"watch", true}, {"wait_ready", true}, {"frobnicate", 3}, {"output", "x.log"}});
  EXPECT_TRUE(has_note(draft, "watch = true: Baton does not restart on file changes"));
  EXPECT_TRUE(has_note(draft, "wait_ready = true: use notify = true"));
  EXPECT_TRUE(has_note(draft, "frobnicate = 3: unknown PM2 option"));
  EXPECT_TRUE(has_note(draft, "output = \"x.log\": Baton keeps"));
}

TEST(Pm2App, RefusesAnAppWithoutScript) {
  Pm2AppContext context{.base_dir = "/srv", .cpus = 1, .env_name = "", .index = 2};
  auto draft = map_pm2_app(json{{"name", "web"}}, context);
  ASSERT_FALSE(draft);
  EXPECT_EQ(draft.error(), "apps[2] (\"web\") has no script: PM2 needs one too");
  EXPECT_FALSE(map_pm2_app(json::array(), context));
}
}  // namespace
}  // namespace baton::cli
