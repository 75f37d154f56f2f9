#include "proxy/access_log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace baton::proxy {
AccessLog::AccessLog(const std::string& path) {
  if (path.empty() || path == "-") logger_ = spdlog::stdout_logger_mt("access");
  else logger_ = spdlog::basic_logger_mt("access", path);
  logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %v");
  // Written through stdio's buffer and flushed every second: a flush per line
  // would put a syscall under a process-wide lock on every request.
  spdlog::flush_every(std::chrono::seconds(1));
}

AccessLog::~AccessLog() { spdlog::drop("access"); }

void AccessLog::write(const AccessRecord& r) {
  logger_->info("service={} client={} method={} path=\"{}\" status={} bytes={} duration_us={} target={} retries={}{}{}",
                r.service, r.client, r.method, r.path, r.status, r.bytes, r.duration.count(),
                r.target.empty() ? "-" : r.target, r.retries, r.error.empty() ? "" : " error=", r.error);
}
}  // namespace baton::proxy
