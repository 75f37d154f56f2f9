#include "site_support.hpp"

#include <fmt/format.h>

#include <fstream>

namespace baton::itest {
std::string SiteTest::make_build(const std::string& name,
                                 const std::vector<std::pair<std::string, std::string>>& files) {
  auto build = dir_.path() / name;
  for (const auto& [relative, text] : files) {
    auto path = build / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  std::filesystem::create_directories(build);
  return build.string();
}

CommandResult SiteTest::run(const std::string& name, std::vector<std::string> argv) {
  Process process(fmt::format("{}-{}", name, runs_++), std::move(argv), dir_.path());
  CommandResult result;
  auto code = process.wait();
  result.code = code.value_or(-1);
  result.out = process.output(Stream::out);
  result.err = process.output(Stream::err);
  return result;
}

CommandResult SiteTest::site(std::vector<std::string> args) {
  std::vector<std::string> argv{baton_binary(), "site"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--root");
  argv.push_back(root().string());
  return run("site", std::move(argv));
}

CommandResult SiteTest::publish(const std::string& build, const std::string& version) {
  std::vector<std::string> args{"publish", "web", build};
  if (!version.empty()) args.insert(args.end(), {"--version", version});
  return site(std::move(args));
}

std::string SiteTest::site_table(const std::string& keys) const {
  return fmt::format("[proxy]\nthreads = 2\n\n[sites.web]\nroot = \"{}\"\nlisten = \"127.0.0.1:0\"\n{}\n",
                     root().string(), keys);
}

std::uint16_t SiteTest::start_site(const std::string& keys) { return start_baton(site_table(keys)).port(); }
}  // namespace baton::itest
