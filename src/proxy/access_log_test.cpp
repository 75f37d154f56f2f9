#include "proxy/access_log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace baton::proxy {
namespace {

AccessRecord sample_record() {
  using namespace std::chrono;
  AccessRecord r;
  r.time = sys_days{year{2026} / 11 / 22} + hours(10) + milliseconds(123);
  r.request_id = "abc-1";
  r.service = "web";
  r.client = "127.0.0.1";
  r.method = "GET";
  r.path = "/a b?q=\"x\"\\\x01\xff";
  r.status = 200;
  r.bytes = 512;
  r.duration = microseconds(1500);
  r.target = "127.0.0.1:4000";
  r.retries = 1;
  return r;
}

std::string line_of(const AccessRecord& record, AccessLogFormat format) {
  fmt::memory_buffer out;
  format_access_line(record, format, out);
  return fmt::to_string(out);
}

TEST(AccessLogFormat, LogfmtIsOneLineWithEveryFieldAndAQuotedPath) {
  EXPECT_EQ(line_of(sample_record(), AccessLogFormat::logfmt),
            "time=2026-11-22T10:00:00.123Z request_id=abc-1 service=web client=127.0.0.1 method=GET "
            "path=\"/a b?q=\\\"x\\\"\\\\\\x01\\xff\" status=200 bytes=512 duration_us=1500 target=127.0.0.1:4000 "
            "retries=1\n");
  auto failed = sample_record();
  failed.target = {};
  failed.error = "upstream_unreachable";
  failed.status = 502;
  auto line = line_of(failed, AccessLogFormat::logfmt);
  EXPECT_NE(line.find(" target=- retries=1 error=upstream_unreachable\n"), std::string::npos) << line;
}

TEST(AccessLogFormat, JsonParsesBackWhateverThePathHolds) {
  auto line = line_of(sample_record(), AccessLogFormat::json);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["time"], "2026-11-22T10:00:00.123Z");
  EXPECT_EQ(json["request_id"], "abc-1");
  EXPECT_EQ(json["service"], "web");
  EXPECT_EQ(json["method"], "GET");
  EXPECT_EQ(json["path"], "/a b?q=\"x\"\\\x01\xc3\xbf") << "a byte above 0x7f is written as its code point";
  EXPECT_EQ(json["status"], 200);
  EXPECT_EQ(json["bytes"], 512);
  EXPECT_EQ(json["duration_us"], 1500);
  EXPECT_EQ(json["target"], "127.0.0.1:4000");
  EXPECT_EQ(json["retries"], 1);
  EXPECT_FALSE(json.contains("error"));
}

TEST(AccessLogFile, BufferedLinesReachTheFileWhenFlushedAndRotateBySize) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("baton-access-{}", ::getpid());
  std::filesystem::create_directories(dir);
  LogsConfig settings;
  settings.access = LogRotation{.max_size = 4096, .keep = 2};
  auto log = AccessLog::open(dir / "access.log", settings).value();
  AccessLogBuffer buffer;
  buffer.add(*log, sample_record());
  EXPECT_EQ(std::filesystem::file_size(dir / "access.log"), 0u) << "written at the flush, not at each request";
  buffer.flush(*log);
  EXPECT_GT(std::filesystem::file_size(dir / "access.log"), 0u);
  for (int i = 0; i < 200; ++i) buffer.add(*log, sample_record());
  buffer.flush(*log);
  for (auto name : {"access.log", "access.log.1", "access.log.2"})
    EXPECT_LE(std::filesystem::file_size(dir / name), 4096u) << name;
  EXPECT_FALSE(std::filesystem::exists(dir / "access.log.3"));
  std::filesystem::remove_all(dir);
}
}  // namespace
}  // namespace baton::proxy
