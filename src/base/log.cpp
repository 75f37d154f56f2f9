#include "base/log.hpp"

#include <unistd.h>

#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace baton::log {
namespace {
constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%e%z level=%l %v";

// The daemon's log file: each line appended whole, rotated between lines. Standard output and
// error follow the file through every rotation and reopen, for what is written there directly.
class FileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FileSink(std::shared_ptr<LogFile> file) : file_(std::move(file)) { follow(); }

  std::expected<void, std::string> reopen() {
    std::lock_guard lock(mutex_);
    auto reopened = file_->reopen();
    follow();
    return reopened;
  }
  void set_rotation(LogRotation rotation) {
    std::lock_guard lock(mutex_);
    file_->set_rotation(rotation);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    // A full disk must not stop the daemon: the line is lost.
    (void)file_->append(std::string_view(formatted.data(), formatted.size()));
    follow();
  }
  void flush_() override {}

 private:
  void follow() {
    if (file_->fd() == followed_) return;
    followed_ = file_->fd();
    ::dup2(followed_, STDOUT_FILENO);
    ::dup2(followed_, STDERR_FILENO);
  }

  std::shared_ptr<LogFile> file_;
  int followed_ = -1;
};

std::shared_ptr<FileSink> file_sink_;
}  // namespace

std::expected<void, std::string> init(std::string_view level, const std::filesystem::path& file, LogRotation rotation) {
  std::shared_ptr<spdlog::logger> logger;
  if (file.empty()) {
    logger = spdlog::stderr_logger_mt("baton");
  } else {
    auto opened = LogFile::open(file, rotation);
    if (!opened) return std::unexpected(opened.error());
    file_sink_ = std::make_shared<FileSink>(std::move(*opened));
    logger = std::make_shared<spdlog::logger>("baton", file_sink_);
    spdlog::register_logger(logger);
  }
  logger->set_pattern(kPattern);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
  return {};
}

std::expected<void, std::string> reopen_file() {
  if (!file_sink_) return {};
  return file_sink_->reopen();
}

void set_rotation(LogRotation rotation) {
  if (file_sink_) file_sink_->set_rotation(rotation);
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
