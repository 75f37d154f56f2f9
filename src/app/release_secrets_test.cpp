#include "app/release_secrets.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/release_codec.hpp"
#include "base/json_text.hpp"

namespace baton {
namespace {
class ReleaseSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() / ("baton-release-secrets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home_);
    release_.id = "r4";
    release_.spec.command = {"app"};
    release_.spec.env = {{"PLAIN", "1"}, {"DB", "postgres://u:p\"w$\\x@db\nline2"}, {"TOKEN", "t0k"}};
    release_.spec.secret_env = {"DB", "TOKEN", "UNSET"};
  }
  void TearDown() override { std::filesystem::remove_all(home_); }

  std::filesystem::path home_;
  deploy::Release release_;
};

TEST_F(ReleaseSecretsTest, TheDatabaseGetsMasksAndTheFileGetsTheValuesBack) {
  ReleaseSecrets secrets(home_);
  ASSERT_TRUE(secrets.save("web", release_));
  auto record = to_record("web", release_);
  EXPECT_EQ(record.spec_json.find("t0k"), std::string::npos) << record.spec_json;
  EXPECT_EQ(record.spec_json.find("postgres"), std::string::npos) << record.spec_json;
  auto read = from_record(record);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(read->spec.env[1].second, "***");
  ASSERT_TRUE(secrets.restore("web", *read));
  EXPECT_EQ(read->spec.env, release_.spec.env);
  EXPECT_EQ(read->spec.secret_env, release_.spec.secret_env);

  struct stat file {};
  ASSERT_EQ(::stat(secrets.file_of("web", "r4").c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((home_ / "secrets" / "web").c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0700u);
}

TEST_F(ReleaseSecretsTest, AMissingFileIsAnErrorNamingItAndTheMasksStay) {
  ReleaseSecrets secrets(home_);
  auto read = from_record(to_record("web", release_));
  ASSERT_TRUE(read);
  auto restored = secrets.restore("web", *read);
  ASSERT_FALSE(restored);
  EXPECT_NE(restored.error().find("r4.env: cannot read"), std::string::npos) << restored.error();
  EXPECT_EQ(read->spec.env[2].second, "***");
}

TEST_F(ReleaseSecretsTest, ForgettingRemovesTheFiles) {
  ReleaseSecrets secrets(home_);
  ASSERT_TRUE(secrets.save("web", release_));
  secrets.forget("web", "r4");
  EXPECT_FALSE(std::filesystem::exists(secrets.file_of("web", "r4")));
  ASSERT_TRUE(secrets.save("web", release_));
  secrets.forget_service("web");
  EXPECT_FALSE(std::filesystem::exists(home_ / "secrets" / "web"));
  release_.spec.secret_env.clear();
  ASSERT_TRUE(secrets.save("web", release_));
  EXPECT_FALSE(std::filesystem::exists(secrets.file_of("web", "r4"))) << "no secrets, no file";
}
}  // namespace
}  // namespace baton
