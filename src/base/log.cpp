#include "base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace baton::log {
void init(std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("baton");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

void set_level(std::string_view level) { spdlog::default_logger()->set_level(spdlog::level::from_str(std::string(level))); }

std::string describe(std::exception_ptr thrown) {
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown exception";
}

void LogIfThrown::operator()(std::exception_ptr thrown) const {
  if (thrown) error("event=task_threw task={} error=\"{}\"", task, describe(thrown));
}
}  // namespace baton::log
