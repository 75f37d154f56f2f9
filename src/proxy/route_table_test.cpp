#include "proxy/route_table.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace baton::proxy {
namespace {
Address local(std::uint16_t port) { return Address{Address::Kind::tcp, "127.0.0.1", port, {}}; }

Config two_services() {
  auto config = parse_config(R"(
[services.app]
listen = "127.0.0.1:8080"
targets = ["127.0.0.1:9001"]
[services.api]
listen = "127.0.0.1:8080"
path = "/api"
targets = ["127.0.0.1:9002"]
)",
                             "test.toml");
  EXPECT_TRUE(config) << config.error();
  return *config;
}

const Service* service_named(const RouteTable& table, std::string_view name) {
  for (const auto& s : table.services)
    if (s->name == name) return s.get();
  return nullptr;
}
}  // namespace

TEST(RouteTable, RuntimeRoutesReplaceConfiguredTargets) {
  auto config = two_services();
  TargetRegistry registry;
  RuntimeRoutes runtime;
  runtime["app"].targets = {{local(9101), "v1"}, {local(9102), "v2"}};
  auto table = build_route_table(config, registry, runtime);
  const auto* app = service_named(*table, "app");
  ASSERT_TRUE(app);
  ASSERT_EQ(app->targets.targets().size(), 2u);
  EXPECT_EQ(app->targets.targets()[0]->address, local(9101));
  EXPECT_EQ(app->targets.releases().size(), 2u);
  EXPECT_TRUE(app->affinity.enabled());
  EXPECT_FALSE(app->paused);
  const auto* api = service_named(*table, "api");
  ASSERT_EQ(api->targets.targets().size(), 1u);
  EXPECT_EQ(api->targets.targets()[0]->address, local(9002));
  EXPECT_FALSE(api->affinity.enabled());
  for (const auto* s : {app, api})
    for (const auto& t : s->targets.targets()) EXPECT_TRUE(table->has_target(t->id));
  EXPECT_FALSE(table->has_target(0));
}

TEST(RouteTable, PauseSettingsAndSharedCountsSharedAcrossTables) {
  auto config = two_services();
  TargetRegistry registry;
  RuntimeRoutes runtime;
  runtime["app"].paused = true;
  runtime["app"].max_pause = std::chrono::milliseconds(250);
  runtime["app"].max_waiting = 7;
  auto first = build_route_table(config, registry, runtime);
  const auto* paused = service_named(*first, "app");
  EXPECT_TRUE(paused->paused);
  EXPECT_EQ(paused->max_pause, std::chrono::milliseconds(250));
  EXPECT_EQ(paused->max_waiting, 7u);
  EXPECT_TRUE(paused->targets.targets().empty());
  auto second = build_route_table(config, registry, {});
  EXPECT_EQ(service_named(*second, "app")->shared, paused->shared);
  EXPECT_NE(service_named(*second, "api")->shared, paused->shared);
}

TEST(RouteTable, RegistryForgetsTargetsNothingRefersTo) {
  auto config = two_services();
  TargetRegistry registry;
  RuntimeRoutes runtime;
  runtime["app"].targets = {{local(9101), ""}};
  auto old_table = build_route_table(config, registry, runtime);
  auto kept = registry.find(local(9101));
  ASSERT_TRUE(kept);
  runtime["app"].targets = {{local(9102), ""}};
  auto table = build_route_table(config, registry, runtime);
  EXPECT_EQ(registry.find(local(9101)), kept) << "an old table still has it";
  old_table.reset();
  kept.reset();
  table = build_route_table(config, registry, runtime);
  EXPECT_EQ(registry.find(local(9101)), nullptr);
  EXPECT_TRUE(registry.find(local(9102)));
  EXPECT_EQ(registry.size(), 2u);  // 9102 and api's 9002
}

TEST(RouteTable, AddressesThatStayKeepTheirTarget) {
  auto config = two_services();
  TargetRegistry registry;
  auto first = build_route_table(config, registry, {});
  auto id = service_named(*first, "app")->targets.targets()[0]->id;
  first.reset();
  auto second = build_route_table(config, registry, {});
  EXPECT_EQ(service_named(*second, "app")->targets.targets()[0]->id, id);
}
}  // namespace baton::proxy
