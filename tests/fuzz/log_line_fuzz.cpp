// Lines of a log file as `baton logs` reads them back (the file may hold anything), and the
// --since argument: a parsed line's fields are pieces of it, its JSON always parses back to them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/check.hpp"
#include "cli/log_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)baton::cli::since_timestamp(input, std::chrono::system_clock::time_point{});
  auto line = baton::cli::parse_log_line(input);
  if (!line) return 0;
  BATON_CHECK(line->stream == "out" || line->stream == "err");
  BATON_CHECK(!line->service.empty() && !line->release.empty() && !line->time.empty());
  BATON_CHECK(input.ends_with(line->text));
  auto json = nlohmann::json::parse(baton::cli::log_line_json(*line), nullptr, false);
  BATON_CHECK(json.is_object() && json["instance"] == line->instance && json["stream"] == line->stream);
  return 0;
}
