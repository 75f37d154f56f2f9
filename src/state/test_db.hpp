#pragma once
// Shared by the state module's tests only.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "base/check.hpp"
#include "state/schema.hpp"
#include "state/sqlite.hpp"

namespace baton::state::testing {
// A migrated in-memory database; fails the test (and aborts it) otherwise.
inline Database memory_db() {
  auto db = Database::open(":memory:");
  if (!db) ADD_FAILURE() << db.error();
  BATON_CHECK(db.has_value());
  auto migrated = migrate(*db);
  if (!migrated) ADD_FAILURE() << migrated.error();
  return std::move(*db);
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "baton-state-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
}  // namespace baton::state::testing
