#include "metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace baton::metrics {
TEST(EscapeLabelValue, BackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(escape_label_value("unicode é\ttab"), "unicode é\ttab");
}

TEST(EscapeHelp, BackslashAndNewlineOnly) {
  EXPECT_EQ(escape_help("a \"quoted\" \\ word\nnext"), "a \"quoted\" \\\\ word\\nnext");
}

TEST(FormatNumber, ShortestAndSpecialValues) {
  EXPECT_EQ(format_number(0.0001), "0.0001");
  EXPECT_EQ(format_number(1.5), "1.5");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PrometheusText, FamilyAndSamples) {
  PrometheusText text;
  text.family("baton_requests_total", "counter", "Requests.\nBy class.");
  text.sample("baton_requests_total", {{"service", "web"}, {"status_class", "2xx"}}, std::uint64_t{7});
  text.sample("baton_requests_total", {{"service", "we\"b"}}, std::uint64_t{1});
  text.family("baton_up", "gauge", "Up.");
  text.sample("baton_up", {}, std::uint64_t{1});
  EXPECT_EQ(text.text(),
            "# HELP baton_requests_total Requests.\\nBy class.\n"
            "# TYPE baton_requests_total counter\n"
            "baton_requests_total{service=\"web\",status_class=\"2xx\"} 7\n"
            "baton_requests_total{service=\"we\\\"b\"} 1\n"
            "# HELP baton_up Up.\n"
            "# TYPE baton_up gauge\n"
            "baton_up 1\n");
}

TEST(PrometheusText, SignedAndDoubleValues) {
  PrometheusText text;
  Label labels[] = {{"x", "y"}};
  text.sample("a", labels, std::int64_t{-2});
  text.sample("b", labels, 0.25);
  EXPECT_EQ(text.text(), "a{x=\"y\"} -2\nb{x=\"y\"} 0.25\n");
}

TEST(PrometheusText, HistogramIsCumulativeInSeconds) {
  static constexpr std::array<std::uint64_t, 2> kBounds = {500, 1'000'000};
  HistogramCounts h(kBounds);
  h.observe(100);
  h.observe(700'000);
  h.observe(2'000'000);
  PrometheusText text;
  Label labels[] = {{"service", "web"}};
  text.histogram("d_seconds", labels, h);
  EXPECT_EQ(text.text(),
            "d_seconds_bucket{service=\"web\",le=\"0.0005\"} 1\n"
            "d_seconds_bucket{service=\"web\",le=\"1\"} 2\n"
            "d_seconds_bucket{service=\"web\",le=\"+Inf\"} 3\n"
            "d_seconds_sum{service=\"web\"} 2.7001\n"
            "d_seconds_count{service=\"web\"} 3\n");
}
}  // namespace baton::metrics
