#pragma once
// The control API's routes for static sites (docs/api.md): a release published from an uploaded
// ustar archive, rollback and the list of releases, all through the site's store on disk, as
// `baton site` does locally. Disk work (extracting, fsyncing, the store's lock) runs on a
// thread of its own: a publish of a large build never stalls deploys or health checks.
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "control/control_server.hpp"

namespace baton {
class SiteApi {
 public:
  static constexpr std::string_view kPrefix = "/v1/sites/";
  // `sites` gives the running config's sites (they change with `baton apply`); control thread.
  using Sites = std::function<const std::map<std::string, SiteConfig>&()>;
  explicit SiteApi(Sites sites) : sites_(std::move(sites)) {}

  // POST /v1/sites/NAME/releases[?version=V&no_index=1]: the body is read as a stream.
  static bool is_upload(const control::Request& head);
  awaitable<void> upload(const control::Request& head, control::BodyReader& body, control::Reply& reply);
  // GET /v1/sites/NAME/releases, POST /v1/sites/NAME/rollback.
  awaitable<void> handle(const control::Request& request, control::Reply& reply);

 private:
  // A copy: an apply during a long upload must not pull the site from under it.
  std::optional<SiteConfig> find(const std::string& name) const;
  awaitable<void> rollback(const control::Request& request, control::Reply& reply, const SiteConfig& site);

  Sites sites_;
  asio::thread_pool disk_{1};
};
}  // namespace baton
