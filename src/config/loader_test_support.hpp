#pragma once
// For the config tests only.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/loader.hpp"

namespace baton::testing {
inline Config parse_ok(std::string_view text) {
  auto config = parse_config(text, "test.toml");
  EXPECT_TRUE(config.has_value()) << config.error();
  return config.value_or(Config{});
}

// The message must name the file and the right line, say what is wrong, and be one line.
inline void expect_error(std::string_view text, int line, std::string_view phrase) {
  auto config = parse_config(text, "test.toml");
  ASSERT_FALSE(config.has_value()) << "accepted; expected: " << phrase;
  const std::string& error = config.error();
  EXPECT_TRUE(error.starts_with("test.toml:" + std::to_string(line) + ": ")) << error;
  EXPECT_NE(error.find(phrase), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}
}  // namespace baton::testing
