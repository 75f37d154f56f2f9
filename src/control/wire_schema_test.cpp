// docs/openapi.json against the wire types: every field a type writes is in its schema with the
// right JSON type, every required one is written, and the schema lists no field the type lacks. A
// field renamed in C++ but not in the description (or the other way round) fails here.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/wire/access.hpp"
#include "control/wire/progress.hpp"
#include "control/wire/releases.hpp"

namespace baton::control::wire {
namespace {
using nlohmann::json;

class OpenApi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = std::string(BATON_SOURCE_DIR) + "/docs/openapi.json";
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    document_ = json::parse(text.str(), nullptr, false);
    ASSERT_TRUE(document_.is_object()) << path << " is not JSON";
  }

  const json& schema(const std::string& name) const { return document_["components"]["schemas"][name]; }

  const json& resolve(const json& s) const {
    if (!s.contains("$ref")) return s;
    auto ref = s["$ref"].get<std::string>();
    return schema(ref.substr(ref.rfind('/') + 1));
  }

  // Where `value` breaks `s` ("" when it fits), `at` naming the place.
  std::string mismatch(const json& value, const json& raw, const std::string& at) const {
    const auto& s = resolve(raw);
    auto type = s.value("type", "");
    if (type == "object") {
      if (!value.is_object()) return at + ": not an object";
      for (const auto& required : s.value("required", json::array()))
        if (!value.contains(required.get<std::string>())) return at + ": no " + required.get<std::string>();
      for (const auto& [key, field] : value.items()) {
        if (s.contains("properties") && s["properties"].contains(key)) {
          if (auto bad = mismatch(field, s["properties"][key], at + "." + key); !bad.empty()) return bad;
        } else if (s.contains("additionalProperties")) {
          if (auto bad = mismatch(field, s["additionalProperties"], at + "." + key); !bad.empty()) return bad;
        } else {
          return at + "." + key + ": not in the schema";
        }
      }
      return "";
    }
    if (type == "array") {
      if (!value.is_array()) return at + ": not an array";
      for (const auto& item : value)
        if (auto bad = mismatch(item, s["items"], at + "[]"); !bad.empty()) return bad;
      return "";
    }
    if (type == "string") {
      if (!value.is_string()) return at + ": not a string";
      if (s.contains("enum") && std::ranges::find(s["enum"], value) == s["enum"].end()) return at + ": not in the enum";
      if (s.contains("pattern") && !std::regex_match(value.get<std::string>(), std::regex(s["pattern"].get<std::string>())))
        return at + ": does not match the pattern";
      return "";
    }
    if (type == "integer") return value.is_number_integer() ? "" : at + ": not an integer";
    if (type == "boolean") return value.is_boolean() ? "" : at + ": not a boolean";
    return at + ": the schema has no type";
  }

  // The sample fits its schema, and (when it sets every field) the schema has no field it lacks.
  void expect_fits(const json& sample, const std::string& name, bool every_field) const {
    ASSERT_TRUE(schema(name).is_object()) << name << " is not in components.schemas";
    EXPECT_EQ(mismatch(sample, schema(name), name), "") << sample.dump();
    if (!every_field) return;
    for (const auto& [key, field] : schema(name)["properties"].items())
      EXPECT_TRUE(sample.contains(key)) << name << "." << key << " is in the schema but the type does not write it";
  }

  json document_;
};

template <typename T>
T round_trip(const T& value) {
  return json(value).get<T>();
}

TEST_F(OpenApi, ReleasesMatchTheirSchema) {
  Release release{.id = "r3", .version = "v1.2", .status = "live", .created_ms = 1765000000000, .created_by = "token ci (alice)",
                  .reason = "", .command = {"node", "server.js"}, .cwd = "/srv/app", .env = {{"DB", "***"}},
                  .instances = 2, .targets = {"127.0.0.1:3000"}};
  expect_fits(json(release), "Release", true);
  expect_fits(json(ReleaseList{{release, release}}), "ReleaseList", true);
  EXPECT_EQ(json(round_trip(release)), json(release));
}

TEST_F(OpenApi, ProgressLinesMatchTheirSchemas) {
  ProgressEvent full{.event = "drained", .message = "2 drained", .elapsed_ms = 1200, .ready = 2, .total = 2,
                     .drained = 2, .cut = 0};
  expect_fits(json(full), "ProgressEvent", true);
  ProgressEvent bare{.event = "step", .message = "starting", .elapsed_ms = 3};
  expect_fits(json(bare), "ProgressEvent", false);
  EXPECT_FALSE(json(bare).contains("ready")) << "unset fields are left out";
  EXPECT_EQ(json(round_trip(full)), json(full));
  ProgressEnd failed{.ok = false, .kind = "deploy", .release = "r4", .elapsed_ms = 900, .reason = "not healthy"};
  expect_fits(json(failed), "ProgressEnd", true);
  ProgressEnd ok{.ok = true, .kind = "rollback", .release = "r2", .elapsed_ms = 40};
  expect_fits(json(ok), "ProgressEnd", false);
  EXPECT_EQ(json(round_trip(failed)), json(failed));
}

TEST_F(OpenApi, TokensUploadsLogsAndErrorsMatchTheirSchemas) {
  expect_fits(json(TokenCreated{"ci", "deploy", "bt_00"}), "TokenCreated", true);
  TokenEntry entry{"ci", "deploy", 1765000000000};
  expect_fits(json(entry), "TokenEntry", true);
  expect_fits(json(TokenList{{entry}}), "TokenList", true);
  expect_fits(json(ArtifactUploaded{"0123456789abcdef0123456789abcdef", 4096}), "ArtifactUploaded", true);
  expect_fits(json(LogLine{"2026-12-08T01:00:00.000Z web#0 out hello"}), "LogLine", true);
  expect_fits(json(Error{"no service named 'x'"}), "Error", true);
  EXPECT_FALSE(parse<ArtifactUploaded>(R"({"artifact": 5})")) << "a field of the wrong type is no ArtifactUploaded";
  EXPECT_FALSE(parse<TokenList>("not json"));
  EXPECT_EQ(parse<TokenList>(R"({"tokens": []})")->tokens.size(), 0u);
}

// Every path's schemas are defined, so a client generated from the description compiles.
TEST_F(OpenApi, EveryReferenceResolves) {
  std::function<void(const json&)> visit = [&](const json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        auto ref = node["$ref"].get<std::string>();
        auto slash = ref.rfind('/');
        auto kind = ref.substr(std::string("#/components/").size(), slash - std::string("#/components/").size());
        EXPECT_TRUE(document_["components"][kind].contains(ref.substr(slash + 1))) << ref;
      }
      for (const auto& [key, child] : node.items()) visit(child);
    } else if (node.is_array()) {
      for (const auto& child : node) visit(child);
    }
  };
  visit(document_);
}
}  // namespace
}  // namespace baton::control::wire
