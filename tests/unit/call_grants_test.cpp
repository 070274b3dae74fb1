#include "proxy/policy/call_grants.h"

#include <gtest/gtest.h>

#include "profiles/profile_parser.h"
#include "proxy/policy/url_check.h"

namespace mcpsandbox {
namespace {

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& text) {
  return parser.parse(text).value();
}

TEST(CallGrantRules, ArgumentsBecomeGrantsOfTheirKind) {
  simdjson::dom::parser parser;
  std::vector<CallGrantRule> rules = {{"path", GrantKind::kRead}, {"out", GrantKind::kWrite},
                                      {"url", GrantKind::kConnect}, {"urls", GrantKind::kConnect}};
  LexicalPathResolver resolver;
  auto grants = call_grants_for(
      rules, {"/usr/bin/git"},
      parse(parser, R"({"path": "src/../src/a.c", "out": "~/x", "url": "https://Example.org./x",
                        "urls": ["http://[::1]:8080/", "http://10.0.0.1:99"], "other": "ignored"})"),
      resolver, "/home/me/project", "/home/me");
  ASSERT_TRUE(grants.ok()) << grants.error().message;
  EXPECT_EQ(grants->read, std::vector<std::string>{"/home/me/project/src/a.c"});
  EXPECT_EQ(grants->write, std::vector<std::string>{"/home/me/x"});
  EXPECT_EQ(grants->exec, std::vector<std::string>{"/usr/bin/git"});
  ASSERT_EQ(grants->connect.size(), 3u);
  EXPECT_EQ(grants->connect[0].host, "example.org");
  EXPECT_EQ(grants->connect[0].port, 443);
  EXPECT_EQ(grants->connect[1].host, "::1");
  EXPECT_EQ(grants->connect[1].port, 8080);
  EXPECT_EQ(grants->connect[2].port, 99);
}

TEST(CallGrantRules, WhatCannotBeGrantedIsAnError) {
  simdjson::dom::parser parser;
  LexicalPathResolver resolver;
  std::vector<CallGrantRule> connect = {{"url", GrantKind::kConnect}};
  for (const char* bad : {R"({"url": "mailto:a@b.c"})", R"({"url": "gopher://host/"})", R"({"url": "not a url"})",
                          R"({"url": "http://host:99999/"})"}) {
    EXPECT_FALSE(call_grants_for(connect, {}, parse(parser, bad), resolver, "/", "/root").ok()) << bad;
  }
  std::vector<CallGrantRule> read = {{"path", GrantKind::kRead}};
  EXPECT_FALSE(call_grants_for(read, {}, parse(parser, std::string(R"({"path": "a)") + "\\u0000" + R"(b"})"), resolver,
                               "/", "/root").ok()) << "NUL in a path";
  EXPECT_TRUE(call_grants_for(read, {}, parse(parser, "{}"), resolver, "/", "/root")->empty()) << "absent: no grant";
}

TEST(CallGrantRules, UrlPortsAreParsedStrictly) {
  EXPECT_EQ(parse_url("http://h:8080/")->port, 8080);
  EXPECT_EQ(parse_url("http://[2001:db8::1]:443/")->port, 443);
  EXPECT_EQ(parse_url("http://u:p@h/")->port, 0);
  EXPECT_EQ(effective_port(*parse_url("https://h/")), 443);
  EXPECT_FALSE(parse_url("http://h:80x/").has_value());
  EXPECT_FALSE(parse_url("http://[::1]x/").has_value());
}

TEST(CallGrantRules, TheProfileDeclaresThemPerTool) {
  auto profile = parse_profile(R"({"tools": {"fetch": {"grants": {"url": "connect"}},
                                             "run": {"grants": {"cmd": "exec"}, "exec": ["/usr/bin/git"]}}})", "p");
  ASSERT_TRUE(profile.ok()) << profile.error().message;
  const auto& rules = profile->policy.base.tool_rules;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].grants[0].kind, GrantKind::kConnect);
  EXPECT_EQ(rules[1].exec, std::vector<std::string>{"/usr/bin/git"});
  auto bad_kind = parse_profile(R"({"tools": {"fetch": {"grants": {"url": "listen"}}}})", "p");
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_NE(bad_kind.error().message.find("/tools/fetch/grants/url"), std::string::npos) << bad_kind.error().message;
  EXPECT_FALSE(parse_profile(R"({"tools": {"x": {"exec": ["git"]}}})", "p").ok()) << "exec paths are absolute";
}

}  // namespace
}  // namespace mcpsandbox
