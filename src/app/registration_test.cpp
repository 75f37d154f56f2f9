#include "app/registration.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"

namespace baton {
namespace {
using nlohmann::json;

json worker() {
  return json{{"name", "worker"},
              {"listen", "127.0.0.1:7001"},
              {"command", {"/bin/app", "--port", "{port}", "it's \"quoted\"\n"}},
              {"instances", 3},
              {"cwd", "/srv/app"},
              {"env", {{"A", "1"}, {"QUOTED", "x = [y] '\""}}},
              {"health", "/up"}};
}

// What the loader makes of the registration, as the daemon reads it.
Config load(const Registration& r) {
  std::map<std::string, std::string> registered{{r.name, r.toml_keys}};
  auto config = parse_config(ConfigSources{.text = "", .source_name = "(none)", .registered = &registered,
                                           .allow_empty = true});
  EXPECT_TRUE(config) << config.error() << "\n" << r.toml_keys;
  return config.value_or(Config{});
}

TEST(Registration, RoundTripsThroughTheLoader) {
  auto registration = registration_from_json(worker());
  ASSERT_TRUE(registration) << registration.error();
  auto config = load(*registration);
  const auto& service = config.services.at("worker");
  EXPECT_EQ(service.command, (std::vector<std::string>{"/bin/app", "--port", "{port}", "it's \"quoted\"\n"}));
  EXPECT_EQ(service.instances, 3u);
  EXPECT_EQ(service.cwd, "/srv/app");
  ASSERT_EQ(service.env.size(), 2u);
  EXPECT_EQ(service.health.path, "/up");
  EXPECT_EQ(service.listen.port, 7001);
}

TEST(Registration, WithoutListenRegistersAWorker) {
  auto registration = registration_from_json(
      json{{"name", "mailer"}, {"command", {"/bin/mailer", "--queue", "q"}}, {"notify", true}});
  ASSERT_TRUE(registration) << registration.error();
  auto config = load(*registration);
  const auto& service = config.services.at("mailer");
  EXPECT_TRUE(service.worker);
  EXPECT_TRUE(service.notify);
  EXPECT_EQ(service.command, (std::vector<std::string>{"/bin/mailer", "--queue", "q"}));
}

TEST(Registration, CarriesThePm2StyleSettingsAsConfigKeys) {
  auto body = json{{"name", "job"},
                   {"command", {"/bin/job"}},
                   {"max_memory", "512m"},
                   {"stop_timeout", "30s"},
                   {"min_uptime", "2s"},
                   {"autorestart", "on-failure"},
                   {"max_restarts", 5},
                   {"restart_window", "2m"},
                   {"restart_delay", "250ms"},
                   {"max_restart_delay", "5s"},
                   {"cron_restart", "0 3 * * *"},
                   {"cpu_max", "50%"},
                   {"memory_max", "1GiB"}};
  auto registration = registration_from_json(body);
  ASSERT_TRUE(registration) << registration.error();
  auto config = load(*registration);
  const auto& service = config.services.at("job");
  EXPECT_EQ(service.max_memory, std::optional<std::uint64_t>(512ull << 20));
  EXPECT_EQ(service.stop_timeout, std::chrono::seconds(30));
  EXPECT_EQ(service.min_uptime, std::optional<std::chrono::milliseconds>(2000));
  EXPECT_EQ(service.restart.autorestart, AutoRestart::on_failure);
  EXPECT_EQ(service.restart.max_restarts, std::optional(5u));
  EXPECT_EQ(service.restart.restart_window, std::chrono::minutes(2));
  EXPECT_EQ(service.restart_delay, std::optional<std::chrono::milliseconds>(250));
  EXPECT_EQ(service.max_restart_delay, std::optional<std::chrono::milliseconds>(5000));
  ASSERT_TRUE(service.cron_restart);
  EXPECT_EQ(service.cpu_max, std::optional(500u));
  EXPECT_EQ(service.memory_max, std::optional<std::uint64_t>(1ull << 30));
  // A bad value is the loader's to refuse, with the key named, when the daemon applies it.
  body["autorestart"] = "sometimes";
  auto bad = registration_from_json(body);
  ASSERT_TRUE(bad);
  std::map<std::string, std::string> registered{{bad->name, bad->toml_keys}};
  auto refused = parse_config(ConfigSources{.text = "", .source_name = "(none)", .registered = &registered,
                                            .allow_empty = true});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("autorestart"), std::string::npos) << refused.error();
}

TEST(Registration, RefusesWhatIsMissingUnknownOrMistyped) {
  for (const char* field : {"name", "command"}) {
    auto body = worker();
    body.erase(field);
    EXPECT_FALSE(registration_from_json(body)) << field;
  }
  auto extra = worker();
  extra["colour"] = "red";
  EXPECT_FALSE(registration_from_json(extra));
  auto notify_typed = worker();
  notify_typed["notify"] = "yes";
  EXPECT_FALSE(registration_from_json(notify_typed));
  auto listen_typed = worker();
  listen_typed["listen"] = 7001;
  EXPECT_FALSE(registration_from_json(listen_typed));
  auto typed = worker();
  typed["instances"] = "3";
  EXPECT_FALSE(registration_from_json(typed));
  auto restarts_typed = worker();
  restarts_typed["max_restarts"] = "5";
  EXPECT_FALSE(registration_from_json(restarts_typed));
  auto delay_typed = worker();
  delay_typed["restart_delay"] = 5;
  EXPECT_FALSE(registration_from_json(delay_typed));
  auto empty = worker();
  empty["command"] = json::array();
  EXPECT_FALSE(registration_from_json(empty));
  auto injected = worker();
  injected["name"] = "x]\n[proxy";
  EXPECT_FALSE(registration_from_json(injected));
  EXPECT_FALSE(registration_from_json(json::array()));
}
}  // namespace
}  // namespace baton
