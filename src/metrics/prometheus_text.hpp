#pragma once
// The Prometheus text exposition format (version 0.0.4): families with their
// HELP and TYPE, samples with escaped label values, histograms as cumulative
// _bucket series plus _sum and _count. Every sample of a family must be written
// right after its family() call.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"

namespace baton::metrics {
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;   // [a-zA-Z_][a-zA-Z0-9_]*: the callers' constants
  std::string_view value;  // anything: escaped
};
using Labels = std::span<const Label>;

// Backslash, double quote and line feed, as the format asks inside a label value.
std::string escape_label_value(std::string_view value);
// Backslash and line feed, as the format asks in HELP text.
std::string escape_help(std::string_view help);
// Shortest text that reads back as the same double; +Inf, -Inf and NaN as Prometheus spells them.
std::string format_number(double value);

class PrometheusText {
 public:
  // type: counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, std::uint64_t value);
  void sample(std::string_view name, Labels labels, std::int64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
    sample(name, Labels(labels.begin(), labels.size()), value);
  }
  // name_bucket{...,le="S"} (cumulative, bounds in seconds), name_sum (seconds), name_count.
  void histogram(std::string_view name, Labels labels, const HistogramCounts& histogram);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void series(std::string_view name, std::string_view suffix, Labels labels, const Label* extra);

  std::string out_;
};
}  // namespace baton::metrics
