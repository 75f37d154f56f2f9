#include "app/metrics_page.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {
TEST(MetricsPage, EachInstanceShowsTheExchangesOpenToIt) {
  MetricsInputs inputs;
  supervisor::InstanceStatus first;
  first.service = "web";
  first.release = "r2";
  first.index = 0;
  auto second = first;
  second.index = 1;
  inputs.instances = {first, second};
  inputs.in_flight = {3, -1};  // a counter read mid-update can dip below zero: shown as 0
  auto page = render_metrics(inputs);
  EXPECT_NE(page.find("# TYPE baton_instance_exchanges_open gauge"), std::string::npos) << page;
  EXPECT_NE(page.find("baton_instance_exchanges_open{service=\"web\",release=\"r2\",index=\"0\"} 3\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("baton_instance_exchanges_open{service=\"web\",release=\"r2\",index=\"1\"} 0\n"),
            std::string::npos)
      << page;
}
}  // namespace
}  // namespace baton
