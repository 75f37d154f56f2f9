#include "cli/event_stream.hpp"

#include <fmt/format.h>

#include "base/json_text.hpp"
#include "cli/api_client.hpp"

namespace baton::cli {
namespace {
using nlohmann::json;

// Terminals get the "instances" lines rewritten in place; everything else gets one line per event.
class EventPrinter {
 public:
  explicit EventPrinter(Progress progress) : progress_(progress) {}

  void print(std::string_view line) {
    auto event = json::parse(line, nullptr, false);
    if (!event.is_object()) return;
    auto kind = event.value("event", "");
    if (progress_ == Progress::json) {
      // The exit code still follows the end event's outcome.
      if (kind == "end") ok_ = event.value("ok", false);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      return;
    }
    if (kind == "end") {
      ok_ = event.value("ok", false);
      end_line(event);
      return;
    }
    bool in_place = progress_ == Progress::terminal && kind == "instances";
    if (rewriting_ && !in_place) fmt::print("\n");
    fmt::print("{}[{:6.1f}s] {}{}", in_place ? "\r" : "", event.value("elapsed_ms", 0) / 1000.0,
               event.value("message", ""), in_place ? "" : "\n");
    rewriting_ = in_place;
    std::fflush(stdout);
  }
  bool ok() const { return ok_; }

 private:
  void end_line(const json& event) {
    if (rewriting_) fmt::print("\n");
    auto kind = event.value("kind", std::string("deploy"));
    auto seconds = event.value("elapsed_ms", 0) / 1000.0;
    if (ok_ && (kind == "deploy" || kind == "rollback"))
      fmt::print("ok: {} is live ({:.1f}s)\n", event.value("release", ""), seconds);
    else if (ok_ && kind == "apply")
      fmt::print("ok: the daemon runs the new configuration ({:.1f}s)\n", seconds);
    else if (ok_)
      fmt::print("ok: {} done ({:.1f}s)\n", kind, seconds);
    else {
      auto reason = event.value("reason", std::string("unknown reason"));
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

std::string error_of(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) return parsed["error"];
  return body;
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
