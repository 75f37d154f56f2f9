#include "metrics/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace baton::metrics {
namespace {
// The text format's escapes: a backslash and a newline everywhere, a double quote inside a label value.
std::string escaped(std::string_view text, bool quoted) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"' && quoted) out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}
}  // namespace

std::string escape_label_value(std::string_view value) { return escaped(value, true); }

std::string escape_help(std::string_view help) { return escaped(help, false); }

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
}

void PrometheusText::series(std::string_view name, std::string_view suffix, Labels labels, const Label* extra) {
  out_ += name;
  out_ += suffix;
  if (labels.empty() && !extra) return;
  char separator = '{';
  auto add = [&](const Label& label) {
    out_ += separator;
    out_ += label.name;
    out_ += "=\"";
    out_ += escape_label_value(label.value);
    out_ += '"';
    separator = ',';
  };
  for (const auto& label : labels) add(label);
  if (extra) add(*extra);
  out_ += '}';
}

void PrometheusText::sample(std::string_view name, Labels labels, double value) {
  series(name, {}, labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", format_number(value));
}

void PrometheusText::sample(std::string_view name, Labels labels, std::uint64_t value) {
  series(name, {}, labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusText::sample(std::string_view name, Labels labels, std::int64_t value) {
  series(name, {}, labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusText::histogram(std::string_view name, Labels labels, const HistogramCounts& histogram) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    cumulative += histogram.counts[i];
    auto le = i < histogram.bounds.size() ? format_number(static_cast<double>(histogram.bounds[i]) / 1e6) : "+Inf";
    Label bound{"le", le};
    series(name, "_bucket", labels, &bound);
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  series(name, "_sum", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", format_number(static_cast<double>(histogram.sum) / 1e6));
  series(name, "_count", labels, nullptr);
  fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
}
}  // namespace baton::metrics
