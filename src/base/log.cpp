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

void LogIfThrown::operator()(std::exception_ptr thrown) const {
  if (!thrown) return;
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    error("event=task_threw task={} error=\"{}\"", task, e.what());
  } catch (...) {
    error("event=task_threw task={} error=unknown", task);
  }
}
}  // namespace baton::log
