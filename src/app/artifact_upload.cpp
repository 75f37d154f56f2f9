#include "app/artifact_upload.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/api_path.hpp"
#include "app/app_artifacts.hpp"
#include "app/deploy_api.hpp"
#include "app/site_upload.hpp"
#include "base/json_text.hpp"
#include "base/log.hpp"
#include "base/unique_fd.hpp"
#include "control/wire/access.hpp"
#include "deploy/deployer.hpp"

namespace baton {
namespace {
using boost::beast::http::verb;
constexpr std::string_view kArtifactsPrefix = "/v1/services/";

// 128 random bits: an upload's name cannot be guessed by another client of the admin listener.
std::string new_artifact_id() {
  std::random_device random;
  std::array<std::uint32_t, 4> words{random(), random(), random(), random()};
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", words[0], words[1], words[2], words[3]);
}

awaitable<void> refuse(control::Reply& reply, const control::Request& head, unsigned status, std::string message) {
  co_await reply.send(api_error(head, status, message));
}
}  // namespace

bool is_artifact_upload(const control::Request& head) {
  auto path = named_path(head.target(), kArtifactsPrefix);
  return path && path->second == "artifacts" && head.method() == verb::post;
}

awaitable<void> handle_artifact_upload(const control::Request& head, control::BodyReader& body, control::Reply& reply,
                                       ApiContext& context) {
  auto name = named_path(head.target(), kArtifactsPrefix)->first;
  if (!context.artifacts) co_return co_await refuse(reply, head, 500, "this daemon keeps no app releases");
  if (!context.deployer.releases(name))
    co_return co_await refuse(reply, head, 404, fmt::format("no service named '{}'", name));
  auto dir = context.artifacts->uploads_dir(name);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) co_return co_await refuse(reply, head, 500, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  context.artifacts->forget_stale_uploads(name);
  auto id = new_artifact_id();
  auto partial = dir / ("." + id + ".part");
  UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) co_return co_await refuse(reply, head, 500, site::errno_message("cannot create", partial.string()));
  auto received = co_await receive_body(body, fd.get());
  if (!received) {
    std::filesystem::remove(partial, ec);
    co_return co_await refuse(reply, head, received.error().status, std::move(received.error().message));
  }
  std::filesystem::rename(partial, dir / id, ec);
  if (ec) {
    std::filesystem::remove(partial, ec);
    co_return co_await refuse(reply, head, 500, fmt::format("cannot keep the upload: {}", ec.message()));
  }
  log::info("event=artifact_uploaded service={} artifact={} bytes={}", name, id, *received);
  control::wire::ArtifactUploaded answer{id, *received};
  co_await reply.send(control::json_response(head, 200, json_text(nlohmann::json(answer))));
}
}  // namespace baton
