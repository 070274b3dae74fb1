#include <gtest/gtest.h>

#include "proxy/policy/argument_rule_check.h"
#include "proxy/policy/path_check.h"
#include "proxy/policy/url_check.h"

namespace mcpsandbox {
namespace {

// Resolves one symlink, as if the sandbox had /srv/data/link -> /etc.
class FakeResolver final : public PathResolver {
 public:
  Result<std::string> resolve(const std::string& path) const override {
    if (path.rfind("/srv/data/link", 0) == 0) return "/etc" + path.substr(14);
    return path;
  }
};

TEST(PathCheck, NormalisesEverySpellingBeforeJudging) {
  PathConstraint roots{{"/srv/data"}, {"**/.ssh/**", "**/.env"}, "/srv/data"};
  FakeResolver resolver;
  auto ok = [&](const std::string& value) { return !check_path(value, roots, resolver, "/home/u"); };
  EXPECT_TRUE(ok("/srv/data/a.txt"));
  EXPECT_TRUE(ok("notes/b.txt")) << "relative to the server's cwd";
  EXPECT_TRUE(ok("/srv/data//x/./y"));
  EXPECT_TRUE(ok("file:///srv/data/a%20b.txt"));
  EXPECT_FALSE(ok("/srv/data/../secret"));
  EXPECT_FALSE(ok("../secret"));
  EXPECT_FALSE(ok("/srv/database"));
  EXPECT_FALSE(ok("file:///srv/data/%2e%2e/secret"));
  EXPECT_FALSE(ok("file://evil.example/srv/data/a"));
  EXPECT_FALSE(ok(std::string("/srv/data/a\0/../../etc/passwd", 30)));
  EXPECT_FALSE(ok("/srv/data/link/passwd")) << "the symlink leads out of the root";
  EXPECT_FALSE(ok("/srv/data/u/.ssh/id_rsa"));
  EXPECT_FALSE(ok("/srv/data/.env"));
  EXPECT_FALSE(ok("~/x"));
  EXPECT_FALSE(ok(std::string(5000, 'a')));
}

TEST(UrlCheck, JudgesTheHostAParserWouldConnectTo) {
  UrlConstraint allow{{"https"}, {"example.org", "*.example.org"}};
  auto ok = [&](const std::string& value) { return !check_url(value, allow); };
  EXPECT_TRUE(ok("https://example.org/x"));
  EXPECT_TRUE(ok("https://api.example.org:8443/x?y=1"));
  EXPECT_TRUE(ok("HTTPS://EXAMPLE.ORG./x"));
  EXPECT_FALSE(ok("http://example.org/"));
  EXPECT_FALSE(ok("https://example.org@evil.example/"));
  EXPECT_FALSE(ok("https://evil.example\\@example.org/"));
  EXPECT_FALSE(ok("https://evil.example#@example.org"));
  EXPECT_FALSE(ok("https://example.org.evil.example/"));
  EXPECT_FALSE(ok("https://%65vil.example/"));
  EXPECT_FALSE(ok(" https://example.org/"));
  EXPECT_FALSE(ok("https://[::1]/"));
}

TEST(ArgumentRuleCheck, AppliesPatternsLengthsEnumsAndShellRules) {
  simdjson::dom::parser parser;
  LexicalPathResolver resolver;
  auto value = [&](const std::string& json) {
    return parser.parse(simdjson::padded_string(json)).value();
  };
  ArgumentRule rule;
  rule.argument = "branch";
  rule.pattern = "[a-z0-9/_-]+";
  rule.deny_pattern = "(?i)main$";
  rule.max_length = 20;
  rule.no_shell_metacharacters = true;
  auto check = ArgumentRuleCheck::compile(rule);
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_FALSE(check->check(value(R"("feature/x")"), resolver, "/"));
  EXPECT_TRUE(check->check(value(R"("Feature")"), resolver, "/")) << "pattern is a full match";
  EXPECT_TRUE(check->check(value(R"("release/MAIN")"), resolver, "/"));
  EXPECT_TRUE(check->check(value(R"("x;rm")"), resolver, "/"));
  EXPECT_TRUE(check->check(value(R"("aaaaaaaaaaaaaaaaaaaaa")"), resolver, "/"));
  EXPECT_TRUE(check->check(value("42"), resolver, "/"));
  EXPECT_FALSE(check->check(value(R"(["a","b"])"), resolver, "/")) << "each item of an array";
  EXPECT_TRUE(check->check(value(R"(["a","B"])"), resolver, "/"));

  ArgumentRule mode;
  mode.argument = "mode";
  mode.enum_values = {"\"read\"", "1.0"};
  auto enum_check = ArgumentRuleCheck::compile(mode);
  ASSERT_TRUE(enum_check.ok());
  EXPECT_FALSE(enum_check->check(value(R"("read")"), resolver, "/"));
  EXPECT_FALSE(enum_check->check(value("1"), resolver, "/"));
  EXPECT_TRUE(enum_check->check(value(R"("write")"), resolver, "/"));
}

}  // namespace
}  // namespace mcpsandbox
