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
