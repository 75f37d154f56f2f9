#include "config/logs_reader.hpp"

namespace baton::config_detail {
namespace {
// Smaller would rotate at every few lines; 0 is not allowed: every file has a bound.
constexpr Range<std::uint64_t> kLogMaxSizeRange{4 << 10, 1ull << 40};
constexpr Range<std::uint32_t> kLogMaxFilesRange{0, 1000};
constexpr std::array<std::string_view, 2> kAccessLogFormats = {"logfmt", "json"};

void read_rotation(TableReader& r, std::string_view size_key, std::string_view files_key, LogRotation& rotation) {
  r.read_size(size_key, rotation.max_size, kLogMaxSizeRange);
  std::uint32_t keep = rotation.keep;
  if (r.read(files_key, keep, kLogMaxFilesRange)) rotation.keep = keep;
}
}  // namespace

void read_logs(TableReader& root, LogsConfig& logs) {
  auto r = root.child("logs");
  if (!r) return;
  r->allow_only({"daemon_max_size", "daemon_max_files", "access_max_size", "access_max_files", "access_format"});
  read_rotation(*r, "daemon_max_size", "daemon_max_files", logs.daemon);
  read_rotation(*r, "access_max_size", "access_max_files", logs.access);
  std::string format;
  if (r->read("access_format", format) && r->check_choice("access_format", format, kAccessLogFormats))
    logs.access_format = format == "json" ? AccessLogFormat::json : AccessLogFormat::logfmt;
}

void read_service_logs(TableReader& r, ServiceLogs& logs) {
  r.read("log_per_instance", logs.per_instance);
  read_rotation(r, "log_max_size", "log_max_files", logs.rotation);
}
}  // namespace baton::config_detail
