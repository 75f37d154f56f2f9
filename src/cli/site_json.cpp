#include "cli/site_json.hpp"

namespace baton::cli {
using nlohmann::json;

json site_release_json(const site::ReleaseInfo& r) {
  return {{"id", r.id},       {"version", r.meta.version},           {"files", r.meta.files},
          {"bytes", r.meta.bytes}, {"published", r.meta.published_unix}, {"live", r.live}};
}

json site_releases_json(const std::vector<site::ReleaseInfo>& releases) {
  auto list = json::array();
  for (const auto& r : releases) list.push_back(site_release_json(r));
  return json{{"releases", list}};
}

std::optional<site::ReleaseInfo> parse_site_release(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto id = j.find("id"), version = j.find("version"), files = j.find("files"), bytes = j.find("bytes"),
       published = j.find("published"), live = j.find("live");
  if (id == j.end() || !id->is_string() || version == j.end() || !version->is_string() || files == j.end() ||
      !files->is_number_unsigned() || bytes == j.end() || !bytes->is_number_unsigned() || published == j.end() ||
      !published->is_number_integer() || live == j.end() || !live->is_boolean())
    return std::nullopt;
  return site::ReleaseInfo{.id = id->get<std::string>(),
                           .meta = {.version = version->get<std::string>(),
                                    .published_unix = published->get<std::int64_t>(),
                                    .files = files->get<std::uint64_t>(),
                                    .bytes = bytes->get<std::uint64_t>()},
                           .has_meta = published->get<std::int64_t>() != 0,
                           .live = live->get<bool>()};
}

std::optional<std::vector<site::ReleaseInfo>> parse_site_releases(const json& j) {
  if (!j.is_object() || !j.contains("releases") || !j["releases"].is_array()) return std::nullopt;
  std::vector<site::ReleaseInfo> releases;
  for (const auto& item : j["releases"]) {
    auto release = parse_site_release(item);
    if (!release) return std::nullopt;
    releases.push_back(std::move(*release));
  }
  return releases;
}
}  // namespace baton::cli
