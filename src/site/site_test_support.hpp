#pragma once
// For the site tests: a temporary build directory and site root per test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace baton::site::testing {
class SiteDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("baton-site-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_ / "build");
    root_ = (base_ / "site").string();
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  void write(const std::string& relative, const std::string& text) {
    auto path = base_ / "build" / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::string read_live(const std::string& relative) {
    std::ifstream in(std::filesystem::path(root_) / "current" / relative);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string build() const { return (base_ / "build").string(); }
  std::size_t entries_in_releases() const {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(std::filesystem::path(root_) / "releases"), {}));
  }

  std::filesystem::path base_;
  std::string root_;
};
}  // namespace baton::site::testing
