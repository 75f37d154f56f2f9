#include "base/secret_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace baton {
namespace {
class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("baton-secret-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text, mode_t mode) {
    auto path = (dir_ / "token").string();
    std::filesystem::remove(path);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(SecretFileTest, ReadsTheTokenWithoutTheNewline) {
  EXPECT_EQ(read_secret_file(write("s3cret-token\n", 0600)), "s3cret-token");
  EXPECT_EQ(read_secret_file(write("  abc \r\n", 0400)), "abc");
}

TEST_F(SecretFileTest, RefusesFilesOthersCanRead) {
  auto open = read_secret_file(write("abc\n", 0640));
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().find("chmod 600"), std::string::npos) << open.error();
  EXPECT_NE(open.error().find("0640"), std::string::npos) << open.error();
  EXPECT_FALSE(read_secret_file(write("abc\n", 0604)));
  EXPECT_FALSE(read_secret_file(write("abc\n", 0620)));
}

TEST_F(SecretFileTest, RefusesEmptyMissingAndDirectories) {
  auto empty = read_secret_file(write(" \n", 0600));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("empty"), std::string::npos);
  EXPECT_FALSE(read_secret_file((dir_ / "missing").string()));
  ::chmod(dir_.c_str(), 0700);
  EXPECT_FALSE(read_secret_file(dir_.string()));
}
}  // namespace
}  // namespace baton
