#pragma once
// One structured line per request, for services that switch it on.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace baton::proxy {
struct AccessRecord {
  std::string_view service;
  std::string_view client;
  std::string_view method;
  std::string_view path;
  unsigned status = 0;
  std::uint64_t bytes = 0;
  std::chrono::microseconds duration{0};
  std::string_view target;
  std::uint32_t retries = 0;
  std::string_view error;
};

class AccessLog {
 public:
  // path "" or "-": standard output.
  explicit AccessLog(const std::string& path);
  // Unregisters the logger: another server in the same process (tests) can log again.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
  void write(const AccessRecord& r);

 private:
  std::shared_ptr<spdlog::logger> logger_;
};
}  // namespace baton::proxy
