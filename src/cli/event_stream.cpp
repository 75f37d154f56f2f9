#include "cli/event_stream.hpp"

#include <fmt/format.h>

#include "base/json_text.hpp"
#include "cli/api_client.hpp"
#include "control/wire/access.hpp"
#include "control/wire/progress.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// Terminals get the "instances" lines rewritten in place; everything else gets one line per event.
class EventPrinter {
 public:
  explicit EventPrinter(Progress progress) : progress_(progress) {}

  void print(std::string_view line) {
    auto event = control::wire::parse<control::wire::ProgressEvent>(line);
    if (!event) return;
    std::optional<control::wire::ProgressEnd> end;
    if (event->event == "end") end = control::wire::parse<control::wire::ProgressEnd>(line);
    if (end) ok_ = end->ok;
    if (progress_ == Progress::json) {  // the exit code still follows the end's outcome
      fmt::print("{}\n", line);
      std::fflush(stdout);
      return;
    }
    if (end) {
      end_line(*end);
      return;
    }
    bool in_place = progress_ == Progress::terminal && event->event == "instances";
    if (rewriting_ && !in_place) fmt::print("\n");
    fmt::print("{}[{:6.1f}s] {}{}", in_place ? "\r" : "", static_cast<double>(event->elapsed_ms) / 1000.0,
               event->message, in_place ? "" : "\n");
    rewriting_ = in_place;
    std::fflush(stdout);
  }
  bool ok() const { return ok_; }

 private:
  void end_line(const control::wire::ProgressEnd& event) {
    if (rewriting_) fmt::print("\n");
    auto kind = event.kind.empty() ? std::string("deploy") : event.kind;
    auto seconds = static_cast<double>(event.elapsed_ms) / 1000.0;
    if (ok_ && (kind == "deploy" || kind == "rollback"))
      fmt::print("ok: {} is live ({:.1f}s)\n", event.release, seconds);
    else if (ok_ && kind == "apply")
      fmt::print("ok: the daemon runs the new configuration ({:.1f}s)\n", seconds);
    else if (ok_)
      fmt::print("ok: {} done ({:.1f}s)\n", kind, seconds);
    else {
      auto reason = event.reason.value_or("unknown reason");
      if (kind == "apply") fmt::print(stderr, "failed: {}\n", reason);
      else fmt::print(stderr, "failed: {}; the live release kept serving\n", reason.substr(0, reason.find('\n')));
    }
  }

  Progress progress_;
  bool rewriting_ = false;
  bool ok_ = false;
};

}  // namespace

// Refused (no right token, a conflict, too many tries) or broken: 1; the request itself was wrong: 2.
int exit_code_for(unsigned status) {
  return status == 401 || status == 403 || status == 409 || status == 429 || status >= 500 ? kFailed : kUsage;
}

std::optional<int> failure_exit(const std::expected<ApiReply, ApiError>& reply) {
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status == 200) return std::nullopt;
  fmt::print(stderr, "baton: {}\n", error_of(reply->body));
  return exit_code_for(reply->status);
}

std::string error_of(const std::string& body) {
  auto parsed = control::wire::parse<control::wire::Error>(body);
  return parsed && !parsed->error.empty() ? parsed->error : body;
}

int run_streamed(const std::string& home, const std::string& path, const json& body, Progress progress,
                 const std::string& method) {
  EventPrinter printer(progress);
  bool ended = false;
  auto reply = stream_api(home, method, path, method == "DELETE" ? std::string() : json_text(body), [&](std::string_view line) {
    ended = ended || line.find("\"event\":\"end\"") != std::string_view::npos;
    printer.print(line);
  });
  if (!reply) {
    fmt::print(stderr, "baton: {}\n", reply.error().message);
    return reply.error().unreachable ? kUnreachable : kFailed;
  }
  if (reply->status == 202) {
    auto accepted = json::parse(reply->body, nullptr, false);
    fmt::print("started {} of {}; follow it with 'baton status'\n", accepted.value("release", "?"), path);
    return kOk;
  }
  if (reply->status != 200) {
    fmt::print(stderr, "baton: {}\n", error_of(reply->body));
    return exit_code_for(reply->status);
  }
  if (!ended) {
    fmt::print(stderr, "baton: the daemon stopped answering before the end; see 'baton status'\n");
    return kFailed;
  }
  return printer.ok() ? kOk : kFailed;
}
}  // namespace baton::cli
