#include "cli/js_literal.hpp"

#include <gtest/gtest.h>

namespace baton::cli {
namespace {
using nlohmann::json;

json literal(std::string_view text) {
  auto value = parse_js_literal(text);
  EXPECT_TRUE(value) << describe_js_error(value.error(), "test.js");
  return value ? *value : json();
}

struct JsErrorCase {
  std::string_view text;
  std::size_t line;
  std::size_t column;
  std::string_view reason;  // a part of it
  bool beyond_subset;
};

TEST(JsLiteral, ReadsAnEcosystemFileWrittenAsLiterals) {
  auto value = literal(R"js(#!/usr/bin/env node
'use strict';
// PM2 apps
module.exports = {
  apps: [
    {
      name: 'web', "script": `server.js`, $dollar_key: 1, 'quoted-key': -2.5,
      instances: 4, big: 1_000_000, hex: 0xFF, exp: 1e3, fraction: .5, plus: +7,
      watch: false, autorestart: true, cron: null,
      args: ['--port', "3000",], /* trailing commas */
      env: { A: 'x', 10: "numeric key", },
    },
  ],
};
)js");
  const auto& app = value["apps"][0];
  EXPECT_EQ(app["name"], "web");
  EXPECT_EQ(app["script"], "server.js");
  EXPECT_EQ(app["$dollar_key"], 1);
  EXPECT_EQ(app["quoted-key"], -2.5);
  EXPECT_EQ(app["instances"], 4);
  EXPECT_TRUE(app["instances"].is_number_integer());
  EXPECT_EQ(app["big"], 1000000);
  EXPECT_EQ(app["hex"], 255);
  EXPECT_EQ(app["exp"], 1000.0);
  EXPECT_EQ(app["fraction"], 0.5);
  EXPECT_EQ(app["plus"], 7);
  EXPECT_EQ(app["watch"], false);
  EXPECT_EQ(app["autorestart"], true);
  EXPECT_TRUE(app["cron"].is_null());
  EXPECT_EQ(app["args"], json::array({"--port", "3000"}));
  EXPECT_EQ(app["env"]["10"], "numeric key");
}

TEST(JsLiteral, ReadsExportDefaultArraysAndJson) {
  EXPECT_EQ(literal("export default [{ name: 'a' }];"), json::parse(R"([{"name":"a"}])"));
  EXPECT_EQ(literal("module.exports = [1, 2]"), json::array({1, 2}));
  EXPECT_EQ(literal(R"({"apps": [{"name": "x", "n": 1.5e2}]})"), json::parse(R"({"apps":[{"name":"x","n":150.0}]})"));
}

TEST(JsLiteral, DecodesEscapes) {
  auto value = literal(R"js(module.exports = {
  a: 'it\'s', b: "tab\tnew\nline", c: `multi
line`, d: '\x41\u00e9\u{1F600}\uD83D\uDE00', e: 'back\\slash', f: 'con\
tinued', g: '\q', h: '\0', i: '\uD800'
})js");
  EXPECT_EQ(value["a"], "it's");
  EXPECT_EQ(value["b"], "tab\tnew\nline");
  EXPECT_EQ(value["c"], "multi\nline");
  EXPECT_EQ(value["d"], "A\xC3\xA9\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(value["e"], "back\\slash");
  EXPECT_EQ(value["f"], "continued");
  EXPECT_EQ(value["g"], "q");
  EXPECT_EQ(value["h"], std::string(1, '\0'));
  EXPECT_EQ(value["i"], "\xEF\xBF\xBD");  // a lone surrogate has no UTF-8 form
}

TEST(JsLiteral, ALaterKeyWinsAsInJavaScript) {
  EXPECT_EQ(literal("module.exports = { a: 1, a: 2 }")["a"], 2);
}

TEST(JsLiteral, ErrorsNameTheirLineAndColumn) {
  const JsErrorCase cases[] = {
      {"", 1, 1, "unexpected end of file", false},
      {"module.exports = {\n  name: 'web\n}", 2, 9, "string opened here is never closed", false},
      {"module.exports = {\n  name: 'web',\n", 1, 18, "object opened here is never closed", false},
      {"module.exports = [1, 2", 1, 23, "expected ',' or ']'", false},
      {"/* never\n closed", 1, 1, "comment opened here is never closed", false},
      {"module.exports = { a: 1 b: 2 }", 1, 25, "expected ',' or '}'", true},
      {"module.exports = { a: @ }", 1, 23, "unexpected character '@'", false},
      {"module.exports = { a: '\\x4' }", 1, 24, "bad escape", false},
      {"module.exports = { a: '\\u{110000}' }", 1, 24, "bad escape", false},
      {"module.exports = { a: '\\01' }", 1, 24, "octal escape", false},
      {"module.exports = { a: 12px }", 1, 23, "bad number", false},
      {"module.exports = { a: 1e }", 1, 23, "bad number", false},
      {"module.exports = { 'a' 1 }", 1, 24, "expected ':' after key 'a'", false},
      {"module.exports = { a: 1 };\nmodule.exports.b = 2;", 2, 1, "more code after", true},
      {"const path = require('path');\nmodule.exports = {}", 1, 1, "'const'", true},
      {"module.exports = {\n  script: path.join('a', 'b'),\n}", 2, 11, "'path' is not a literal", true},
      {"module.exports = { a: require('x') }", 1, 23, "'require' is not a literal", true},
      {"module.exports = { a: `x${y}` }", 1, 25, "template with ${}", true},
      {"module.exports = { ...base }", 1, 20, "spread", true},
      {"module.exports = { name }", 1, 20, "expected ':' after key 'name'", true},
      {"module.exports = { [key]: 1 }", 1, 20, "computed key", true},
      {"module.exports = { a: 'x' + 'y' }", 1, 27, "expected ',' or '}'", true},
      {"module.exports = { a: -b }", 1, 23, "expression", true},
      {"module.exports = [1,,2]", 1, 21, "empty array element", true},
      {"module.exports = (() => ({}))()", 1, 18, "expression", true},
      {"module.exports", 1, 15, "expected '=' after module.exports", true},
      {"export const apps = []", 1, 1, "export default", true},
      {"@", 1, 1, "expected 'module.exports ='", false},
      {"module.exports = { port: 010 }", 1, 26, "leading zero", false},
      {"module.exports = 00", 1, 18, "leading zero", false},
      {"module.exports = 7", 1, 18, "must be an object", false},
      {"module.exports = 'apps'", 1, 18, "must be an object", false},
  };
  for (const auto& c : cases) {
    auto value = parse_js_literal(c.text);
    ASSERT_FALSE(value) << c.text;
    EXPECT_EQ(value.error().line, c.line) << c.text;
    EXPECT_EQ(value.error().column, c.column) << c.text;
    EXPECT_NE(value.error().reason.find(c.reason), std::string::npos) << c.text << " -> " << value.error().reason;
    EXPECT_EQ(value.error().beyond_subset, c.beyond_subset) << c.text;
  }
}

TEST(JsLiteral, RefusesNestingBeyondItsBound) {
  std::string deep = "module.exports = " + std::string(1000, '[') + std::string(1000, ']');
  auto value = parse_js_literal(deep);
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().reason.find("nested deeper"), std::string::npos);
}

TEST(JsLiteral, DescribesAnErrorAsFileLineColumn) {
  JsLiteralError error;
  error.line = 3;
  error.column = 7;
  error.reason = "why";
  EXPECT_EQ(describe_js_error(error, "ecosystem.config.js"), "ecosystem.config.js:3:7: why");
}
}  // namespace
}  // namespace baton::cli
